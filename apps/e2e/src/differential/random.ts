// A seeded random source with the few draws the generators need. Each case
// gets its own stream from (seed, case index), so one line replays it.
import { prng } from "../load.ts";

export class Rng {
  readonly #next: () => number;
  constructor(seed: number, index = 0) {
    // Mix the index in so neighbouring cases do not share streams.
    this.#next = prng((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
  }
  /** 0 ≤ n < max. */
  int(max: number): number {
    return Math.floor(this.#next() * max);
  }
  /** True with probability p. */
  chance(p: number): boolean {
    return this.#next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  byte(): number {
    return this.int(256);
  }
}
