/**
 * A first-in first-out queue read from a moving head, for the pool's
 * requests waiting for an origin's connections (pool.ts).
 */

/**
 * Items in arrival order (the pool's requests waiting for a connection),
 * oldest first: read from a moving head rather than with `shift`, which
 * moved every entry behind the first (50 waiting, a `shift` and a `push` per hand-over: ~57 → ~14 ns in a
 * loop of them). apps/bench `scripts/instructions-contenders.mjs` (100 in
 * flight over 50 connections, so ~50 waiting): get-tiny 56,178 → 52,504,
 * get-64k 104,322 → 100,644 instructions per request
 * (results/2026-12-07-pool-wait.md).
 *
 * @example
 * ```ts
 * const queue = new WaitQueue<string>();
 * queue.push("a");
 * queue.push("b");
 * queue.shift(); // "a"
 * ```
 */
export class WaitQueue<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  /** The oldest waiting item, taken out (`undefined`: none). */
  shift(): T | undefined {
    const items = this.#items;
    const head = this.#head;
    if (head === items.length) return undefined;
    const request = items[head];
    items[head] = undefined;
    this.#head = head + 1;
    if (this.#head === items.length) {
      items.length = 0;
      this.#head = 0;
    } else if (this.#head >= COMPACT_AT && this.#head * 2 >= items.length) {
      // Taken entries are half the list or more: the waiting ones move to the front.
      items.copyWithin(0, this.#head);
      items.length -= this.#head;
      this.#head = 0;
    }
    return request;
  }

  /** Takes `item` out wherever it waits; false when it is not waiting. */
  remove(item: T): boolean {
    const at = this.#items.indexOf(item, this.#head);
    if (at === -1) return false;
    this.#items.splice(at, 1);
    if (this.#head === this.#items.length) {
      this.#items.length = 0;
      this.#head = 0;
    }
    return true;
  }

  /** Every waiting item, oldest first, taken out. */
  takeAll(): T[] {
    const all = this.#items.slice(this.#head) as T[];
    this.#items = [];
    this.#head = 0;
    return all;
  }
}

/** Taken entries a {@link WaitQueue} keeps at its front before it moves the waiting ones up. */
const COMPACT_AT = 1024;
