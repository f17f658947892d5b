/**
 * One request/response exchange on one connection: write the head and the
 * body (holding the body for `Expect: 100-continue` when asked), read interim
 * responses, and return the final head with a body source bound to the
 * connection. The body is written while the response is read, so a server
 * may answer early and a full-duplex stream works.
 */
import {
  type HeaderList,
  Headers,
  NEED_DATA,
  type ResponseEvent,
  type UpgradeEvent,
} from "@reqivo/protocol";
import { concatBytes } from "./bytes.ts";
import type { Lifeline } from "./lifeline.ts";
import type { ChunkConsumer, PooledConnection } from "./pooled-connection.ts";
import type { RequestBody } from "./request-body.ts";
import { pending, rejecterOfLast, resolverOfLast } from "./settlers.ts";

/** A request ready for the wire. */
export interface WireRequest {
  method: string;
  target: string;
  headers: HeaderList;
  body: RequestBody | null;
  /** Milliseconds to hold the body for a 100 Continue; `undefined` sends it at once. */
  expectContinue: number | undefined;
  onInformational: ((status: number, headers: Headers) => void) | undefined;
}

/** The final response head. */
export interface ExchangeResult {
  status: number;
  reason: string;
  headers: Headers;
  /** A 101, or a 2xx to CONNECT: the connection no longer speaks HTTP. */
  upgraded: boolean;
}

/** What the caller can see of an exchange in flight, also after it failed. */
export interface ExchangeProgress {
  /** Whether any request body byte was handed to the transport (false: safe to replay). */
  bodyStarted: boolean;
}

/** What an exchange reports to: what becomes of the final head, and of a failure. */
export interface ExchangeHandlers<T> {
  received(result: ExchangeResult): T | PromiseLike<T>;
  failed(error: unknown): T | PromiseLike<T>;
}

/** The exchange's result for the final response head (or the upgrade) the protocol parsed. */
function finalHead(event: ResponseEvent | UpgradeEvent): ExchangeResult {
  return {
    status: event.status,
    reason: event.reason,
    headers: new Headers(event.headers),
    upgraded: event.type === "upgrade",
  };
}

/** The end of a request, one object for all (the protocol only reads it). */
const END = { type: "end" } as const;

// Head and body go out in one write when the body is small and already in memory.
const COALESCE_LIMIT = 64 * 1024;

/**
 * Sends the request and resolves with what `handlers.received` makes of the
 * final response head (interim responses go to the callback), or with what
 * `handlers.failed` makes of the exchange's failure (an error `received`
 * throws does not go to `failed`: the promise rejects with it). A request without a body
 * goes the callback way ({@link BodilessExchange}); one with a body goes
 * through an async function that writes it while the response is read.
 */
export function exchange<T>(
  connection: PooledConnection,
  request: WireRequest,
  lifeline: Lifeline,
  progress: ExchangeProgress,
  handlers: ExchangeHandlers<T>,
): Promise<T> {
  if (request.body !== null)
    return exchangeWithBody(connection, request, lifeline, progress, handlers);
  const settled = pending<T>();
  new BodilessExchange(connection, request, handlers, resolverOfLast(), rejecterOfLast()).start(
    lifeline,
  );
  return settled;
}

/**
 * {@link exchange} settling a promise the caller made already (`resolve`,
 * `reject`) instead of returning one of its own: for a request that waited
 * for its connection (dispatch.ts Waiting), whose promise was otherwise
 * resolved with the exchange's, one promise and a thenable job (two
 * microtasks) more per request.
 */
export function exchangeSettling<T>(
  connection: PooledConnection,
  request: WireRequest,
  lifeline: Lifeline,
  progress: ExchangeProgress,
  handlers: ExchangeHandlers<T>,
  resolve: (value: T | PromiseLike<T>) => void,
  reject: (reason: unknown) => void,
): void {
  if (request.body !== null) {
    resolve(exchangeWithBody(connection, request, lifeline, progress, handlers));
    return;
  }
  new BodilessExchange(connection, request, handlers, resolve, reject).start(lifeline);
}

