/**
 * The absolute http(s) URL of a request, from what the caller (or a hook)
 * gave, and the Unix-socket URL forms a request may start from.
 *
 * A Unix-socket URL names the socket and the request path at once:
 * `http+unix://%2Fvar%2Frun%2Fapp.sock/v1/items` (the path percent-encoded as
 * the host; `https+unix:` for TLS over the socket) or got's
 * `unix:/var/run/app.sock:/v1/items`. It is sent as a request to
 * `http://localhost/v1/items` over that socket, as `curl --unix-socket` does:
 * Host is `localhost`, cookies and credentials are those of `localhost`, and
 * every hop of the request, redirects included, goes through the socket.
 */
import { checkSocketPath } from "./connection/origin-targets.ts";
import { InvalidRequestError } from "./errors.ts";
import { applyQuery, type QueryInput } from "./header-input.ts";

/**
 * Resolves `input` against the session's base URL and appends `query`.
 * Throws InvalidRequestError for an unparsable URL or a scheme other than http(s).
 */
export function resolveUrl(
  baseUrl: URL | undefined,
  input: string | URL,
  query: QueryInput | undefined,
): URL {
  const url = checkHttp(parse(baseUrl, input));
  applyQuery(url, query);
  return url;
}

function checkHttp(url: URL): URL {
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new InvalidRequestError(`unsupported URL scheme ${url.protocol}`);
  }
  return url;
}

/** A request's first URL, and the Unix socket it names, if it is a Unix-socket URL. */
export interface RequestTarget {
  url: URL;
  socketPath: string | undefined;
}

/**
 * {@link resolveUrl} for the URL a request starts from, which may also be a
 * Unix-socket URL (`http+unix:`, `https+unix:`, `unix:`): that comes back as
 * `http(s)://localhost/…` with the socket's path.
 */
export function resolveRequestTarget(
  baseUrl: URL | undefined,
  input: string | URL,
  query: QueryInput | undefined,
): RequestTarget {
  const url = parse(baseUrl, input);
  // http: and https: asked first: the Unix-socket table's lookup (a keyed
  // read by a fresh string) and checkHttp's own reads cost more than this
  // one compare (apps/bench `scripts/instructions.sh client`, keep-alive GET:
  // 53,024 → 52,656 instructions per request; results/2026-12-07-h1-costs.md).
  const protocol = url.protocol;
  const target =
    protocol === "http:" || protocol === "https:"
      ? { url, socketPath: undefined }
      : (unixTarget(url, false) ?? { url: checkHttp(url), socketPath: undefined });
  applyQuery(target.url, query);
  return target;
}

/**
 * URLs parsed from strings, for calls whose URL no caller code sees (no
 * hooks, no middleware): such a URL is only read, so calls to the same
 * string share one. Holds at most {@link SHARED_URLS_AT_MOST} (then starts
 * over): it only saves work. A URL with credentials (taken out of it in
 * place) or from a Unix-socket form is never kept.
 *
 * @example
 * ```ts
 * const urls = new SharedUrls();
 * const url = urls.get("http://127.0.0.1:8080/x") ?? new URL("http://127.0.0.1:8080/x");
 * urls.keep("http://127.0.0.1:8080/x", url);
 * ```
 */
export class SharedUrls {
  readonly #urls = new Map<string, URL>();

  get(input: string): URL | undefined {
    return this.#urls.get(input);
  }

  /** Keeps `url`, parsed from `input`, unless it is one that is changed in place later. */
  keep(input: string, url: URL): void {
    if (url.username !== "" || url.password !== "") return;
    if (this.#urls.size >= SHARED_URLS_AT_MOST) this.#urls.clear();
    this.#urls.set(input, url);
  }

  /** How many URLs are kept (for tests). */
  get size(): number {
    return this.#urls.size;
  }
}

/**
 * The most URLs a {@link SharedUrls} keeps.
 *
 * @example
 * ```ts
 * new SharedUrls().size <= SHARED_URLS_AT_MOST; // true, however many are kept
 * ```
 */
export const SHARED_URLS_AT_MOST = 64;

function parse(baseUrl: URL | undefined, input: string | URL): URL {
  try {
    return new URL(input, baseUrl);
  } catch (cause) {
    throw new InvalidRequestError(`invalid URL ${JSON.stringify(String(input))}`, { cause });
  }
}

const SOCKET_SCHEMES: Record<string, string> = {
  "http+unix:": "http:",
  "https+unix:": "https:",
  "unix:": "http:",
};
const WEBSOCKET_SOCKET_SCHEMES: Record<string, string> = {
  "ws+unix:": "http:",
  "wss+unix:": "https:",
};

/**
 * The `http(s)://localhost/…` URL and socket path of a Unix-socket URL
 * (`ws+unix:` and `wss+unix:` too when `websocket`); `undefined` for any other URL.
 */
export function unixTarget(url: URL, websocket: boolean): RequestTarget | undefined {
  const scheme =
    SOCKET_SCHEMES[url.protocol] ??
    (websocket ? WEBSOCKET_SOCKET_SCHEMES[url.protocol] : undefined);
  if (scheme === undefined) return undefined;
  let encodedSocket: string;
  let path: string;
  if (url.protocol === "unix:") {
    // unix:/path/to.sock:/request/path — the socket ends at the first colon.
    const colon = url.pathname.indexOf(":");
    encodedSocket = colon === -1 ? url.pathname : url.pathname.slice(0, colon);
    path = colon === -1 ? "/" : url.pathname.slice(colon + 1);
    if (!path.startsWith("/")) path = `/${path}`;
  } else {
    if (url.port !== "")
      throw new InvalidRequestError(`a ${url.protocol} URL names a socket, not a port`);
    encodedSocket = url.host;
    path = url.pathname || "/";
  }
  let socketPath: string;
  try {
    socketPath = decodeURIComponent(encodedSocket);
  } catch (cause) {
    throw new InvalidRequestError(`bad socket path in ${url.protocol} URL`, { cause });
  }
  if (socketPath.length === 0)
    throw new InvalidRequestError(`a ${url.protocol} URL needs a socket path`);
  const out = new URL(`${scheme}//localhost`);
  out.pathname = path;
  out.search = url.search;
  out.username = url.username;
  out.password = url.password;
  return { url: out, socketPath: checkSocketPath(socketPath) };
}
