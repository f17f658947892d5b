/**
 * Upload and download progress: counting wrappers around a request body and
 * a response body source. Download progress counts bytes as received on the
 * wire (before decompression), so that `total` — the `Content-Length`, which
 * counts encoded bytes — and `transferred` measure the same thing.
 */

import type { BodySource } from "./connection/body-source.ts";
import type { RequestBody } from "./connection/request-body.ts";

/**
 * Bytes moved so far, and the total when it is known in advance.
 *
 * @example
 * ```ts
 * await session.post(url, {
 *   body: file,
 *   onUploadProgress: ({ transferred, total }) => console.log(`${transferred}/${total ?? "?"}`),
 * });
 * ```
 */
export interface Progress {
  transferred: number;
  /** Request body length, or the response's `Content-Length`; `undefined` when not known. */
  total: number | undefined;
}

/**
 * Receives {@link Progress} events.
 *
 * @example
 * ```ts
 * const log: ProgressCallback = ({ transferred, total }) => console.log(transferred, total);
 * ```
 */
export type ProgressCallback = (progress: Progress) => void;

/**
 * Reports each body piece once it was taken for sending. A replayed body
 * (redirect, retry, digest challenge) starts counting again from 0.
 *
 * @example
 * ```ts
 * const counted = countUpload(toRequestBody("hello", undefined)!, (p) => console.log(p.transferred));
 * ```
 */
export function countUpload(body: RequestBody, onProgress: ProgressCallback): RequestBody {
  const total = body.length ?? undefined;
  return {
    length: body.length,
    contentType: body.contentType,
    replayable: body.replayable,
    async *chunks() {
      let transferred = 0;
      for await (const piece of body.chunks()) {
        // Resumed after the consumer wrote the piece: count it as sent.
        yield piece;
        transferred += piece.length;
        onProgress({ transferred, total });
      }
    },
  };
}

/**
 * Counts the raw (still encoded) body bytes of a response as they arrive.
 *
 * @example
 * ```ts
 * const counted = countDownload(source, 1024, (p) => console.log(p.transferred, p.total));
 * ```
 */
export function countDownload(
  source: BodySource,
  total: number | undefined,
  onProgress: ProgressCallback,
): BodySource {
  let transferred = 0;
  return {
    async read() {
      const piece = await source.read();
      if (piece !== null) {
        transferred += piece.length;
        onProgress({ transferred, total });
      }
      return piece;
    },
    cancel: () => source.cancel(),
    dump: (limit) => source.dump(limit),
    get trailers() {
      return source.trailers;
    },
    get done() {
      return source.done;
    },
  };
}
