// The conformance kit's server side on node:net and node:tls. Node, Deno and
// Bun all provide these modules, so one harness serves every runtime's test
// run; the transport under test is what differs.
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tls from "node:tls";
import { ReadQueue } from "../read-queue.ts";
import { createClosedPromise } from "../settle.ts";
import type {
  PeerSocket,
  TestHarness,
  TestListenOptions,
  TestServer,
  TestTlsServerOptions,
} from "./harness.ts";

/**
 * A {@link TestHarness} built on `node:net` and `node:tls`.
 *
 * @example
 * ```ts
 * import { conformanceCases } from "@reqivo/transport/testing";
 * import { createNodeHarness } from "@reqivo/transport/testing/node-harness";
 * declare const transport: import("@reqivo/transport").Transport;
 * const cases = conformanceCases({ transport, harness: createNodeHarness() });
 * ```
 */
export function createNodeHarness(): TestHarness {
  return {
    name: "node:net",
    listen,
    unixSocketPath: () => join(tmpdir(), `reqivo-${randomBytes(6).toString("hex")}.sock`),
    ipv6Available,
  };
}

async function listen(
  options: TestListenOptions,
  onConnection: (peer: PeerSocket) => void,
): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const track = (socket: net.Socket) => {
    accepted++;
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    // A client that resets or aborts must not crash the test process.
    socket.on("error", () => {});
  };
  // Kept across replaceCertificate, so that sessions issued before still resume.
  const ticketKeys = randomBytes(48);
  const server =
    options.tls === undefined
      ? net.createServer({ allowHalfOpen: true }, (socket) => onConnection(wrapPeer(socket)))
      : tls.createServer(
          { allowHalfOpen: true, ...tlsServerOptions(options.tls), ticketKeys },
          (socket) => onConnection(wrapPeer(socket)),
        );
  // `connection` is the TCP accept, before any TLS handshake.
  server.on("connection", track);
  server.on("tlsClientError", () => {});
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    const onListening = () => {
      server.off("error", reject);
      resolve();
    };
    if (options.path !== undefined) server.listen(options.path, onListening);
    else server.listen(0, options.host ?? "127.0.0.1", onListening);
  });
  const address = server.address();
  return {
    port: typeof address === "object" && address !== null ? address.port : 0,
    get acceptedConnections() {
      return accepted;
    },
    get openConnections() {
      return sockets.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          // Not every runtime unlinks a Unix socket file on close.
          if (options.path !== undefined) rmSync(options.path, { force: true });
          resolve();
        });
      }),
    ...(options.tls !== undefined && {
      replaceCertificate: (certificate: { readonly cert: string; readonly key: string }) =>
        (server as tls.Server).setSecureContext({
          ...tlsServerOptions({ ...options.tls!, ...certificate }),
          ticketKeys,
        }),
    }),
  };
}

function tlsServerOptions(options: TestTlsServerOptions): tls.TlsOptions {
  return {
    cert: options.cert,
    key: options.key,
    ...(options.alpnProtocols && { ALPNProtocols: [...options.alpnProtocols] }),
    ...(options.maxVersion && { maxVersion: options.maxVersion }),
    ...(options.clientCa && { ca: options.clientCa, requestCert: true, rejectUnauthorized: true }),
  };
}

function wrapPeer(socket: net.Socket): PeerSocket {
  const tlsSocket = socket instanceof tls.TLSSocket ? socket : null;
  // TLS sockets are never paused: Deno's node:tls drops the 'end' event of a
  // socket that was paused and resumed. The kit's TLS servers only echo to
  // clients that read, so their buffers stay small anyway.
  const queue = new ReadQueue({
    highWaterMark: tlsSocket === null ? 64 * 1024 : Number.POSITIVE_INFINITY,
    pause: () => socket.pause(),
    resume: () => socket.resume(),
  });
  const closed = createClosedPromise();
  socket.on("data", (chunk: Uint8Array) => queue.push(chunk));
  socket.on("end", () => queue.end());
  socket.on("error", (error) => queue.fail(error));
  socket.on("close", () => {
    queue.fail(new Error("socket closed"));
    closed.resolve();
  });
  const servername = (tlsSocket as { servername?: unknown } | null)?.servername;
  return {
    servername: typeof servername === "string" ? servername : null,
    alpnProtocol: typeof tlsSocket?.alpnProtocol === "string" ? tlsSocket.alpnProtocol : null,
    closed: closed.promise,
    read: () => queue.read(),
    write: (bytes) =>
      new Promise<void>((resolve, reject) => {
        socket.write(bytes, (error) => (error ? reject(error) : resolve()));
      }),
    end: () => new Promise<void>((resolve) => socket.end(resolve)),
    destroy: () => socket.destroy(),
    reset: () => {
      // resetAndDestroy sends RST (SO_LINGER 0). Where it is missing, a plain
      // close with unread input makes the kernel send RST as well.
      if (typeof socket.resetAndDestroy === "function") socket.resetAndDestroy();
      else socket.destroy();
    },
  };
}

let ipv6Probe: Promise<boolean> | undefined;

function ipv6Available(): Promise<boolean> {
  ipv6Probe ??= new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(0, "::1", () => server.close(() => resolve(true)));
  });
  return ipv6Probe;
}
