// The client through a real squid (Debian's) as a forward proxy, when
// installed: one instance on a free loopback port, Basic auth by squid's own
// basic_ncsa_auth helper against an htpasswd file (an apr1 hash made here by
// `openssl passwd`), no caching. Plain http: requests go in absolute form,
// https: ones through CONNECT to node:https origins trusting the test CA.
import { spawnSync } from "node:child_process";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateTestCertificates, type TestCertificates } from "@reqivo/transport/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProxyError } from "../src/index.ts";
import { raw, readBody, serve, session } from "./harness.ts";
import { freePort } from "./proxy-kit.ts";
import {
  expectWebSocketEcho,
  findProgram,
  patternBytes,
  type RealServer,
  requireProgram,
  serverDir,
  sha256,
  startServer,
} from "./real-servers.ts";
import { eventually, onRequests } from "./servers.ts";
import { httpsServer } from "./tls-servers.ts";

const squid = requireProgram("squid", "squid");
const NCSA = "/usr/lib/squid/basic_ncsa_auth";
const openssl = findProgram("openssl");
const withAuth = squid !== undefined && findProgram(NCSA) !== undefined && openssl !== undefined;
if (squid !== undefined && !withAuth)
  console.warn(
    `${NCSA} or openssl is missing: squid runs without proxy auth, its auth cases are skipped`,
  );

