// Connect failures and how an established connection reports its end.
import {
  ConnectionClosedError,
  ConnectionRefusedError,
  ConnectionResetError,
  DnsError,
  TransportError,
} from "../../errors.ts";
import { type CaseDefinition, echo, silent, target, withServer } from "../context.ts";
import type { PeerSocket } from "../harness.ts";
import { readBytes, sleep, utf8 } from "../support.ts";

export const failureCases: CaseDefinition[] = [
  {
    name: "connect: a closed port fails with ConnectionRefusedError",
    async run(context) {
      // Take a port the OS just handed out, then free it: nothing listens there.
      const port = await withServer(context, {}, silent, async (server) => server.port);
      const error = await context.check.rejects(
        context.transport.connect({ host: "127.0.0.1", port }),
        ConnectionRefusedError,
        "refused",
      );
      context.check.equal(error.code, "CONNECTION_REFUSED", "code");
      context.check.ok(error.cause !== undefined, "the raw error is the cause");
    },
  },
  {
    name: "connect: a name that cannot resolve fails with DnsError",
    async run(context) {
      const hostname = "reqivo-conformance.invalid"; // RFC 6761: never resolves
      const error = await context.check.rejects(
        context.transport.connect({ host: hostname, port: 80 }),
        DnsError,
        "lookup",
      );
      context.check.equal(error.code, "DNS_FAILURE", "code");
      context.check.equal(error.hostname, hostname, "hostname");
    },
  },
  {
    name: "stream: a peer reset mid-stream fails reads, writes and closed with ConnectionResetError",
    async run(context) {
      const resetAfterHello = async (peer: PeerSocket) => {
        await readBytes(peer, 5);
        await peer.write(utf8("partial"));
        // Leave input unread so that even a plain close turns into RST.
        await sleep(50);
        peer.reset();
      };
      await withServer(context, {}, resetAfterHello, async (server) => {
        const conn = await context.transport.connect(target(server));
        await conn.write(utf8("hello"));
        await conn.write(new Uint8Array(64 * 1024)); // stays unread on the server
        const outcome = await readUntilFailure(conn);
        context.check.ok(outcome instanceof ConnectionResetError, `read: ${String(outcome)}`);
        context.check.equal((outcome as TransportError).code, "CONNECTION_RESET", "code");
        await context.check.rejects(conn.closed, ConnectionResetError, "closed");
        await context.check.rejects(conn.write(utf8("late")), TransportError, "write after reset");
        conn.close();
      });
    },
  },
  {
    name: "close: pending and later operations fail with ConnectionClosedError",
    async run(context) {
      await withServer(context, {}, silent, async (server) => {
        const conn = await context.transport.connect(target(server));
        const pendingRead = conn.read();
        conn.close();
        await context.check.rejects(pendingRead, ConnectionClosedError, "pending read");
        await context.check.rejects(conn.read(), ConnectionClosedError, "read after close");
        await context.check.rejects(
          conn.write(utf8("x")),
          ConnectionClosedError,
          "write after close",
        );
        await conn.closed;
        conn.close(); // idempotent
      });
    },
  },
  {
    name: "closeWrite: a later write fails with ConnectionClosedError, reading goes on",
    async run(context) {
      await withServer(context, {}, echo, async (server) => {
        const conn = await context.transport.connect(target(server));
        await conn.write(utf8("bye"));
        await conn.closeWrite();
        await context.check.rejects(conn.write(utf8("x")), ConnectionClosedError, "write");
        await conn.closeWrite(); // idempotent
        context.check.equal((await readBytes(conn, 3)).length, 3, "echo still readable");
        context.check.equal(await conn.read(), null, "then end of stream");
        conn.close();
        await conn.closed;
      });
    },
  },
];

/** Reads until a read rejects; returns the error (or "end" / "no failure"). */
async function readUntilFailure(conn: { read(): Promise<Uint8Array | null> }): Promise<unknown> {
  try {
    for (let i = 0; i < 1000; i++) {
      if ((await conn.read()) === null) return "end of stream instead of a reset";
    }
    return "no failure after 1000 reads";
  } catch (error) {
    return error;
  }
}
