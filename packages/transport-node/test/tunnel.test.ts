// Tunnels on the Node transport beyond the kit: a tunnel that is not a Node
// connection (through the stream adapter), what is left of a Node connection
// that handed its socket over, and the tunnel's end ending the connection.
import { type Connection, ConnectionClosedError, type TransportError } from "@reqivo/transport";
import {
  echo,
  generateTestCertificates,
  type PeerSocket,
  type TestCertificates,
  type TestServer,
} from "@reqivo/transport/testing";
import { createNodeHarness } from "@reqivo/transport/testing/node-harness";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createTransport } from "../src/index.ts";

const harness = createNodeHarness();
const transport = createTransport();
let certificates: TestCertificates;
const servers: TestServer[] = [];
const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function listen(onConnection: (peer: PeerSocket) => void, tls = true): Promise<TestServer> {
  const server = await harness.listen(tls ? { tls: certificates.server } : {}, onConnection);
  servers.push(server);
  return server;
}

/** The same connection, but not recognisable as a Node one: the transport must adapt it. */
function foreign(conn: Connection): Connection {
  return {
    info: conn.info,
    closed: conn.closed,
    read: () => conn.read(),
    write: (bytes) => conn.write(bytes),
    closeWrite: () => conn.closeWrite(),
    close: () => conn.close(),
    abort: (reason) => conn.abort(reason),
  };
}

/** A TLS server that relays plaintext to the TLS server on `port`: an HTTPS proxy's tunnel. */
function tlsRelayTo(port: number): Promise<TestServer> {
  return listen((peer) => {
    void transport
      .connect({ host: "127.0.0.1", port })
      .then(async (up) => {
        const down = (async () => {
          for (let c = await up.read(); c !== null; c = await up.read()) await peer.write(c);
        })();
        for (let c = await peer.read(); c !== null; c = await peer.read()) await up.write(c);
        await down.catch(() => {});
      })
      .catch(() => {})
      .finally(() => peer.destroy());
  });
}

/**
 * A TLS connection to an echo server through a TLS relay: `outer` to the
 * relay, `conn` the inner TLS over `carrier(outer)`.
 */
async function tlsInTls(
  carrier: (outer: Connection) => Connection,
): Promise<{ outer: Connection; conn: Connection }> {
  const inner = await listen(echo);
  const relay = await tlsRelayTo(inner.port);
  const outer = await transport.connect({
    host: "localhost",
    port: relay.port,
    tls: { ca: certificates.ca },
  });
  const conn = await transport.connect({
    host: "localhost",
    port: inner.port,
    tls: { ca: certificates.ca },
    tunnel: carrier(outer),
  });
  return { outer, conn };
}

async function ping(conn: Connection, message: string): Promise<void> {
  await conn.write(encoder.encode(message));
  expect(decoder.decode((await conn.read()) ?? undefined)).toBe(message);
}

beforeAll(async () => {
  certificates = await generateTestCertificates();
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

describe("tunnel", () => {
  test("over a connection of another transport (stream adapter), half-close included", async () => {
    const server = await listen(echo);
    const plain = await transport.connect({ host: "127.0.0.1", port: server.port });
    const conn = await transport.connect({
      host: "localhost",
      port: server.port,
      tls: { ca: certificates.ca },
      tunnel: foreign(plain),
    });
    expect(conn.info.remoteAddress).toBeNull();
    await ping(conn, "through the adapter");
    await conn.closeWrite();
    expect(await conn.read()).toBeNull();
    conn.close();
    await expect(plain.closed).resolves.toBeUndefined();
  });

  test("TLS inside TLS through the adapter", async () => {
    const { outer, conn } = await tlsInTls(foreign);
    await ping(conn, "tls in tls");
    conn.close();
    await expect(outer.closed).resolves.toBeUndefined();
  });

  test("TLS inside TLS natively: a TLS Node connection handed over", async () => {
    const { outer, conn } = await tlsInTls((outer) => outer);
    await ping(conn, "tls in tls, native");
    await ping(conn, "and again");
    await expect(outer.read()).rejects.toBeInstanceOf(ConnectionClosedError);
    conn.close();
    await conn.closed.catch(() => {});
  });

  test("a Node connection handed over: reads fail, closing it tears the TLS connection down", async () => {
    const server = await listen(echo);
    const plain = await transport.connect({ host: "127.0.0.1", port: server.port });
    const conn = await transport.connect({
      host: "localhost",
      port: server.port,
      tls: { ca: certificates.ca },
      tunnel: plain,
    });
    await ping(conn, "native");
    await expect(plain.read()).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(plain.write(encoder.encode("x"))).rejects.toBeInstanceOf(ConnectionClosedError);
    const pending = conn.read();
    plain.close();
    const outcome = await pending.then(
      (chunk) => chunk,
      (error: TransportError) => error.code,
    );
    // The socket under the TLS connection is gone: end of stream or an error, never a hang.
    expect(outcome === null || typeof outcome === "string").toBe(true);
    await conn.closed.catch(() => {});
    await expect(plain.closed).resolves.toBeUndefined();
  });

  test("the far end hanging up ends the connection over the tunnel", async () => {
    const server = await listen(async (peer) => {
      await peer.read();
      peer.destroy();
    });
    const plain = await transport.connect({ host: "127.0.0.1", port: server.port });
    const conn = await transport.connect({
      host: "localhost",
      port: server.port,
      tls: { ca: certificates.ca },
      tunnel: foreign(plain),
    });
    await conn.write(encoder.encode("bye"));
    const outcome = await conn.read().then(
      (chunk) => chunk,
      (error: TransportError) => error.code,
    );
    expect(outcome === null || typeof outcome === "string").toBe(true);
    conn.close();
    await plain.closed.catch(() => {});
  });

  test("bad options still close the tunnel (it is owned from the call on)", async () => {
    const server = await listen(echo, false);
    const plain = await transport.connect({ host: "127.0.0.1", port: server.port });
    await expect(
      transport.connect({ host: "localhost", port: server.port, tunnel: plain }),
    ).rejects.toBeInstanceOf(TypeError);
    await expect(plain.closed).resolves.toBeUndefined();
  });
});
