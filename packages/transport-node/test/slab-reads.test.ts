// Plain sockets on Node read into slabs (src/slab-reader.ts): chunks are
// views into shared memory that is not zero-filled up front. What a chunk's
// `.buffer` shows must be bytes the peer sent or zeros, and a view handed out
// is never read into again. (The zeroing itself is checked with memory that
// plays leftovers in packages/transport/test/read-slab.test.ts; fresh memory
// from the OS is zero already.)
import * as net from "node:net";
import type { Connection } from "@reqivo/transport";
import { afterEach, expect, test } from "vitest";
import { createTransport } from "../src/index.ts";
import { expectKeptRepliesIntact, readAll } from "./reads.ts";

const transport = createTransport();
const open: { server: net.Server; conns: Connection[] }[] = [];

afterEach(async () => {
  for (const { server, conns } of open.splice(0)) {
    for (const conn of conns) conn.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

/** A loopback server that runs `onSocket` for each connection; resolves with its port. */
async function serve(
  onSocket: (socket: net.Socket) => void,
): Promise<{ port: number; conns: Connection[] }> {
  const server = net.createServer(onSocket);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const conns: Connection[] = [];
  open.push({ server, conns });
  return { port: (server.address() as net.AddressInfo).port, conns };
}

test("every chunk's buffer holds only bytes the peer sent, or zeros", async () => {
  const size = 300 * 1024;
  const { port, conns } = await serve((socket) => socket.end(Buffer.alloc(size, 0xff)));
  const conn = await transport.connect({ host: "127.0.0.1", port });
  conns.push(conn);
  const chunks = await readAll(conn);
  expect(chunks.reduce((n, c) => n + c.byteLength, 0)).toBe(size);
  for (const chunk of chunks) {
    expect(chunk.every((b) => b === 0xff)).toBe(true);
    const whole = new Uint8Array(chunk.buffer);
    const foreign = whole.findIndex((b) => b !== 0xff && b !== 0);
    expect(foreign).toBe(-1);
  }
});

test("tiny reads share one small slab per connection, showing only that peer's bytes", async () => {
  // Each peer sends five 18-byte pieces apart in time (five reads) of its own byte value.
  const pieces = 5;
  const serveBytes = (value: number) =>
    serve(async (socket) => {
      for (let i = 0; i < pieces; i++) {
        socket.write(Buffer.alloc(18, value));
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
      socket.end();
    });
  const [a, b] = await Promise.all([serveBytes(0xaa), serveBytes(0xbb)]);
  const connA = await transport.connect({ host: "127.0.0.1", port: a.port });
  const connB = await transport.connect({ host: "127.0.0.1", port: b.port });
  a.conns.push(connA);
  b.conns.push(connB);
  const [chunksA, chunksB] = await Promise.all([readAll(connA), readAll(connB)]);
  for (const [chunks, value] of [
    [chunksA, 0xaa],
    [chunksB, 0xbb],
  ] as const) {
    expect(chunks.reduce((n, c) => n + c.byteLength, 0)).toBe(pieces * 18);
    expect(chunks.length).toBeGreaterThan(1);
    // Views of one slab (off V8's heap), not an array of their own each.
    expect(new Set(chunks.map((c) => c.buffer)).size).toBe(1);
    for (const chunk of chunks) {
      expect(chunk.every((byte) => byte === value)).toBe(true);
      expect(new Uint8Array(chunk.buffer).every((byte) => byte === value || byte === 0)).toBe(true);
    }
  }
});

test("bytes a server sends before the first read are delivered in order", async () => {
  const { port, conns } = await serve((socket) => {
    socket.write("hello ");
    setTimeout(() => socket.end("world"), 20);
  });
  const conn = await transport.connect({ host: "127.0.0.1", port });
  conns.push(conn);
  // Let the greeting arrive before anything reads.
  await new Promise((resolve) => setTimeout(resolve, 10));
  const text = new TextDecoder().decode(Buffer.concat(await readAll(conn)));
  expect(text).toBe("hello world");
});

test("request after request on one connection: every reply arrives whole and intact", async () => {
  // Replies of 70 KiB: over the slab's copy limit, so each is read into views.
  const reply = 70 * 1024;
  const { port, conns } = await serve((socket) => {
    let n = 0;
    socket.on("data", () => {
      n++;
      socket.write(Buffer.alloc(reply, n & 0xff));
    });
  });
  const conn = await transport.connect({ host: "127.0.0.1", port });
  conns.push(conn);
  // Views handed out earlier were never read into again.
  await expectKeptRepliesIntact(conn, reply);
});

test("readNow: a buffered chunk at once, a later one through the callback, then null", async () => {
  // "late" is sent only when the client asks for it, so that it cannot be
  // buffered already when the second readNow is made (a timer on the server
  // raced the client's on a loaded machine).
  const { port, conns } = await serve((socket) => {
    socket.write("early");
    socket.once("data", () => socket.end("late"));
  });
  const conn = await transport.connect({ host: "127.0.0.1", port });
  conns.push(conn);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const fail = (error: unknown) => {
    throw error;
  };
  const first = conn.readNow!(() => expect.unreachable("was buffered"), fail);
  expect(new TextDecoder().decode(first!)).toBe("early");
  const later = await new Promise<Uint8Array | null>((resolve) => {
    expect(conn.readNow!(resolve, fail)).toBeUndefined();
    void conn.write(new TextEncoder().encode("go"));
  });
  expect(new TextDecoder().decode(later!)).toBe("late");
  const end = await new Promise<Uint8Array | null>((resolve) => {
    const now = conn.readNow!(resolve, fail);
    if (now !== undefined) resolve(now);
  });
  expect(end).toBeNull();
});

/** A server answering each byte it gets with `reply` bytes of that byte's value. */
function echoRounds(reply: number) {
  return serve((socket) => {
    socket.on("data", (data) => {
      for (const round of data) socket.write(Buffer.alloc(reply, round));
    });
  });
}

test("small reads are copies of their own: a kept chunk pins no slab", async () => {
  const { port, conns } = await echoRounds(100);
  const conn = await transport.connect({ host: "127.0.0.1", port });
  conns.push(conn);
  await conn.write(new Uint8Array([1]));
  const chunk = await conn.read();
  expect(chunk?.byteLength).toBe(100);
  expect(chunk?.buffer.byteLength).toBe(100);
});

test("after shareReads(), a reply's first read is a view of the slab, never read into again", async () => {
  const { port, conns } = await echoRounds(100);
  const conn = await transport.connect({ host: "127.0.0.1", port });
  conns.push(conn);
  expect(conn.shareReads).toBeTypeOf("function");
  conn.shareReads?.();
  await conn.write(new Uint8Array([1]));
  const chunk = await conn.read();
  expect(chunk?.byteLength).toBe(100);
  // A view of the connection's first slab (16 KiB; full 128 KiB slabs follow).
  expect(chunk?.buffer.byteLength).toBe(16 * 1024);
  await expectKeptRepliesIntact(conn, 100);
});

test("after shareReads(), reads with no write in between (a stream) are copies again", async () => {
  let sendSecondPart: (() => void) | undefined;
  const { port, conns } = await serve((socket) => {
    socket.once("data", () => {
      socket.write(Buffer.alloc(100, 1));
      sendSecondPart = () => socket.write(Buffer.alloc(200, 2));
    });
  });
  const conn = await transport.connect({ host: "127.0.0.1", port });
  conns.push(conn);
  conn.shareReads?.();
  await conn.write(new Uint8Array([1]));
  const first = await conn.read();
  expect(first?.buffer.byteLength).toBe(16 * 1024); // a view of the first slab
  // Unprompted by the client (no write on this connection), once the first
  // part has been read: the stream's next read, not a reply to a write.
  expect(sendSecondPart).toBeDefined();
  sendSecondPart?.();
  const second = await conn.read();
  expect(second?.byteLength).toBe(200);
  expect(second?.buffer.byteLength).toBe(200);
  expect(second?.every((byte) => byte === 2)).toBe(true);
});
