/**
 * One request/response exchange on one connection: write the head and the
 * body (holding the body for `Expect: 100-continue` when asked), read interim
 * responses, and return the final head with a body source bound to the
 * connection. The body is written while the response is read, so a server
 * may answer early and a full-duplex stream works.
 */
import { type HeaderList, Headers, NEED_DATA } from "@reqivo/protocol";
import { concatBytes } from "./bytes.ts";
import type { Lifeline } from "./lifeline.ts";
import type { PooledConnection } from "./pooled-connection.ts";
import type { RequestBody } from "./request-body.ts";

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

// Head and body go out in one write when the body is small and already in memory.
const COALESCE_LIMIT = 64 * 1024;

/**
 * Sends the request and resolves with what `received` makes of the final
 * response head (interim responses go to the callback), or with what
 * `failed` makes of the exchange's failure (an error `received` throws does
 * not go to `failed`). The caller's handlers run in this async function
 * rather than in a `then` on its promise: one promise and one microtask
 * less per request (apps/bench `scripts/instructions.sh client`, keep-alive
 * GET: 53,441 → 53,024 instructions per request; results/2026-12-07-h1-costs.md).
 */
export async function exchange<T>(
  connection: PooledConnection,
  request: WireRequest,
  lifeline: Lifeline,
  progress: ExchangeProgress,
  received: (result: ExchangeResult) => T | PromiseLike<T>,
  failed: (error: unknown) => T | PromiseLike<T>,
): Promise<T> {
  let result: ExchangeResult;
  try {
    const protocol = connection.protocol;
    const body = request.body;
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
      contentLength: body === null ? 0 : body.length,
    });
    connection.requests++;

    let upload: Promise<void> | undefined;
    if (body === null) {
      const end = protocol.send({ type: "end" });
      // A bodiless request's end is empty: the head goes as it is, with no list to join.
      await connection.transport.write(end.length === 0 ? head : concatBytes([head, end]));
    } else if (
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
    upload?.catch((error) => lifeline.fail(lifeline.explain(error)));

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
        result = {
          status: event.status,
          reason: event.reason,
          headers: new Headers(event.headers),
          upgraded: event.type === "upgrade",
        };
        break;
      }
    }
  } catch (error) {
    return failed(error);
  }
  return received(result);
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
