// `tunnel`: TLS over a connection that is already open, as through a proxy's
// CONNECT tunnel, plain or itself TLS; who owns the tunnel; timeout and abort
// during the handshake over it.
import type { Connection, ConnectOptions } from "../../contract.ts";
import { AbortedError, ConnectTimeoutError } from "../../errors.ts";
import {
  type CaseContext,
  type CaseDefinition,
  echo,
  expectUnsupported,
  silent,
  target,
  withServer,
} from "../context.ts";
import type { TestServer } from "../harness.ts";
import { startRelay } from "../relay.ts";
import { eventually, settlesWithin } from "../support.ts";
import { roundTrip } from "./basic.ts";

/** TLS to `server` (the far end) over `tunnel`; `localhost` is what its certificate names. */
function overTunnel(server: TestServer, tunnel: Connection, extra: ConnectOptions = {}) {
  return { host: "localhost", port: server.port, tunnel, ...extra };
}

/** Whether the tunnel is closed: its `closed` settles soon. */
async function tunnelClosed(context: CaseContext, tunnel: Connection): Promise<void> {
  context.check.ok(await settlesWithin(tunnel.closed, 3_000), "the tunnel is closed");
}

export const tunnelCases: CaseDefinition[] = [
  {
    name: "tunnel: TLS over a plain connection; closing it closes the tunnel",
    async run(context) {
      const { ca, server: pem } = await context.certificates();
      await withServer(context, { tls: pem }, echo, async (server) => {
        const plain = await context.transport.connect(target(server));
        const attempt = context.transport.connect(overTunnel(server, plain, { tls: { ca } }));
        if (!context.supports("tunnel")) {
          await expectUnsupported(context, attempt, "tunnel");
          await tunnelClosed(context, plain);
          return;
        }
        const conn = await attempt;
        context.check.equal(conn.info.kind, "tls", "info.kind");
        context.check.equal(conn.info.remotePort, server.port, "info.remotePort is the far end's");
        context.check.equal(conn.info.remoteAddress, null, "info.remoteAddress is unknown");
        await roundTrip(context, conn);
        await tunnelClosed(context, plain);
        const released = await eventually(() => server.openConnections === 0, 3_000);
        context.check.ok(released, "the server saw the socket close");
      });
    },
  },
  {
    name: "tunnel: TLS inside TLS, through a TLS-terminating relay (an HTTPS proxy)",
    async run(context) {
      if (!context.supports("tunnel")) return;
      const { ca, server: pem } = await context.certificates();
      await withServer(context, { tls: pem }, echo, async (server) => {
        const relay = await startRelay(context, server.port, pem);
        try {
          const outer = await context.transport.connect({
            host: "localhost",
            port: relay.port,
            tls: { ca, alpnProtocols: ["http/1.1"] },
          });
          const attempt = context.transport.connect(
            overTunnel(server, outer, { tls: { ca, alpnProtocols: ["reqivo-inner"] } }),
          );
          if (!context.supports("tunnel.tls-in-tls")) {
            await expectUnsupported(context, attempt, "tunnel");
            return;
          }
          const conn = await attempt;
          context.check.equal(conn.info.kind, "tls", "info.kind");
          await roundTrip(context, conn, "inner hello");
          await tunnelClosed(context, outer);
        } finally {
          await relay.close();
        }
      });
    },
  },
  {
    name: "tunnel: the connect timeout covers the handshake over the tunnel, which is then closed",
    async run(context) {
      if (!context.supports("tunnel")) return;
      await withServer(context, {}, silent, async (server) => {
        const plain = await context.transport.connect(target(server));
        const error = await context.check.rejects(
          context.transport.connect(overTunnel(server, plain, { tls: true, connectTimeout: 300 })),
          ConnectTimeoutError,
          "silent far end",
        );
        context.check.equal(error.timeoutMs, 300, "timeoutMs");
        await tunnelClosed(context, plain);
        const released = await eventually(() => server.openConnections === 0, 3_000);
        context.check.ok(released, "the tunnel's socket was closed");
      });
    },
  },
  {
    name: "tunnel: abort during the handshake over the tunnel closes the tunnel",
    async run(context) {
      if (!context.supports("tunnel")) return;
      await withServer(context, {}, silent, async (server) => {
        const plain = await context.transport.connect(target(server));
        const controller = new AbortController();
        const why = new Error("test abort");
        const attempt = context.transport.connect(
          overTunnel(server, plain, { tls: true, signal: controller.signal }),
        );
        controller.abort(why);
        const error = await context.check.rejects(attempt, AbortedError, "aborted handshake");
        context.check.equal(error.cause, why, "cause is the signal's reason");
        await tunnelClosed(context, plain);
      });
    },
  },
];
