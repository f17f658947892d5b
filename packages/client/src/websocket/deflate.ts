/**
 * permessage-deflate (RFC 7692) through node:zlib, loaded lazily so the client
 * still loads where node:zlib is missing (then compression is not offered).
 *
 * The core's codec seam is synchronous, and node:zlib's public synchronous API
 * opens a fresh stream per call. Context takeover is therefore carried over as a
 * preset dictionary: the last window of each direction's uncompressed history,
 * which is exactly what the peer's LZ77 window holds after a sync flush. Where a
 * runtime's node:zlib ignores `dictionary` (found by a self-test on a fixed
 * vector), the offer asks the server not to keep its context instead.
 */
import type {
  PerMessageDeflateCodec,
  PerMessageDeflateOffer,
  PerMessageDeflateParams,
} from "@reqivo/protocol";

/** The few node:zlib members used here (typed locally: src builds without @types/node). */
interface ZlibOptions {
  finishFlush?: number;
  windowBits?: number;
  memLevel?: number;
  level?: number;
  dictionary?: Uint8Array;
  maxOutputLength?: number;
}
interface Zlib {
  deflateRawSync(data: Uint8Array, options: ZlibOptions): Uint8Array;
  inflateRawSync(data: Uint8Array, options: ZlibOptions): Uint8Array;
  constants: { Z_SYNC_FLUSH: number };
}

/** What the runtime's zlib can do. */
export interface DeflateSupport {
  readonly zlib: Zlib;
  /** Whether `dictionary` is honoured, i.e. context takeover can be carried across messages. */
  readonly dictionary: boolean;
}

// "reqivo-dictionary-probe" deflated (raw, sync flush) with itself as the dictionary.
const PROBE_TEXT = "reqivo-dictionary-probe";
const PROBE_DATA = [0x2a, 0xc2, 0x2e, 0x0c, 0x00, 0x00, 0x00, 0xff, 0xff];
const ZLIB = "node:zlib";

let loading: Promise<DeflateSupport | null> | undefined;

/**
 * Imports node:zlib once and checks what it supports; `null` when it is missing.
 *
 * @example
 * ```ts
 * const support = await loadDeflate();
 * if (support !== null) console.log(support.dictionary);
 * ```
 */
export function loadDeflate(): Promise<DeflateSupport | null> {
  loading ??= (async () => {
    try {
      const zlib = (await import(/* @vite-ignore */ ZLIB)) as Zlib;
      if (typeof zlib.inflateRawSync !== "function") return null;
      let dictionary = false;
      try {
        const probe = new TextEncoder().encode(PROBE_TEXT);
        const out = zlib.inflateRawSync(Uint8Array.from(PROBE_DATA), {
          finishFlush: zlib.constants.Z_SYNC_FLUSH,
          dictionary: probe,
        });
        dictionary = new TextDecoder().decode(out) === PROBE_TEXT;
      } catch {
        dictionary = false;
      }
      return { zlib, dictionary };
    } catch {
      return null;
    }
  })();
  return loading;
}

/**
 * The offer to make: the caller's, with `serverNoContextTakeover` added when
 * the runtime cannot carry the server's context across messages.
 *
 * @example
 * ```ts
 * deflateOffer({}, { zlib, dictionary: false }); // { serverNoContextTakeover: true }
 * ```
 */
export function deflateOffer(
  offer: PerMessageDeflateOffer,
  support: DeflateSupport,
): PerMessageDeflateOffer {
  return support.dictionary ? offer : { ...offer, serverNoContextTakeover: true };
}

/** The last `size` bytes of `history` followed by `next`, as a fresh array. */
function window(history: Uint8Array, next: Uint8Array, size: number): Uint8Array {
  if (next.length >= size) return next.slice(next.length - size);
  const keep = Math.min(history.length, size - next.length);
  const out = new Uint8Array(keep + next.length);
  out.set(history.subarray(history.length - keep), 0);
  out.set(next, keep);
  return out;
}

const EMPTY = new Uint8Array(0);

/**
 * A {@link PerMessageDeflateCodec} on node:zlib's synchronous raw deflate with
 * `Z_SYNC_FLUSH` (the core strips and re-appends the `00 00 ff ff` tail).
 * `decompress` stops at `maxLength` (zlib's `maxOutputLength`: output is
 * produced in 16 KiB chunks and refused past the cap), so a decompression
 * bomb never allocates beyond the limit.
 *
 * @example
 * ```ts
 * const support = await loadDeflate();
 * const codec = new ZlibDeflateCodec(support!, negotiated.perMessageDeflate!);
 * new WebSocketConnection({ role: "client", perMessageDeflate: codec });
 * ```
 */
export class ZlibDeflateCodec implements PerMessageDeflateCodec {
  readonly #zlib: Zlib;
  readonly #params: PerMessageDeflateParams;
  readonly #keepOut: boolean;
  readonly #keepIn: boolean;
  #outHistory: Uint8Array = EMPTY;
  #inHistory: Uint8Array = EMPTY;

  constructor(support: DeflateSupport, params: PerMessageDeflateParams) {
    this.#zlib = support.zlib;
    this.#params = params;
    // Compressing without the previous messages is always valid; only use them when we can.
    this.#keepOut = support.dictionary && !params.clientNoContextTakeover;
    this.#keepIn = support.dictionary && !params.serverNoContextTakeover;
  }

  /**
   * Whether outgoing messages can be compressed: zlib cannot deflate raw with an
   * 8-bit window, so a server that picks `client_max_window_bits=8` gets them
   * uncompressed (RSV1 is per message; RFC 7692 §6).
   */
  get canCompress(): boolean {
    return this.#params.clientMaxWindowBits >= 9;
  }

  compress(data: Uint8Array): Uint8Array {
    const bits = this.#params.clientMaxWindowBits;
    const options: ZlibOptions = {
      finishFlush: this.#zlib.constants.Z_SYNC_FLUSH,
      windowBits: bits,
    };
    if (this.#keepOut && this.#outHistory.length > 0) options.dictionary = this.#outHistory;
    const out = this.#zlib.deflateRawSync(data, options);
    if (this.#keepOut) this.#outHistory = window(this.#outHistory, data, 1 << bits);
    return out;
  }

  decompress(data: Uint8Array, maxLength: number): Uint8Array | null {
    const options: ZlibOptions = {
      finishFlush: this.#zlib.constants.Z_SYNC_FLUSH,
      windowBits: 15,
      maxOutputLength: Math.max(1, maxLength),
    };
    if (this.#keepIn && this.#inHistory.length > 0) options.dictionary = this.#inHistory;
    let out: Uint8Array;
    try {
      out = this.#zlib.inflateRawSync(data, options);
    } catch (error) {
      if ((error as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE") return null;
      throw error;
    }
    if (out.length > maxLength) return null;
    if (this.#keepIn) {
      this.#inHistory = window(this.#inHistory, out, 1 << this.#params.serverMaxWindowBits);
    }
    return out;
  }
}
