/**
 * Bounds on what the peer may make us buffer or compute. Exceeding one is a
 * `ProtocolError`, never unbounded memory.
 *
 * @example
 * ```ts
 * import { ClientConnection } from "@reqivo/protocol";
 * const conn = new ClientConnection({ maxHeaderBytes: 16 * 1024, maxHeaderCount: 100 });
 * ```
 */
export interface HttpLimits {
  /** Bytes in a whole head (start line, fields, line ends), and separately in a trailer section. Default 64 KiB. */
  maxHeaderBytes: number;
  /** Field lines in a head or a trailer section. Default 256. */
  maxHeaderCount: number;
  /** Bytes in the status (or request) line. Default 8 KiB. */
  maxStartLineBytes: number;
  /** Bytes in one chunk-size line, extensions included. Default 4 KiB. */
  maxChunkLineBytes: number;
  /** Largest chunk size accepted. Default `Number.MAX_SAFE_INTEGER`. */
  maxChunkSize: number;
  /**
   * Interim (1xx) heads accepted before one final response. Default 100, as
   * CPython's and Ruby's clients: each head is bounded, their count must be too.
   */
  maxInformationalResponses: number;
}

/** The defaults used when an option is left out. */
export const DEFAULT_LIMITS: Readonly<HttpLimits> = Object.freeze({
  maxHeaderBytes: 64 * 1024,
  maxHeaderCount: 256,
  maxStartLineBytes: 8 * 1024,
  maxChunkLineBytes: 4 * 1024,
  maxChunkSize: Number.MAX_SAFE_INTEGER,
  maxInformationalResponses: 100,
});

/** Merges caller options over the defaults, refusing nonsense values. */
export function resolveLimits(options: Partial<HttpLimits> = {}): HttpLimits {
  const limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof HttpLimits)[]) {
    const value = options[key];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new RangeError(`${key} must be a positive safe integer, got ${String(value)}`);
    }
    limits[key] = value;
  }
  return limits;
}
