// Happy eyeballs on real sockets: an address with nothing listening, then the
// live one. (A first attempt that hangs cannot be made on loopback; the
// shared race is unit-tested with fakes for that.)
import type { LookupAddress, LookupFunction } from "../../contract.ts";
import { AbortedError, ConnectionRefusedError } from "../../errors.ts";
import { type CaseDefinition, echo, silent, withServer } from "../context.ts";
import { roundTrip } from "./basic.ts";

const deadFirst: readonly LookupAddress[] = [
  // The server listens on 127.0.0.1 only: nothing answers on ::1 at its port
  // (refused, or unreachable where the machine has no IPv6).
  { address: "::1", family: 6 },
  { address: "127.0.0.1", family: 4 },
];

const answer =
  (addresses: readonly LookupAddress[]): LookupFunction =>
  async () =>
    addresses;

export const happyEyeballsCases: CaseDefinition[] = [
  {
    name: "happy eyeballs: a dead first address fails over to the live one at once",
    async run(context) {
      await withServer(context, {}, echo, async (server) => {
        // The delay is longer than the case's deadline: the second attempt
        // must start because the first failed, not because the delay ran out.
        const conn = await context.transport.connect({
          host: "reqivo.test",
          port: server.port,
          lookup: answer(deadFirst),
          happyEyeballsDelay: 60_000,
        });
        context.check.equal(conn.info.remoteAddress, "127.0.0.1", "connected to the live address");
        context.check.equal(server.acceptedConnections, 1, "one connection reached the server");
        await roundTrip(context, conn);
      });
    },
  },
  {
    name: "happy eyeballs: every address dead gives ConnectionRefusedError",
    async run(context) {
      const port = await withServer(context, {}, silent, async (server) => server.port);
      const error = await context.check.rejects(
        context.transport.connect({ host: "reqivo.test", port, lookup: answer(deadFirst) }),
        ConnectionRefusedError,
        "all refused",
      );
      context.check.equal(error.code, "CONNECTION_REFUSED", "code");
    },
  },
  {
    name: "happy eyeballs: abort while the lookup is pending",
    async run(context) {
      const controller = new AbortController();
      const why = new Error("test abort");
      const slow: LookupFunction = () => {
        controller.abort(why);
        return new Promise(() => {});
      };
      const error = await context.check.rejects(
        context.transport.connect({
          host: "reqivo.test",
          port: 9,
          lookup: slow,
          signal: controller.signal,
        }),
        AbortedError,
        "aborted lookup",
      );
      context.check.equal(error.cause, why, "cause is the signal's reason");
    },
  },
];
