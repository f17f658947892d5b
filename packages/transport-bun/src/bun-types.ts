// The few Bun APIs this transport calls, declared locally so that the
// published .d.ts needs no @types/bun. Shapes follow Bun's `Bun.connect`
// socket API, reduced to what is used here.
import type { AbortSignalLike } from "@reqivo/transport";

export interface BunSocket {
  /** Bytes taken (copied) by Bun; fewer than given means: wait for `drain`. -1 once closed. */
  write(data: Uint8Array): number;
  /** Graceful close of both directions. */
  end(): void;
  /** Half-close: send FIN (TLS: close_notify too) and keep reading. */
  shutdown(halfClose?: boolean): void;
  /** Immediate close. */
  terminate(): void;
  pause(): void;
  resume(): void;
  /** Keep the process alive while open (the default). */
  ref(): void;
  /** Let the process exit while open. */
  unref(): void;
  setNoDelay(noDelay?: boolean): boolean;
  setKeepAlive(enable?: boolean, initialDelay?: number): boolean;
  getTLSVersion(): string | null;
  /**
   * The TLS session, serialized; `undefined` once closed. TLS 1.3 tickets
   * arrive after the handshake, so a resumable session is there only then.
   */
  getSession(): Uint8Array | undefined;
  /** Offers a session from `getSession()` for resumption; in the `open` callback, before the handshake. */
  setSession(session: Uint8Array): void;
  /** Whether the handshake resumed the session given to `setSession()`. */
  isSessionReused(): boolean;
  /** The server's leaf certificate (TLS client sockets, after the handshake). */
  getPeerX509Certificate(): BunX509Certificate | undefined;
  readonly alpnProtocol: string | false | null;
  readonly remoteAddress?: string;
  readonly remotePort?: number;
  readonly localAddress?: string;
  readonly localPort?: number;
}

/** The part of node:crypto's `X509Certificate` (what Bun returns) used here. */
export interface BunX509Certificate {
  /** The certificate, DER-encoded. */
  readonly raw: Uint8Array;
}

export interface BunSocketHandler {
  /** What `data` receives: plain Uint8Arrays here (Bun's default is a Buffer). */
  binaryType?: "buffer" | "uint8array" | "arraybuffer";
  open?(socket: BunSocket): void;
  data?(socket: BunSocket, data: Uint8Array): void;
  drain?(socket: BunSocket): void;
  end?(socket: BunSocket): void;
  close?(socket: BunSocket, error?: Error): void;
  error?(socket: BunSocket, error: Error): void;
  connectError?(socket: BunSocket, error: Error): void;
  handshake?(socket: BunSocket, success: boolean, authorizationError: Error | null): void;
}

export interface BunTlsOptions {
  serverName?: string;
  ca?: string[];
  cert?: string;
  key?: string;
  rejectUnauthorized?: boolean;
  /** Wire format: each protocol name prefixed by its length byte. */
  ALPNProtocols?: Uint8Array;
  /** The version's wire number: 0x0303 for TLS 1.2, 0x0304 for TLS 1.3. */
  minVersion?: number;
}

export interface BunConnectOptions {
  hostname?: string;
  port?: number;
  unix?: string;
  tls?: BunTlsOptions;
  allowHalfOpen?: boolean;
  socket: BunSocketHandler;
}

/** One answer of `Bun.dns.lookup`; `ttl` is 0 where the resolver does not tell. */
export interface BunDnsAnswer {
  readonly address: string;
  readonly family: number;
  readonly ttl: number;
}

export interface BunApi {
  connect(options: BunConnectOptions): Promise<BunSocket>;
  dns: { lookup(hostname: string): Promise<BunDnsAnswer[]> };
  CryptoHasher: new (
    algorithm: "sha256",
  ) => { update(bytes: Uint8Array): { digest(encoding: "base64"): string } };
}

/** The part of `AbortController` used here: a signal to stop connect attempts. */
export interface AbortControllerLike {
  readonly signal: AbortSignalLike;
  abort(reason?: unknown): void;
}

interface BunGlobals {
  Bun?: BunApi;
  AbortController: new () => AbortControllerLike;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** `globalThis`, seen through the declarations above. */
export const runtime = globalThis as unknown as BunGlobals;

/** The `Bun` namespace; throws outside Bun. */
export function bunApi(): BunApi {
  const bun = runtime.Bun;
  if (bun === undefined) throw new Error("@reqivo/transport-bun needs the Bun runtime");
  return bun;
}
