import type { ProtocolError } from "../../errors.ts";
import type { HeaderPair } from "../../http/headers.ts";
import { DynamicTable, entrySize } from "./dynamic-table.ts";
import { hpackError, hpackUsageError } from "./errors.ts";
import { HpackReader, MAX_HPACK_INTEGER } from "./primitives.ts";
import { STATIC_TABLE, STATIC_TABLE_LENGTH } from "./static-table.ts";

/**
 * HTTP/2's initial SETTINGS_HEADER_TABLE_SIZE (RFC 9113 §6.5.2): both tables
 * start at this size.
 *
 * @example
 * ```ts
 * new HpackDecoder().table.maxSize === DEFAULT_HEADER_TABLE_SIZE; // true
 * ```
 */
export const DEFAULT_HEADER_TABLE_SIZE = 4096;

/**
 * The decoded header list size accepted when the caller sets none: 64 KiB,
 * as for HTTP/1.1 heads.
 *
 * @example
 * ```ts
 * const decoder = new HpackDecoder({ maxHeaderListSize: DEFAULT_MAX_HEADER_LIST_SIZE / 4 });
 * ```
 */
export const DEFAULT_MAX_HEADER_LIST_SIZE = 64 * 1024;

/**
 * Options of {@link HpackDecoder}.
 *
 * @example
 * ```ts
 * const options: HpackDecoderOptions = { maxTableSize: 4096, maxHeaderListSize: 16 * 1024 };
 * ```
 */
export interface HpackDecoderOptions {
  /**
   * The SETTINGS_HEADER_TABLE_SIZE this side announced: the largest table
   * size update the peer may send. Default 4096.
   */
  maxTableSize?: number;
  /**
   * Largest decoded header list, counted as SETTINGS_MAX_HEADER_LIST_SIZE
   * counts it (name + value + 32 per field). Default 64 KiB.
   */
  maxHeaderListSize?: number;
}

function checkSize(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_HPACK_INTEGER) {
    throw hpackUsageError("INVALID_OPTION", `${name} must be an integer in [0, 2^32 - 1]`);
  }
  return value;
}

/**
 * Decodes HPACK header blocks (RFC 7541) received on one HTTP/2 connection,
 * in the order they arrive: one decoder per connection, as the dynamic table
 * is shared by all its streams.
 *
 * Bad blocks throw `RemoteProtocolError` with an {@link HpackErrorCode}. All
 * but `HEADER_LIST_TOO_LARGE` leave the table out of step with the peer's, so
 * the decoder rethrows them from then on (a COMPRESSION_ERROR ends the
 * connection). A list over `maxHeaderListSize` stops growing as soon as it
 * crosses the limit; the rest of the block is still read (without collecting
 * fields) to keep the table in step, then `HEADER_LIST_TOO_LARGE` is thrown
 * and the decoder stays usable: only that stream needs refusing.
 *
 * @example
 * ```ts
 * const decoder = new HpackDecoder({ maxHeaderListSize: 16 * 1024 });
 * decoder.decode(Uint8Array.of(0x82, 0x86, 0x84)); // [[":method", "GET"], [":scheme", "http"], [":path", "/"]]
 * ```
 */
export class HpackDecoder {
  readonly #table: DynamicTable;
  #maxTableSize: number;
  readonly #maxHeaderListSize: number;
  /** Set when the announced limit dropped below the table's size: the next block must start with an update. */
  #updateRequired = false;
  #failure: ProtocolError | undefined;

