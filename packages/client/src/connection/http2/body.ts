/**
 * A response body read from an HTTP/2 stream: the pieces the link routed to
 * the stream, each given back to the server's flow-control windows as the
 * caller takes it (so a slow reader slows the server, not the client's
 * memory). Ending or cancelling the body frees the stream's slot; the
 * connection stays with the pool.
 */
import type { Headers } from "@reqivo/protocol";
import { AbortError } from "../../errors.ts";
import { type BodySource, type Timings, trailersOf } from "../body-source.ts";
import type { Lifeline } from "../lifeline.ts";
import type { PooledConnection } from "../pooled-connection.ts";
import type { Http2ClientStream } from "./stream.ts";

export class Http2Body implements BodySource {
  readonly #connection: PooledConnection;
  readonly #stream: Http2ClientStream;
  readonly #lifeline: Lifeline;
  readonly #onEnd: (connection: PooledConnection, reusable: boolean) => void;
  readonly #started: number;
  readonly #timings: Timings;
  #trailers: Headers | undefined;
  #done = false;

  constructor(
    connection: PooledConnection,
    stream: Http2ClientStream,
    lifeline: Lifeline,
    onEnd: (connection: PooledConnection, reusable: boolean) => void,
    started: number,
    timings: Timings,
  ) {
    this.#connection = connection;
    this.#stream = stream;
    this.#lifeline = lifeline;
    this.#onEnd = onEnd;
    this.#started = started;
    this.#timings = timings;
  }

  get trailers(): Headers | undefined {
    return this.#trailers;
  }

  get done(): boolean {
    return this.#done;
  }

  /** A body that already ended with its head (HEAD, 204, an empty answer) frees its stream now. */
  settleIfEmpty(): void {
    if (this.#stream.ended && this.#stream.failure === undefined) {
      const piece = this.#stream.takeBuffered();
      if (piece === null) this.#finish(true);
      else if (piece !== undefined) this.#stashed = piece;
    }
  }

  #stashed: Uint8Array | undefined;

  readBuffered(): Uint8Array | null | undefined {
    const stashed = this.#stashed;
    if (stashed !== undefined) {
      this.#stashed = undefined;
      return stashed;
    }
    if (this.#done) return null;
    try {
      for (;;) {
        const piece = this.#stream.takeBuffered();
        if (piece === null) {
          this.#finish(true);
          return null;
        }
        if (piece === undefined || piece.length > 0) return piece;
      }
    } catch (error) {
      const reason = this.#lifeline.explain(error);
      this.#finish(false);
      throw reason;
    }
  }

  get expectedLength(): number | undefined {
    return this.#stream.expectedLength;
  }

  whenReadable(): Promise<void> {
    this.#lifeline.bodyProgress();
    return this.#stream.changed();
  }

  async read(): Promise<Uint8Array | null> {
    for (;;) {
      const piece = this.readBuffered();
      if (piece !== undefined) return piece;
      this.#lifeline.bodyProgress();
      await this.#stream.changed();
    }
  }

  cancel(): void {
    if (this.#done) return;
    this.#stashed = undefined;
    // Only this stream goes (RST_STREAM): the connection carries on.
    this.#stream.abort(new AbortError("the response body was cancelled"));
    this.#finish(false);
  }

  /** Takes what is already here; a body still arriving is reset rather than read (a reset is cheap on HTTP/2). */
  async dump(_limit: number): Promise<void> {
    for (;;) {
      const piece = this.#done ? null : this.readBuffered();
      if (piece === null) return;
      if (piece === undefined) {
        this.cancel();
        return;
      }
    }
  }

  #finish(reusable: boolean): void {
    if (this.#done) return;
    this.#done = true;
    const trailers = this.#stream.trailers;
    this.#trailers = trailersOf(trailers);
    this.#timings.total = performance.now() - this.#started;
    this.#lifeline.bodyEnded();
    this.#onEnd(this.#connection, reusable);
  }
}
