/**
 * The Transport/Connection contract: what every runtime transport implements
 * and what the client drives. Transports move bytes and know nothing of HTTP.
 */

/**
 * The part of `AbortSignal` a transport uses. Declared here so that the
 * published types need no DOM or runtime library; every runtime's
 * `AbortSignal` fits it.
 *
 * @example
 * ```ts
 * import type { AbortSignalLike } from "@reqivo/transport";
 * const signal: AbortSignalLike = new AbortController().signal;
 * ```
 */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

/**
 * A TLS protocol version name, as OpenSSL and Node spell it.
 *
 * @example
 * ```ts
 * import type { TlsVersion } from "@reqivo/transport";
 * const min: TlsVersion = "TLSv1.3";
 * ```
 */
export type TlsVersion = "TLSv1.2" | "TLSv1.3";

/**
 * TLS settings for {@link ConnectOptions.tls}.
 *
 * @example
 * ```ts
 * import type { TlsOptions } from "@reqivo/transport";
 * const tls: TlsOptions = { servername: "example.com", alpnProtocols: ["http/1.1"] };
 * ```
 */
export interface TlsOptions {
  /**
   * Name sent as SNI and checked against the server certificate.
   * Defaults to `host` (no SNI is sent when `host` is an IP address).
   */
  servername?: string;
  /** Trusted CA certificates (PEM). When given, they replace the runtime's default trust store. */
  ca?: string | readonly string[];
  /** Client certificate chain (PEM), for servers that ask for one. Needs `key`. */
  cert?: string;
  /** Private key (PEM) of the client certificate. Needs `cert`. */
  key?: string;
  /** Verify the server certificate and its name. Default `true`; `false` is for tests only. */
  rejectUnauthorized?: boolean;
  /**
   * ALPN protocols to offer, most preferred first, e.g. `["h2", "http/1.1"]`.
   * Default: none offered. Each name is 1 to 255 visible ASCII characters
   * (RFC 7301 allows any bytes, every registered name is ASCII); anything else
   * is a `TypeError` before any I/O. The server's pick is `info.alpnProtocol`.
   */
  alpnProtocols?: readonly string[];
  /** Lowest TLS version to accept. Default: the runtime's (TLS 1.2 on every supported runtime). */
  minVersion?: TlsVersion;
  /**
   * Certificate pinning: base64 SHA-256 digests of the DER-encoded
   * SubjectPublicKeyInfo ("SPKI") of certificates the server may present,
   * written bare or with a `sha256/` prefix. The connection fails with
   * `TlsPinMismatchError` (code `TLS_PIN_MISMATCH`) unless the leaf
   * certificate's key matches one of them; normal verification still applies.
   * A transport whose runtime does not expose the peer certificate rejects
   * the option with `UnsupportedError`.
   */
  pins?: readonly string[];
}

/**
 * One address a host name resolved to.
 *
 * @example
 * ```ts
 * import type { LookupAddress } from "@reqivo/transport";
 * const address: LookupAddress = { address: "::1", family: 6, ttl: 30 };
 * ```
 */
export interface LookupAddress {
  /** An IPv4 or IPv6 literal, without brackets. */
  readonly address: string;
  readonly family: 4 | 6;
  /** Seconds the answer may be cached, when the resolver tells. */
  readonly ttl?: number;
}

/**
 * Resolves a host name to addresses, in the resolver's order of preference.
 * Rejects (or resolves to an empty list) when the name does not resolve.
 *
 * @example
 * ```ts
 * import type { LookupFunction } from "@reqivo/transport";
 * // Pin one name to loopback, for tests.
 * const lookup: LookupFunction = async (hostname) =>
 *   hostname === "api.test" ? [{ address: "127.0.0.1", family: 4 }] : [];
 * ```
 */
export type LookupFunction = (
  hostname: string,
  options: { readonly signal?: AbortSignalLike },
) => Promise<readonly LookupAddress[]>;

/**
 * Where and how to connect. Give either `host` and `port`, or `path` (a Unix
 * domain socket).
 *
 * @example
 * ```ts
 * import type { ConnectOptions } from "@reqivo/transport";
 * const options: ConnectOptions = { host: "127.0.0.1", port: 8080, connectTimeout: 5_000 };
 * ```
 */
