// Autobahn 6.5-6.23 UTF-8 vectors: a text message with the payload must be
// accepted when valid and fail with 1007 otherwise, whole, fragmented and
// byte by byte.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ProtocolError } from "../../src/index.ts";
import { cat, client, drain, hex, serverFrame } from "./helpers.ts";

interface Vector {
  case: string;
  valid: boolean;
  payload_hex: string;
}

const vectors = JSON.parse(
  readFileSync(new URL("../fixtures/utf8/autobahn-6x-utf8-vectors.json", import.meta.url), "utf8"),
) as Vector[];

type Outcome = string | { closeCode: number | undefined };

function run(chunks: Uint8Array[]): Outcome {
  const conn = client();
  const texts: string[] = [];
  try {
    for (const chunk of chunks) {
      conn.receiveData(chunk);
      for (const ev of drain(conn)) if (ev.type === "text") texts.push(ev.data);
    }
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
    return { closeCode: e.closeCode };
  }
  expect(texts).toHaveLength(1);
  return texts[0]!;
}

/** One frame per `size` bytes of payload. */
function fragmented(payload: Uint8Array, size: number): Uint8Array {
  const frames: Uint8Array[] = [];
  for (let at = 0; at < payload.length || at === 0; at += size) {
    const end = Math.min(payload.length, at + size);
    frames.push(
      serverFrame(at === 0 ? 1 : 0, payload.subarray(at, end), { fin: end === payload.length }),
    );
    if (payload.length === 0) break;
  }
  return cat(frames);
}

describe("UTF-8 vectors (Autobahn 6.x)", () => {
  it("has the 132 vectors", () => {
    expect(vectors).toHaveLength(132);
  });

  for (const v of vectors) {
    it(`${v.case} ${v.valid ? "valid" : "invalid"}`, () => {
      const payload = hex(v.payload_hex);
      const expected: Outcome = v.valid
        ? new TextDecoder("utf-8", { ignoreBOM: true }).decode(payload)
        : { closeCode: 1007 };
      const whole = serverFrame(1, payload);
      expect(run([whole])).toEqual(expected);
      expect(run([fragmented(payload, 1)])).toEqual(expected);
      expect(run([fragmented(payload, 3)])).toEqual(expected);
      expect(run([...whole].map((b) => Uint8Array.of(b)))).toEqual(expected);
      const perFrameBytes = fragmented(payload, 1);
      expect(run([...perFrameBytes].map((b) => Uint8Array.of(b)))).toEqual(expected);
    });
  }
});
