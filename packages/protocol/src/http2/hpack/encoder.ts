import { ByteSlab } from "../../byte-slab.ts";
import { DEFAULT_HEADER_TABLE_SIZE } from "./decoder.ts";
import { DynamicTable } from "./dynamic-table.ts";
import { hpackUsageError } from "./errors.ts";
import { type HuffmanPolicy, MAX_HPACK_INTEGER, writeInteger, writeString } from "./primitives.ts";
import { STATIC_TABLE_LENGTH, staticIndexOfField, staticIndexOfName } from "./static-table.ts";

/**
 * Decides which fields are sent as never-indexed literals (RFC 7541 §7.1.3):
 * they stay out of every table, ours and any intermediary's, so a guess at a
 * secret cannot be confirmed by watching the compressed size.
 *
 * @example
 * ```ts
 * const policy: NeverIndexPolicy = (name) => name === "x-api-key";
 * ```
 */
export type NeverIndexPolicy = (name: string, value: string) => boolean;

/** Cookies shorter than this are never indexed: a short value is cheap to guess (§7.1.3). */
const SHORT_COOKIE = 20;

/**
 * The default {@link NeverIndexPolicy}: credentials (`authorization`,
 * `proxy-authorization`) and short cookies (`cookie`, `set-cookie` under 20
 * octets).
 *
 * @example
 * ```ts
 * defaultNeverIndex("authorization", "Bearer x"); // true
 * defaultNeverIndex("cookie", "session=0123456789abcdef0123"); // false: long enough to index
 * ```
 */
export const defaultNeverIndex: NeverIndexPolicy = (name, value) => {
  if (name === "authorization" || name === "proxy-authorization") return true;
  return (name === "cookie" || name === "set-cookie") && value.length < SHORT_COOKIE;
};

/**
 * Fields whose values rarely repeat on a connection: adding them to the
 * table would only evict entries that do repeat.
 */
const NOT_INDEXED = new Set([
  ":path",
  "age",
  "content-length",
  "content-range",
  "date",
  "etag",
  "if-modified-since",
  "if-none-match",
  "if-range",
  "last-modified",
  "location",
  "range",
  "x-request-id",
]);

/**
 * Options of {@link HpackEncoder}.
 *
 * @example
 * ```ts
 * const options: HpackEncoderOptions = { maxTableSize: 4096, huffman: "shorter" };
 * ```
 */
export interface HpackEncoderOptions {
  /**
   * The most table memory this encoder uses, whatever the peer allows (its
   * SETTINGS_HEADER_TABLE_SIZE may be larger). Default 4096; 0 disables
   * indexing.
   */
  maxTableSize?: number;
  /** When strings are Huffman-coded. Default `"shorter"`: when that saves octets. */
  huffman?: HuffmanPolicy;
  /** Which fields are never indexed. Default {@link defaultNeverIndex}. */
  neverIndex?: NeverIndexPolicy;
}

/** The ids of one name's entries: the newest, and the newest for each value. */
interface NameEntries {
  newest: number;
  byValue: Map<string, number>;
}

/** The encoder's table, with lookups by field and by name for finding indexes. */
class EncoderTable extends DynamicTable {
  readonly #byName = new Map<string, NameEntries>();

  /** Dynamic index of exactly `(name, value)`, or 0. */
  indexOfField(name: string, value: string): number {
    const id = this.#byName.get(name)?.byValue.get(value);
    return id === undefined ? 0 : this.indexOfId(id);
  }

  /** Dynamic index of the newest entry named `name`, or 0. */
  indexOfName(name: string): number {
    const entries = this.#byName.get(name);
    return entries === undefined ? 0 : this.indexOfId(entries.newest);
  }

  protected override onInsert(id: number, name: string, value: string): void {
    const entries = this.#byName.get(name);
    if (entries === undefined) {
      this.#byName.set(name, { newest: id, byValue: new Map([[value, id]]) });
      return;
    }
    entries.newest = id;
    entries.byValue.set(value, id);
  }

  protected override onEvict(id: number, name: string, value: string): void {
    const entries = this.#byName.get(name)!;
    // Eviction goes oldest first: when the newest of a name goes, all of it has.
    if (entries.newest === id) {
      this.#byName.delete(name);
      return;
    }
    // A newer entry with the same value keeps its own id; only drop our own.
    if (entries.byValue.get(value) === id) entries.byValue.delete(value);
  }
}

/** Where encoded blocks are cut from (see {@link ByteSlab}). */
const BLOCK_SLAB = new ByteSlab();

/** Octets an integer (≤ 2^32 - 1) may take beyond its first. */
const INTEGER_TAIL = 5;

function checkLatin1(text: string, what: "name" | "value"): void {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0xff) {
      throw hpackUsageError(
        what === "name" ? "INVALID_HEADER_NAME" : "INVALID_HEADER_VALUE",
        `header ${what} has a code unit above 0xFF at ${i}: HPACK strings are octets`,
      );
    }
  }
}

/**
 * Encodes header lists into HPACK header blocks (RFC 7541) for one HTTP/2
 * connection, in the order they are sent.
 *
 * A field already in a table is sent as an index. Others are literals, added
 * to the dynamic table unless never-indexed ({@link NeverIndexPolicy}), of a
 * kind whose values rarely repeat (`:path`, `content-length`, `date`, …), or
 * larger than three quarters of the table. After the peer's
 * SETTINGS_HEADER_TABLE_SIZE changes ({@link setPeerMaxTableSize}), the next
 * block starts with the table size updates §4.2 requires.
 *
 * The returned bytes may be a view into a larger shared buffer; they are
 * never changed afterwards.
 *
 * @example
 * ```ts
 * const encoder = new HpackEncoder();
 * const block = encoder.encode([[":method", "GET"], [":path", "/"], ["authorization", "Bearer x"]]);
 * new HpackDecoder().decode(block); // the same three fields
 * ```
 */
