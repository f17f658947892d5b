// The few Deno APIs this transport calls, declared locally so that the
// published .d.ts needs no Deno type library. Shapes follow Deno 2's
// lib.deno.d.ts, reduced to what is used here.
import type { AbortSignalLike } from "@reqivo/transport";

export interface DenoNetAddr {
  readonly transport: "tcp" | "udp";
  readonly hostname: string;
  readonly port: number;
}

export interface DenoUnixAddr {
  readonly transport: "unix" | "unixpacket";
  readonly path: string;
}

export interface DenoConn {
  readonly localAddr: DenoNetAddr | DenoUnixAddr;
  readonly remoteAddr: DenoNetAddr | DenoUnixAddr;
  read(buffer: Uint8Array): Promise<number | null>;
  write(bytes: Uint8Array): Promise<number>;
  closeWrite(): Promise<void>;
  close(): void;
  /** Keep the event loop alive while open, pending reads included (the default). */
  ref(): void;
  /** Let the event loop finish while open, pending reads included. */
  unref(): void;
}

export interface DenoTcpConn extends DenoConn {
  setNoDelay(noDelay?: boolean): void;
  setKeepAlive(keepAlive?: boolean): void;
}

export interface DenoTlsConn extends DenoConn {
  handshake(): Promise<{ alpnProtocol: string | null }>;
}

export interface DenoApi {
  connect(options: {
    hostname: string;
    port: number;
    transport?: "tcp";
    signal?: AbortSignalLike;
    autoSelectFamily?: boolean;
    /** Milliseconds between happy-eyeballs attempts. */
    autoSelectFamilyAttemptDelay?: number;
  }): Promise<DenoTcpConn>;
  connect(options: { transport: "unix"; path: string }): Promise<DenoConn>;
  connectTls(options: {
    hostname: string;
    port: number;
    caCerts?: string[];
    alpnProtocols?: string[];
    cert?: string;
    key?: string;
    autoSelectFamily?: boolean;
    autoSelectFamilyAttemptDelay?: number;
  }): Promise<DenoTlsConn>;
  startTls(
    conn: DenoTcpConn,
    options: { hostname: string; caCerts?: string[]; alpnProtocols?: string[] },
  ): Promise<DenoTlsConn>;
}

/** The part of `AbortController` used here: a signal to stop a connect attempt. */
export interface AbortControllerLike {
  readonly signal: AbortSignalLike;
  abort(reason?: unknown): void;
}

interface DenoGlobals {
  Deno?: DenoApi;
  AbortController: new () => AbortControllerLike;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** `globalThis`, seen through the declarations above. */
export const runtime = globalThis as unknown as DenoGlobals;

/** The `Deno` namespace; throws outside Deno. */
export function denoApi(): DenoApi {
  const deno = runtime.Deno;
  if (deno === undefined) throw new Error("@reqivo/transport-deno needs the Deno runtime");
  return deno;
}
