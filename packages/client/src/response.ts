/**
 * The response a Session returns: status, case-insensitive headers, where it
 * came from, timings, and a body that can be read once — as text, JSON,
 * bytes, a web ReadableStream, or by async iteration — and that gives its
 * connection back to the pool as soon as it is fully read.
 */
import { Headers } from "@reqivo/protocol";
import { BodyJoiner } from "./body-joiner.ts";
import type { BodySource, Timings } from "./connection/body-source.ts";
import { InvalidRequestError, ReqivoError } from "./errors.ts";

/** One redirect that was followed. */
export interface RedirectHop {
  url: string;
  status: number;
  headers: Headers;
}

const EMPTY_SOURCE: BodySource = {
  read: async () => null,
  cancel() {},
  dump: async () => undefined,
  trailers: new Headers(),
  done: true,
};

/** What a Response is built from. */
export interface ResponseInit {
  status: number;
  statusText: string;
  headers: Headers;
  url: string;
  history: readonly RedirectHop[];
  timings: Timings;
  body: BodySource | null;
  /** The HTTP version the response came with. Default "1.1". */
  httpVersion?: HttpVersion;
}

/**
 * The HTTP version a response came with: `"2"` over an HTTP/2 connection
 * (the session's `http2` option, the server choosing `h2`), else `"1.1"`.
 *
 * @example
 * ```ts
 * const version: HttpVersion = (await session.get(url)).httpVersion;
 * ```
 */
export type HttpVersion = "1.1" | "2";

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * What {@link Response.of} makes a response from: all optional.
 *
 * @example
 * ```ts
 * const init: BufferedResponseInit = { status: 404, headers: [["content-type", "text/plain"]] };
 * ```
 */
export interface BufferedResponseInit {
  /** Default 200. */
  status?: number;
  statusText?: string;
  headers?: Headers | readonly (readonly [string, string])[];
  /** The URL it answers (default `""`). */
  url?: string;
}

/** A body held in memory: one piece, then the end. */
function bufferedSource(bytes: Uint8Array): BodySource {
  let done = bytes.length === 0;
  return {
    read: () => {
      if (done) return Promise.resolve(null);
      done = true;
      return Promise.resolve(bytes);
    },
    cancel: () => {
      done = true;
    },
    dump: () => {
      done = true;
      return Promise.resolve();
    },
    trailers: undefined,
    get done() {
      return done;
    },
  };
}

/**
 * The rest of `source` joined after what `joiner` holds: by the source
 * itself where it can (one promise for the rest, ConnectionBody.collect),
 * else by {@link readRest}.
 */
function collectRest(source: BodySource, joiner: BodyJoiner): Promise<Uint8Array> {
  return source.collect?.(joiner) ?? readRest(source, joiner);
}

/** The rest of `source`, added to `joiner`, then joined into one array. */
async function readRest(source: BodySource, joiner: BodyJoiner): Promise<Uint8Array> {
  for (;;) {
    let piece = source.readBuffered?.();
    if (piece === undefined) {
      // Waiting without read()'s own promise per wait: HTTP/2 GET 64 KiB, JS
      // heap per request 23,331 → 22,308 bytes (`client-http2.bench.ts
      // --allocations=5000 --scenario=get-64k-1c`; apps/bench/results/
      // 2026-12-07-http2-round3.md, round 1).
      if (source.whenReadable !== undefined) {
        await source.whenReadable();
        continue;
      }
      piece = await source.read();
    }
    if (piece === null) return joiner.result();
    joiner.add(piece);
  }
}

// Set by Response's static block: the one way in this package to take a
// response's body source over, so that a middleware can re-wrap the body
// (decompression) without the source being public.
let takeBody: (response: Response) => BodySource;

/**
 * The same response with its body passed through `transform` (a decoder).
 * `response` gives its body up: it reads as used from now on.
 */