export interface ConnectOptions {
  /** Host name or IP address. Names resolving to several addresses are tried with happy eyeballs where the runtime can. */
  host?: string;
  /** TCP port, 1–65535. */
  port?: number;
  /** Unix domain socket path; replaces `host` and `port`. */
  path?: string;
  /** Wrap the connection in TLS: `true` for defaults, or the settings. */
  tls?: boolean | TlsOptions;
  /** Milliseconds allowed for name lookup, TCP connect and TLS handshake together. No limit when absent. */
  connectTimeout?: number;
  /**
   * Aborts the connect and, once connected, the connection: pending and later
   * reads and writes reject with `AbortedError`, whose `cause` is the signal's reason.
   */
  signal?: AbortSignalLike;
  /** Disable Nagle's algorithm. Default `true`: request/response traffic wants low latency. */
  noDelay?: boolean;
  /** Enable TCP keep-alive probes: `true`, or the idle delay in milliseconds before the first probe. */
  keepAlive?: boolean | number;
  /**
   * Resolves `host` instead of the runtime's resolver (not called for IP
   * literals). All addresses are tried with happy eyeballs (RFC 8305):
   * families interleaved, a new attempt every `happyEyeballsDelay` ms while
   * earlier ones are pending, the first to connect wins and the rest are
   * closed. TLS still verifies and sends SNI for `host`, not the address.
   */
  lookup?: LookupFunction;
  /** Milliseconds between happy-eyeballs attempts (RFC 8305 "Connection Attempt Delay"). Default 250. */
  happyEyeballsDelay?: number;
  /**
   * Runs TLS over this already-open connection (a proxy's `CONNECT` tunnel,
   * itself TLS or not) instead of opening a socket; needs `tls`. `host` and
   * `port` name the far end, for SNI, verification and `info` (`remotePort`
   * is `port`; the addresses are `null`, as the proxy reached the far end).
   * The new connection owns the tunnel from the call on: closing or aborting
   * it closes the tunnel, the tunnel ending ends it, and a connect that fails
   * for any reason (bad options, handshake error, timeout, abort) closes the
   * tunnel too. A transport that cannot layer TLS on the given connection
   * rejects with `UnsupportedError`.
   */
  tunnel?: Connection;
}

/**
 * What was negotiated for an open connection.
 *
 * @example
 * ```ts
 * import type { Connection } from "@reqivo/transport";
 * declare const conn: Connection;
 * if (conn.info.alpnProtocol === "http/1.1") console.log(conn.info.tlsVersion);
 * ```
 */
export interface ConnectionInfo {
  /** `tcp`, `tls` (over TCP or a Unix socket) or `unix`. */
  readonly kind: "tcp" | "tls" | "unix";
  /** The ALPN protocol the server picked, or `null` when none was negotiated. */
  readonly alpnProtocol: string | null;
  /** The TLS version in use (`"TLSv1.3"`), or `null` without TLS or when the runtime does not tell. */
  readonly tlsVersion: string | null;
  /** Peer IP address, or `null` (Unix sockets, or the runtime does not tell). */
  readonly remoteAddress: string | null;
  readonly remotePort: number | null;
  /** Local IP address, or `null` (Unix sockets, or the runtime does not tell). */
  readonly localAddress: string | null;
  readonly localPort: number | null;
  /** The Unix socket path, or `null` for TCP. */
  readonly path: string | null;
  /**
   * Optional. `true` when the TLS handshake resumed an earlier session (no
   * full handshake), `false` when it did not; `null` or absent without TLS
   * or when the transport does not tell.
   */
  readonly tlsSessionReused?: boolean | null;
}

/**
 * An open, duplex byte stream with backpressure in both directions.
 *
 * Reads are pulled: the transport stops taking bytes from the socket while the
 * caller does not read. Writes resolve once the runtime has taken the bytes
 * (handed them to the operating system), so the caller may reuse the buffer
 * and memory stays bounded when the peer reads slowly.
 *
 * @example
 * ```ts
 * import type { Connection } from "@reqivo/transport";
 * declare const conn: Connection;
 * await conn.write(new TextEncoder().encode("ping"));
 * await conn.closeWrite();
 * for (let chunk = await conn.read(); chunk !== null; chunk = await conn.read()) {
 *   console.log(chunk.byteLength);
 * }
 * conn.close();
 * ```
 */