export class HpackEncoder {
  readonly #table: EncoderTable;
  readonly #ownMaxTableSize: number;
  readonly #huffman: HuffmanPolicy;
  readonly #neverIndex: NeverIndexPolicy;
  /** Smallest size the table passed through since the last block, when an update is owed. */
  #pendingMinSize: number | undefined;

  constructor(options: HpackEncoderOptions = {}) {
    const own = options.maxTableSize ?? DEFAULT_HEADER_TABLE_SIZE;
    if (!Number.isSafeInteger(own) || own < 0 || own > MAX_HPACK_INTEGER) {
      throw hpackUsageError("INVALID_OPTION", "maxTableSize must be an integer in [0, 2^32 - 1]");
    }
    this.#ownMaxTableSize = own;
    this.#huffman = options.huffman ?? "shorter";
    this.#neverIndex = options.neverIndex ?? defaultNeverIndex;
    // The peer's decoder starts at the protocol default; a smaller own limit
    // is announced with the first block.
    this.#table = new EncoderTable(DEFAULT_HEADER_TABLE_SIZE);
    this.#resizeTo(Math.min(own, DEFAULT_HEADER_TABLE_SIZE));
  }

  /** The dynamic table (read it; do not change it). */
  get table(): DynamicTable {
    return this.#table;
  }

  /**
   * Applies the peer's SETTINGS_HEADER_TABLE_SIZE: the table uses the smaller
   * of it and the own `maxTableSize`, and the next block announces the change.
   */
  setPeerMaxTableSize(peerMaxTableSize: number): void {
    if (
      !Number.isSafeInteger(peerMaxTableSize) ||
      peerMaxTableSize < 0 ||
      peerMaxTableSize > MAX_HPACK_INTEGER
    ) {
      throw hpackUsageError("INVALID_OPTION", "table size must be an integer in [0, 2^32 - 1]");
    }
    this.#resizeTo(Math.min(peerMaxTableSize, this.#ownMaxTableSize));
  }

  #resizeTo(size: number): void {
    if (size === this.#table.maxSize && this.#pendingMinSize === undefined) return;
    // Evicting now keeps lookups from returning entries the peer will evict.
    this.#pendingMinSize = Math.min(this.#pendingMinSize ?? size, size);
    this.#table.setMaxSize(size);
  }

  /**
   * Encodes one header list into one header block. Names should already be
   * lower-case (RFC 9113 §8.2.1 is checked by the HTTP/2 layer, not here).
   * Throws `LocalProtocolError` (`INVALID_HEADER_NAME`, `INVALID_HEADER_VALUE`)
   * for a code unit above 0xFF, before anything changes.
   */
  encode(fields: Iterable<readonly [name: string, value: string]>): Uint8Array {
    const list = Array.isArray(fields)
      ? (fields as readonly (readonly [string, string])[])
      : [...fields];
    let bound = 2 * (1 + INTEGER_TAIL);
    const stringFactor = this.#huffman === "always" ? 4 : 1;
    for (const [name, value] of list) {
      checkLatin1(name, "name");
      checkLatin1(value, "value");
      bound += 3 * (1 + INTEGER_TAIL) + stringFactor * (name.length + value.length);
    }
    const slab = BLOCK_SLAB;
    const start = slab.reserve(bound);
    const out = slab.bytes;
    let offset = start;
    if (this.#pendingMinSize !== undefined) {
      if (this.#pendingMinSize < this.#table.maxSize) {
        offset = writeInteger(out, offset, this.#pendingMinSize, 5, 0x20);
      }
      offset = writeInteger(out, offset, this.#table.maxSize, 5, 0x20);
      this.#pendingMinSize = undefined;
    }
    for (const [name, value] of list) offset = this.#encodeField(out, offset, name, value);
    return slab.take(start, offset);
  }

  #encodeField(out: Uint8Array, offset: number, name: string, value: string): number {
    const table = this.#table;
    if (this.#neverIndex(name, value)) {
      return this.#literal(out, offset, name, value, 0x10, 4);
    }
    const staticIndex = staticIndexOfField(name, value);
    if (staticIndex !== 0) return writeInteger(out, offset, staticIndex, 7, 0x80);
    const dynamicIndex = table.indexOfField(name, value);
    if (dynamicIndex !== 0) {
      return writeInteger(out, offset, STATIC_TABLE_LENGTH + dynamicIndex, 7, 0x80);
    }
    const indexing =
      !NOT_INDEXED.has(name) && (name.length + value.length + 32) * 4 <= table.maxSize * 3;
    if (!indexing) return this.#literal(out, offset, name, value, 0x00, 4);
    offset = this.#literal(out, offset, name, value, 0x40, 6);
    table.insert(name, value);
    return offset;
  }

  /** A literal field (§6.2) with the given representation flags, its name indexed when possible. */
  #literal(
    out: Uint8Array,
    offset: number,
    name: string,
    value: string,
    flags: number,
    prefixBits: number,
  ): number {
    let nameIndex = staticIndexOfName(name);
    if (nameIndex === 0) {
      const dynamic = this.#table.indexOfName(name);
      if (dynamic !== 0) nameIndex = STATIC_TABLE_LENGTH + dynamic;
    }
    offset = writeInteger(out, offset, nameIndex, prefixBits, flags);
    if (nameIndex === 0) offset = writeString(out, offset, name, this.#huffman);
    return writeString(out, offset, value, this.#huffman);
  }
}
