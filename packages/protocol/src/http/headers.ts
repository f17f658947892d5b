import { splitList } from "../syntax.ts";

/** One header field as it appeared on the wire: `[name, value]`, name in the wire's case. */
export type HeaderPair = [name: string, value: string];

/** Header fields in wire order. */
export type HeaderList = HeaderPair[];

/**
 * A case-insensitive, read-only view over header pairs in wire order.
 * Repeated fields stay separate: `getAll` returns each, `get` joins them with
 * `", "`, and `getSetCookie` keeps every `Set-Cookie` apart (they cannot be
 * joined safely).
 *
 * @example
 * ```ts
 * import { Headers } from "@reqivo/protocol";
 * const h = new Headers([["Content-Type", "text/plain"], ["Set-Cookie", "a=1"], ["set-cookie", "b=2"]]);
 * h.get("content-type"); // "text/plain"
 * h.getSetCookie();      // ["a=1", "b=2"]
 * ```
 */
export class Headers implements Iterable<HeaderPair> {
  readonly #pairs: readonly HeaderPair[];
  #index: Map<string, string[]> | undefined;

  constructor(pairs: readonly HeaderPair[] = []) {
    this.#pairs = pairs;
  }

  // Built on first lookup: most consumers read one or two fields, or none.
  #lookup(): Map<string, string[]> {
    if (this.#index !== undefined) return this.#index;
    const index = new Map<string, string[]>();
    for (const [name, value] of this.#pairs) {
      const key = name.toLowerCase();
      const list = index.get(key);
      if (list === undefined) index.set(key, [value]);
      else list.push(value);
    }
    this.#index = index;
    return index;
  }

  /** Number of fields, repeats counted. */
  get size(): number {
    return this.#pairs.length;
  }

  /** The field's values joined with `", "`, or `null` when absent. */
  get(name: string): string | null {
    const values = this.#lookup().get(name.toLowerCase());
    return values === undefined ? null : values.join(", ");
  }

  /** Every value of the field, in wire order. */
  getAll(name: string): string[] {
    return this.#lookup().get(name.toLowerCase())?.slice() ?? [];
  }

  /** Every `Set-Cookie` value, each kept whole. */
  getSetCookie(): string[] {
    return this.getAll("set-cookie");
  }

  /** Whether the field is present. */
  has(name: string): boolean {
    return this.#lookup().has(name.toLowerCase());
  }

  /** The field's comma-separated elements, trimmed and lower-cased (for Connection, Transfer-Encoding, Upgrade…). */
  tokens(name: string): string[] {
    const values = this.#lookup().get(name.toLowerCase());
    if (values === undefined) return [];
    return values.flatMap(splitList);
  }

  /** Pairs in wire order with the wire's case. */
  entries(): IterableIterator<HeaderPair> {
    return this.#pairs.values();
  }

  [Symbol.iterator](): IterableIterator<HeaderPair> {
    return this.#pairs.values();
  }

  /** A copy of the pairs in wire order. */
  toArray(): HeaderPair[] {
    return this.#pairs.map(([n, v]) => [n, v]);
  }
}