describe.skipIf(squid === undefined)("through squid", () => {
  let server: RealServer;
  let certs: TestCertificates;
  /** The proxy URL with credentials (without when there is no auth helper). */
  let proxy: string;
  let bare: string;
  /** squid's https_port: TLS to the proxy itself. */
  let secureProxy: string;

  beforeAll(async () => {
    certs = await generateTestCertificates();
    const [port, tlsPort] = [await freePort(), await freePort()];
    const dir = serverDir("squid");
    writeFileSync(join(dir, "proxy.crt"), certs.server.cert, { mode: 0o644 });
    writeFileSync(join(dir, "proxy.key"), certs.server.key, { mode: 0o644 });
    // Squid's workers run as nobody and write their logs here.
    chmodSync(dir, 0o777);
    bare = `http://127.0.0.1:${port}`;
    proxy = withAuth ? `http://ada:p%40ss@127.0.0.1:${port}` : bare;
    secureProxy = `https://${withAuth ? "ada:p%40ss@" : ""}localhost:${tlsPort}`;
    const auth: string[] = [];
    if (withAuth) {
      const hash = spawnSync(openssl as string, ["passwd", "-apr1", "p@ss"], { encoding: "utf8" });
      writeFileSync(join(dir, "passwd"), `ada:${hash.stdout.trim()}\n`, { mode: 0o644 });
      auth.push(
        `auth_param basic program ${NCSA} ${dir}/passwd`,
        "auth_param basic children 1 startup=1 idle=1",
        "auth_param basic realm reqivo",
        "acl authed proxy_auth REQUIRED",
        "http_access deny !authed",
      );
    }
    const config = join(dir, "squid.conf");
    writeFileSync(
      config,
      [
        `http_port 127.0.0.1:${port}`,
        `https_port 127.0.0.1:${tlsPort} tls-cert=${dir}/proxy.crt tls-key=${dir}/proxy.key`,
        `pid_filename ${dir}/squid.pid`,
        `cache_log ${dir}/cache.log`,
        `access_log stdio:${dir}/access.log`,
        "cache_store_log none",
        "strip_query_terms off",
        "cache deny all",
        "cache_mem 8 MB",
        `coredump_dir ${dir}`,
        "visible_hostname reqivo-squid",
        "shutdown_lifetime 0 seconds",
        "pinger_enable off",
        // Each request opens its own origin connection: the origins' after-test check sees them closed.
        "server_persistent_connections off",
        "dns_v4_first on",
        "cache_effective_user nobody",
        ...auth,
        "acl local src 127.0.0.1",
        "http_access allow local",
        "http_access deny all",
        "",
      ].join("\n"),
      { mode: 0o644 },
    );
    server = await startServer(squid as string, ["-N", "-f", config], dir, [port, tlsPort]);
  });

  afterAll(async () => {
    await server?.stop();
  });

  it("forwards http: in absolute form; the origin gets origin-form, squid's Via, no credentials", async () => {
    const seen: { url?: string; headers: Record<string, unknown> }[] = [];
    const site = await serve((req, res) => {
      seen.push({ url: req.url, headers: req.headers });
      if (req.headers["if-none-match"] === '"v1"') res.writeHead(304, { etag: '"v1"' }).end();
      else res.end(`hello ${req.url}`);
    });
    const s = session({ proxy });
    const res = await s.get(`${site.url}/a?q=1`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("hello /a?q=1");
    const again = await s.get(`${site.url}/b`);
    expect(await again.text()).toBe("hello /b");
    // One connection to squid carried both.
    expect(again.timings.reused).toBe(true);
    expect(seen[0]?.url).toBe("/a?q=1");
    expect(String(seen[0]?.headers.via)).toMatch(/reqivo-squid/);
    expect(seen[0]?.headers["proxy-authorization"]).toBeUndefined();
    // HEAD, and a conditional GET the origin answers 304: no body either way.
    const head = await s.head(`${site.url}/h`);
    expect([head.status, await head.text()]).toEqual([200, ""]);
    const cached = await s.get(`${site.url}/etag`, { headers: { "if-none-match": '"v1"' } });
    expect([cached.status, await cached.text()]).toEqual([304, ""]);
    // squid logs a transaction once it is over, maybe after the client has its answer.
    const logged = /GET http:\/\/127\.0\.0\.1:\d+\/a\?q=1 ada /;
    if (withAuth) await eventually(() => logged.test(server.read("access.log")), 5000);
  });

  it("1 MiB down, 300 KB up and a chunked stream, byte for byte through squid", async () => {
    const big = patternBytes(1024 * 1024);
    const site = await serve(async (req, res) => {
      if (req.url === "/big") return res.end(big);
      if (req.url === "/stream") {
        for (let i = 0; i < 5; i++) {
          res.write(`piece ${i}\n`);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        return res.end();
      }
      res.end(sha256(await readBody(req)));
    });
    const s = session({ proxy });
    expect(sha256(await (await s.get(`${site.url}/big`)).bytes())).toBe(sha256(big));
    const upload = patternBytes(300_000);
    expect(await (await s.post(`${site.url}/up`, { body: upload })).text()).toBe(sha256(upload));
    async function* pieces() {
      for (let i = 0; i < 4; i++) yield patternBytes(10_000);
    }
    const chunked = await s.post(`${site.url}/up`, { body: pieces() });
    expect(await chunked.text()).toBe(sha256(Buffer.concat(Array(4).fill(patternBytes(10_000)))));
    const stream = await s.get(`${site.url}/stream`);
    expect(await stream.text()).toBe("piece 0\npiece 1\npiece 2\npiece 3\npiece 4\n");
  });

  it("an HTTP/1.0 origin whose body ends at its close: squid re-frames it, the client reads it whole", async () => {
    const site = await raw((socket) =>
      onRequests(socket, () =>
        socket.end("HTTP/1.0 200 OK\r\ncontent-type: text/plain\r\n\r\nuntil the end"),
      ),
    );
    const s = session({ proxy });
    const res = await s.get(`${site.url}/old`);
    expect(await res.text()).toBe("until the end");
    const again = await s.get(`${site.url}/old`);
    expect(again.timings.reused).toBe(true);
    expect(await again.text()).toBe("until the end");
  });

  it("60 requests at once through squid over at most 6 proxy connections", async () => {
    const site = await serve((req, res) => res.end(`n ${req.url}`));
    const s = session({ proxy, pool: { connections: 6 } });
    const texts = await Promise.all(
      Array.from({ length: 60 }, async (_, i) => (await s.get(`${site.url}/${i}`)).text()),
    );
    expect(texts).toEqual(Array.from({ length: 60 }, (_, i) => `n /${i}`));
  });

  it("Expect: 100-continue through squid: the body reaches the origin", async () => {
    const site = await serve(async (req, res) => res.end(sha256(await readBody(req))));
    const s = session({ proxy });
    const body = patternBytes(50_000);
    const statuses: number[] = [];
    const res = await s.post(`${site.url}/up`, {
      body,
      expectContinue: 5000,
      onInformational: (status) => statuses.push(status),
    });
    expect(res.status).toBe(200);
    // node:http's 100, passed on by squid.
    expect(statuses).toEqual([100]);
    expect(await res.text()).toBe(sha256(body));
  });

  it("tunnels https: through CONNECT, TLS to the origin inside, the tunnel reused", async () => {
    const site = await httpsServer(certs.server, (req, res) => res.end(`secure ${req.url}`));
    const s = session({ proxy, tls: { ca: certs.ca } });
    const url = `https://localhost:${site.port}`;
    const res = await s.get(`${url}/one`);
    expect(res.httpVersion).toBe("1.1");
    expect(await res.text()).toBe("secure /one");
    const again = await s.get(`${url}/two`);
    expect(await again.text()).toBe("secure /two");
    expect(again.timings.reused).toBe(true);
    expect(site.accepted).toBe(1);
  });

  it("an https: proxy (squid's https_port): TLS to the proxy, then forwarding and a CONNECT tunnel inside", async () => {
    const site = await serve((req, res) => res.end(`plain ${req.url}`));
    const secureSite = await httpsServer(certs.server, (req, res) => res.end(`secure ${req.url}`));
    const s = session({
      proxy: { url: secureProxy, tls: { ca: certs.ca } },
      tls: { ca: certs.ca },
    });
    expect(await (await s.get(`${site.url}/p`)).text()).toBe("plain /p");
    expect(await (await s.get(`https://localhost:${secureSite.port}/s`)).text()).toBe("secure /s");
  });

  it.skipIf(!withAuth)(
    "without credentials: ProxyError PROXY_AUTH_REQUIRED for CONNECT, a 407 response when forwarding",
    async () => {
      const site = await serve((_req, res) => res.end("never"));
      const s = session({ proxy: bare, tls: { ca: certs.ca } });
      const error = await s.get(`https://localhost:${site.port}/`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProxyError);
      expect((error as ProxyError).code).toBe("PROXY_AUTH_REQUIRED");
      expect((error as ProxyError).headers?.get("proxy-authenticate")).toMatch(
        /^Basic realm="reqivo"/,
      );
      const forwarded = await s.get(`${site.url}/`);
      expect(forwarded.status).toBe(407);
      expect(forwarded.headers.get("x-squid-error")).toMatch(/ERR_CACHE_ACCESS_DENIED/);
      await forwarded.dump();
      // An upload refused with 407: before its body with the expectation, while it goes up without.
      const statuses: number[] = [];
      const held = await s.post(`${site.url}/up`, {
        body: patternBytes(100_000),
        expectContinue: 5000,
        onInformational: (status) => statuses.push(status),
      });
      expect(held.status).toBe(407);
      expect(statuses).toEqual([]);
      await held.dump();
      const early = await s.post(`${site.url}/up`, { body: patternBytes(2_000_000) });
      expect(early.status).toBe(407);
      await early.dump();
      // A wrong password fares the same.
      const wrong = session({ proxy: proxy.replace("p%40ss", "nope"), tls: { ca: certs.ca } });
      await expect(wrong.get(`https://localhost:${site.port}/`)).rejects.toMatchObject({
        code: "PROXY_AUTH_REQUIRED",
      });
    },
  );

  it("a WebSocket through the CONNECT tunnel", async () => {
    await expectWebSocketEcho(session({ proxy }), "through squid");
  });

  it("CONNECT to a port nothing listens on: the proxy's 503 as PROXY_TUNNEL_FAILED", async () => {
    const s = session({ proxy, tls: { ca: certs.ca } });
    const port = await freePort();
    const error = await s.get(`https://127.0.0.1:${port}/`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProxyError);
    expect((error as ProxyError).code).toBe("PROXY_TUNNEL_FAILED");
  });
});
