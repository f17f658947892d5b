/**
 * Errors of the proxy path: an HTTP proxy that refused or garbled a
 * `CONNECT`, and a SOCKS5 server that refused, with one stable code per
 * SOCKS reply.
 */
import type { Headers } from "@reqivo/protocol";
import { brandErrorClass, ReqivoError } from "../../errors.ts";

/**
 * Codes of {@link ProxyError}.
 *
 * @example
 * ```ts
 * import type { ProxyErrorCode } from "@reqivo/client";
 * const code: ProxyErrorCode = "PROXY_AUTH_REQUIRED";
 * ```
 */
export type ProxyErrorCode =
  /** The proxy answered `CONNECT` with 407: credentials missing or wrong. */
  | "PROXY_AUTH_REQUIRED"
  /** The proxy answered `CONNECT` with another non-2xx status. */
  | "PROXY_TUNNEL_FAILED"
  /** The proxy's answer was not HTTP, or it closed the connection before answering. */
  | "PROXY_PROTOCOL_ERROR"
  | SocksErrorCode;

/**
 * Codes of {@link SocksError}: one per RFC 1928 reply code, and the
 * handshake's own failures.
 *
 * @example
 * ```ts
 * import type { SocksErrorCode } from "@reqivo/client";
 * const code: SocksErrorCode = "SOCKS_CONNECTION_REFUSED";
 * ```
 */
export type SocksErrorCode =
  | "SOCKS_GENERAL_FAILURE"
  | "SOCKS_NOT_ALLOWED"
  | "SOCKS_NETWORK_UNREACHABLE"
  | "SOCKS_HOST_UNREACHABLE"
  | "SOCKS_CONNECTION_REFUSED"
  | "SOCKS_TTL_EXPIRED"
  | "SOCKS_COMMAND_NOT_SUPPORTED"
  | "SOCKS_ADDRESS_TYPE_NOT_SUPPORTED"
  | "SOCKS_UNKNOWN_REPLY"
  /** The server accepts none of the offered methods (no auth, user/password). */
  | "SOCKS_NO_ACCEPTABLE_METHOD"
  /** RFC 1929 user name / password refused. */
  | "SOCKS_AUTH_FAILED"
  /** The server's bytes were not SOCKS5, or it closed the connection mid-handshake. */
  | "SOCKS_PROTOCOL_ERROR";

/**
 * A proxy refused to carry the request or did not speak its protocol. The
 * connection to the proxy is closed. `proxy` names it without credentials;
 * for an HTTP proxy's answer, `status` and `headers` (e.g.
 * `Proxy-Authenticate`) are the proxy's.
 *
 * @example
 * ```ts
 * import { ProxyError } from "@reqivo/client";
 * try { await session.get("https://example.com/"); }
 * catch (e) {
 *   if (e instanceof ProxyError && e.code === "PROXY_AUTH_REQUIRED")
 *     console.log(e.status, e.headers?.get("proxy-authenticate")); // 407 'Basic realm="corp"'
 * }
 * ```
 */
export class ProxyError extends ReqivoError {
  static {
    brandErrorClass(ProxyError, "ProxyError");
  }

  declare readonly code: ProxyErrorCode;
  /** The proxy's URL, credentials left out. */
  readonly proxy: string;
  /** The proxy's status answering `CONNECT`, when it answered. */
  readonly status: number | undefined;
  /** The proxy's answer headers, when it answered. */
  readonly headers: Headers | undefined;

  constructor(
    code: ProxyErrorCode,
    message: string,
    options: { proxy: string; status?: number; headers?: Headers; cause?: unknown },
  ) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.proxy = options.proxy;
    this.status = options.status;
    this.headers = options.headers;
  }
}

const SOCKS_REPLIES: Record<number, SocksErrorCode> = {
  1: "SOCKS_GENERAL_FAILURE",
  2: "SOCKS_NOT_ALLOWED",
  3: "SOCKS_NETWORK_UNREACHABLE",
  4: "SOCKS_HOST_UNREACHABLE",
  5: "SOCKS_CONNECTION_REFUSED",
  6: "SOCKS_TTL_EXPIRED",
  7: "SOCKS_COMMAND_NOT_SUPPORTED",
  8: "SOCKS_ADDRESS_TYPE_NOT_SUPPORTED",
};

const SOCKS_MESSAGES: Record<number, string> = {
  1: "general SOCKS server failure",
  2: "connection not allowed by ruleset",
  3: "network unreachable",
  4: "host unreachable",
  5: "connection refused",
  6: "TTL expired",
  7: "command not supported",
  8: "address type not supported",
};

/**
 * A SOCKS5 server refused the handshake or the connection. `reply` is the
 * RFC 1928 reply code when the server sent one.
 *
 * @example
 * ```ts
 * import { SocksError } from "@reqivo/client";
 * const error = SocksError.fromReply(5, "socks5h://127.0.0.1:1080");
 * error.code;  // "SOCKS_CONNECTION_REFUSED"
 * error.reply; // 5
 * ```
 */
export class SocksError extends ProxyError {
  static {
    brandErrorClass(SocksError, "SocksError");
  }

  declare readonly code: SocksErrorCode;
  /** The RFC 1928 `REP` byte, when the failure is a reply. */
  readonly reply: number | undefined;

  constructor(
    code: SocksErrorCode,
    message: string,
    options: { proxy: string; reply?: number; cause?: unknown },
  ) {
    super(code, message, options);
    this.reply = options.reply;
  }

  /** The error for a non-zero RFC 1928 reply code. */
  static fromReply(reply: number, proxy: string): SocksError {
    const code = SOCKS_REPLIES[reply] ?? "SOCKS_UNKNOWN_REPLY";
    const what = SOCKS_MESSAGES[reply] ?? `unknown reply 0x${reply.toString(16).padStart(2, "0")}`;
    return new SocksError(code, `SOCKS5 proxy ${proxy}: ${what}`, { proxy, reply });
  }
}
