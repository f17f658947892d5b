// Plain TCP and Unix socket cases: echo, negotiated info, ordering, handle hygiene.
import type { Connection } from "../../contract.ts";
import { ConnectionRefusedError, InvalidArgumentError } from "../../errors.ts";
import {
  type CaseContext,
  type CaseDefinition,
  echo,
  expectUnsupported,
  target,
  withServer,
} from "../context.ts";
import { eventually, readBytes, text, utf8 } from "../support.ts";

/** Writes `message`, expects it back, half-closes, expects end of stream, closes. */
export async function roundTrip(
  context: CaseContext,
  conn: Connection,
  message = "hello",
): Promise<void> {
  const { check } = context;
  await conn.write(utf8(message));
  check.equal(text(await readBytes(conn, message.length)), message, "echoed bytes");
  await conn.closeWrite();
  check.equal(await conn.read(), null, "end of stream after the server's end");
  conn.close();
  await conn.closed;
}

export const basicCases: CaseDefinition[] = [
  {
    name: "tcp: echo over IPv4 loopback, with connection info",
    async run(context) {
      await withServer(context, {}, echo, async (server) => {
        const conn = await context.transport.connect(target(server));
        const { check } = context;
        check.equal(conn.info.kind, "tcp", "info.kind");
        check.equal(conn.info.remoteAddress, "127.0.0.1", "info.remoteAddress");
        check.equal(conn.info.remotePort, server.port, "info.remotePort");
        check.ok((conn.info.localPort ?? 0) > 0, "info.localPort is set");
        check.equal(conn.info.alpnProtocol, null, "no ALPN without TLS");
        check.equal(conn.info.tlsVersion, null, "no TLS version without TLS");
        check.equal(conn.info.path, null, "no path for TCP");
        await roundTrip(context, conn);
      });
    },
  },
  {
    name: "tcp: echo over IPv6 loopback (::1), where the machine has it",
    async run(context) {
      if (!(await context.harness.ipv6Available())) return;
      await withServer(context, { host: "::1" }, echo, async (server) => {
        const conn = await context.transport.connect({ host: "::1", port: server.port });
        context.check.equal(conn.info.remoteAddress, "::1", "info.remoteAddress");
        await roundTrip(context, conn);
      });
    },
  },
  {
    name: "tcp: a host name is resolved (localhost)",
    async run(context) {
      await withServer(context, {}, echo, async (server) => {
        const conn = await context.transport.connect({ host: "localhost", port: server.port });
        await roundTrip(context, conn);
      });
    },
  },
  {
    name: "tcp: concurrent writes go out in call order",
    async run(context) {
      await withServer(context, {}, echo, async (server) => {
        const conn = await context.transport.connect(target(server));
        const parts = Array.from({ length: 50 }, (_, i) => `<${i}>`);
        await Promise.all(parts.map((part) => conn.write(utf8(part))));
        const expected = parts.join("");
        context.check.equal(text(await readBytes(conn, expected.length)), expected, "order kept");
        conn.close();
      });
    },
  },
  {
    name: "tcp: 150 sequential connections leave no socket open",
    timeoutMs: 30_000,
    async run(context) {
      await withServer(context, {}, echo, async (server) => {
        for (let i = 0; i < 150; i++) {
          const conn = await context.transport.connect(target(server));
          await conn.write(utf8("x"));
          context.check.equal(text(await readBytes(conn, 1)), "x", `echo on connection ${i}`);
          conn.close();
          await conn.closed;
        }
        context.check.equal(server.acceptedConnections, 150, "server accepted every connection");
        const drained = await eventually(() => server.openConnections === 0, 3_000);
        context.check.ok(drained, `server still holds ${server.openConnections} open sockets`);
      });
    },
  },
  {
    name: "unix: echo over a Unix domain socket",
    async run(context) {
      const path = context.harness.unixSocketPath();
      if (!context.supports("unix")) {
        await expectUnsupported(context, context.transport.connect({ path }), "path");
        return;
      }
      await withServer(context, { path }, echo, async () => {
        const conn = await context.transport.connect({ path });
        context.check.equal(conn.info.kind, "unix", "info.kind");
        context.check.equal(conn.info.path, path, "info.path");
        await roundTrip(context, conn);
      });
    },
  },
  {
    name: "unix: a path nobody listens on is refused",
    async run(context) {
      if (!context.supports("unix")) return;
      const path = context.harness.unixSocketPath();
      const error = await context.check.rejects(
        context.transport.connect({ path }),
        ConnectionRefusedError,
        "connect to a missing socket",
      );
      context.check.equal(error.code, "CONNECTION_REFUSED", "code");
    },
  },
  {
    name: "options: nonsense is a TypeError (INVALID_ARGUMENT) before any I/O",
    async run(context) {
      const { check, transport } = context;
      const bad = [
        [{}, "no host, no path"],
        [{ host: "127.0.0.1", port: 0 }, "port 0"],
        [{ host: "127.0.0.1", port: 1, tls: { cert: "x" } }, "cert without key"],
      ] as const;
      for (const [options, label] of bad) {
        const error = await check.rejects(transport.connect(options), TypeError, label);
        check.ok(error instanceof InvalidArgumentError, `${label}: InvalidArgumentError`);
        check.equal((error as InvalidArgumentError).code, "INVALID_ARGUMENT", `${label}: code`);
      }
    },
  },
];
