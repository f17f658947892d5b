// TLS session resumption on Bun beyond the kit's cases: TLS 1.2, sessions
// dropped after a failed handshake, a pinned origin whose key changes (pinned
// connections never resume: the kit's pin cases), the bound on origins,
// resumption off, and no claim without TLS.
import assert from "node:assert";
import type { Connection, ConnectOptions, Transport } from "@reqivo/transport";
import {
  echo,
  generateTestCertificates,
  type TestCertificates,
  type TestServer,
} from "@reqivo/transport/testing";
import { createNodeHarness } from "@reqivo/transport/testing/node-harness";
import { createTransport } from "../src/index.ts";

// bun:test, declared here so that this file needs no @types/bun.
const { test, beforeAll, afterAll } = (await import("bun:test" as string)) as {
  test(name: string, fn: () => Promise<void>, timeoutMs?: number): void;
  beforeAll(fn: () => Promise<void>): void;
  afterAll(fn: () => Promise<void>): void;
};

const harness = createNodeHarness();
let certificates: TestCertificates;
const servers: TestServer[] = [];

async function echoServer(maxVersion?: "TLSv1.2"): Promise<TestServer> {
  const tls = { ...certificates.server, ...(maxVersion && { maxVersion }) };
  const server = await harness.listen({ tls }, echo);
  servers.push(server);
  return server;
}

/** Connects, echoes a few bytes (which also reads the tickets sent after the handshake), closes. */
async function use(transport: Transport, options: ConnectOptions): Promise<Connection["info"]> {
  const conn = await transport.connect(options);
  try {
    await conn.write(new TextEncoder().encode("ping"));
    assert.equal(new TextDecoder().decode((await conn.read()) ?? undefined), "ping");
  } finally {
    conn.close();
  }
  await conn.closed;
  return conn.info;
}

beforeAll(async () => {
  certificates = await generateTestCertificates();
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

test("resumption: TLS 1.2 sessions are resumed too", async () => {
  const server = await echoServer("TLSv1.2");
  const transport = createTransport();
  const options = { host: "localhost", port: server.port, tls: { ca: certificates.ca } };
  const first = await use(transport, options);
  assert.equal(first.tlsVersion, "TLSv1.2");
  assert.equal(first.tlsSessionReused, false);
  assert.equal((await use(transport, options)).tlsSessionReused, true);
});

/** A plain TCP server that joins its n-th connection to `127.0.0.1:ports[n]`, bytes copied both ways. */
async function switchboard(transport: Transport, ports: readonly number[]): Promise<TestServer> {
  let next = 0;
  const server = await harness.listen({}, (peer) => {
    const port = ports[next++];
    if (port === undefined) return peer.destroy();
    transport.connect({ host: "127.0.0.1", port }).then(
      async (upstream) => {
        const pipe = async (
          read: () => Promise<Uint8Array | null>,
          write: (b: Uint8Array) => Promise<void>,
        ) => {
          for (let chunk = await read(); chunk !== null; chunk = await read()) await write(chunk);
        };
        await Promise.all([
          pipe(
            () => peer.read(),
            (b) => upstream.write(b),
          ).then(() => upstream.closeWrite()),
          pipe(
            () => upstream.read(),
            (b) => peer.write(b),
          ).then(() => peer.end()),
        ]).catch(() => {});
        upstream.close();
        peer.destroy();
      },
      () => peer.destroy(),
    );
  });
  servers.push(server);
  return server;
}

test("resumption: a failed handshake drops the origin's sessions", async () => {
  const good = await echoServer();
  const impostor = await harness.listen({ tls: certificates.untrusted }, echo);
  servers.push(impostor);
  const transport = createTransport();
  // One origin (the switchboard's port), answered by the good server, the impostor, then the good one again.
  const front = await switchboard(transport, [good.port, impostor.port, good.port, good.port]);
  const options = { host: "localhost", port: front.port, tls: { ca: certificates.ca } };
  assert.equal((await use(transport, options)).tlsSessionReused, false);
  const error = await transport.connect(options).catch((e: unknown) => e);
  assert.equal((error as { code?: string }).code, "TLS_CERTIFICATE_INVALID");
  // Kept, the first session would have been offered again (the last one is kept for reuse).
  assert.equal((await use(transport, options)).tlsSessionReused, false);
  assert.equal((await use(transport, options)).tlsSessionReused, true);
});

test("resumption: a pinned origin whose key changes fails the pin check, no session involved", async () => {
  const good = await echoServer();
  const impostor = await harness.listen({ tls: certificates.untrusted }, echo);
  servers.push(impostor);
  const transport = createTransport();
  const front = await switchboard(transport, [good.port, impostor.port, good.port]);
  // Trust comes from the pin alone: the impostor's certificate passes, its key does not.
  const tls = { ca: certificates.ca, rejectUnauthorized: false, pins: [certificates.serverPin] };
  const options = { host: "localhost", port: front.port, tls };
  assert.equal((await use(transport, options)).tlsSessionReused, false);
  const error = await transport.connect(options).catch((e: unknown) => e);
  assert.equal((error as { code?: string }).code, "TLS_PIN_MISMATCH");
  assert.equal((await use(transport, options)).tlsSessionReused, false);
});

test("resumption: at most tlsSessionCacheSize origins, the least recently used out first", async () => {
  const [a, b] = [await echoServer(), await echoServer()];
  const transport = createTransport({ tlsSessionCacheSize: 1 });
  const at = (server: TestServer) => ({
    host: "localhost",
    port: server.port,
    tls: { ca: certificates.ca },
  });
  await use(transport, at(a));
  assert.equal((await use(transport, at(a))).tlsSessionReused, true);
  await use(transport, at(b));
  assert.equal((await use(transport, at(a))).tlsSessionReused, false);
});

test("resumption: tlsSessionCacheSize 0 turns it off; a bad size is a TypeError", async () => {
  const server = await echoServer();
  const transport = createTransport({ tlsSessionCacheSize: 0 });
  const options = { host: "localhost", port: server.port, tls: { ca: certificates.ca } };
  await use(transport, options);
  assert.equal((await use(transport, options)).tlsSessionReused, false);
  for (const size of [-1, 1.5, Number.NaN]) {
    assert.throws(() => createTransport({ tlsSessionCacheSize: size }), TypeError);
  }
});

test("resumption: plain TCP reports tlsSessionReused null", async () => {
  const server = await harness.listen({}, echo);
  servers.push(server);
  assert.equal(
    (await use(createTransport(), { host: "127.0.0.1", port: server.port })).tlsSessionReused,
    null,
  );
});
