/**
 * The innermost step of a request: the request as the wire writes it (Host,
 * content type, `Expect`, a forward proxy's absolute target), one exchange
 * on a pooled connection, and the Response whose body gives the connection
 * back to the pool when it ends.
 */
import type { HeaderList, HeaderPair, Headers } from "@reqivo/protocol";
import { failCall } from "./call-failed.ts";
import { type BodySource, ConnectionBody, type Timings } from "./connection/body-source.ts";
import { type Dispatched, type DispatchTarget, dispatch } from "./connection/dispatch.ts";
import type { WireRequest } from "./connection/exchange.ts";
import { Http2Body } from "./connection/http2/body.ts";
import type { Lifeline, TimeoutOptions } from "./connection/lifeline.ts";
import type { OriginTarget, OriginTargets } from "./connection/origin-targets.ts";
import type { Pool } from "./connection/pool.ts";
import type { PooledConnection } from "./connection/pooled-connection.ts";
import { absoluteTarget, proxiedHeaders } from "./connection/proxy/headers.ts";
import type { RequestBody } from "./connection/request-body.ts";
import { hasHeader } from "./header-input.ts";
import { runWireSteps } from "./middleware/layer.ts";
import type { OutgoingRequest } from "./middleware.ts";
import type { RequestOptions } from "./options.ts";
import { countDownload, countUpload } from "./progress.ts";
import type { RequestCall } from "./request-context.ts";
import { Response, type ResponseInit } from "./response.ts";

const KEEP_ALIVE_TIMEOUT = /(?:^|[,;\s])timeout\s*=\s*(\d+)/i;

/** Parses `Keep-Alive: timeout=N` into milliseconds. */
function keepAliveHint(value: string | null): number | undefined {
  if (value === null) return undefined;
  const match = KEEP_ALIVE_TIMEOUT.exec(value);
  return match === null ? undefined : Number(match[1]) * 1000;
}

/**
 * Notes the server's idle hint on the connection. A server repeats the same
 * Keep-Alive value on every response of a connection, so the regular
 * expression runs only when it changes: measured with apps/bench
 * `scripts/instructions.sh client` (keep-alive GET with `Keep-Alive: timeout=5`),
 * 59,678 instructions per request parsing every time, 58,814 with this check.
 */
function noteKeepAlive(connection: PooledConnection, value: string | null): void {
  if (value === connection.keepAliveHeader) return;
  connection.keepAliveHeader = value;
  connection.keepAliveHint = keepAliveHint(value);
}

/** The request as the exchange writes it: Host first, then the hop's headers (and a proxy's, see proxy/headers.ts). */
function wireRequest(
  target: OriginTarget,
  url: URL,
  method: string,
  headers: HeaderList,
  body: RequestBody | null,
  options: RequestOptions,
): WireRequest {
  let wire: HeaderList;
  if (hasHeader(headers, "host")) {
    wire = headers.slice();
  } else {
    // Made at its length, with the target's own Host pair: a list grown by
    // `push` from one pair, and a new pair each time, cost more (apps/bench
    // `ALLOCATIONS=1 IN_FLIGHT=100 CONNECTIONS=50 scripts/client-cycle.mjs
    // 50000`: ~7,760 → ~7,565 bytes per request; results/2026-12-07-pool-wait.md).
    const count = headers.length;
    wire = new Array<HeaderPair>(count + 1);
    wire[0] = target.hostHeader;
    for (let i = 0; i < count; i++) wire[i + 1] = headers[i] as HeaderPair;
  }
  if (body?.contentType && !hasHeader(headers, "content-type"))
    wire.push(["content-type", body.contentType]);
  let expectContinue: number | undefined;
  if (options.expectContinue !== undefined && options.expectContinue !== false && body !== null) {
    expectContinue = options.expectContinue === true ? 1000 : options.expectContinue;
    if (!hasHeader(wire, "expect")) wire.push(["expect", "100-continue"]);
  }
  const route = target.route;
  return {
    method,
    target: route?.forward ? absoluteTarget(url) : `${url.pathname}${url.search}`,
    headers: route === undefined ? wire : proxiedHeaders(route, wire),
    body,
    expectContinue,
    onInformational: options.onInformational,
  };
}

/**
 * The innermost step of a call: sends `request` on a pooled connection
 * (connection/dispatch.ts) and wraps the answer in a Response whose body
 * gives the connection back when it ends.
 */
export function sendRequest(call: RequestCall, request: OutgoingRequest): Promise<Response> {
  call.current = request;
  try {
    return send(call, request);
  } catch (error) {
    // A Handler fails with a rejected promise, never a synchronous throw.
    return Promise.reject(error);
  }
}

function send(call: RequestCall, request: OutgoingRequest): Promise<Response> {
  const { state, settings } = call;
  const { url, method } = request;
  const options = settings.options;
  const target = settings.targets.of(url);
  const onUpload = options.onUploadProgress;
  const body =
    request.body !== null && onUpload ? countUpload(request.body, onUpload) : request.body;
  const wire = wireRequest(target, url, method, request.headers, body, options);
  // The layers above may join steps to this promise (middleware/layer.ts
  // onResponse): they run here, in the `then` that makes the Response.
  call.dropWireSteps();
  const to = new WireCall(call, state.pool, target, url, performance.now());
  const pending = dispatch(to, wire);
  to.pending = pending;
  // A promise that failed at once is not the wire's to hand up as it is:
  // the layers and Session.request wait on it with a `then` of their own.
  call.wirePending = to.failedAtOnce ? undefined : pending;
  return pending;
}

