// Proxy cases over real loopback sockets, shared by the Node, Deno and Bun
// runs: each runtime passes its own transport; the proxies and origins are
// the node:net kit (test/proxy-kit.ts), which all three runtimes provide.
import assert from "node:assert/strict";
import type { Transport } from "@reqivo/transport";
import { generateTestCertificates } from "@reqivo/transport/testing";
import { ProxyError, Session, SocksError } from "../../src/index.ts";
import { httpProxy, type KitServer, origin, socksProxy } from "../proxy-kit.ts";

/** Whether every server's connections closed within a bounded wait. */
async function allClosed(servers: KitServer[]): Promise<boolean> {
  for (let waited = 0; servers.some((s) => s.open() > 0); waited += 10) {
    if (waited > 3000) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

/** Runs a case, then closes the session and checks no connection outlived it. */
async function closing(servers: KitServer[], session: Session, run: () => Promise<void>) {
  let closed = true;
  try {
    await run();
  } finally {
    await session.close();
    closed = await allClosed(servers);
    for (const server of servers) await server.close();
  }
  if (!closed) throw new Error("a connection outlived its session");
}

export function proxyCases(transport: () => Transport): Record<string, () => Promise<void>> {
  return {
    async "proxy: http: forwarded in absolute form, Proxy-Authorization to the proxy only"() {
      const site = await origin();
      const auth = `Basic ${btoa("ada:pw")}`;
      const proxy = await httpProxy({ auth });
      const session = new Session({
        transport: transport(),
        proxy: `http://ada:pw@127.0.0.1:${proxy.port}`,
      });
      await closing([site, proxy], session, async () => {
        assert.equal(await (await session.get(`${site.url}/a`)).text(), "GET /a HTTP/1.1");
        assert.equal(await (await session.get(`${site.url}/b`)).text(), "GET /b HTTP/1.1");
        assert.equal(proxy.accepted, 1);
        assert.deepEqual(
          proxy.seen.map((r) => [r.line, r.proxyAuthorization]),
          [
            [`GET ${site.url}/a HTTP/1.1`, auth],
            [`GET ${site.url}/b HTTP/1.1`, auth],
          ],
        );
        assert.doesNotMatch(site.received.join(""), /proxy-authorization/i);
      });
    },

    async "proxy: CONNECT refused with 407 is a ProxyError; https: through the tunnel works or is UnsupportedError"() {
      const certs = await generateTestCertificates();
      const site = await origin(certs.server);
      const proxy = await httpProxy({ auth: `Basic ${btoa("ada:pw")}` });
      const session = new Session({ transport: transport(), tls: { ca: certs.ca } });
      await closing([site, proxy], session, async () => {
        const url = `https://localhost:${site.port}/secure`;
        const refused = await session
          .get(url, { proxy: `http://127.0.0.1:${proxy.port}` })
          .catch((e: unknown) => e);
        assert.ok(refused instanceof ProxyError);
        assert.equal(refused.code, "PROXY_AUTH_REQUIRED");
        assert.equal(refused.status, 407);
        const outcome = await session
          .get(url, { proxy: `http://ada:pw@127.0.0.1:${proxy.port}` })
          .then((res) => res.text())
          .catch((e: unknown) => e);
        // A transport that cannot run TLS inside a tunnel says so with its typed error.
        if (typeof outcome === "string") assert.equal(outcome, "GET /secure HTTP/1.1");
        else assert.equal((outcome as { code?: string }).code, "UNSUPPORTED", String(outcome));
        assert.equal(proxy.seen.at(-1)?.line, `CONNECT localhost:${site.port} HTTP/1.1`);
      });
    },

    async "proxy: an https: proxy, TLS to the origin inside TLS to the proxy, works or is UnsupportedError"() {
      const certs = await generateTestCertificates();
      const site = await origin(certs.server);
      const proxy = await httpProxy({ tls: certs.server });
      const session = new Session({
        transport: transport(),
        tls: { ca: certs.ca },
        proxy: { url: proxy.url, tls: { ca: certs.ca } },
      });
      await closing([site, proxy], session, async () => {
        const outcome = await session
          .get(`https://localhost:${site.port}/nested`)
          .then((res) => res.text())
          .catch((e: unknown) => e);
        if (typeof outcome === "string") assert.equal(outcome, "GET /nested HTTP/1.1");
        else assert.equal((outcome as { code?: string }).code, "UNSUPPORTED", String(outcome));
        assert.deepEqual(
          proxy.seen.map((r) => r.line),
          [`CONNECT localhost:${site.port} HTTP/1.1`],
        );
      });
    },

    async "proxy: SOCKS5 tunnel to an http: origin, names resolved by the proxy"() {
      const site = await origin();
      const socks = await socksProxy({ auth: { username: "ada", password: "pw" } });
      const session = new Session({
        transport: transport(),
        proxy: `socks5h://ada:pw@127.0.0.1:${socks.port}`,
      });
      await closing([site, socks], session, async () => {
        const res = await session.get(`http://localhost:${site.port}/socks`);
        assert.equal(await res.text(), "GET /socks HTTP/1.1");
        assert.deepEqual(socks.seen, [
          { atyp: 3, host: "localhost", port: site.port, username: "ada" },
        ]);
        const wrong = await session
          .get(`${site.url}/`, { proxy: `socks5h://ada:no@127.0.0.1:${socks.port}` })
          .catch((e: unknown) => e);
        assert.ok(wrong instanceof SocksError);
        assert.equal(wrong.code, "SOCKS_AUTH_FAILED");
      });
    },
  };
}
