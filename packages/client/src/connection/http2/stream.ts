/**
 * One HTTP/2 stream as the client sees it: the events the link routes to it
 * (head, body pieces, trailers, end, reset) kept until the exchange and the
 * body read them, and the one place that ends it early (abort, a reset, the
 * connection's end). Pieces are kept as they come, views into the chunks
 * the transport read (no copy): a chunk `read()` returned is the caller's,
 * never read into again (the contract in @reqivo/transport; the slab readers
 * hand out only the part already read), as the HTTP/1.1 body reader relies on
 * too. Measured: one 64 KiB copy less per 64 KiB response
 * (apps/bench/results/2026-12-07-http2-round2.md, round 2).
 */
import { type HeaderPair, HTTP2_ERROR } from "@reqivo/protocol";
import { Http2StreamError } from "../../errors.ts";

/** What the link lets a stream do to the connection. */
export interface StreamLinkSide {
  /** Gives `length` consumed octets back to the server's windows. */
  acknowledge(streamId: number, length: number): void;
  /** Resets the stream (RST_STREAM CANCEL) if it is still open. */
  reset(streamId: number): void;
}

/** A head as the stream received it. */
export interface StreamHead {
  status: number;
  headers: HeaderPair[];
}

export class Http2ClientStream {
  /** 0 until the link opened it. */
  id = 0;
  readonly #link: StreamLinkSide;
  readonly #onInformational: ((status: number, headers: HeaderPair[]) => void) | undefined;
  #head: StreamHead | undefined;
  readonly #pieces: Uint8Array[] = [];
  #ended = false;
  #trailers: HeaderPair[] | undefined;
  /** Why the stream ended early, once it has. */
  #failure: unknown;
  /** Settles at the next change; one promise shared by every waiter (the reader, an upload). */
  #next: Promise<void> | undefined;
  #wake: (() => void) | undefined;

  constructor(
    link: StreamLinkSide,
    onInformational: ((status: number, headers: HeaderPair[]) => void) | undefined,
  ) {
    this.#link = link;
    this.#onInformational = onInformational;
  }

  get failure(): unknown {
    return this.#failure;
  }

  get trailers(): HeaderPair[] | undefined {
    return this.#trailers;
  }

  /**
   * The response's content-length, which the core holds the DATA total to
   * (a HEAD or 304 response has none of it: it also has no DATA).
   */
  get expectedLength(): number | undefined {
    const head = this.#head;
    if (head === undefined) return undefined;
    // Names are lower case and the value checked (digits only) by the core.
    for (const [name, value] of head.headers) if (name === "content-length") return Number(value);
    return undefined;
  }

  /** Whether the server finished its side (all pieces may not be read yet). */
  get ended(): boolean {
    return this.#ended;
  }

  // ---- fed by the link ----

  informational(status: number, headers: HeaderPair[]): void {
    this.#onInformational?.(status, headers);
  }

  response(status: number, headers: HeaderPair[]): void {
    this.#head = { status, headers };
    this.#notify();
  }

  data(piece: Uint8Array): void {
    if (this.#failure !== undefined) {
      this.#link.acknowledge(this.id, piece.length);
      return;
    }
    this.#pieces.push(piece);
    this.#notify();
  }

  end(trailers: HeaderPair[] | undefined): void {
    if (trailers !== undefined) this.#trailers = trailers;
    this.#ended = true;
    this.#notify();
  }

  /**
   * The server reset the stream (`cause` undefined), or the core did for the
   * server's mistake (`cause`: that ProtocolError, which the request fails
   * with, as on HTTP/1.1).
   */
  resetByPeer(errorCode: number, cause: unknown): void {
    if (cause !== undefined) {
      this.fail(cause);
      return;
    }
    const code =
      errorCode === HTTP2_ERROR.REFUSED_STREAM ? "HTTP2_REFUSED_STREAM" : "HTTP2_STREAM_RESET";
    this.fail(
      new Http2StreamError(
        code,
        `the server reset stream ${this.id} (error code ${errorCode})`,
        errorCode,
      ),
    );
  }

  /** Ends the stream with `reason` (the first reason wins); pending reads fail with it. */
  fail(reason: unknown): void {
    if (this.#failure !== undefined) return;
    this.#failure = reason;
    this.#notify();
  }

  // ---- used by the exchange and the body ----

  /** Ends the stream from our side: RST_STREAM, and every wait fails with `reason`. */
  abort(reason: unknown): void {
    if (this.id !== 0) this.#link.reset(this.id);
    this.fail(reason);
  }

  /** Resolves with the final head; rejects when the stream ends first. */
  async head(): Promise<StreamHead> {
    for (;;) {
      if (this.#head !== undefined) return this.#head;
      if (this.#failure !== undefined) throw this.#failure;
      if (this.#ended)
        throw new Http2StreamError("HTTP2_STREAM_RESET", "the stream ended without a response", 0);
      await this.#changed();
    }
  }

  /** The next piece already received (acknowledged as taken), `null` at the end, `undefined`: wait. */
  takeBuffered(): Uint8Array | null | undefined {
    const piece = this.#pieces.shift();
    if (piece !== undefined) {
      this.#link.acknowledge(this.id, piece.length);
      return piece;
    }
    if (this.#failure !== undefined) throw this.#failure;
    return this.#ended ? null : undefined;
  }

  /** Resolves when something new arrived (or the stream ended). */
  changed(): Promise<void> {
    return this.#changed();
  }

  #changed(): Promise<void> {
    this.#next ??= new Promise((resolve) => {
      this.#wake = resolve;
    });
    return this.#next;
  }

  #notify(): void {
    const wake = this.#wake;
    this.#next = undefined;
    this.#wake = undefined;
    wake?.();
  }
}
