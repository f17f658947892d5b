/**
 * Flow-control callbacks for {@link ReadQueue}.
 *
 * @example
 * ```ts
 * import type { ReadQueueOptions } from "@reqivo/transport/kit";
 * declare const socket: { pause(): void; resume(): void };
 * const options: ReadQueueOptions = { highWaterMark: 131072, pause: () => socket.pause(), resume: () => socket.resume() };
 * ```
 */
export interface ReadQueueOptions {
  /** Bytes buffered at which the source is paused. */
  readonly highWaterMark: number;
  /** Stop taking bytes from the socket. */
  pause(): void;
  /** Take bytes again; called once the buffer has drained below half the high-water mark. */
  resume(): void;
}

/**
 * Turns a push source (socket `data` callbacks) into the pull `read()` of the
 * contract, with bounded memory: past `highWaterMark` buffered bytes it
 * pauses the source, and resumes it once the reader has caught up.
 * For transport authors; Node and Bun transports use it.
 *
 * @example
 * ```ts
 * import { ReadQueue } from "@reqivo/transport/kit";
 * const queue = new ReadQueue({ highWaterMark: 65536, pause() {}, resume() {} });
 * queue.push(new Uint8Array([1, 2]));
 * queue.end();
 * await queue.read(); // Uint8Array [1, 2]
 * await queue.read(); // null
 * ```
 */
export class ReadQueue {
  readonly #options: ReadQueueOptions;
  readonly #chunks: Uint8Array[] = [];
  /**
   * Settle functions of the pending reads, oldest first, as resolve/reject
   * pairs in one flat array: no object per waiting read on the hot path.
   */
  readonly #waiters: Array<((chunk: Uint8Array | null) => void) | ((error: unknown) => void)> = [];
  readonly #addWaiter = (
    resolve: (chunk: Uint8Array | null) => void,
    reject: (error: unknown) => void,
  ): void => {
    this.#waiters.push(resolve, reject);
  };
  #bufferedBytes = 0;
  #ended = false;
  #failed = false;
  #error: unknown = undefined;
  #paused = false;

  constructor(options: ReadQueueOptions) {
    this.#options = options;
  }

  /** Bytes received and not yet read. */
  get bufferedBytes(): number {
    return this.#bufferedBytes;
  }

  /** True once `end()` or `fail()` was called: no more chunks will come. */
  get finished(): boolean {
    return this.#ended || this.#failed;
  }

  /** Hands a chunk from the source to the reader. Ignored once finished. */
  push(chunk: Uint8Array): void {
    if (this.finished || chunk.byteLength === 0) return;
    if (this.#waiters.length > 0) {
      const resolve = this.#waiters.shift() as (chunk: Uint8Array | null) => void;
      this.#waiters.shift();
      resolve(chunk);
      return;
    }
    this.#chunks.push(chunk);
    this.#bufferedBytes += chunk.byteLength;
    if (!this.#paused && this.#bufferedBytes >= this.#options.highWaterMark) {
      this.#paused = true;
      this.#options.pause();
    }
  }

  /** End of stream: reads return the buffered chunks, then `null`. */
  end(): void {
    if (this.finished) return;
    this.#ended = true;
    const waiters = this.#waiters.splice(0);
    for (let i = 0; i < waiters.length; i += 2) (waiters[i] as (chunk: null) => void)(null);
  }

  /**
   * The stream failed: reads return the buffered chunks, then reject with
   * `error`. With `discardBuffered` (a local close or abort), they reject at once.
   */
  fail(error: unknown, discardBuffered = false): void {
    if (this.#failed) return;
    if (discardBuffered) {
      this.#chunks.length = 0;
      this.#bufferedBytes = 0;
    }
    this.#failed = true;
    this.#ended = false;
    this.#error = error;
    const waiters = this.#waiters.splice(0);
    for (let i = 1; i < waiters.length; i += 2) (waiters[i] as (error: unknown) => void)(error);
  }

  /** The next chunk, `null` at end of stream; waits while the buffer is empty. */
  read(): Promise<Uint8Array | null> {
    const chunk = this.#takeBuffered();
    if (chunk !== undefined) return Promise.resolve(chunk);
    if (this.#failed) return Promise.reject(this.#error);
    if (this.#ended) return Promise.resolve(null);
    return new Promise(this.#addWaiter);
  }

  /**
   * {@link read} without a promise, for `Connection.readNow`: a buffered
   * chunk (or `null` at end of stream) is returned; otherwise `undefined`, and
   * the chunk goes to `onChunk` from {@link push} (or {@link end}), the
   * error to `onError` from {@link fail}. Throws the error the stream failed
   * with once nothing is buffered. Served in turn with `read()`.
   *
   * @example
   * ```ts
   * import { ReadQueue } from "@reqivo/transport/kit";
   * const queue = new ReadQueue({ highWaterMark: 65536, pause() {}, resume() {} });
   * queue.readNow((chunk) => console.log(chunk), console.error); // undefined: waits
   * queue.push(new Uint8Array([1])); // logs Uint8Array [1]
   * ```
   */
  readNow(
    onChunk: (chunk: Uint8Array | null) => void,
    onError: (error: unknown) => void,
  ): Uint8Array | null | undefined {
    const chunk = this.#takeBuffered();
    if (chunk !== undefined) return chunk;
    if (this.#failed) throw this.#error;
    if (this.#ended) return null;
    this.#waiters.push(onChunk, onError);
    return undefined;
  }

  /** The oldest buffered chunk (resuming the source once the buffer drained), if any. */
  #takeBuffered(): Uint8Array | undefined {
    const chunk = this.#chunks.shift();
    if (chunk !== undefined) {
      this.#bufferedBytes -= chunk.byteLength;
      if (this.#paused && this.#bufferedBytes < this.#options.highWaterMark / 2) {
        this.#paused = false;
        this.#options.resume();
      }
    }
    return chunk;
  }
}
