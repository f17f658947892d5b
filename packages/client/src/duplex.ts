/**
 * The full-duplex call: the request body is a writable the caller feeds
 * while the response is already being read (socketry/protocol-http's stream
 * model). Used for uploads that report progress back, and long-lived streams.
 */
import { InvalidRequestError } from "./errors.ts";

const encoder = new TextEncoder();

/**
 * A request body the producer writes to and closes. `write` resolves once the
 * piece has been taken for sending, so a producer never runs ahead of the socket.
 *
 * @example
 * ```ts
 * import { BodyWriter } from "@reqivo/client";
 * const writer = new BodyWriter();
 * const pending = session.post(url, { body: writer });
 * await writer.write("hello ");
 * await writer.write("world");
 * writer.close();
 * const res = await pending;
 * ```
 */
export class BodyWriter implements AsyncIterable<Uint8Array> {
  #queue: { piece: Uint8Array; taken: () => void }[] = [];
  #closed = false;
  #error: unknown;
  #wake: (() => void) | undefined;
  #iterating = false;

  /** Queues a piece; resolves when the sender has taken it. */
  write(piece: string | Uint8Array): Promise<void> {
    if (this.#closed) return Promise.reject(new InvalidRequestError("write after close"));
    const bytes = typeof piece === "string" ? encoder.encode(piece) : piece;
    return new Promise((resolve) => {
      this.#queue.push({ piece: bytes, taken: resolve });
      this.#wake?.();
    });
  }

  /** Ends the body (the request's end is sent once the queue drains). */
  close(): void {
    this.#closed = true;
    this.#wake?.();
  }

  /** Fails the body: the request is aborted with `reason`. */
  error(reason: unknown): void {
    this.#error = reason ?? new Error("body writer failed");
    this.#closed = true;
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    if (this.#iterating) throw new InvalidRequestError("a BodyWriter can be sent only once");
    this.#iterating = true;
    for (;;) {
      const next = this.#queue.shift();
      if (next !== undefined) {
        next.taken();
        yield next.piece;
        continue;
      }
      if (this.#error !== undefined) throw this.#error;
      if (this.#closed) return;
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = undefined;
    }
  }
}
