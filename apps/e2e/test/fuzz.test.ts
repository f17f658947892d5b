// Properties over mutated conformance vectors (fast-check shrinks a failure to
// the fewest mutations and cuts), regression inputs the fuzzer found, and a
// short bounded smoke run of the fuzz loop behind `npx pnpm fuzz`.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  check,
  httpCorpus,
  httpTokens,
  MUTATION_OPS,
  type Mutation,
  mutate,
  wsCorpus,
  wsTokens,
} from "../src/fuzz.ts";
import { fuzzLoop } from "../src/fuzz-loop.ts";

const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.nat(MUTATION_OPS - 1),
  at: fc.nat(),
  value: fc.nat(),
  length: fc.nat(63),
});

function mutated(kind: "http" | "ws") {
  const corpus = kind === "http" ? httpCorpus() : wsCorpus();
  return fc
    .record({
      vector: fc.nat(corpus.length - 1),
      donor: fc.nat(corpus.length - 1),
      mutations: fc.array(mutation, { minLength: 1, maxLength: 6 }),
    })
    .map(({ vector, donor, mutations }) => {
      let bytes = corpus[vector]!.bytes;
      for (const m of mutations)
        bytes = mutate(bytes, m, kind === "http" ? httpTokens : wsTokens, corpus[donor]!.bytes);
      return { name: corpus[vector]!.name, bytes };
    });
}

const hex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (h) => Number.parseInt(h, 16));

describe("fuzz properties", () => {
  it("the corpora load (llhttp, h11, Go, http-parser responses; Autobahn frames)", () => {
    expect(httpCorpus().length).toBeGreaterThan(150);
    expect(wsCorpus().length).toBeGreaterThan(200);
  });

  it("mutated HTTP vectors: only ProtocolErrors, bounded, same result for every split", () => {
    fc.assert(
      fc.property(
        mutated("http"),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.boolean(),
        (input, offsets, head) => {
          expect(check("http", input.bytes, offsets, head)).toBeNull();
        },
      ),
      { numRuns: 400 },
    );
  });

  it("mutated Autobahn frames: only ProtocolErrors with 1002/1007/1009, bounded, same for every split", () => {
    fc.assert(
      fc.property(mutated("ws"), fc.array(fc.nat(), { maxLength: 8 }), (input, offsets) => {
        expect(check("ws", input.bytes, offsets)).toBeNull();
      }),
      { numRuns: 300 },
    );
  });

  // Found by `npx pnpm fuzz`: the error code of a bad status line or of a fold before
  // the first field depended on whether the line's LF had arrived in the same read.
  it.each([
    [
      "bare LF after a bad version",
      "485492f04eac0a68c62482e03e9cfa58b61472d054502f312e31203330310d0a0d0a",
    ],
    ["bare LF after a bad status code", "485454502f312e3120326a30204f4b0a0a"],
    ["tab instead of space after the version", "485454502f302e3909323030204f4b0d0a0d0a"],
    ["fold then bare LF before the first field", "485454502f312e3120323030204f4b0d0a09436f6e0a"],
    ["space-only line then bare LF", "485454502f312e3120323030204f4b0d0a200a"],
  ])("regression: %s", (_name, input) => {
    expect(check("http", hex(input), [1, 5, 9, 13, 20])).toBeNull();
  });

  it("smoke run of the fuzz loop (bounded: 3 s or 20,000 inputs)", () => {
    const result = fuzzLoop({ seed: 20_240_601, until: Date.now() + 3_000, iterations: 20_000 });
    expect(result.findings).toEqual([]);
    expect(result.inputs).toBeGreaterThan(0);
  });
});
