// What the conformance kit does not reach on Deno: the node:tls path with a
// lot of data both ways and a half-close, TLS over a Unix socket, a tunnel
// that is not a Deno connection, and bad answers from the lookup hook.
import assert from "node:assert";
import type { Connection, LookupFunction } from "@reqivo/transport";
import { AbortedError, DnsError } from "@reqivo/transport";
import {
  echo,
  generateTestCertificates,
  type TestListenOptions,
  type TestServer,
} from "@reqivo/transport/testing";
import { createNodeHarness } from "@reqivo/transport/testing/node-harness";
import { createTransport } from "../src/index.ts";

declare const Deno: {
  test(name: string, fn: () => Promise<void>): void;
};

const harness = createNodeHarness();
const transport = createTransport();
const certificates = generateTestCertificates();

async function withEchoServer(
  options: TestListenOptions,
  body: (server: TestServer) => Promise<void>,
): Promise<void> {
  const server = await harness.listen(options, (peer) => {
    void echo(peer);
  });
  try {
    await body(server);
  } finally {
    await server.close();
  }
}

/** Writes `total` patterned bytes, half-closes, reads the echo back; returns what came back. */
async function echoed(conn: Connection, total: number): Promise<{ received: number; bad: number }> {
  const block = new Uint8Array(64 * 1024);
  const writer = (async () => {
    for (let offset = 0; offset < total; offset += block.length) {
      for (let i = 0; i < block.length; i++) block[i] = (offset + i) % 251;
      await conn.write(block.subarray(0, Math.min(block.length, total - offset)));
    }
    await conn.closeWrite();
  })();
  let received = 0;
  let bad = -1;
  for (let chunk = await conn.read(); chunk !== null; chunk = await conn.read()) {
    for (let i = 0; i < chunk.length && bad < 0; i++) {
      if (chunk[i] !== (received + i) % 251) bad = received + i;
    }
    received += chunk.length;
  }
  await writer;
  return { received, bad };
}

async function roundTrip(conn: Connection): Promise<void> {
  const { received, bad } = await echoed(conn, 5);
  assert.equal(received, 5);
  assert.equal(bad, -1);
  conn.close();
  await conn.closed;
}

Deno.test("node:tls path (pins): 8 MiB echoed with a half-close, TLS version reported", async () => {
  const { ca, server: pem, serverPin } = await certificates;
  await withEchoServer({ tls: pem }, async (server) => {
    const conn = await transport.connect({
      host: "localhost",
      port: server.port,
      tls: { ca, pins: [serverPin] },
    });
    assert.equal(conn.info.tlsVersion, "TLSv1.3");
    assert.equal(conn.info.remotePort, server.port);
    const { received, bad } = await echoed(conn, 8 * 1024 * 1024);
    assert.equal(received, 8 * 1024 * 1024, "bytes echoed");
    assert.equal(bad, -1, "first corrupted offset");
    conn.close();
    await conn.closed;
  });
});

Deno.test("TLS over a Unix domain socket", async () => {
  const { ca, server: pem } = await certificates;
  const path = harness.unixSocketPath();
  await withEchoServer({ path, tls: pem }, async () => {
    const conn = await transport.connect({ path, tls: { ca, servername: "localhost" } });
    assert.equal(conn.info.kind, "tls");
    assert.equal(conn.info.path, path);
    await roundTrip(conn);
  });
});

Deno.test("tunnel: any Connection carries TLS, not only a Deno one", async () => {
  const { ca, server: pem } = await certificates;
  await withEchoServer({ tls: pem }, async (server) => {
    const plain = await transport.connect({ host: "127.0.0.1", port: server.port });
    // Only the contract's methods: nothing Deno-specific to reach into.
    const foreign: Connection = {
      info: plain.info,
      closed: plain.closed,
      read: () => plain.read(),
      write: (bytes) => plain.write(bytes),
      closeWrite: () => plain.closeWrite(),
      close: () => plain.close(),
      abort: (reason) => plain.abort(reason),
    };
    const conn = await transport.connect({
      host: "localhost",
      port: server.port,
      tls: { ca },
      tunnel: foreign,
    });
    assert.equal(conn.info.remoteAddress, null);
    await roundTrip(conn);
    await plain.closed;
  });
});

Deno.test("lookup: an answer that is not an IP address gives DnsError, nothing dialled", async () => {
  await withEchoServer({}, async (server) => {
    const names: LookupFunction = async () => [{ address: "localhost", family: 4 }];
    const nothing = (async () => undefined) as unknown as LookupFunction;
    for (const lookup of [names, nothing]) {
      const error = await transport
        .connect({ host: "reqivo.test", port: server.port, lookup })
        .then(
          () => null,
          (e: unknown) => e,
        );
      assert.ok(error instanceof DnsError, String(error));
    }
    assert.equal(server.acceptedConnections, 0);
  });
});

Deno.test("transport.lookup: an aborted signal rejects with AbortedError", async () => {
  const controller = new AbortController();
  const why = new Error("stop");
  controller.abort(why);
  const error = await transport.lookup!("localhost", { signal: controller.signal }).then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(error instanceof AbortedError, String(error));
  assert.equal(error.cause, why);
});
