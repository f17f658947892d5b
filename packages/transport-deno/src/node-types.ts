// The few `node:` modules of Deno's Node compatibility this transport uses,
// declared locally (the package type-checks with `types: []`) and loaded on
// first use only, so the native path never pays for them.
import type { DuplexClass, DuplexLike } from "@reqivo/transport/kit";

export interface NodeTlsConnectOptions {
  socket: DuplexLike;
  /** The name the certificate is checked against. */
  host: string;
  /** SNI; left out for an IP address. */
  servername?: string;
  ca?: string[];
  cert?: string;
  key?: string;
  ALPNProtocols?: string[];
  minVersion?: string;
  rejectUnauthorized: boolean;
}

export interface NodePeerCertificate {
  /** The certificate, DER-encoded. */
  readonly raw?: Uint8Array;
}

export interface NodeTlsSocket {
  readonly alpnProtocol: string | false | null | undefined;
  getProtocol(): string | null;
  getPeerCertificate(): NodePeerCertificate;
  /** Paused mode: whatever is buffered, or `null`. */
  read(): Uint8Array | null;
  write(bytes: Uint8Array, callback: (error?: Error | null) => void): boolean;
  /** Ends the writing side (TLS close_notify, then the stream under it); `callback` runs once flushed. */
  end(callback: (error?: Error | null) => void): void;
  destroy(error?: Error): void;
  readonly destroyed: boolean;
  on(event: string, listener: (...args: never[]) => void): void;
  off(event: string, listener: (...args: never[]) => void): void;
}

export interface NodeModules {
  readonly tls: { connect(options: NodeTlsConnectOptions): NodeTlsSocket };
  readonly stream: { Duplex: DuplexClass };
  readonly crypto: {
    createHash(algorithm: "sha256"): {
      update(bytes: Uint8Array): { digest(encoding: "base64"): string };
    };
  };
}

export interface NodeDns {
  lookup(
    hostname: string,
    options: { all: true },
  ): Promise<Array<{ address: string; family: number }>>;
}

let modules: Promise<NodeModules> | undefined;

// `as string` keeps TypeScript from resolving the specifiers (no @types/node).

/** `node:tls`, `node:stream` and `node:crypto`, loaded once. */
export function nodeModules(): Promise<NodeModules> {
  modules ??= Promise.all([
    import("node:tls" as string),
    import("node:stream" as string),
    import("node:crypto" as string),
  ]).then(([tls, stream, crypto]) => ({ tls, stream, crypto }) as NodeModules);
  return modules;
}

let dns: Promise<NodeDns> | undefined;

/** `node:dns`'s promise API, loaded once. */
export function nodeDns(): Promise<NodeDns> {
  dns ??= import("node:dns" as string).then((module: { promises: NodeDns }) => module.promises);
  return dns;
}
