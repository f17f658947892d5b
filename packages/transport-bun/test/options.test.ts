// Bun-specific checks beyond the conformance kit: the lookup hook's answers
// are checked before anything is dialled, the resolver's TTL is passed on
// only where Bun knows it, an aborted lookup rejects at once, and a pinned
// connection carries data both ways.
import assert from "node:assert";
import { AbortedError, type Connection, DnsError, type LookupFunction } from "@reqivo/transport";
import { echo, generateTestCertificates } from "@reqivo/transport/testing";
import { createNodeHarness } from "@reqivo/transport/testing/node-harness";
import { createTransport } from "../src/index.ts";

// bun:test, declared here so that this file needs no @types/bun.
const { test } = (await import("bun:test" as string)) as {
  test(name: string, fn: () => Promise<void>, timeoutMs?: number): void;
};

const harness = createNodeHarness();
const transport = createTransport();

function failure(attempt: Promise<unknown>): Promise<unknown> {
  return attempt.then(
    () => null,
    (error: unknown) => error,
  );
}

test("lookup: answers that are not IP addresses give DnsError, nothing dialled", async () => {
  const server = await harness.listen({}, (peer) => peer.destroy());
  try {
    const names: LookupFunction = async () => [{ address: "localhost", family: 4 }];
    const nothing = (async () => undefined) as unknown as LookupFunction;
    for (const lookup of [names, nothing]) {
      const error = await failure(
        transport.connect({ host: "reqivo.test", port: server.port, lookup }),
      );
      assert.ok(error instanceof DnsError, String(error));
    }
    assert.equal(server.acceptedConnections, 0);
  } finally {
    await server.close();
  }
});

test("transport.lookup: a TTL only where the resolver tells, families right", async () => {
  const addresses = await transport.lookup!("localhost", {});
  assert.ok(addresses.length > 0);
  for (const { address, family, ttl } of addresses) {
    assert.equal(family, address.includes(":") ? 6 : 4);
    assert.ok(ttl === undefined || ttl > 0, `ttl ${ttl}`);
  }
});

test("transport.lookup: an aborted signal rejects with AbortedError", async () => {
  const controller = new AbortController();
  const why = new Error("stop");
  controller.abort(why);
  const error = await failure(transport.lookup!("localhost", { signal: controller.signal }));
  assert.ok(error instanceof AbortedError, String(error));
  assert.equal(error.cause, why);
});

test("tls.pins: a pinned connection echoes 1 MiB, TLS version reported", async () => {
  const { ca, server: pem, serverPin } = await generateTestCertificates();
  const server = await harness.listen({ tls: pem }, (peer) => {
    void echo(peer);
  });
  try {
    const conn: Connection = await transport.connect({
      host: "127.0.0.1",
      port: server.port,
      tls: { ca, pins: [serverPin] },
    });
    assert.equal(conn.info.tlsVersion, "TLSv1.3");
    const total = 1024 * 1024;
    const sent = new Uint8Array(total).map((_, i) => i % 251);
    const writing = conn.write(sent).then(() => conn.closeWrite());
    let received = 0;
    let firstBad = -1;
    for (let chunk = await conn.read(); chunk !== null; chunk = await conn.read()) {
      for (let i = 0; i < chunk.length && firstBad < 0; i++) {
        if (chunk[i] !== (received + i) % 251) firstBad = received + i;
      }
      received += chunk.length;
    }
    await writing;
    assert.equal(received, total);
    assert.equal(firstBad, -1, "first corrupted offset");
    conn.close();
    await conn.closed;
  } finally {
    await server.close();
  }
});
