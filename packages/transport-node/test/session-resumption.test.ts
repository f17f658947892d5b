// TLS session resumption of the Node transport beyond the kit's cases: TLS
// 1.2, the bound on origins, and a pinned origin failing its check again and
// again (pinned connections never resume: the kit's pin cases).
import type { Connection, ConnectOptions, Transport } from "@reqivo/transport";
import { echo, generateTestCertificates, type TestServer } from "@reqivo/transport/testing";
import { createNodeHarness } from "@reqivo/transport/testing/node-harness";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createTransport } from "../src/index.ts";

const harness = createNodeHarness();
let certificates: Awaited<ReturnType<typeof generateTestCertificates>>;
const servers: TestServer[] = [];

async function echoServer(maxVersion?: "TLSv1.2"): Promise<TestServer> {
  const { server: pem } = certificates;
  const server = await harness.listen({ tls: { ...pem, ...(maxVersion && { maxVersion }) } }, echo);
  servers.push(server);
  return server;
}

/** Connects, echoes a few bytes (which also reads the tickets sent after the handshake), closes. */
async function use(transport: Transport, options: ConnectOptions): Promise<Connection["info"]> {
  const conn = await transport.connect(options);
  await conn.write(new TextEncoder().encode("ping"));
  expect(new TextDecoder().decode((await conn.read()) ?? undefined)).toBe("ping");
  conn.close();
  return conn.info;
}

beforeAll(async () => {
  certificates = await generateTestCertificates();
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

describe("TLS session resumption", () => {
  test("TLS 1.2 sessions are resumed too", async () => {
    const server = await echoServer("TLSv1.2");
    const transport = createTransport();
    const options = { host: "localhost", port: server.port, tls: { ca: certificates.ca } };
    const first = await use(transport, options);
    expect(first.tlsVersion).toBe("TLSv1.2");
    expect(first.tlsSessionReused).toBe(false);
    expect((await use(transport, options)).tlsSessionReused).toBe(true);
  });

  test("a handshake that fails its pin check leaves no session to resume", async () => {
    const server = await echoServer();
    const transport = createTransport();
    const { ca } = certificates;
    const wrongPin = "sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    const options = { host: "localhost", port: server.port, tls: { ca, pins: [wrongPin] } };
    for (let i = 0; i < 2; i++) {
      const error = await transport.connect(options).catch((e: unknown) => e);
      expect((error as { code?: string }).code).toBe("TLS_PIN_MISMATCH");
    }
  });

  test("the cache keeps at most tlsSessionCacheSize origins, least recently used out first", async () => {
    const [a, b] = [await echoServer(), await echoServer()];
    const transport = createTransport({ tlsSessionCacheSize: 1 });
    const at = (server: TestServer) => ({
      host: "localhost",
      port: server.port,
      tls: { ca: certificates.ca },
    });
    await use(transport, at(a));
    expect((await use(transport, at(a))).tlsSessionReused).toBe(true);
    await use(transport, at(b));
    expect((await use(transport, at(a))).tlsSessionReused).toBe(false);
  });

  test("tlsSessionCacheSize 0 turns resumption off; a bad size is a TypeError", async () => {
    const server = await echoServer();
    const transport = createTransport({ tlsSessionCacheSize: 0 });
    const options = { host: "localhost", port: server.port, tls: { ca: certificates.ca } };
    await use(transport, options);
    expect((await use(transport, options)).tlsSessionReused).toBe(false);
    expect(() => createTransport({ tlsSessionCacheSize: -1 })).toThrow(TypeError);
  });

  test("plain TCP reports tlsSessionReused null", async () => {
    const server = await harness.listen({}, (peer) => peer.destroy());
    servers.push(server);
    const conn = await createTransport().connect({ host: "127.0.0.1", port: server.port });
    expect(conn.info.tlsSessionReused).toBeNull();
    conn.close();
  });
});