  constructor(options: HpackDecoderOptions = {}) {
    this.#maxTableSize = checkSize(
      "maxTableSize",
      options.maxTableSize ?? DEFAULT_HEADER_TABLE_SIZE,
    );
    this.#maxHeaderListSize = checkSize(
      "maxHeaderListSize",
      options.maxHeaderListSize ?? DEFAULT_MAX_HEADER_LIST_SIZE,
    );
    // Both sides start from the protocol's default; a smaller announced limit
    // must be confirmed by the peer's first update.
    this.#table = new DynamicTable(DEFAULT_HEADER_TABLE_SIZE);
    this.#updateRequired = this.#maxTableSize < DEFAULT_HEADER_TABLE_SIZE;
  }

  /** The dynamic table (read it; do not change it). */
  get table(): DynamicTable {
    return this.#table;
  }

  /**
   * Applies a new SETTINGS_HEADER_TABLE_SIZE of this side, once the peer
   * acknowledged it. When it is below the table's current maximum, the
   * peer's next block must begin with a table size update within it.
   */
  setMaxTableSize(maxTableSize: number): void {
    this.#maxTableSize = checkSize("maxTableSize", maxTableSize);
    if (this.#maxTableSize < this.#table.maxSize) this.#updateRequired = true;
  }

  /**
   * Decodes one complete header block (the HEADERS payload and its
   * CONTINUATIONs, joined) and appends its fields to `into`, which it
   * returns. On `HEADER_LIST_TOO_LARGE`, `into` holds the fields that fit.
   */
  decode(block: Uint8Array, into: HeaderPair[] = []): HeaderPair[] {
    if (this.#failure !== undefined) throw this.#failure;
    try {
      return this.#decode(new HpackReader(block), into);
    } catch (error) {
      const code = (error as ProtocolError).code;
      if (code !== "HEADER_LIST_TOO_LARGE") this.#failure = error as ProtocolError;
      throw error;
    }
  }

  #decode(reader: HpackReader, into: HeaderPair[]): HeaderPair[] {
    this.#readSizeUpdates(reader);
    let listSize = 0;
    let overLimit = false;
    while (!reader.done) {
      const first = reader.peek();
      let name: string;
      let value: string;
      if (first & 0x80) {
        // §6.1 Indexed Header Field.
        const index = reader.readInteger(7);
        name = this.#nameAt(index);
        value = this.#valueAt(index);
      } else if ((first & 0xe0) === 0x20) {
        throw hpackError("HPACK_TABLE_SIZE_UPDATE", "table size update after a field");
      } else {
        // §6.2: with incremental indexing (01, 6-bit index), without (0000)
        // or never indexed (0001), both with a 4-bit index.
        const indexing = (first & 0xc0) === 0x40;
        const nameIndex = reader.readInteger(indexing ? 6 : 4);
        name = nameIndex === 0 ? reader.readString() : this.#nameAt(nameIndex);
        if (overLimit && !indexing) {
          // Nothing will be collected or stored: step over the value.
          listSize += reader.skipString();
          continue;
        }
        value = reader.readString();
        if (indexing) this.#table.insert(name, value);
      }
      if (overLimit) continue;
      listSize += entrySize(name, value);
      if (listSize > this.#maxHeaderListSize) {
        overLimit = true;
        continue;
      }
      into.push([name, value]);
    }
    if (overLimit) {
      throw hpackError(
        "HEADER_LIST_TOO_LARGE",
        `decoded header list over ${this.#maxHeaderListSize} octets (name + value + 32 per field)`,
      );
    }
    return into;
  }

  /** §4.2, §6.3: table size updates come first in a block, each within the announced limit. */
  #readSizeUpdates(reader: HpackReader): void {
    while (!reader.done && (reader.peek() & 0xe0) === 0x20) {
      const size = reader.readInteger(5);
      if (size > this.#maxTableSize) {
        throw hpackError(
          "HPACK_TABLE_SIZE_UPDATE",
          `table size update to ${size} above the announced ${this.#maxTableSize}`,
        );
      }
      this.#table.setMaxSize(size);
      this.#updateRequired = false;
    }
    if (this.#updateRequired) {
      throw hpackError(
        "HPACK_TABLE_SIZE_UPDATE",
        `block does not start with the table size update the new limit ${this.#maxTableSize} requires`,
      );
    }
  }

  #nameAt(index: number): string {
    if (index >= 1 && index <= STATIC_TABLE_LENGTH) return STATIC_TABLE[index - 1]![0];
    return this.#table.name(this.#dynamicIndex(index));
  }

  #valueAt(index: number): string {
    if (index <= STATIC_TABLE_LENGTH) return STATIC_TABLE[index - 1]![1];
    return this.#table.value(index - STATIC_TABLE_LENGTH);
  }

  #dynamicIndex(index: number): number {
    const dynamic = index - STATIC_TABLE_LENGTH;
    if (index === 0 || dynamic > this.#table.length) {
      throw hpackError(
        "HPACK_INVALID_INDEX",
        `index ${index} outside the static table and the ${this.#table.length} dynamic entries`,
      );
    }
    return dynamic;
  }
}
