// Keep-alive request/reply cycles through the Deno transport's read slabs
// (src/connection.ts sizes a reply's slab by the reply before): every chunk
// the caller keeps must still hold its bytes after later replies were read.
import assert from "node:assert";
import type { PeerSocket } from "@reqivo/transport/testing";
import { createNodeHarness } from "@reqivo/transport/testing/node-harness";
import { createTransport } from "../src/index.ts";

declare const Deno: { test(name: string, fn: () => Promise<void>): void };

// Over COPY_AT_MOST (32 KiB) so they are handed out as slab views; the same
// size twice, then larger, smaller and over a whole slab.
const REPLY_SIZES = [65_667, 65_667, 65_667, 100_000, 40_000, 65_667, 200_000, 65_667];

/** Reply i is `size` bytes, each byte (i * 31 + offset) % 251. */
function reply(index: number, size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let at = 0; at < size; at++) bytes[at] = (index * 31 + at) % 251;
  return bytes;
}

async function serve(peer: PeerSocket): Promise<void> {
  // One request byte per reply: the client writes, then reads the reply whole.
  for (let index = 0; index < REPLY_SIZES.length; ) {
    const request = await peer.read();
    if (request === null) return;
    for (let n = 0; n < request.length && index < REPLY_SIZES.length; n++, index++) {
      await peer.write(reply(index, REPLY_SIZES[index]!));
    }
  }
  await peer.end();
}

Deno.test("reply slabs: chunks kept over keep-alive replies of changing size keep their bytes", async () => {
  const server = await createNodeHarness().listen({}, (peer) => {
    serve(peer).catch(() => peer.destroy());
  });
  const conn = await createTransport().connect({ host: "127.0.0.1", port: server.port });
  try {
    const kept: Uint8Array[][] = [];
    for (let index = 0; index < REPLY_SIZES.length; index++) {
      await conn.write(new Uint8Array([index]));
      const chunks: Uint8Array[] = [];
      // Bounded: each read brings at least one byte, so at most `size` reads.
      for (let got = 0, reads = 0; got < REPLY_SIZES[index]!; reads++) {
        assert.ok(reads < REPLY_SIZES[index]!, "too many reads");
        const chunk = await conn.read();
        assert.ok(chunk !== null, `reply ${index} ended early`);
        chunks.push(chunk);
        got += chunk.length;
      }
      kept.push(chunks);
    }
    for (const [index, chunks] of kept.entries()) {
      const whole = new Uint8Array(chunks.reduce((sum, c) => sum + c.length, 0));
      let at = 0;
      for (const chunk of chunks) {
        whole.set(chunk, at);
        at += chunk.length;
      }
      assert.deepStrictEqual(whole, reply(index, REPLY_SIZES[index]!), `reply ${index}`);
    }
    assert.strictEqual(await conn.read(), null);
  } finally {
    conn.close();
    await conn.closed.catch(() => undefined);
    await server.close();
  }
});
