import type { TlsVersion } from "../contract.ts";

/**
 * TLS settings of a test server.
 *
 * @example
 * ```ts
 * import type { TestTlsServerOptions } from "@reqivo/transport/testing";
 * declare const pem: { cert: string; key: string };
 * const tls: TestTlsServerOptions = { ...pem, alpnProtocols: ["http/1.1"] };
 * ```
 */
export interface TestTlsServerOptions {
  readonly cert: string;
  readonly key: string;
  /** Protocols the server may select, in its order of preference. */
  readonly alpnProtocols?: readonly string[];
  /** Highest version the server speaks, to test a client's `minVersion`. */
  readonly maxVersion?: TlsVersion;
  /** Demand a client certificate issued by this CA (PEM). */
  readonly clientCa?: string;
}

/**
 * Where a test server listens: loopback TCP (the default, `127.0.0.1`) or a Unix socket.
 *
 * @example
 * ```ts
 * import type { TestListenOptions } from "@reqivo/transport/testing";
 * const onIpv6: TestListenOptions = { host: "::1" };
 * ```
 */
export interface TestListenOptions {
  readonly host?: "127.0.0.1" | "::1";
  readonly path?: string;
  readonly tls?: TestTlsServerOptions;
}

/**
 * The server's end of one accepted connection, with the same pull shape as a
 * client `Connection`.
 *
 * @example
 * ```ts
 * import type { PeerSocket } from "@reqivo/transport/testing";
 * async function echo(peer: PeerSocket) {
 *   for (let chunk = await peer.read(); chunk; chunk = await peer.read()) await peer.write(chunk);
 *   await peer.end();
 * }
 * ```
 */
export interface PeerSocket {
  /** SNI the client sent, when the server runtime tells; `null` otherwise. */
  readonly servername: string | null;
  readonly alpnProtocol: string | null;
  /** Resolves when the socket is closed, however that happened. */
  readonly closed: Promise<void>;
  read(): Promise<Uint8Array | null>;
  write(bytes: Uint8Array): Promise<void>;
  /** Sends FIN after pending writes; reading goes on. */
  end(): Promise<void>;
  destroy(): void;
  /** Abortive close: the client sees a TCP RST. */
  reset(): void;
}

/**
 * A listening test server.
 *
 * @example
 * ```ts
 * import type { TestServer } from "@reqivo/transport/testing";
 * declare const server: TestServer;
 * console.log(server.port, server.openConnections);
 * await server.close();
 * ```
 */
export interface TestServer {
  /** The bound TCP port; 0 for a Unix socket. */
  readonly port: number;
  /** Connections accepted so far (TCP level, before any TLS handshake). */
  readonly acceptedConnections: number;
  /** Accepted connections whose socket is not closed yet. */
  readonly openConnections: number;
  /** Stops listening and destroys every open connection. */
  close(): Promise<void>;
  /**
   * A TLS server only: serves `certificate` from the next handshake on while
   * still resuming the sessions it issued before (same ticket keys), as a
   * server whose key was swapped behind a client's back. Optional in the
   * type (plain servers have none), but the `tls.pins` cases fail without it.
   */
  replaceCertificate?(certificate: { readonly cert: string; readonly key: string }): void;
}

/**
 * The server side of the conformance kit, supplied per runtime. The kit's
 * cases drive a client `Transport` against servers started through it.
 * `@reqivo/transport/testing/node-harness` implements it on `node:net` and
 * `node:tls`, which Node, Deno and Bun all provide.
 *
 * @example
 * ```ts
 * import { createNodeHarness } from "@reqivo/transport/testing/node-harness";
 * const harness = createNodeHarness();
 * const server = await harness.listen({}, (peer) => peer.destroy());
 * await server.close();
 * ```
 */
export interface TestHarness {
  readonly name: string;
  /** Starts a server; `onConnection` runs for every accepted connection. */
  listen(options: TestListenOptions, onConnection: (peer: PeerSocket) => void): Promise<TestServer>;
  /** A fresh path for a Unix socket in a temporary directory. */
  unixSocketPath(): string;
  /** Whether the machine can listen on `::1`. */
  ipv6Available(): Promise<boolean>;
}
