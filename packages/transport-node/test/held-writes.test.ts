// Small writes on Node wait for the check phase of the event loop
// (src/connection.ts, holdUntilCheck; a lone connection's first one after a
// read excepted): what the peer receives must be the
// same bytes in the same order as writes made at once, a write accepted at
// once still leaves when the connection is closed right after it, and behind
// a slow peer writes still wait.
import * as net from "node:net";
import { type Connection, WRITTEN } from "@reqivo/transport";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { createTransport } from "../src/index.ts";

const transport = createTransport();
const servers: net.Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

/** A server that collects each connection's bytes until its end; resolves with the port and the bytes. */
async function collector(): Promise<{ port: number; received: Promise<Buffer> }> {
  let deliver: (bytes: Buffer) => void = () => undefined;
  const received = new Promise<Buffer>((resolve) => {
    deliver = resolve;
  });
  const server = net.createServer((socket) => {
    const chunks: Buffer[] = [];
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("end", () => {
      deliver(Buffer.concat(chunks));
      socket.end();
    });
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(server);
  return { port: (server.address() as net.AddressInfo).port, received };
}

// A lone connection writes its first small write after each read at once and
// holds only the ones after it; beside another open connection every small
// write is held. Both must keep the same guarantees.
describe.each([
  { mode: "alone", beside: false },
  { mode: "beside another open connection", beside: true },
])("$mode", ({ beside }) => {
  let companion: Connection | undefined;

  beforeEach(async () => {
    if (!beside) return;
    const { port } = await collector();
    companion = await transport.connect({ host: "127.0.0.1", port });
  });

  afterEach(async () => {
    companion?.close();
    await companion?.closed.catch(() => undefined);
    companion = undefined;
  });

  test("small and large writes made in one turn arrive in call order, before the end", async () => {
    const { port, received } = await collector();
    const conn = await transport.connect({ host: "127.0.0.1", port });
    const large = new Uint8Array(100 * 1024).fill(0x62);
    const writes = [
      conn.write(new TextEncoder().encode("one,")),
      conn.write(new TextEncoder().encode("two,")),
      // Larger than what is held: it still waits behind the held writes.
      conn.write(large),
      conn.write(new TextEncoder().encode(",three")),
    ];
    const ended = conn.closeWrite();
    await Promise.all(writes);
    await ended;
    const bytes = await received;
    const text = bytes.toString("latin1");
    expect(text.slice(0, 8)).toBe("one,two,");
    expect(text.slice(8, 8 + large.length)).toBe("b".repeat(large.length));
    expect(text.slice(8 + large.length)).toBe(",three");
    conn.close();
  });

  test("a small write the runtime takes at once returns the shared WRITTEN promise", async () => {
    const { port, received } = await collector();
    const conn = await transport.connect({ host: "127.0.0.1", port });
    const written = conn.write(new TextEncoder().encode("hello"));
    expect(written).toBe(WRITTEN);
    await conn.closeWrite();
    expect((await received).toString("latin1")).toBe("hello");
    conn.close();
  });

  test("awaited small writes one after another all arrive", async () => {
    const { port, received } = await collector();
    const conn = await transport.connect({ host: "127.0.0.1", port });
    const parts: string[] = [];
    for (let i = 0; i < 200; i++) {
      parts.push(`${i};`);
      await conn.write(new TextEncoder().encode(`${i};`));
    }
    await conn.closeWrite();
    expect((await received).toString("latin1")).toBe(parts.join(""));
    conn.close();
  });

  test("close() right after a write sends what write() accepted, then closes", async () => {
    // A farewell (HTTP/2 GOAWAY, a WebSocket close frame) is written, then the
    // connection closed: the bytes must still leave, as they did when every
    // write went to the socket at once.
    const { port, received } = await collector();
    const conn = await transport.connect({ host: "127.0.0.1", port });
    await conn.write(new TextEncoder().encode("farewell"));
    conn.close();
    expect((await received).toString("latin1")).toBe("farewell");
    await conn.closed;
  });

  test("writes held behind a slow peer resolve only once the socket took them", async () => {
    // The peer reads nothing: the socket's buffer fills, and writes wait.
    let paused: net.Socket | undefined;
    const server = net.createServer((socket) => {
      socket.pause();
      paused = socket;
      socket.on("error", () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    servers.push(server);
    const conn = await transport.connect({
      host: "127.0.0.1",
      port: (server.address() as net.AddressInfo).port,
    });
    const piece = new Uint8Array(8 * 1024).fill(0x61);
    let resolved = 0;
    const writes: Promise<void>[] = [];
    // 64 MiB offered at once: far beyond what loopback buffers take, so some must wait.
    for (let i = 0; i < 8192; i++) writes.push(conn.write(piece).then(() => void resolved++));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(resolved).toBeLessThan(8192);
    conn.close();
    await Promise.allSettled(writes);
    paused?.destroy();
  });
});
