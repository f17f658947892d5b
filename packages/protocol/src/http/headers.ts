import { isNamed, splitList } from "../syntax.ts";

/**
 * Lists up to this long are searched in place: a response is looked up a
 * few times (keep-alive, location, set-cookie), and building the index (a
 * Map, an array and a lower-cased name per field) cost more than the scans
 * it saves. Names compare ASCII-case-insensitively (field names are tokens).
 */
const SCAN_AT_MOST = 16;

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

  /** Whether lookups scan the pairs in place (see SCAN_AT_MOST) rather than build the index. */
  #scans(): boolean {
    return this.#pairs.length <= SCAN_AT_MOST;
  }

  // Built on first lookup of a long list: most consumers read one or two fields, or none.
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
    const key = name.toLowerCase();
    if (this.#scans()) {
      let joined: string | null = null;
      for (const [field, value] of this.#pairs) {
        if (field.length === key.length && isNamed(field, key))
          joined = joined === null ? value : `${joined}, ${value}`;
      }
      return joined;
    }
    const values = this.#lookup().get(key);
    return values === undefined ? null : values.join(", ");
  }

  /** Every value of the field, in wire order. */
  getAll(name: string): string[] {
    const key = name.toLowerCase();
    if (this.#scans()) {
      const values: string[] = [];
      for (const [field, value] of this.#pairs)
        if (field.length === key.length && isNamed(field, key)) values.push(value);
      return values;
    }
    return this.#lookup().get(key)?.slice() ?? [];
  }

  /** Every `Set-Cookie` value, each kept whole. */
  getSetCookie(): string[] {
    return this.getAll("set-cookie");
  }

  /** Whether the field is present. */
  has(name: string): boolean {
    const key = name.toLowerCase();
    if (this.#scans()) {
      for (const [field] of this.#pairs)
        if (field.length === key.length && isNamed(field, key)) return true;
      return false;
    }
    return this.#lookup().has(key);
  }

  /** The field's comma-separated elements, trimmed and lower-cased (for Connection, Transfer-Encoding, Upgrade…). */
  tokens(name: string): string[] {
    return this.getAll(name).flatMap(splitList);
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
