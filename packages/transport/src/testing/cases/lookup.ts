// The `lookup` hook and the transport's own resolver: names the hook
// resolves, TLS still speaking to the name, failures as DnsError, and the
// connect timeout covering a lookup that never answers.
import type { LookupAddress, LookupFunction } from "../../contract.ts";
import { ConnectTimeoutError, DnsError, TransportError } from "../../errors.ts";
import { firstRecordLength, parseClientHello } from "../client-hello.ts";
import { type CaseDefinition, echo, withServer } from "../context.ts";
import type { PeerSocket } from "../harness.ts";
import { concat } from "../support.ts";
import { roundTrip } from "./basic.ts";

const loopback: readonly LookupAddress[] = [{ address: "127.0.0.1", family: 4 }];

/** A hook that answers `addresses` for every name and records what it was asked. */
function recordingLookup(addresses: readonly LookupAddress[] = loopback) {
  const asked: string[] = [];
  const lookup: LookupFunction = async (hostname) => {
    asked.push(hostname);
    return addresses;
  };
  return { asked, lookup };
}

export const lookupCases: CaseDefinition[] = [
  {
    name: "lookup: the hook resolves a name the system does not know",
    async run(context) {
      const { asked, lookup } = recordingLookup();
      await withServer(context, {}, echo, async (server) => {
        const conn = await context.transport.connect({
          host: "reqivo.test",
          port: server.port,
          lookup,
        });
        context.check.equal(asked.join(","), "reqivo.test", "the hook was asked for the host");
        context.check.equal(conn.info.remoteAddress, "127.0.0.1", "info.remoteAddress");
        await roundTrip(context, conn);
      });
    },
  },
  {
    name: "lookup: not called for an IP literal",
    async run(context) {
      const { asked, lookup } = recordingLookup();
      await withServer(context, {}, echo, async (server) => {
        const conn = await context.transport.connect({
          host: "127.0.0.1",
          port: server.port,
          lookup,
        });
        await roundTrip(context, conn);
        context.check.equal(asked.length, 0, "hook calls");
      });
    },
  },
  {
    name: "lookup: TLS sends SNI for the host name, not the address the hook gave",
    async run(context) {
      const { lookup } = recordingLookup();
      let servername: string | null | undefined;
      const sniff = async (peer: PeerSocket) => {
        const hello: Uint8Array[] = [];
        for (let chunk = await peer.read(); chunk !== null; chunk = await peer.read()) {
          hello.push(chunk);
          const bytes = concat(hello);
          const length = firstRecordLength(bytes);
          if (length !== null && bytes.length >= length) {
            servername = parseClientHello(bytes).servername;
            break;
          }
        }
        peer.destroy();
      };
      await withServer(context, {}, sniff, async (server) => {
        const attempt = context.transport.connect({
          host: "reqivo.test",
          port: server.port,
          tls: true,
          lookup,
        });
        await context.check.rejects(attempt, TransportError, "the sniffer hangs up");
      });
      context.check.equal(servername, "reqivo.test", "SNI");
    },
  },
  {
    name: "lookup: TLS verifies the certificate against the host name",
    async run(context) {
      const { ca, named } = await context.certificates();
      const { lookup } = recordingLookup();
      await withServer(context, { tls: named }, echo, async (server) => {
        const conn = await context.transport.connect({
          host: "sni.test",
          port: server.port,
          tls: { ca },
          lookup,
        });
        await roundTrip(context, conn);
      });
    },
  },
  {
    name: "lookup: a hook that fails or finds nothing gives DnsError",
    async run(context) {
      const down = new Error("resolver down");
      const failing: LookupFunction = async () => {
        throw down;
      };
      const error = await context.check.rejects(
        context.transport.connect({ host: "reqivo.test", port: 9, lookup: failing }),
        DnsError,
        "failing hook",
      );
      context.check.equal(error.code, "DNS_FAILURE", "code");
      context.check.equal(error.hostname, "reqivo.test", "hostname");
      context.check.equal(error.cause, down, "the hook's error is the cause");
      const { lookup: empty } = recordingLookup([]);
      await context.check.rejects(
        context.transport.connect({ host: "reqivo.test", port: 9, lookup: empty }),
        DnsError,
        "empty answer",
      );
    },
  },
  {
    name: "lookup: the connect timeout covers a hook that never answers",
    async run(context) {
      let signalSeen = false;
      const never: LookupFunction = (_hostname, { signal }) => {
        signalSeen = signal !== undefined;
        return new Promise(() => {});
      };
      const controller = new AbortController();
      const error = await context.check.rejects(
        context.transport.connect({
          host: "reqivo.test",
          port: 9,
          lookup: never,
          connectTimeout: 200,
          signal: controller.signal,
        }),
        ConnectTimeoutError,
        "hung lookup",
      );
      context.check.equal(error.timeoutMs, 200, "timeoutMs");
      context.check.ok(signalSeen, "the hook got the signal");
    },
  },
  {
    name: "lookup: transport.lookup resolves localhost and fails .invalid with DnsError",
    async run(context) {
      const lookup = context.transport.lookup?.bind(context.transport);
      if (lookup === undefined) return;
      const addresses = await lookup("localhost", {});
      context.check.ok(
        addresses.some((a) => a.address === "127.0.0.1" || a.address === "::1"),
        `localhost is loopback: ${JSON.stringify(addresses)}`,
      );
      context.check.ok(
        addresses.every((a) => a.family === (a.address.includes(":") ? 6 : 4)),
        "families match the addresses",
      );
      const error = await context.check.rejects(
        lookup("reqivo-conformance.invalid", {}),
        DnsError,
        ".invalid",
      );
      context.check.equal(error.hostname, "reqivo-conformance.invalid", "hostname");
    },
  },
];
