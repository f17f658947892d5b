// HTTP and HTTPS proxies over real loopback sockets: forwarding, CONNECT
// tunnels (TLS inside), TLS to the proxy, credentials that reach the proxy
// and never the origin, errors, pool separation, NO_PROXY across redirects,
// and WebSockets through a tunnel.

import { type Transport, UnsupportedError } from "@reqivo/transport";
import type { TestCertificates } from "@reqivo/transport/testing";
import { generateTestCertificates } from "@reqivo/transport/testing";
import { createTransport } from "@reqivo/transport-node";
import { beforeAll, describe, expect, it } from "vitest";
import { createFetch, ProxyError, ReqivoError } from "../src/index.ts";
import { raw, serve, session, track } from "./harness.ts";
import { httpProxy, origin } from "./proxy-kit.ts";
import { eventually } from "./servers.ts";
import { echo, wsServer } from "./websocket-servers.ts";

const basic = (user: string, password: string) => `Basic ${btoa(`${user}:${password}`)}`;
const AUTH = basic("ada", "pw");

let certs: TestCertificates;
beforeAll(async () => {
  certs = await generateTestCertificates();
});

describe("forwarding (http: targets through an HTTP proxy)", () => {
  it("sends absolute-form requests on pooled proxy connections, credentials to the proxy only", async () => {
    const site = track(await origin());
    const proxy = track(await httpProxy({ auth: AUTH }));
    const s = session({ proxy: `http://ada:pw@127.0.0.1:${proxy.port}` });
    const first = await s.get(`${site.url}/a?x=1`);
    expect(await first.text()).toBe("GET /a?x=1 HTTP/1.1");
    // Another origin, same proxy connection.
    const other = await s.get(`http://localhost:${site.port}/b`, {
      headers: { "proxy-authorization": "Basic bWluZTptaW5l" },
    });
    expect(await other.text()).toBe("GET /b HTTP/1.1");
    expect(proxy.accepted).toBe(1);
    expect(proxy.seen.map((r) => r.line)).toEqual([
      `GET ${site.url}/a?x=1 HTTP/1.1`,
      `GET http://localhost:${site.port}/b HTTP/1.1`,
    ]);
    // The configured credentials replace a caller's header on the way to the proxy.
    expect(proxy.seen.map((r) => r.proxyAuthorization)).toEqual([AUTH, AUTH]);
    expect(proxy.seen[0]?.head).toMatch(
      new RegExp(`\\r\\nhost: 127\\.0\\.0\\.1:${site.port}\\r\\n`),
    );
    const bytes = site.received.join("");
    expect(bytes).toContain(`GET /a?x=1 HTTP/1.1\r\nhost: 127.0.0.1:${site.port}\r\n`);
    expect(bytes).not.toMatch(/proxy-authorization/i);
    expect(Object.keys(s.poolStats())).toEqual([
      expect.stringMatching(/^proxy http:\/\/127\.0\.0\.1:\d+#\d+$/),
    ]);
  });

  it("fetch() takes a per-call proxy; without it the same fetch goes direct", async () => {
    const site = track(await origin());
    const proxy = track(await httpProxy({ auth: AUTH }));
    const fetch = createFetch(session());
    const proxied = await fetch(`${site.url}/f`, {
      proxy: `http://ada:pw@127.0.0.1:${proxy.port}`,
    });
    expect(await proxied.text()).toBe("GET /f HTTP/1.1");
    expect(proxy.seen.map((r) => [r.line, r.proxyAuthorization])).toEqual([
      [`GET ${site.url}/f HTTP/1.1`, AUTH],
    ]);
    expect(await (await fetch(`${site.url}/g`)).text()).toBe("GET /g HTTP/1.1");
    expect(proxy.seen).toHaveLength(1);
  });

  it("through an https: proxy: TLS to the proxy, plain HTTP inside", async () => {
    const site = track(await origin());
    const proxy = track(await httpProxy({ tls: certs.server }));
    const s = session({ proxy: { url: proxy.url, tls: { ca: certs.ca } } });
    expect(await (await s.get(`${site.url}/over-tls`)).text()).toBe("GET /over-tls HTTP/1.1");
    expect(proxy.seen[0]?.line).toBe(`GET ${site.url}/over-tls HTTP/1.1`);
  });

  it("an https: proxy with an untrusted certificate fails the TLS check", async () => {
    const site = track(await origin());
    const proxy = track(await httpProxy({ tls: certs.untrusted }));
    const s = session({ proxy: { url: proxy.url, tls: { ca: certs.ca } } });
    const error = await s.get(site.url).catch((e: unknown) => e);
    expect((error as ReqivoError).code).toBe("TLS_CERTIFICATE_INVALID");
  });

  it("a 407 from a forwarding proxy is the response (the request reached the proxy as HTTP)", async () => {
    const site = track(await origin());
    const proxy = track(await httpProxy({ auth: AUTH }));
    const s = session({ proxy: proxy.url });
    const res = await s.get(`${site.url}/x`);
    expect(res.status).toBe(407);
    expect(res.headers.get("proxy-authenticate")).toBe('Basic realm="kit"');
    await res.dump();
    expect(site.accepted).toBe(0);
  });
});

describe("CONNECT tunnels", () => {
  it("https: targets: CONNECT with Proxy-Authorization, TLS to the origin inside, tunnel reused", async () => {
    const site = track(await origin(certs.server));
    const proxy = track(await httpProxy({ auth: AUTH }));
    const s = session({ proxy: `http://ada:pw@127.0.0.1:${proxy.port}`, tls: { ca: certs.ca } });
    const url = `https://localhost:${site.port}`;
    expect(await (await s.get(`${url}/one`)).text()).toBe("GET /one HTTP/1.1");
    const second = await s.get(`${url}/two`, {
      headers: { "Proxy-Authorization": "Basic c2VjcmV0" },
    });
    expect(await second.text()).toBe("GET /two HTTP/1.1");
    expect(second.timings.reused).toBe(true);
    expect(proxy.accepted).toBe(1);
    expect(proxy.seen).toEqual([
      expect.objectContaining({
        line: `CONNECT localhost:${site.port} HTTP/1.1`,
        proxyAuthorization: AUTH,
      }),
    ]);
    expect(proxy.seen[0]?.head).toContain(`\r\nhost: localhost:${site.port}\r\n`);
    // What the origin decrypted: no proxy credentials, not even the caller's own header.
    const bytes = site.received.join("");
    expect(bytes).toContain("GET /two HTTP/1.1");
    expect(bytes).not.toMatch(/proxy-authorization/i);
  });

  it("an https: proxy: TLS to the proxy and TLS to the origin inside it", async () => {
    const site = track(await origin(certs.server));
    const proxy = track(await httpProxy({ tls: certs.server }));
    const s = session({ proxy: { url: proxy.url, tls: { ca: certs.ca } }, tls: { ca: certs.ca } });
    const res = await s.get(`https://127.0.0.1:${site.port}/nested`);
    expect(await res.text()).toBe("GET /nested HTTP/1.1");
    expect(proxy.seen[0]?.line).toBe(`CONNECT 127.0.0.1:${site.port} HTTP/1.1`);
  });

  it("the origin's certificate is checked inside the tunnel", async () => {
    const site = track(await origin(certs.untrusted));
    const proxy = track(await httpProxy());
    const s = session({ proxy: proxy.url, tls: { ca: certs.ca } });
    const error = await s.get(`https://localhost:${site.port}/`).catch((e: unknown) => e);
    expect((error as ReqivoError).code).toBe("TLS_CERTIFICATE_INVALID");
    expect(proxy.seen).toHaveLength(1);
  });

  it("407 to CONNECT: ProxyError PROXY_AUTH_REQUIRED with the proxy's status and headers", async () => {
    const site = track(await origin(certs.server));
    const proxy = track(await httpProxy({ auth: AUTH }));
    const s = session({ proxy: `http://ada:wrong@127.0.0.1:${proxy.port}`, tls: { ca: certs.ca } });
    const error = await s.get(`https://localhost:${site.port}/`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProxyError);
    expect(error).toBeInstanceOf(ReqivoError);
    const proxyError = error as ProxyError;
    expect(proxyError.code).toBe("PROXY_AUTH_REQUIRED");
    expect(proxyError.status).toBe(407);
    expect(proxyError.headers?.get("proxy-authenticate")).toBe('Basic realm="kit"');
    expect(proxyError.proxy).toBe(`http://127.0.0.1:${proxy.port}`);
    expect(proxyError.message).not.toContain("wrong");
    expect(site.accepted).toBe(0);
  });

  it("another non-2xx answer to CONNECT: PROXY_TUNNEL_FAILED", async () => {
    const proxy = track(await httpProxy({ connectStatus: 403 }));
    const s = session({ proxy: proxy.url });
    await expect(s.get("https://localhost:9/")).rejects.toMatchObject({
      code: "PROXY_TUNNEL_FAILED",
      status: 403,
    });
  });

  it("a proxy that is not HTTP, or hangs up: PROXY_PROTOCOL_ERROR", async () => {
    const garbage = await raw((socket) => socket.end("SSH-2.0-nope\r\n\r\n"));
    const hangUp = await raw((socket) => socket.end());
    for (const server of [garbage, hangUp]) {
      const s = session({ proxy: server.url });
      await expect(s.get("https://localhost:9/")).rejects.toMatchObject({
        code: "PROXY_PROTOCOL_ERROR",
      });
    }
  });

  it("a transport that cannot run TLS in the tunnel: its UnsupportedError comes through, the tunnel is closed", async () => {
    const proxy = track(await httpProxy());
    const node = createTransport();
    const transport: Transport = {
      name: "no-tunnels",
      connect: (options) =>
        options.tunnel === undefined
          ? node.connect(options)
          : Promise.reject(new UnsupportedError("tunnel", "test")),
    };
    const site = track(await origin(certs.server));
    const s = session({ transport, proxy: proxy.url });
    const error = await s.get(`https://localhost:${site.port}/`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedError);
    expect((error as UnsupportedError).code).toBe("UNSUPPORTED");
    expect(proxy.seen).toHaveLength(1);
    // The harness checks after the test that the proxy connection was closed.
  });

  it("aborting while the proxy has not answered CONNECT ends the request and its connection", async () => {
    const silent = await raw(() => undefined);
    const s = session({ proxy: silent.url });
    const controller = new AbortController();
    const pending = s.get("https://localhost:9/", { signal: controller.signal });
    await eventually(() => silent.accepted === 1);
    controller.abort("changed my mind");
    await expect(pending).rejects.toMatchObject({ code: "ABORTED", cause: "changed my mind" });
  });

  it("the connect timeout covers the CONNECT answer", async () => {
    const silent = await raw(() => undefined);
    const s = session({ proxy: silent.url, timeout: { connect: 200 } });
    await expect(s.get("https://localhost:9/")).rejects.toMatchObject({ code: "CONNECT_TIMEOUT" });
  });
});

describe("routes and the pool", () => {
  it("the same origin through the proxy and directly uses different connections", async () => {
    const site = track(await origin(certs.server));
    const proxy = track(await httpProxy());
    const s = session({ proxy: proxy.url, tls: { ca: certs.ca } });
    const url = `https://localhost:${site.port}/`;
    for (let round = 0; round < 2; round++) {
      await (await s.get(url)).text();
      await (await s.get(url, { proxy: false })).text();
      await (await s.get(url, { proxy: `http://other:pw@127.0.0.1:${proxy.port}` })).text();
    }
    // Three routes, each opened once and reused in the second round.
    expect(site.accepted).toBe(3);
    expect(proxy.accepted).toBe(2);
    const keys = Object.keys(s.poolStats()).sort();
    const direct = keys[0] ?? "";
    expect(direct).toMatch(new RegExp(`^https://localhost:${site.port}(#tls\\d+)?$`));
    const via = `${direct} via http://127.0.0.1:${proxy.port}#`;
    expect(keys.slice(1)).toEqual([expect.stringMatching(/#1$/), expect.stringMatching(/#2$/)]);
    expect(keys.slice(1).every((key) => key.startsWith(via))).toBe(true);
  });

  it("NO_PROXY is decided per origin, again after a redirect", async () => {
    const proxy = track(await httpProxy());
    const server = await serve((req, res) => {
      if (req.url === "/start") {
        res.writeHead(302, { location: `http://localhost:${server.port}/landed` }).end();
        return;
      }
      res.end(`landed via ${req.headers.via ?? "direct"}`);
    });
    const s = session({ proxy: { url: proxy.url, noProxy: "localhost" } });
    const res = await s.get(`${server.url}/start`);
    expect(await res.text()).toBe("landed via direct");
    expect(proxy.seen.map((r) => r.line)).toEqual([`GET ${server.url}/start HTTP/1.1`]);
    // And back: a redirect from a bypassed origin to a proxied one goes through the proxy.
    const back = await serve((_req, res) => {
      res.writeHead(302, { location: `${server.url}/landed` }).end();
    });
    await (await s.get(`http://localhost:${back.port}/`)).text();
    expect(proxy.seen.at(-1)?.line).toBe(`GET ${server.url}/landed HTTP/1.1`);
  });

  it("options from an env object; per-request proxy: false bypasses", async () => {
    const site = track(await origin());
    const proxy = track(await httpProxy());
    const s = session({ proxy: { env: { http_proxy: proxy.url, NO_PROXY: "example.invalid" } } });
    await (await s.get(`${site.url}/env`)).text();
    await (await s.get(`${site.url}/direct`, { proxy: false })).text();
    expect(proxy.seen.map((r) => r.line)).toEqual([`GET ${site.url}/env HTTP/1.1`]);
  });
});

describe("WebSocket through a proxy", () => {
  it("ws: goes through CONNECT (never forwarded); credentials reach the proxy only", async () => {
    const server = await wsServer();
    echo(server.wss);
    let upgradeHeaders: Record<string, unknown> = {};
    server.wss.on("connection", (_ws, req) => {
      upgradeHeaders = req.headers;
    });
    const proxy = track(await httpProxy({ auth: AUTH }));
    const s = session({ proxy: `http://ada:pw@127.0.0.1:${proxy.port}` });
    try {
      const ws = await s.websocket(server.url, {
        headers: { "proxy-authorization": "Basic eDp5" },
      });
      const messages = ws[Symbol.asyncIterator]();
      await ws.send("through the tunnel");
      expect((await messages.next()).value).toBe("through the tunnel");
      await ws.close();
      const port = new URL(server.url).port;
      expect(proxy.seen).toEqual([
        expect.objectContaining({
          line: `CONNECT 127.0.0.1:${port} HTTP/1.1`,
          proxyAuthorization: AUTH,
        }),
      ]);
      expect(upgradeHeaders["proxy-authorization"]).toBe(undefined);
      expect(upgradeHeaders.host).toBe(`127.0.0.1:${port}`);
    } finally {
      await s.close();
      await server.close();
    }
  });

  it("a socket's own proxy option: false connects directly", async () => {
    const server = await wsServer();
    echo(server.wss);
    const proxy = track(await httpProxy());
    const s = session({ proxy: proxy.url });
    try {
      const ws = await s.websocket(server.url, { proxy: false });
      await ws.close();
      expect(proxy.accepted).toBe(0);
    } finally {
      await s.close();
      await server.close();
    }
  });

  it("a refused CONNECT fails the WebSocket with ProxyError", async () => {
    const proxy = track(await httpProxy({ connectStatus: 407 }));
    const s = session({ proxy: proxy.url });
    await expect(s.websocket("ws://127.0.0.1:9/")).rejects.toMatchObject({
      code: "PROXY_AUTH_REQUIRED",
      status: 407,
    });
  });
});
