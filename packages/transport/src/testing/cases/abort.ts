// Abort by signal (and by conn.abort) in every phase: before connect, while
// connecting, during the TLS handshake, while reading, while a write waits.
import { AbortedError } from "../../errors.ts";
import { type CaseDefinition, echo, silent, stalled, target, withServer } from "../context.ts";
import { eventually, settlesWithin, sleep, utf8 } from "../support.ts";

const reason = () => new Error("test abort");

export const abortCases: CaseDefinition[] = [
  {
    name: "abort: a signal aborted before connect rejects at once, nothing reaches the server",
    async run(context) {
      await withServer(context, {}, echo, async (server) => {
        const controller = new AbortController();
        const why = reason();
        controller.abort(why);
        const error = await context.check.rejects(
          context.transport.connect(target(server, { signal: controller.signal })),
          AbortedError,
          "pre-aborted",
        );
        context.check.equal(error.code, "ABORTED", "code");
        context.check.equal(error.cause, why, "cause is the signal's reason");
        await sleep(50);
        context.check.equal(server.acceptedConnections, 0, "no connection was made");
      });
    },
  },
  {
    name: "abort: while connecting",
    async run(context) {
      await withServer(context, {}, echo, async (server) => {
        const controller = new AbortController();
        const why = reason();
        const attempt = context.transport.connect(target(server, { signal: controller.signal }));
        controller.abort(why);
        const error = await context.check.rejects(attempt, AbortedError, "mid-connect");
        context.check.equal(error.cause, why, "cause is the signal's reason");
        const released = await eventually(() => server.openConnections === 0, 3_000);
        context.check.ok(released, "no socket left open");
      });
    },
  },
  {
    name: "abort: during the TLS handshake",
    async run(context) {
      await withServer(context, {}, silent, async (server) => {
        const controller = new AbortController();
        const why = reason();
        const attempt = context.transport.connect(
          target(server, { tls: true, signal: controller.signal }),
        );
        await eventually(() => server.acceptedConnections === 1, 2_000);
        await sleep(20);
        controller.abort(why);
        const error = await context.check.rejects(attempt, AbortedError, "mid-handshake");
        context.check.equal(error.cause, why, "cause is the signal's reason");
        if (context.supports("tls.cancelHandshakeClosesSocket")) {
          const released = await eventually(() => server.openConnections === 0, 3_000);
          context.check.ok(released, "the half-open socket was closed");
        }
      });
    },
  },
  {
    name: "abort: while a read is pending; later operations and closed fail too",
    async run(context) {
      await withServer(context, {}, silent, async (server) => {
        const controller = new AbortController();
        const why = reason();
        const conn = await context.transport.connect(target(server, { signal: controller.signal }));
        const pending = conn.read();
        await sleep(20);
        controller.abort(why);
        const error = await context.check.rejects(pending, AbortedError, "pending read");
        context.check.equal(error.cause, why, "cause is the signal's reason");
        await context.check.rejects(conn.write(utf8("x")), AbortedError, "write after abort");
        await context.check.rejects(conn.closed, AbortedError, "closed");
        const released = await eventually(() => server.openConnections === 0, 3_000);
        context.check.ok(released, "the socket was closed");
      });
    },
  },
  {
    name: "abort: while a write waits for a peer that does not read",
    timeoutMs: 30_000,
    async run(context) {
      await withServer(context, {}, stalled, async (server) => {
        const controller = new AbortController();
        const conn = await context.transport.connect(target(server, { signal: controller.signal }));
        const chunk = new Uint8Array(1 << 20);
        let stuckWrite: Promise<void> | null = null;
        for (let written = 0; written < 256 && stuckWrite === null; written++) {
          const write = conn.write(chunk);
          if (!(await settlesWithin(write, 200))) stuckWrite = write;
          else await write;
        }
        context.check.ok(stuckWrite !== null, "writes stalled before 256 MiB (backpressure)");
        const why = reason();
        controller.abort(why);
        const error = await context.check.rejects(stuckWrite!, AbortedError, "stalled write");
        context.check.equal(error.cause, why, "cause is the signal's reason");
      });
    },
  },
  {
    name: "abort: conn.abort(reason) fails a pending read with that reason",
    async run(context) {
      await withServer(context, {}, silent, async (server) => {
        const conn = await context.transport.connect(target(server));
        const pending = conn.read();
        const why = reason();
        conn.abort(why);
        const error = await context.check.rejects(pending, AbortedError, "pending read");
        context.check.equal(error.cause, why, "cause");
        await context.check.rejects(conn.closed, AbortedError, "closed");
      });
    },
  },
  {
    name: "abort: a signal fired after close changes nothing",
    async run(context) {
      await withServer(context, {}, echo, async (server) => {
        const controller = new AbortController();
        const conn = await context.transport.connect(target(server, { signal: controller.signal }));
        conn.close();
        await conn.closed;
        controller.abort(reason());
        await sleep(10);
        const stillClean = await settlesWithin(conn.closed, 10);
        context.check.ok(stillClean, "closed stays resolved");
        await conn.closed;
      });
    },
  },
];