export function replaceBody(
  response: Response,
  transform: (source: BodySource) => BodySource,
): Response {
  const source = takeBody(response);
  let body: BodySource;
  try {
    body = transform(source);
  } catch (error) {
    source.cancel();
    throw error;
  }
  return new Response({
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
    url: response.url,
    history: response.history,
    timings: response.timings,
    body,
    httpVersion: response.httpVersion,
  });
}

/**
 * An HTTP response. The body can be consumed once; reading it to the end (or
 * `dump()`) returns the connection to the pool, `cancel()` closes it.
 *
 * @example
 * ```ts
 * const res = await session.get("http://127.0.0.1:8080/data");
 * res.status;                       // 200
 * res.headers.get("content-type");  // "application/json"
 * const data = await res.json();
 * res.timings;                      // { connect, firstByte, total, reused, retries }
 * ```
 */
export class Response implements AsyncIterable<Uint8Array> {
  readonly status: number;
  readonly statusText: string;
  /** Case-insensitive view; `getSetCookie()` keeps each Set-Cookie apart. */
  readonly headers: Headers;
  /** The final URL, after redirects. */
  readonly url: string;
  /** Redirects followed to get here, oldest first. */
  readonly history: readonly RedirectHop[];
  readonly timings: Timings;
  /** `"2"` when the response came over HTTP/2, else `"1.1"`. */
  readonly httpVersion: HttpVersion;
  readonly #source: BodySource;
  #used = false;
  #stream: ReadableStream<Uint8Array> | undefined;
  /** Whether {@link readInto} owns the body (it may be called again). */
  #readingInto = false;
  /** What a source without `readInto` gave beyond the caller's last buffer. */
  #leftover: Uint8Array | undefined;

  static {
    takeBody = (response) => {
      response.#used = true;
      return response.#source;
    };
  }

  /**
   * A response whose body is `body`, made without a request: what a
   * middleware that answers by itself returns (a cache, a stub).
   *
   * @example
   * ```ts
   * const cached = Response.of("hello", { status: 200, headers: [["content-type", "text/plain"]] });
   * await cached.text(); // "hello"
   * ```
   */
  static of(body: Uint8Array | string, init: BufferedResponseInit = {}): Response {
    const headers =
      init.headers instanceof Headers
        ? init.headers
        : new Headers(init.headers?.map(([name, value]) => [name, value]));
    return new Response({
      status: init.status ?? 200,
      statusText: init.statusText ?? "",
      headers,
      url: init.url ?? "",
      history: [],
      timings: { connect: 0, firstByte: 0, total: 0, reused: false, retries: 0 },
      body: bufferedSource(typeof body === "string" ? encoder.encode(body) : body),
    });
  }

  constructor(init: ResponseInit) {
    this.status = init.status;
    this.statusText = init.statusText;
    this.headers = init.headers;
    this.url = init.url;
    this.history = init.history;
    this.timings = init.timings;
    this.httpVersion = init.httpVersion ?? "1.1";
    this.#source = init.body ?? EMPTY_SOURCE;
  }

  /** True for 2xx. */
  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  /** Whether a redirect was followed. */
  get redirected(): boolean {
    return this.history.length > 0;
  }

  /** Whether the body has been (or is being) consumed. */
  get bodyUsed(): boolean {
    return this.#used;
  }

  /** Trailer fields of a chunked body, once the body was read to its end. */
  get trailers(): Headers | undefined {
    return this.#source.trailers;
  }

  #claim(): BodySource {
    if (this.#used) throw new ReqivoError("BODY_USED", "the response body was already consumed");
    this.#used = true;
    return this.#source;
  }

