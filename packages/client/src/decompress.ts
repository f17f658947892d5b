/**
 * Streamed decoding of compressed response bodies (`Content-Encoding`), with
 * the guards decompression bombs call for: a cap on decoded bytes and on the
 * number of stacked codings (the class of undici's CVE-2026-22036, GHSA-g9mf-h72j-4rw9).
 *
 * The codecs come from node:zlib, which Node, Deno and Bun all provide; it is
 * imported lazily so the package still loads where it is missing (then
 * nothing is decoded and no `Accept-Encoding` is sent). Each zlib stream is
 * driven in paused mode: one network piece in at a time, decoded pieces out as
 * the caller reads them, so a small compressed piece never balloons in memory
 * beyond the stream's buffer before the size cap sees it.
 */

import { splitList } from "@reqivo/protocol";
import type { BodySource } from "./connection/body-source.ts";
import { DecompressionError } from "./errors.ts";

/**
 * Decompression policy (`decompress` option of a session or request).
 *
 * @example
 * ```ts
 * new Session({ transport, decompress: { maxSize: 512 * 1024 * 1024, maxEncodings: 1 } });
 * ```
 */
export interface DecompressOptions {
  /** Most decoded bytes one body may produce (default 64 MiB); beyond it reading fails with `DECOMPRESSED_TOO_LARGE`. */
  maxSize?: number;
  /** Most codings stacked in one `Content-Encoding` (default 2); more fails with `TOO_MANY_ENCODINGS`. */
  maxEncodings?: number;
}

/** The subset of a node:zlib stream this module drives. */
interface ZlibStream {
  write(chunk: Uint8Array, callback: (error?: Error | null) => void): boolean;
  end(): void;
  read(): Uint8Array | null;
  on(event: string, listener: (arg?: unknown) => void): unknown;
  destroy(): void;
}

type Factory = (options?: Record<string, number>) => ZlibStream;

/** The subset of node:zlib this module uses. */
interface Zlib {
  constants: Record<string, number>;
  createGunzip: Factory;
  createInflate: Factory;
  createInflateRaw: Factory;
  createBrotliDecompress?: Factory;
  createZstdDecompress?: Factory;
}

/**
 * The codecs this runtime has, and the `Accept-Encoding` value that advertises them.
 *
 * @example
 * ```ts
 * const codecs: Codecs | null = await loadCodecs();
 * ```
 */
export interface Codecs {
  readonly zlib: Zlib;
  readonly acceptEncoding: string;
}

/** Default `decompress.maxSize`: 64 MiB. @example `decompressOptions(true).maxSize === DEFAULT_MAX_DECODED_SIZE` */
export const DEFAULT_MAX_DECODED_SIZE = 64 * 1024 * 1024;
/** Default `decompress.maxEncodings`. @example `decompressOptions(true).maxEncodings === DEFAULT_MAX_ENCODINGS` */
export const DEFAULT_MAX_ENCODINGS = 2;

// A variable specifier keeps bundlers targeting browsers from resolving it.
const ZLIB_MODULE = "node:zlib";
let loading: Promise<Codecs | null> | undefined;

/**
 * Loads node:zlib once; `null` where the runtime has none.
 *
 * @example
 * ```ts
 * const codecs = await loadCodecs();
 * codecs?.acceptEncoding; // "gzip, deflate, br" on Node 20, "gzip, deflate, br, zstd" where zstd exists
 * ```
 */
export function loadCodecs(): Promise<Codecs | null> {
  loading ??= import(ZLIB_MODULE).then(
    (module: Partial<Zlib> & { default?: Zlib }) => {
      const zlib = (typeof module.createGunzip === "function" ? module : module.default) as Zlib;
      if (typeof zlib?.createGunzip !== "function") return null;
      const accept = ["gzip", "deflate"];
      if (typeof zlib.createBrotliDecompress === "function") accept.push("br");
      // Node 20 has no zstd: detect it, so it is never advertised where it cannot be decoded.
      if (typeof zlib.createZstdDecompress === "function") accept.push("zstd");
      return { zlib, acceptEncoding: accept.join(", ") };
    },
    () => null,
  );
  return loading;
}

/**
 * Normalizes the `decompress` option: `false` turns decoding off.
 *
 * @example
 * ```ts
 * decompressOptions({ maxSize: 1024 }); // { maxSize: 1024, maxEncodings: 2 }
 * decompressOptions(false);             // undefined
 * ```
 */
export function decompressOptions(
  option: boolean | DecompressOptions | undefined,
): Required<DecompressOptions> | undefined {
  if (option === false) return undefined;
  const given = option === true || option === undefined ? {} : option;
  return {
    maxSize: given.maxSize ?? DEFAULT_MAX_DECODED_SIZE,
    maxEncodings: given.maxEncodings ?? DEFAULT_MAX_ENCODINGS,
  };
}

/**
 * Codings of a `Content-Encoding` value in the order they were applied (`identity` dropped).
 *
 * @example
 * ```ts
 * parseContentEncoding("deflate, GZIP"); // ["deflate", "gzip"]
 * ```
 */
export function parseContentEncoding(value: string | null): string[] {
  if (value === null) return [];
  // splitList trims SP and HTAB only: "gzip\xa0" is not gzip.
  return splitList(value).filter((coding) => coding !== "identity");
}