/**
 * The exchange of a request without a body, driven by callbacks rather than
 * an async function: the head is written, and the response head is parsed
 * as chunks come from the connection's read ({@link PooledConnection.readNow}),
 * which starts at once, not once the write settled (HTTP/1.1 answers only
 * after the request; a write failure fails the exchange on its own). One
 * promise per exchange, the caller's, settled once, with what `received` or
 * `failed` returns. Against the async function it replaces (apps/bench,
 * results/2026-12-07-h1-callbacks.md): keep-alive GET 16 B over 50
 * connections, `scripts/instructions-contenders.mjs`, 56,047 → 54,351
 * instructions per request (GET 64 KiB 105,784 → 103,430); bytes allocated
 * per request (`client.bench.ts --allocations`) 9,232 → 8,747; in memory
 * (`READ_NOW=1 scripts/client-cycle.mjs`) 9.0 → 6.0 promises per request.
 */
class BodilessExchange<T> implements ChunkConsumer {
  readonly #connection: PooledConnection;
  readonly #onInformational: WireRequest["onInformational"];
  readonly #handlers: ExchangeHandlers<T>;
  readonly #resolve: (value: T | PromiseLike<T>) => void;
  readonly #reject: (reason: unknown) => void;
  #settled = false;

  constructor(
    connection: PooledConnection,
    request: WireRequest,
    handlers: ExchangeHandlers<T>,
    resolve: (value: T | PromiseLike<T>) => void,
    reject: (reason: unknown) => void,
  ) {
    this.#connection = connection;
    this.#onInformational = request.onInformational;
    this.#handlers = handlers;
    this.#resolve = resolve;
    this.#reject = reject;
    const protocol = connection.protocol;
    try {
      const head = protocol.send({
        type: "request",
        method: request.method,
        target: request.target,
        headers: request.headers,
        contentLength: 0,
      });
      connection.requests++;
      const end = protocol.send(END);
      // A bodiless request's end is empty: the head goes as it is, with no list to join.
      connection.write(end.length === 0 ? head : concatBytes([head, end]));
    } catch (error) {
      this.#fail(error);
    }
  }