  /** The whole body as bytes. */
  bytes(): Promise<Uint8Array> {
    // Pieces already buffered are taken without a promise each: a small body
    // that came with its head is read without any await, and without an
    // async function's state (get-tiny: ~11,082 → ~10,920 bytes per request, apps/bench
    // `--allocations`).
    try {
      const source = this.#claim();
      // A body that came whole in one piece is that piece: no joiner and no
      // list for it (GET 16 B, bytes allocated per request ~8,497 → ~8,266,
      // apps/bench `client.bench.ts --allocations=50000`;
      // results/2026-12-07-h1-callbacks.md).
      const first = source.readBuffered?.();
      if (first === null) return Promise.resolve(new Uint8Array(0));
      const second = first === undefined ? undefined : source.readBuffered?.();
      if (second === null) return Promise.resolve(first as Uint8Array);
      const joiner = new BodyJoiner(source.expectedLength);
      if (first === undefined) return collectRest(source, joiner);
      joiner.add(first);
      if (second === undefined) return collectRest(source, joiner);
      joiner.add(second);
      for (;;) {
        const piece = source.readBuffered?.();
        if (piece === undefined) return collectRest(source, joiner);
        if (piece === null) return Promise.resolve(joiner.result());
        joiner.add(piece);
      }
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The whole body as an ArrayBuffer. */
  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.bytes();
    return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
      ? (bytes.buffer as ArrayBuffer)
      : (bytes.slice().buffer as ArrayBuffer);
  }

  /** The whole body decoded as UTF-8. */
  async text(): Promise<string> {
    return decoder.decode(await this.bytes());
  }

  /** The whole body parsed as JSON. */
  async json<T = unknown>(): Promise<T> {
    return JSON.parse(await this.text()) as T;
  }

  /** The body as a web ReadableStream (created on first access). */
  get body(): ReadableStream<Uint8Array> {
    if (this.#stream !== undefined) return this.#stream;
    const source = this.#claim();
    this.#stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const piece = await source.read();
        if (piece === null) controller.close();
        else controller.enqueue(piece);
      },
      cancel() {
        source.cancel();
      },
    });
    return this.#stream;
  }

  /**
   * Reads the next body bytes into `target` (a non-empty Uint8Array) and
   * resolves with how many, or `null` at the end of the body: a stream with
   * a buffer of the caller's, reused from read to read. On Deno a
   * Content-Length body without decoding is read from the socket straight
   * into `target`, so a long download makes no garbage per read; elsewhere
   * the bytes are copied from the pieces as they arrive. Call it again until
   * `null`; the body then counts as used, as with `bytes()`.
   *
   * @example
   * ```ts
   * const res = await session.get("http://127.0.0.1:8080/big");
   * const buffer = new Uint8Array(64 * 1024);
   * let total = 0;
   * for (let n = await res.readInto(buffer); n !== null; n = await res.readInto(buffer)) {
   *   total += n; // buffer[0, n) holds the bytes; reuse it on the next call
   * }
   * ```
   */
  async readInto(target: Uint8Array): Promise<number | null> {
    if (!(target instanceof Uint8Array) || target.length === 0)
      throw new InvalidRequestError("readInto needs a non-empty Uint8Array");
    if (!this.#readingInto) {
      this.#claim();
      this.#readingInto = true;
    }
    const source = this.#source;
    if (source.readInto !== undefined) return source.readInto(target);
    const piece = this.#leftover ?? (await source.read());
    this.#leftover = undefined;
    if (piece === null) return null;
    const count = Math.min(piece.length, target.length);
    target.set(piece.subarray(0, count));
    if (count < piece.length) this.#leftover = piece.subarray(count);
    return count;
  }

  /** Iterates over body pieces as they arrive. Breaking out early closes the connection. */
  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    const source = this.#claim();
    try {
      for (let piece = await source.read(); piece !== null; piece = await source.read())
        yield piece;
    } finally {
      if (!source.done) source.cancel();
    }
  }

  /**
   * Discards the rest of the body so the connection can be reused: reads up to
   * `limit` bytes (default 256 KiB), and closes the connection beyond that.
   */
  async dump(limit = 256 * 1024): Promise<void> {
    if (this.#used) {
      if (!this.#source.done) this.#source.cancel();
      return;
    }
    this.#used = true;
    await this.#source.dump(limit).catch(() => undefined);
  }

  /** Stops reading and closes the connection. */
  cancel(): void {
    this.#used = true;
    this.#source.cancel();
  }

  /** `await using res = …`: an unread body is dumped when the scope ends. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.#source.done) await this.dump();
  }
}
