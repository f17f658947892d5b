// Reading helpers shared by the transport-node tests; every loop is bounded.
import type { Connection } from "@reqivo/transport";
import { expect } from "vitest";

/** Every chunk until the peer ends (at most 10,000 reads). */
export async function readAll(conn: Connection): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < 10_000; i++) {
    const chunk = await conn.read();
    if (chunk === null) return chunks;
    chunks.push(chunk);
  }
  throw new Error("more than 10,000 reads");
}

/**
 * Twenty rounds of one byte written (the round's number) and a reply of
 * `reply` bytes, each byte the round's number, read back whole; the chunks of
 * every round are kept, then checked: reading later rounds must never have
 * written into a chunk handed out earlier.
 */
export async function expectKeptRepliesIntact(conn: Connection, reply: number): Promise<void> {
  const kept: Uint8Array[][] = [];
  for (let round = 1; round <= 20; round++) {
    await conn.write(new Uint8Array([round]));
    const pieces: Uint8Array[] = [];
    let got = 0;
    for (let i = 0; got < reply && i < 1000; i++) {
      const chunk = await conn.read();
      if (chunk === null) throw new Error("closed early");
      pieces.push(chunk);
      got += chunk.byteLength;
    }
    expect(got).toBe(reply);
    kept.push(pieces);
  }
  kept.forEach((pieces, index) => {
    for (const piece of pieces) expect(piece.every((b) => b === index + 1)).toBe(true);
  });
}