/**
 * One call's trip to the wire: where it goes ({@link DispatchTarget}) and
 * what its head or failure becomes, in one object, where a target record
 * and two closures over send's scope (and the scope) were made per request.
 * Keep-alive GET, 100 in flight over 50 connections, in memory (apps/bench
 * `ALLOCATIONS=1 READ_NOW=1 IN_FLIGHT=100 CONNECTIONS=50
 * scripts/client-cycle.mjs 50000`): ~5,711 → ~5,533 bytes per request (16 B
 * body), ~7,574 → ~7,477 (64 KiB); Node `scripts/instructions.sh client`
 * 48,233 → 47,122 instructions (results/2026-12-07-bun-cut.md).
 */
class WireCall implements DispatchTarget<Response> {
  readonly pool: Pool;
  readonly targets: OriginTargets;
  readonly target: OriginTarget;
  readonly timeouts: TimeoutOptions;
  readonly lifeline: Lifeline;
  /** The dispatch's promise; undefined while dispatch runs (a failure then is not the call's outcome yet). */
  pending: Promise<Response> | undefined = undefined;
  failedAtOnce = false;
  readonly #call: RequestCall;
  readonly #url: URL;
  readonly #started: number;

  constructor(call: RequestCall, pool: Pool, target: OriginTarget, url: URL, started: number) {
    const settings = call.settings;
    this.pool = pool;
    this.targets = settings.targets;
    this.target = target;
    this.timeouts = settings.timeouts;
    this.lifeline = settings.lifeline;
    this.#call = call;
    this.#url = url;
    this.#started = started;
  }

  received(dispatched: Dispatched): Response | Promise<Response> {
    return received(this.#call, this.pending, this.#url, dispatched, this.#started);
  }

  failed(error: unknown): Response | Promise<Response> {
    const pending = this.pending;
    if (pending === undefined) this.failedAtOnce = true;
    else if (pending === this.#call.outcome) return failCall(this.#call, error);
    throw error;
  }
}

/**
 * The response of the wire's promise `pending`, through the steps the layers
 * joined to it; when `pending` is the call's outcome (Session.request handed
 * it to the caller as it is), the call ends here: the response is final, or
 * the call fails (onError hooks) as it would in Session.request's `then`.
 */
function received(
  call: RequestCall,
  pending: Promise<Response> | undefined,
  url: URL,
  dispatched: Dispatched,
  started: number,
): Response | Promise<Response> {
  if (pending !== call.outcome)
    return runWireSteps(call, pending, respond(call, url, dispatched, started));
  const lifeline = call.settings.lifeline;
  let out: Response | Promise<Response>;
  try {
    out = runWireSteps(call, pending, respond(call, url, dispatched, started));
  } catch (error) {
    return failCall(call, error);
  }
  if (out instanceof Promise)
    return out.then(
      (final) => {
        lifeline.markFinal();
        return final;
      },
      (error: unknown) => failCall(call, error),
    );
  lifeline.markFinal();
  return out;
}

/** The Response for an exchange's final head. */
function respond(call: RequestCall, url: URL, dispatched: Dispatched, started: number): Response {
  const { connection, result, reused, stream } = dispatched;
  const { state, settings, history } = call;
  const lifeline = settings.lifeline;
  const timings: Timings = {
    connect: reused ? 0 : connection.connectTime,
    firstByte: performance.now() - started,
    total: undefined,
    reused,
    retries: call.retries,
  };
  if (stream === undefined) noteKeepAlive(connection, result.headers.get("keep-alive"));
  // The call's list as it is: a redirect replaces it, so later hops never show up in this response's.
  // One literal with every field, body filled in after: spreading a head
  // object into a new one cost ~1.7 µs per response in profiles.
  const init: ResponseInit = {
    status: result.status,
    statusText: result.reason,
    headers: result.headers,
    url: url.href,
    history,
    timings,
    body: null,
    httpVersion: stream === undefined ? "1.1" : "2",
  };
  if (result.upgraded) {
    // Not HTTP any more: this connection can never return to the pool.
    state.pool.discard(connection);
    lifeline.bodyEnded();
    timings.total = timings.firstByte;
    return new Response(init);
  }
  const source =
    stream === undefined
      ? new ConnectionBody(connection, lifeline, state.afterBody, started, timings)
      : new Http2Body(connection, stream, lifeline, state.afterBody, started, timings);
  source.settleIfEmpty();
  init.body = counted(settings.options, result.headers, source);
  return new Response(init);
}

/** The body the caller reads, counted for progress as it arrives on the wire (before any decoding). */
function counted(options: RequestOptions, headers: Headers, source: BodySource): BodySource {
  const onDownload = options.onDownloadProgress;
  if (onDownload === undefined) return source;
  const length = Number(headers.get("content-length") ?? Number.NaN);
  return countDownload(source, Number.isSafeInteger(length) ? length : undefined, onDownload);
}

/** Where a finished body's connection goes: back to the pool, or closed. */
export function afterBody(pool: Pool): (connection: PooledConnection, reusable: boolean) => void {
  return (connection, reusable) => {
    // An HTTP/2 body ends its stream only (a cancelled one was reset): the connection stays.
    if (connection.h2 !== undefined) pool.release(connection);
    else if (reusable) {
      connection.protocol.startNextCycle();
      pool.release(connection);
    } else {
      pool.discard(connection);
    }
  };
}
