// The HTTP/2 client core's fuzz target (src/h2-fuzz.ts): a bounded run with a
// fixed seed, so CI replays the same cases; `npx pnpm --filter @reqivo/e2e fuzz
// -- --target h2 --minutes 10` runs it for longer, and prints a replay line per finding.
import { describe, expect, it } from "vitest";
import { concatBytes } from "../../../packages/protocol/src/bytes.ts";
import { checkH2, h2CaseAt, h2FuzzLoop, replayLine } from "../src/h2-fuzz.ts";
import { hpackStories, rawFrame } from "../src/h2-fuzz-frames.ts";

const SEED = 20_2612;

describe("HTTP/2 client connection fuzz target", () => {
  it("loads the vendored HPACK corpus (4 encoders × 3 stories)", () => {
    expect(hpackStories()).toHaveLength(12);
    expect(hpackStories().every((s) => s.blocks.length > 0)).toBe(true);
  });

  it("draws the same case from the same seed and index", () => {
    expect(h2CaseAt(SEED, 41)).toEqual(h2CaseAt(SEED, 41));
    expect(replayLine(SEED, 41)).toContain(`--seed ${SEED} --case 41`);
  });

  it("fixed-seed run: typed errors only, same result for every split, bounded memory (400 cases, ≤ 8 s)", () => {
    const result = h2FuzzLoop({ seed: SEED, cases: 400, until: Date.now() + 8_000 });
    expect(result.findings.map((f) => `${f.kind}: ${f.message}\n  ${f.replay}`)).toEqual([]);
    expect(result.cases).toBeGreaterThan(50);
    // The generator reaches both clean runs and many distinct refusals.
    expect(result.errors.none ?? 0).toBeGreaterThan(0);
    expect(Object.keys(result.errors).length).toBeGreaterThan(10);
  });

  // Found by the first runs (seed 1, case 194): a connection error kept the rest of
  // the chunk buffered, above the bound of a partial frame plus an open header block.
  it("regression: nothing stays buffered after a connection error", () => {
    const wire = concatBytes([
      rawFrame(4, 0, 0, new Uint8Array(0)),
      rawFrame(4, 1, 0, new Uint8Array(0)),
      rawFrame(4, 1, 0, new Uint8Array(0)), // no SETTINGS waits for this ACK
      rawFrame(0, 0, 1, new Uint8Array(16_000)),
      rawFrame(0, 0, 1, new Uint8Array(16_000)),
    ]);
    expect(checkH2({ maxHeaderBlockSize: 2048 }, wire, [3, 9, 27, 40])).toBeNull();
  });
});