  /** Waits for the response head (the headers timeout runs from here). */
  start(lifeline: Lifeline): void {
    if (this.#settled) return;
    lifeline.awaitHeaders();
    this.#advance();
  }

  onChunk(chunk: Uint8Array | null): void {
    if (this.#settled) return;
    try {
      this.#connection.protocol.receiveData(chunk);
    } catch (error) {
      this.#fail(error);
      return;
    }
    this.#advance();
  }

  onReadError(error: unknown): void {
    this.#fail(error);
  }

  /** A failed write fails the exchange, or, once it is over, leaves the connection unusable. */
  onWriteError(error: unknown): void {
    if (this.#settled) this.#connection.abort(error);
    else this.#fail(error);
  }

  /** Handles the buffered events until the final head, or until a read has to wait. */
  #advance(): void {
    const connection = this.#connection;
    const protocol = connection.protocol;
    try {
      for (;;) {
        const event = protocol.nextEvent();
        if (event === NEED_DATA) {
          const chunk = connection.readNow(this);
          if (chunk === undefined) return;
          protocol.receiveData(chunk);
          continue;
        }
        if (event.type === "informational") {
          this.#onInformational?.(event.status, new Headers(event.headers));
          // The callback may have ended the request (an abort): the failure settled it.
          if (this.#settled) return;
          continue;
        }
        if (event.type === "response" || event.type === "upgrade") {
          this.#settled = true;
          this.#settle(true, finalHead(event));
          return;
        }
      }
    } catch (error) {
      this.#fail(error);
    }
  }

  #fail(error: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#settle(false, error);
  }

  /**
   * Settles the caller's promise with what the handlers make of the head
   * (`head`) or of the failure, or rejects with what they throw.
   */
  #settle(head: boolean, argument: unknown): void {
    let value: T | PromiseLike<T>;
    try {
      value = head
        ? this.#handlers.received(argument as ExchangeResult)
        : this.#handlers.failed(argument);
    } catch (error) {
      this.#reject(error);
      return;
    }
    this.#resolve(value);
  }
}

/**
 * {@link exchange} for a request with a body. The caller's handlers run in
 * this async function rather than in a `then` on its promise: one promise
 * and one microtask less per request (apps/bench `scripts/instructions.sh
 * client`, keep-alive GET: 53,441 → 53,024 instructions per request;
 * results/2026-12-07-h1-costs.md).
 */
async function exchangeWithBody<T>(
  connection: PooledConnection,
  request: WireRequest,
  lifeline: Lifeline,
  progress: ExchangeProgress,
  handlers: ExchangeHandlers<T>,
): Promise<T> {
  let result: ExchangeResult;
  try {
    const protocol = connection.protocol;
    const body = request.body as RequestBody;
    // The promise a held body waits on exists only when a body is held (Expect: 100-continue).
    const state: UploadState = {
      progress,
      headReceived: false,
      refused: false,
      answered: request.expectContinue === undefined ? undefined : deferred(),
    };
    const head = protocol.send({
      type: "request",
      method: request.method,
      target: request.target,
      headers: request.headers,
      contentLength: body.length,
    });
    connection.requests++;

    let upload: Promise<void>;
    if (
      body.length !== null &&
      body.length <= COALESCE_LIMIT &&
      request.expectContinue === undefined
    ) {
      upload = sendSmall(connection, head, body, state);
    } else {
      await connection.transport.write(head);
      upload = sendStreamed(connection, body, request.expectContinue, state);
    }
    // An upload failure ends the exchange: abort the connection so the read side wakes too.
    upload.catch((error) => lifeline.fail(lifeline.explain(error)));

    lifeline.awaitHeaders();
    for (;;) {
      const event = protocol.nextEvent();
      if (event === NEED_DATA) {
        // The connection's read promise is awaited directly: no async wrapper per read.
        protocol.receiveData(await connection.read());
        continue;
      }
      if (event.type === "informational") {
        if (event.status === 100) state.answered?.resolve();
        request.onInformational?.(event.status, new Headers(event.headers));
        continue;
      }
      if (event.type === "response" || event.type === "upgrade") {
        state.headReceived = true;
        state.refused = event.status >= 400 && !protocol.keepAlive;
        state.answered?.resolve();
        result = finalHead(event);
        break;
      }
    }
  } catch (error) {
    return handlers.failed(error);
  }
  return handlers.received(result);
}

interface UploadState {
  progress: ExchangeProgress;
  headReceived: boolean;
  /** The final head is an error and the server closes after it: the rest of the body is not wanted. */
  refused: boolean;
  /** Settles when the server sent 100 Continue or a final head (only made for a held body). */
  answered: { promise: Promise<void>; resolve(): void } | undefined;
}

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function sendSmall(
  connection: PooledConnection,
  head: Uint8Array,
  body: RequestBody,
  state: UploadState,
): Promise<void> {
  const protocol = connection.protocol;
  const pieces: Uint8Array[] = [head];
  for await (const piece of body.chunks())
    pieces.push(protocol.send({ type: "data", data: piece }));
  pieces.push(protocol.send({ type: "end" }));
  state.progress.bodyStarted = true;
  await connection.transport.write(concatBytes(pieces));
}

async function sendStreamed(
  connection: PooledConnection,
  body: RequestBody,
  expectContinue: number | undefined,
  state: UploadState,
): Promise<void> {
  const protocol = connection.protocol;
  if (expectContinue !== undefined) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    // RFC 9110 §10.1.1: a client that waited long enough may send the body anyway.
    const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, expectContinue)));
    await Promise.race([state.answered?.promise, waited]);
    clearTimeout(timer);
    if (state.headReceived) {
      // A final answer instead of 100: the body is not wanted, and the connection cannot be reused.
      protocol.send({ type: "closed" });
      return;
    }
  }
  for await (const piece of body.chunks()) {
    // RFC 9112 §9.5: seeing such an answer, a client ceases sending the body (nginx's 413
    // mid-upload); the connection is not reused.
    if (state.refused) {
      protocol.send({ type: "closed" });
      return;
    }
    state.progress.bodyStarted = true;
    const framed = protocol.send({ type: "data", data: piece });
    if (framed.length > 0) await connection.transport.write(framed);
  }
  await connection.transport.write(protocol.send({ type: "end" }));
}
