// Servers for the TLS, DNS and Unix-socket tests: node:https on 127.0.0.1 with
// certificates made at test time, and node:http on a Unix socket in a temp dir.
// Each is put under the harness's after-test checks (no connection left open).
import { createHash, createPublicKey } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer, type ServerOptions } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateTestCertificates, type TestCertificates } from "@reqivo/transport/testing";
import { track } from "./harness.ts";
import { type Running, running } from "./servers.ts";

let certificates: Promise<TestCertificates> | undefined;

/** The test CA and its certificates, made once per test file. */
export function certs(): Promise<TestCertificates> {
  certificates ??= generateTestCertificates();
  return certificates;
}

/** The SPKI SHA-256 pin (`sha256/…`) of a PEM certificate's public key. */
export function spkiPin(certPem: string): string {
  const spki = createPublicKey(certPem).export({ type: "spki", format: "der" });
  return `sha256/${createHash("sha256").update(spki).digest("base64")}`;
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Closes `server` and its open connections, then runs `cleanup`. */
function closing(server: Server, cleanup: () => void = () => {}): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => {
        cleanup();
        resolve();
      });
    });
}

/** An https server on 127.0.0.1 (default handler: `200 ok <path>`), closed after the test. */
export async function httpsServer(options: ServerOptions, handler?: Handler): Promise<Running> {
  const server = createHttpsServer(options, handler ?? hello);
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return track(running(server, `https://127.0.0.1:${port}`, port, closing(server)));
}

/**
 * An http server (https with `tls`) on a Unix socket in a fresh temp dir,
 * removed after the test; `url` and `path` are the socket's path.
 */
export async function unixHttpServer(
  handler?: Handler,
  tls?: ServerOptions,
): Promise<Running & { path: string; server: Server }> {
  const dir = mkdtempSync(join(tmpdir(), "reqivo-unix-"));
  const path = join(dir, "http.sock");
  const server =
    tls === undefined
      ? createHttpServer(handler ?? hello)
      : createHttpsServer(tls, handler ?? hello);
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(path, resolve));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  return Object.assign(track(running(server, path, 0, closing(server, cleanup))), { path, server });
}

function hello(req: IncomingMessage, res: ServerResponse): void {
  res.end(`ok ${req.url}`);
}
