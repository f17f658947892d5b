/** A request body as the wire layer sends it: made from the caller's input by body.ts. */

/** A normalized request body. */
export interface RequestBody {
  /** Byte length when known up front; `null` sends the body chunked. */
  readonly length: number | null;
  /** Content type implied by the input (`null`: none). Caller headers win. */
  readonly contentType: string | null;
  /** False for streams and iterables: they can be read once only. */
  readonly replayable: boolean;
  /** The bytes, in pieces. Each call starts over (when replayable). */
  chunks(): AsyncIterable<Uint8Array>;
}
