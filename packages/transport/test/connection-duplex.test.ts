// The kit's Connection-as-Duplex over node:stream, against a scripted
// connection: reads are pulled one at a time and only on demand, bytes and
// half-close pass through both ways, destroying closes the connection.
import { Duplex } from "node:stream";
import { describe, expect, test } from "vitest";
import type { Connection } from "../src/index.ts";
import { connectionDuplex } from "../src/kit.ts";

/** A connection whose reads the test answers by hand, recording what the Duplex asks of it. */
function scripted() {
  const pendingReads: Array<(chunk: Uint8Array | null) => void> = [];
  const written: string[] = [];
  const calls = { reads: 0, closeWrite: 0, close: 0 };
  const conn = {
    read: () => {
      calls.reads++;
      return new Promise<Uint8Array | null>((resolve) => pendingReads.push(resolve));
    },
    write: async (bytes: Uint8Array) => {
      written.push(new TextDecoder().decode(bytes));
    },
    closeWrite: async () => {
      calls.closeWrite++;
    },
    close: () => {
      calls.close++;
    },
  } as unknown as Connection;
  const answer = (chunk: string | null) =>
    pendingReads.shift()?.(chunk === null ? null : new TextEncoder().encode(chunk));
  return { conn, answer, written, calls, pendingReads };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("connectionDuplex", () => {
  test("pulls one read at a time, only while the stream wants data, and ends at null", async () => {
    const { conn, answer, calls, pendingReads } = scripted();
    const duplex = connectionDuplex(Duplex, conn);
    await tick();
    expect(calls.reads).toBe(0); // nobody reads yet
    const received: string[] = [];
    duplex.on("data", (chunk: Buffer) => received.push(chunk.toString()));
    const ended = new Promise((resolve) => duplex.once("end", resolve));
    for (let i = 0; i < 5; i++) {
      await tick();
      expect(pendingReads.length).toBe(1);
      answer(`chunk${i}`);
    }
    await tick();
    answer(null);
    await ended;
    expect(received.join("")).toBe("chunk0chunk1chunk2chunk3chunk4");
    expect(calls.reads).toBe(6);
  });

  test("writes and the half-close go to the connection; destroy closes it", async () => {
    const { conn, written, calls } = scripted();
    const duplex = connectionDuplex(Duplex, conn);
    await new Promise<void>((resolve) =>
      duplex.write(new TextEncoder().encode("hello"), () => resolve()),
    );
    await new Promise<void>((resolve) => duplex.end(resolve));
    expect(written).toEqual(["hello"]);
    expect(calls.closeWrite).toBe(1);
    expect(calls.close).toBe(0);
    duplex.destroy();
    expect(calls.close).toBe(1);
  });

  test("a failed read destroys the stream with that error and closes the connection", async () => {
    const conn = {
      read: () => Promise.reject(new Error("reset")),
      close: () => {},
    } as unknown as Connection;
    const duplex = connectionDuplex(Duplex, conn);
    const closed = new Promise((resolve) => duplex.once("close", resolve));
    duplex.resume();
    await closed;
    expect(duplex.errored?.message).toBe("reset");
  });
});
