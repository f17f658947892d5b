/**
 * Octets an entry counts for in the table size (RFC 7541 §4.1): its name and
 * value plus 32 for the bookkeeping a real implementation has.
 *
 * @example
 * ```ts
 * const size = "a".length + "b".length + ENTRY_OVERHEAD; // 34
 * ```
 */
export const ENTRY_OVERHEAD = 32;

/**
 * The size an entry counts for in the table (and, in HTTP/2, in a header list).
 *
 * @example
 * ```ts
 * entrySize("custom-key", "custom-header"); // 55
 * ```
 */
export function entrySize(name: string, value: string): number {
  return name.length + value.length + ENTRY_OVERHEAD;
}

/**
 * The HPACK dynamic table (RFC 7541 §2.3.2, §4): newest entry at index 1,
 * oldest evicted first when an insertion or a smaller maximum needs room.
 *
 * Entries live in a ring indexed by an absolute insertion number (`id`), so
 * an insertion or an eviction moves nothing, and a subclass can key lookups
 * by id ({@link onInsert}, {@link onEvict}).
 *
 * @example
 * ```ts
 * const table = new DynamicTable(256);
 * table.insert("custom-key", "custom-header");
 * table.size;    // 55
 * table.name(1); // "custom-key"
 * ```
 */
export class DynamicTable {
  #names: string[] = new Array(16);
  #values: string[] = new Array(16);
  #mask = 15;
  /** Ids ever inserted; the newest entry has id `#inserted - 1`. */
  #inserted = 0;
  /** Ids ever evicted; the oldest entry still here has id `#evicted`. */
  #evicted = 0;
  #size = 0;
  #maxSize: number;

  constructor(maxSize: number) {
    this.#maxSize = maxSize;
  }

  /** Sum of the entries' sizes. */
  get size(): number {
    return this.#size;
  }

  /** The maximum size the last table size update set. */
  get maxSize(): number {
    return this.#maxSize;
  }

  /** Number of entries. */
  get length(): number {
    return this.#inserted - this.#evicted;
  }

  /** Id of the entry at dynamic index `index` (1 = newest); the caller checked the index. */
  protected idAt(index: number): number {
    return this.#inserted - index;
  }

  /** Dynamic index of the entry with id `id` (1 = newest). */
  protected indexOfId(id: number): number {
    return this.#inserted - id;
  }

  /** Name at dynamic index `index` (1 ≤ index ≤ {@link length}). */
  name(index: number): string {
    return this.#names[(this.#inserted - index) & this.#mask]!;
  }

  /** Value at dynamic index `index` (1 ≤ index ≤ {@link length}). */
  value(index: number): string {
    return this.#values[(this.#inserted - index) & this.#mask]!;
  }

  /** Every entry, newest first (for tests and diagnostics). */
  entries(): [name: string, value: string][] {
    const out: [string, string][] = [];
    for (let i = 1; i <= this.length; i++) out.push([this.name(i), this.value(i)]);
    return out;
  }

  /**
   * Adds an entry, evicting the oldest ones until it fits. An entry larger
   * than the maximum size empties the table and is not added (§4.4): not an
   * error.
   */
  insert(name: string, value: string): void {
    const size = entrySize(name, value);
    this.#evictDownTo(this.#maxSize - size);
    if (size > this.#maxSize) return;
    if (this.length > this.#mask) this.#grow();
    const id = this.#inserted++;
    this.#names[id & this.#mask] = name;
    this.#values[id & this.#mask] = value;
    this.#size += size;
    this.onInsert(id, name, value);
  }

  /** Sets the maximum size (a table size update, §6.3), evicting what no longer fits. */
  setMaxSize(maxSize: number): void {
    this.#maxSize = maxSize;
    this.#evictDownTo(maxSize);
  }

  /** Called after an entry was added. */
  protected onInsert(_id: number, _name: string, _value: string): void {}

  /** Called after an entry was evicted. */
  protected onEvict(_id: number, _name: string, _value: string): void {}

  #evictDownTo(target: number): void {
    while (this.#size > target && this.#evicted < this.#inserted) {
      const id = this.#evicted++;
      const slot = id & this.#mask;
      const name = this.#names[slot]!;
      const value = this.#values[slot]!;
      this.#names[slot] = "";
      this.#values[slot] = "";
      this.#size -= entrySize(name, value);
      this.onEvict(id, name, value);
    }
  }

  #grow(): void {
    const capacity = (this.#mask + 1) * 2;
    const names: string[] = new Array(capacity);
    const values: string[] = new Array(capacity);
    for (let id = this.#evicted; id < this.#inserted; id++) {
      names[id & (capacity - 1)] = this.#names[id & this.#mask]!;
      values[id & (capacity - 1)] = this.#values[id & this.#mask]!;
    }
    this.#names = names;
    this.#values = values;
    this.#mask = capacity - 1;
  }
}