function canDecode(codecs: Codecs, coding: string): boolean {
  if (coding === "gzip" || coding === "x-gzip" || coding === "deflate") return true;
  if (coding === "br") return codecs.zlib.createBrotliDecompress !== undefined;
  if (coding === "zstd") return codecs.zlib.createZstdDecompress !== undefined;
  return false;
}

/**
 * Wraps `source` in decoders for `contentEncoding`, last applied first.
 * Unknown codings leave the body as received (like fetch); too many stacked
 * codings throw before any byte is decoded.
 *
 * @example
 * ```ts
 * const decoded = decodeBody(source, "gzip", await loadCodecs(), { maxSize: 1 << 20, maxEncodings: 2 });
 * ```
 */
export function decodeBody(
  source: BodySource,
  contentEncoding: string | null,
  codecs: Codecs,
  policy: Required<DecompressOptions>,
): BodySource {
  const codings = parseContentEncoding(contentEncoding);
  if (codings.length === 0) return source;
  if (codings.length > policy.maxEncodings) {
    throw new DecompressionError(
      "TOO_MANY_ENCODINGS",
      `Content-Encoding stacks ${codings.length} codings; at most ${policy.maxEncodings} are decoded`,
    );
  }
  if (!codings.every((coding) => canDecode(codecs, coding))) return source;
  let body = source;
  for (const coding of codings.reverse())
    body = new DecodingBody(body, coding, codecs.zlib, policy.maxSize);
  return body;
}

/** One decoding stage over a body source. */
class DecodingBody implements BodySource {
  readonly #source: BodySource;
  readonly #coding: string;
  readonly #zlib: Zlib;
  readonly #maxSize: number;
  #stream: ZlibStream | undefined;
  #produced = 0;
  #writing = false;
  #inputDone = false;
  #ended = false;
  #error: unknown;
  #wake: (() => void) | undefined;

  constructor(source: BodySource, coding: string, zlib: Zlib, maxSize: number) {
    this.#source = source;
    this.#coding = coding;
    this.#zlib = zlib;
    this.#maxSize = maxSize;
  }

  get trailers() {
    return this.#source.trailers;
  }

  get done(): boolean {
    return this.#ended;
  }

  async read(): Promise<Uint8Array | null> {
    for (;;) {
      if (this.#error !== undefined) throw this.#error;
      const out = this.#stream?.read() ?? null;
      if (out !== null) return this.#count(out);
      if (this.#ended) return null;
      if (!this.#inputDone && !this.#writing) {
        await this.#feed();
        continue;
      }
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  cancel(): void {
    this.#stop();
    this.#source.cancel();
  }

  async dump(limit: number): Promise<void> {
    // Discarding needs no decoding: drain the raw bytes instead.
    this.#stop();
    await this.#source.dump(limit);
  }

  async #feed(): Promise<void> {
    const piece = await this.#source.read();
    if (piece === null) {
      this.#inputDone = true;
      // An empty body with a Content-Encoding (a HEAD-like answer, Content-Length: 0) decodes to nothing.
      if (this.#stream === undefined) this.#ended = true;
      else this.#stream.end();
      return;
    }
    this.#stream ??= this.#open(piece[0]!);
    this.#writing = true;
    this.#stream.write(piece, () => {
      this.#writing = false;
      this.#notify();
    });
  }

  #open(firstByte: number): ZlibStream {
    const zlib = this.#zlib;
    const c = zlib.constants;
    // Lenient at the end like browsers and curl: HTTP framing already caught truncation.
    const zflush = { finishFlush: c.Z_SYNC_FLUSH ?? 2 };
    let stream: ZlibStream;
    if (this.#coding === "gzip" || this.#coding === "x-gzip") stream = zlib.createGunzip(zflush);
    else if (this.#coding === "deflate") {
      // "deflate" should be zlib-wrapped (RFC 9110 §8.4.1.2) but some servers send it raw.
      stream =
        (firstByte & 0x0f) === 0x08 ? zlib.createInflate(zflush) : zlib.createInflateRaw(zflush);
    } else if (this.#coding === "br") {
      stream = zlib.createBrotliDecompress!({ finishFlush: c.BROTLI_OPERATION_FLUSH ?? 1 });
    } else stream = zlib.createZstdDecompress!();
    stream.on("readable", () => this.#notify());
    stream.on("end", () => {
      this.#ended = true;
      this.#notify();
    });
    stream.on("error", (cause) => {
      this.#fail(
        new DecompressionError(
          "DECOMPRESSION_FAILED",
          `cannot decode ${this.#coding} body: ${String((cause as Error)?.message ?? cause)}`,
          { cause },
        ),
      );
    });
    return stream;
  }

  #count(out: Uint8Array): Uint8Array {
    this.#produced += out.length;
    if (this.#produced > this.#maxSize) {
      this.#fail(
        new DecompressionError(
          "DECOMPRESSED_TOO_LARGE",
          `${this.#coding} body decodes to more than ${this.#maxSize} bytes (decompress.maxSize)`,
        ),
      );
      throw this.#error;
    }
    return out;
  }

  #fail(error: unknown): void {
    if (this.#error !== undefined) return;
    this.#error = error;
    this.cancel();
    this.#notify();
  }

  #stop(): void {
    this.#ended = true;
    this.#stream?.destroy();
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