export interface Connection {
  /** What was negotiated: ALPN protocol, TLS version, addresses. */
  readonly info: ConnectionInfo;
  /**
   * Settles when the connection is fully closed: resolves after a clean close,
   * rejects with the `TransportError` that ended it (reset, abort). Nobody has
   * to listen: an ignored rejection is not reported as unhandled.
   */
  readonly closed: Promise<void>;
  /**
   * The next chunk from the peer, or `null` once the peer has closed its side.
   * The chunk is the caller's to keep: the transport never writes into it
   * again (parsers hand out views of it without copying).
   */
  read(): Promise<Uint8Array | null>;
  /**
   * Optional. From now on, small chunks from `read()` may be views into a
   * buffer the transport reads into and shares among chunks, not copies of
   * it: the transport still never writes into a chunk again, but a kept chunk
   * keeps that whole buffer alive. For a caller that consumes each chunk at
   * once or copies the small pieces it keeps (the HTTP/1.1 client copies the
   * body pieces it hands out): a read then costs no allocation. Transports
   * that copy nothing leave it out; callers use `conn.shareReads?.()`.
   *
   * @example
   * ```ts
   * import type { Connection } from "@reqivo/transport";
   * declare const conn: Connection;
   * conn.shareReads?.();
   * const chunk = await conn.read(); // may be a view: copy what you keep of it
   * ```
   */
  shareReads?(): void;
  /**
   * Optional: reads the next bytes from the peer straight into `target`
   * (which must not be empty) and resolves with how many it got, or `null`
   * once the peer has closed its side. For runtimes whose reads take the
   * caller's buffer (Deno): a reader that reuses its buffer then makes no
   * garbage per read. Reads and `readInto` calls are served in call order.
   */
  readInto?(target: Uint8Array): Promise<number | null>;
  /**
   * Optional: {@link read} without a promise. Returns the next chunk (or
   * `null` once the peer has closed its side) when one is buffered; else
   * returns `undefined` and later calls `onChunk` once with it, from the
   * runtime's read itself (before any promise reaction runs), or `onError`
   * with the error that ended the connection. Throws that error when the
   * connection already failed and nothing is buffered. Served in call order
   * with `read()`. The callbacks must not throw. For a reader that answers each message at once (a
   * WebSocket echo): it spares a promise, a `then` lookup on the chunk and a
   * microtask hop per read. Callers fall back to `read()` where it is absent.
   *
   * @example
   * ```ts
   * import type { Connection } from "@reqivo/transport";
   * declare const conn: Connection;
   * const onChunk = (chunk: Uint8Array | null) => console.log(chunk?.byteLength ?? "end");
   * const now = conn.readNow?.(onChunk, (error) => console.error(error));
   * if (now !== undefined) onChunk(now); // was buffered
   * ```
   */
  readNow?(
    onChunk: (chunk: Uint8Array | null) => void,
    onError: (error: unknown) => void,
  ): Uint8Array | null | undefined;
  /**
   * Sends `bytes`; resolves when the runtime has accepted them. Writes go out
   * in call order. A write the runtime took at once may return `WRITTEN`,
   * the shared resolved promise exported beside this interface (transport-node
   * does): a caller that only needs to hear of failures may skip its `then`.
   */
  write(bytes: Uint8Array): Promise<void>;
  /** Half-close: flushes pending writes, then signals end of stream to the peer. Reading goes on. */
  closeWrite(): Promise<void>;
  /** Closes both directions now. Pending and later reads and writes reject with `ConnectionClosedError`. */
  close(): void;
  /** Tears the connection down; pending and later operations reject with `AbortedError` (`cause` = `reason`). */
  abort(reason?: unknown): void;
  /**
   * Optional. Lets the process exit while this connection is open and
   * nothing else is pending: a pool calls it on a connection it keeps idle,
   * so a script ends as soon as its work is done instead of at the idle
   * timeout. Pending reads do not hold the process either. Transports whose
   * runtime cannot do this leave it out; callers use `conn.unref?.()`.
   *
   * @example
   * ```ts
   * import type { Connection } from "@reqivo/transport";
   * declare const conn: Connection;
   * conn.unref?.(); // idle: do not keep the process alive for it
   * conn.ref?.(); // in use again
   * ```
   */
  unref?(): void;
  /**
   * Optional. Undoes {@link Connection.unref}: the open connection keeps the
   * process alive again (the default for a new connection).
   *
   * @example
   * ```ts
   * import type { Connection } from "@reqivo/transport";
   * declare const conn: Connection;
   * conn.ref?.();
   * ```
   */
  ref?(): void;
}

/**
 * Opens connections. One per runtime: `@reqivo/transport-node`, `-deno`, `-bun`.
 *
 * @example
 * ```ts
 * import type { Transport } from "@reqivo/transport";
 * declare const transport: Transport;
 * const conn = await transport.connect({ host: "127.0.0.1", port: 8080 });
 * conn.close();
 * ```
 */
export interface Transport {
  /** A short name for logs: `"node"`, `"deno"`, `"bun"`. */
  readonly name: string;
  /**
   * Connects (name lookup, TCP or Unix connect, TLS handshake) and resolves
   * once the connection is ready for bytes. Rejects with a `TransportError`;
   * an option the runtime cannot honour rejects with `UnsupportedError`.
   */
  connect(options: ConnectOptions): Promise<Connection>;
  /**
   * Optional. The runtime's own resolver, for callers that cache answers
   * (the client's DNS cache); `ttl` is set where the runtime reports it.
   * Rejects with `DnsError` when the name does not resolve.
   *
   * @example
   * ```ts
   * import type { Transport } from "@reqivo/transport";
   * declare const transport: Transport;
   * const addresses = (await transport.lookup?.("localhost", {})) ?? [];
   * ```
   */
  lookup?: LookupFunction;
}

/**
 * The one resolved promise a transport's `write` may return for bytes the
 * runtime took at once: nothing can fail it, so a caller that only listens
 * for failures compares against it instead of adding a `then` (one promise
 * and one microtask less per request in the HTTP/1.1 client).
 *
 * @example
 * ```ts
 * import { type Connection, WRITTEN } from "@reqivo/transport";
 * declare const conn: Connection;
 * const written = conn.write(new Uint8Array([1]));
 * if (written !== WRITTEN) written.catch((error) => console.error(error));
 * ```
 */
export const WRITTEN: Promise<void> = Promise.resolve();
