/**
 * A Session response as the runtime's own WHATWG `Response`, with the
 * members its constructor cannot set (url, redirected, type) and a body
 * whose failures read as the runtime's fetch reports them.
 */
import { fetchFailure, fetchRefusal } from "./fetch-errors.ts";
import { checkIntegrity } from "./fetch-integrity.ts";
import { type PreparedFetch, runtimeClasses } from "./fetch-request.ts";
import type { Response as SessionResponse } from "./response.ts";

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** Read-only members of a fetched response that the Response constructor cannot set. */
interface FetchedMembers {
  url: string;
  redirected: boolean;
}

/** Sets `members` on `response`, and on every clone of it. */
function stamp(response: globalThis.Response, members: FetchedMembers): globalThis.Response {
  const clone = response.clone;
  Object.defineProperties(response, {
    url: { value: members.url },
    redirected: { value: members.redirected },
    // Node's and Deno's fetch answer "basic" for a network response; constructed ones say "default".
    type: { value: "basic" },
    clone: { value: () => stamp(clone.call(response), members), writable: true },
  });
  return response;
}

/**
 * The body as a stream whose errors are the signal's reason after an abort,
 * and `TypeError("terminated", { cause })` otherwise (as undici's).
 */
function fetchBody(
  response: SessionResponse,
  signal: AbortSignal | null,
): ReadableStream<Uint8Array> {
  // The session response's own iterator, not its `body` stream: one stream layer, not two.
  const pieces = response[Symbol.asyncIterator]();
  let onAbort: (() => void) | undefined;
  const settle = () => {
    if (onAbort !== undefined) signal?.removeEventListener("abort", onAbort);
    onAbort = undefined;
  };
  const stop = () => {
    response.cancel();
    void pieces.return?.(undefined).catch(() => undefined);
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (signal === null) return;
      onAbort = () => {
        settle();
        controller.error(signal.reason);
        stop();
      };
      signal.addEventListener("abort", onAbort, { once: true });
    },
    async pull(controller) {
      try {
        const { done, value } = await pieces.next();
        if (signal?.aborted) return;
        if (done) {
          settle();
          controller.close();
        } else controller.enqueue(value);
      } catch (error) {
        settle();
        if (!signal?.aborted) controller.error(fetchFailure(error, signal, "terminated"));
      }
    },
    cancel() {
      settle();
      stop();
    },
  });
}

/**
 * The runtime's `Response` for `response`. A status the WHATWG constructor
 * refuses (outside 200-599) cannot be represented: the fetch fails with a
 * TypeError whose cause has the code `UNSUPPORTED_STATUS`.
 */
export async function toFetchResponse(
  response: SessionResponse,
  prepared: PreparedFetch,
): Promise<globalThis.Response> {
  const { method, signal, integrity } = prepared;
  const { status } = response;
  if (status < 200 || status > 599) {
    response.cancel();
    throw fetchRefusal("UNSUPPORTED_STATUS", `status ${status} is outside 200-599`);
  }
  const headers = new runtimeClasses.Headers();
  for (const [name, value] of response.headers) headers.append(name, value);
  const nullBody = NULL_BODY_STATUSES.has(status) || method === "HEAD";
  if (nullBody) await response.dump();
  let body: ReadableStream<Uint8Array> | Uint8Array<ArrayBuffer> | null = null;
  if (integrity !== "") {
    // The body is handed over only once it is known to match.
    const bytes = nullBody
      ? new Uint8Array(0)
      : await response.bytes().catch((error: unknown) => {
          throw fetchFailure(error, signal);
        });
    await checkIntegrity(bytes, integrity);
    if (!nullBody) body = bytes as Uint8Array<ArrayBuffer>;
  } else if (!nullBody) body = fetchBody(response, signal);
  let out: globalThis.Response;
  try {
    out = new runtimeClasses.Response(body, { status, statusText: response.statusText, headers });
  } catch {
    // A reason phrase the constructor refuses (bytes outside its grammar): the status still stands.
    out = new runtimeClasses.Response(body, { status, headers });
  }
  const url = response.url.split("#", 1)[0] ?? response.url;
  return stamp(out, { url, redirected: response.redirected });
}
