// TLS connections the transport opens itself, beyond the kit's cases: to an
// IP and over happy eyeballs (a dead first address, the handshake after the
// race under the timeout and the signal, resumption), with the certificate
// checked against the host name and not the address connected to; large
// replies intact while earlier chunks are kept, and backpressure.
import * as net from "node:net";
import * as tls from "node:tls";
import {
  AbortedError,
  type Connection,
  type ConnectOptions,
  ConnectTimeoutError,
  type LookupAddress,
  type LookupFunction,
  TlsNameMismatchError,
} from "@reqivo/transport";
import { generateTestCertificates } from "@reqivo/transport/testing";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { createTransport } from "../src/index.ts";
import { expectKeptRepliesIntact, readAll } from "./reads.ts";

let certificates: Awaited<ReturnType<typeof generateTestCertificates>>;
const servers: net.Server[] = [];
/** The servers' side of every connection, destroyed at the end so that close() returns. */
const accepted = new Set<net.Socket>();
const conns: Connection[] = [];

beforeAll(async () => {
  certificates = await generateTestCertificates();
});

afterEach(() => {
  for (const conn of conns.splice(0)) conn.close();
});

afterAll(async () => {
  for (const socket of accepted) socket.destroy();
  for (const server of servers) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

/** A server on 127.0.0.1 (TLS with `certificate` unless `null`), running `onSocket` per connection. */
async function serve(
  certificate: { readonly cert: string; readonly key: string } | null,
  onSocket: (socket: net.Socket) => void,
): Promise<number> {
  const server =
    certificate === null
      ? net.createServer(onSocket)
      : tls.createServer(
          { ...certificate, allowHalfOpen: true, ALPNProtocols: ["http/1.1"] },
          onSocket,
        );
  server.on("tlsClientError", () => {});
  // `connection` is the TCP accept, before any TLS handshake.
  server.on("connection", (socket: net.Socket) => {
    accepted.add(socket);
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(server);
  return (server.address() as net.AddressInfo).port;
}

const echo = (socket: net.Socket) => {
  socket.on("error", () => {});
  socket.pipe(socket);
};

/** Nothing listens on ::1 at the server's port: that attempt fails, 127.0.0.1 answers. */
const deadFirst: LookupFunction = async (): Promise<LookupAddress[]> => [
  { address: "::1", family: 6 },
  { address: "127.0.0.1", family: 4 },
];

async function connect(
  options: ConnectOptions,
  transport = createTransport(),
): Promise<Connection> {
  const conn = await transport.connect(options);
  conns.push(conn);
  return conn;
}

/** Writes `text` and reads until as many bytes came back. */
async function roundTrip(conn: Connection, text: string): Promise<Uint8Array[]> {
  await conn.write(new TextEncoder().encode(text));
  const chunks: Uint8Array[] = [];
  let got = 0;
  for (let i = 0; got < text.length && i < 100; i++) {
    const chunk = await conn.read();
    if (chunk === null) break;
    chunks.push(chunk);
    got += chunk.byteLength;
  }
  expect(new TextDecoder().decode(Buffer.concat(chunks))).toBe(text);
  return chunks;
}

describe("TLS reads", () => {
  test("to an IP: every byte arrives, and a chunk's buffer holds only bytes the peer sent", async () => {
    const size = 300 * 1024;
    const port = await serve(certificates.server, (socket) => socket.end(Buffer.alloc(size, 0xff)));
    const conn = await connect({ host: "127.0.0.1", port, tls: { ca: certificates.ca } });
    const chunks = await readAll(conn);
    expect(chunks.reduce((n, c) => n + c.byteLength, 0)).toBe(size);
    for (const chunk of chunks) {
      expect(chunk.every((b) => b === 0xff)).toBe(true);
      const whole = new Uint8Array(chunk.buffer);
      expect(whole.findIndex((b) => b !== 0xff && b !== 0)).toBe(-1);
    }
  });

  test("request after request: every reply arrives whole, and chunks kept stay intact", async () => {
    // 70 KiB replies: several TLS records each, read while earlier chunks are kept.
    const reply = 70 * 1024;
    const port = await serve(certificates.server, (socket) => {
      let n = 0;
      socket.on("data", () => {
        n++;
        socket.write(Buffer.alloc(reply, n & 0xff));
      });
    });
    const conn = await connect({ host: "127.0.0.1", port, tls: { ca: certificates.ca } });
    await expectKeptRepliesIntact(conn, reply);
  });

  test("a caller that does not read stops the reads (backpressure), which resume when it reads", async () => {
    const MiB = 1 << 20;
    let sent = 0;
    let stalledAt = -1;
    const port = await serve(certificates.server, async (socket) => {
      const chunk = Buffer.alloc(256 * 1024, 7);
      // Writes until one is not taken within 200 ms, then that one and the end.
      while (stalledAt < 0 && sent <= 48 * MiB) {
        const taken = new Promise<boolean>((resolve) => {
          socket.write(chunk, () => resolve(true));
          setTimeout(() => resolve(false), 200);
        });
        if (!(await taken)) stalledAt = sent;
        sent += chunk.byteLength;
      }
      socket.end();
    });
    const conn = await connect({ host: "127.0.0.1", port, tls: { ca: certificates.ca } });
    for (let i = 0; i < 200 && stalledAt < 0 && sent <= 48 * MiB; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(stalledAt).toBeGreaterThanOrEqual(0);
    let received = 0;
    for (const chunk of await readAll(conn)) received += chunk.byteLength;
    expect(received).toBe(sent);
  });

  test("happy eyeballs: a dead first address fails over to the live one", async () => {
    const port = await serve(certificates.server, echo);
    const conn = await connect({
      host: "localhost",
      port,
      lookup: deadFirst,
      // Longer than the test may take: the second attempt starts because the first failed.
      happyEyeballsDelay: 60_000,
      tls: { ca: certificates.ca, alpnProtocols: ["http/1.1"] },
    });
    expect(conn.info.remoteAddress).toBe("127.0.0.1");
    expect(conn.info.tlsVersion).not.toBeNull();
    expect(conn.info.alpnProtocol).toBe("http/1.1");
    await roundTrip(conn, "hello over TLS");
  });

  test("happy eyeballs: the session of the first connection is resumed by the next", async () => {
    const port = await serve(certificates.server, echo);
    const transport = createTransport();
    const options = { host: "localhost", port, lookup: deadFirst, tls: { ca: certificates.ca } };
    const first = await connect(options, transport);
    // TLS 1.3 tickets come after the handshake: an echo reads them.
    await roundTrip(first, "ping");
    expect(first.info.tlsSessionReused).toBe(false);
    const second = await connect(options, transport);
    expect(second.info.tlsSessionReused).toBe(true);
    await roundTrip(second, "pong");
  });
});

describe("TLS to a resolved address checks the certificate against the host name", () => {
  const sniTest: LookupFunction = async () => [{ address: "127.0.0.1", family: 4 }];

  test("the host's certificate passes", async () => {
    const port = await serve(certificates.named, echo);
    const conn = await connect({
      host: "sni.test",
      port,
      lookup: sniTest,
      tls: { ca: certificates.ca },
    });
    await roundTrip(conn, "named");
  });

  test("another name's certificate fails with TlsNameMismatchError", async () => {
    const port = await serve(certificates.named, echo);
    const attempt = connect({
      host: "other.test",
      port,
      lookup: sniTest,
      tls: { ca: certificates.ca },
    });
    await expect(attempt).rejects.toBeInstanceOf(TlsNameMismatchError);
  });

  test("without SNI (an empty servername) the check is still against the host, not the address", async () => {
    const port = await serve(certificates.named, echo);
    const conn = await connect({
      host: "sni.test",
      port,
      lookup: sniTest,
      tls: { ca: certificates.ca, servername: "" },
    });
    await roundTrip(conn, "no SNI");
  });
});

describe("happy eyeballs with TLS: the handshake after the race", () => {
  // Accepts TCP and never answers the ClientHello.
  const silent = (socket: net.Socket) => socket.on("error", () => {});

  test("the connect timeout covers the handshake of the winning attempt", async () => {
    const port = await serve(null, silent);
    const attempt = connect({
      host: "localhost",
      port,
      lookup: deadFirst,
      connectTimeout: 200,
      tls: { ca: certificates.ca },
    });
    await expect(attempt).rejects.toBeInstanceOf(ConnectTimeoutError);
  });

  test("an abort during the handshake rejects with AbortedError", async () => {
    const port = await serve(null, silent);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const attempt = connect({
      host: "localhost",
      port,
      lookup: deadFirst,
      signal: controller.signal,
      tls: { ca: certificates.ca },
    });
    await expect(attempt).rejects.toBeInstanceOf(AbortedError);
  });
});
