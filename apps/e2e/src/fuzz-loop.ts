// The fuzz loop behind scripts/fuzz.ts and the CI smoke run: draw a vector,
// stack 1–8 mutations, cut it at random offsets, check the invariants.
// Bounded by count and by time; memory is checked as it goes.
import {
  check,
  type Finding,
  httpCorpus,
  httpTokens,
  MUTATION_OPS,
  mutate,
  wsCorpus,
  wsTokens,
} from "./fuzz.ts";
import { prng } from "./load.ts";

export interface FuzzResult {
  inputs: number;
  http: number;
  ws: number;
  findings: Finding[];
}

export interface FuzzLoopOptions {
  seed: number;
  /** Stop at this time (ms since the epoch). */
  until: number;
  iterations: number;
  /** Heap ceiling; going over it is a finding (bounded memory). Default 1 GiB. */
  maxHeap?: number;
  onProgress?: (r: FuzzResult) => void;
}

export function fuzzLoop(options: FuzzLoopOptions): FuzzResult {
  const random = prng(options.seed);
  const int = (n: number) => Math.floor(random() * n);
  const http = httpCorpus();
  const ws = wsCorpus();
  const result: FuzzResult = { inputs: 0, http: 0, ws: 0, findings: [] };
  const maxHeap = options.maxHeap ?? 1024 * 1024 * 1024;
  let lastProgress = Date.now();
  for (let i = 0; i < options.iterations && result.findings.length < 100; i++) {
    if ((i & 63) === 0 && Date.now() >= options.until) break;
    const isHttp = random() < 0.6;
    const corpus = isHttp ? http : ws;
    let input = corpus[int(corpus.length)]!.bytes;
    const donor = corpus[int(corpus.length)]!.bytes;
    const count = 1 + int(8);
    for (let m = 0; m < count; m++)
      input = mutate(
        input,
        { op: int(MUTATION_OPS), at: int(1 << 30), value: int(1 << 30), length: int(1 << 30) },
        isHttp ? httpTokens : wsTokens,
        donor,
      );
    const offsets = Array.from({ length: int(9) }, () => int(1 << 30));
    const finding = check(isHttp ? "http" : "ws", input, offsets, isHttp && random() < 0.1);
    result.inputs++;
    if (isHttp) result.http++;
    else result.ws++;
    if (finding !== null) result.findings.push(finding);
    if ((i & 1023) === 0) {
      const heap = process.memoryUsage().heapUsed;
      if (heap > maxHeap)
        result.findings.push({ kind: "memory", message: `heap at ${heap} bytes`, input: "" });
      if (Date.now() - lastProgress > 10_000) {
        lastProgress = Date.now();
        options.onProgress?.(result);
      }
    }
  }
  return result;
}
