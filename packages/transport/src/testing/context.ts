import type { Connection, ConnectOptions, Transport } from "../contract.ts";
import { UnsupportedError } from "../errors.ts";
import type { TestCertificates } from "./certs.ts";
import type { PeerSocket, TestHarness, TestListenOptions, TestServer } from "./harness.ts";
import type { Check } from "./support.ts";

/**
 * Options and behaviours a runtime may lack. A transport lists the ones it
 * cannot honour; for an option the kit then checks that asking for it fails
 * at connect time with `UnsupportedError` instead of checking that it works,
 * for a behaviour (`info.*`, `tls.cancelHandshakeClosesSocket`) it skips
 * that one check. Each transport's README explains its list.
 *
 * @example
 * ```ts
 * import type { OptionalFeature } from "@reqivo/transport/testing";
 * const denoLacks: OptionalFeature[] = ["tls.rejectUnauthorized=false"];
 * ```
 */
export type OptionalFeature =
  | "tls.cert"
  | "tls.rejectUnauthorized=false"
  | "tls.minVersion=TLSv1.3"
  | "unix"
  /** `info.tlsVersion` is reported (otherwise the kit expects `null`). */
  | "info.tlsVersion"
  /** Giving up on a TLS handshake (timeout, abort) closes the TCP socket at once. */
  | "tls.cancelHandshakeClosesSocket"
  /** `tls.pins` (SPKI SHA-256 certificate pinning). */
  | "tls.pins"
  /** `tunnel`: TLS over an existing plain connection. */
  | "tunnel"
  /** `tunnel` when the existing connection is itself TLS (an HTTPS proxy). */
  | "tunnel.tls-in-tls"
  /** A second connection to the same origin resumes the TLS session, and `info.tlsSessionReused` says so. */
  | "tls.sessionResumption"
  /** `Connection.readInto`: reads into the caller's buffer (a transport without it leaves it out). */
  | "readInto"
  /** `Connection.readNow`: reads without a promise (a transport without it leaves it out). */
  | "readNow";

/** What every case gets: the transport under test, a server harness and assertions. */
export interface CaseContext {
  readonly transport: Transport;
  readonly harness: TestHarness;
  readonly check: Check;
  /** Bytes each way in the bulk case (64 MiB unless overridden). */
  readonly bulkBytes: number;
  supports(feature: OptionalFeature): boolean;
  certificates(): Promise<TestCertificates>;
}

/** One conformance case: a name and a plain async function. */
export interface CaseDefinition {
  readonly name: string;
  readonly timeoutMs?: number;
  run(context: CaseContext): Promise<void>;
}

/** Starts a server, runs `body`, and always closes the server. */
export async function withServer<T>(
  context: CaseContext,
  options: TestListenOptions,
  onConnection: (peer: PeerSocket) => Promise<void> | void,
  body: (server: TestServer) => Promise<T>,
): Promise<T> {
  const server = await context.harness.listen(options, (peer) => {
    // Server-side failures (a client reset, say) are expected in many cases;
    // the client-side assertions are what count.
    Promise.resolve()
      .then(() => onConnection(peer))
      .catch(() => peer.destroy());
  });
  try {
    return await body(server);
  } finally {
    await server.close();
  }
}

/**
 * A test server's connection handler: echoes everything back, then ends its
 * side after the client's end of stream. A peer that fails (a client reset)
 * is destroyed; the failure is not reported (the client-side assertions are
 * what count).
 *
 * @example
 * ```ts
 * import { echo } from "@reqivo/transport/testing";
 * import { createNodeHarness } from "@reqivo/transport/testing/node-harness";
 * const server = await createNodeHarness().listen({}, echo);
 * await server.close();
 * ```
 */
export async function echo(peer: PeerSocket): Promise<void> {
  try {
    for (let chunk = await peer.read(); chunk !== null; chunk = await peer.read()) {
      await peer.write(chunk);
    }
    await peer.end();
  } catch {
    peer.destroy();
  }
}

/**
 * Never answers: reads and drops whatever comes (so it notices the client
 * leaving), writes nothing. A TLS client waits forever for a ServerHello.
 */
export async function silent(peer: PeerSocket): Promise<void> {
  while ((await peer.read()) !== null) {}
  peer.destroy();
}

/** Never reads and never writes, so the client's writes back up. */
export function stalled(_peer: PeerSocket): void {}

/** Connect options for a server started by the harness. */
export function target(server: TestServer, extra: ConnectOptions = {}): ConnectOptions {
  return { host: "127.0.0.1", port: server.port, ...extra };
}

/** Asserts that `attempt` rejects with `UnsupportedError` naming `feature`. */
export async function expectUnsupported(
  context: CaseContext,
  attempt: Promise<Connection>,
  feature: string,
): Promise<void> {
  const error = await context.check.rejects(attempt, UnsupportedError, `${feature} unsupported`);
  context.check.equal(error.code, "UNSUPPORTED", "code");
  context.check.ok(error.feature.startsWith(feature), `feature names ${feature}: ${error.feature}`);
}
