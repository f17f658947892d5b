// The client against a real nginx (Debian's), when installed: one
// single-process instance on two free loopback ports (cleartext HTTP/1.1, and
// TLS with HTTP/2 offered), static files from a temp dir, gzip, ranges,
// conditional requests, redirects, keepalive_requests 3 (nginx closes every
// connection after its third request), a body-size limit, and proxy_pass to a
// node:http backend that streams chunked bodies, echoes uploads and carries
// WebSockets (the `ws` package).
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { join } from "node:path";
import { generateTestCertificates, type TestCertificates } from "@reqivo/transport/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { createFetch, TlsError } from "../src/index.ts";
import { readBody, session } from "./harness.ts";
import { freePort } from "./proxy-kit.ts";
import {
  expectUploadStopped,
  pacedUpload,
  patternBytes,
  type RealServer,
  requireProgram,
  serverDir,
  sha256,
  startServer,
} from "./real-servers.ts";

const nginx = requireProgram("nginx", "nginx");

const SIZES = { "0.bin": 0, "1.bin": 1, "16k.bin": 16 * 1024, "1m.bin": 1024 * 1024 };
const TEXT = "All the world's a stage, and all the men and women merely players.\n".repeat(400);
const STREAM_PIECES = 8;
const STREAMED = Array.from({ length: STREAM_PIECES }, (_, i) => `piece ${i}\n`).join("");
const BIG_VALUE = "0123456789abcdef".repeat(188).slice(0, 3000);

/** The backend nginx proxies to: streams, echoes uploads, speaks WebSocket. */
async function backend(): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    if (req.url === "/stream" || req.url === "/trailers" || req.url === "/until-close") {
      // No Content-Length: chunked to nginx, which passes it on chunked (proxy_buffering off).
      res.writeHead(200, { "content-type": "text/plain" });
      for (let i = 0; i < STREAM_PIECES; i++) {
        res.write(`piece ${i}\n`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      res.end();
      return;
    }
    // nginx drops the upstream request when the client's upload is refused mid-way.
    const body = await readBody(req).catch(() => undefined);
    if (body === undefined) return;
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(`${req.method} ${body.length} ${sha256(body)}`);
  });
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  const wss = new WebSocketServer({
    server,
    perMessageDeflate: true,
    handleProtocols: (protocols) => (protocols.has("chat") ? "chat" : false),
  });
  wss.on("connection", (ws, req) => {
    ws.send(`hello ${req.url}`);
    ws.on("message", (data, isBinary) => {
      if (!isBinary && data.toString() === "bye") ws.close(4001, "as asked");
      else ws.send(data, { binary: isBinary });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe.skipIf(nginx === undefined)("against nginx", () => {
  let server: RealServer;
  let up: Awaited<ReturnType<typeof backend>>;
  let certs: TestCertificates;
  let base: string;
  let secure: string;
  /** TLS with keepalive_requests 3, which HTTP/2 counts in streams (then GOAWAY). */
  let secureShort: string;
  /** TLS with http2_max_concurrent_streams 2. */
  let secureNarrow: string;
  /** TLS 1.2 only, and a client certificate required (the test CA's). */
  let secureOld: string;
  let secureMutual: string;

  beforeAll(async () => {
    certs = await generateTestCertificates();
    up = await backend();
    const [plain, tls, tlsShort, tlsNarrow, tlsOld, tlsMutual] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    secureOld = `https://localhost:${tlsOld}`;
    secureMutual = `https://localhost:${tlsMutual}`;
    base = `http://127.0.0.1:${plain}`;
    secure = `https://localhost:${tls}`;
    secureShort = `https://localhost:${tlsShort}`;
    secureNarrow = `https://localhost:${tlsNarrow}`;
    const dir = serverDir("nginx");
    const www = join(dir, "www");
    mkdirSync(join(www, "files"), { recursive: true });
    mkdirSync(join(www, "gz"));
    for (const [name, size] of Object.entries(SIZES))
      writeFileSync(join(www, "files", name), patternBytes(size));
    writeFileSync(join(www, "gz", "play.txt"), TEXT);
    writeFileSync(join(www, "files", "ä b#1.txt"), "unusual name");
    writeFileSync(join(dir, "server.crt"), certs.server.cert);
    writeFileSync(join(dir, "server.key"), certs.server.key);
    writeFileSync(join(dir, "ca.crt"), certs.ca);
    const proxied = [
      `proxy_pass http://127.0.0.1:${up.port};`,
      "proxy_http_version 1.1;",
      "proxy_buffering off;",
      "proxy_request_buffering off;",
    ].join(" ");
    const locations = `
      add_header x-connection $connection always;
      add_header x-connection-requests $connection_requests always;
      add_header x-tls "$ssl_protocol $ssl_session_reused $ssl_client_verify" always;
      location /files/ { }
      location /gz/ { gzip on; gzip_types *; gzip_min_length 1; }
      location = /moved { return 301 /files/16k.bin; }
      location = /moved-far { return 301 ${base}/files/1.bin; }
      location = /echo { client_max_body_size 16k; ${proxied} }
      location = /echo-big { client_max_body_size 8m; ${proxied} }
      location = /temporary { return 307 /echo; }
      location = /see-other { return 303 /files/1.bin; }
      location = /empty { return 204; }
      location = /big-header {
        # nginx reads at most 4 KB a token: eight of 3,000 bytes make the 24 KB.
        ${Array.from({ length: 8 }, (_, i) => `add_header x-big-${i} "${BIG_VALUE}";`).join(" ")}
        add_header x-echo $http_x_custom;
        return 200 "ok";
      }
      location = /cookies {
        add_header set-cookie "a=1; Path=/";
        add_header set-cookie "b=2; Path=/";
        return 200 "cookie: $http_cookie";
      }
      location = /trailers {
        ${proxied}
        add_trailer x-checksum "done" always;
      }
      location /idle/ { keepalive_timeout 1s; alias ${www}/files/; }
      location = /stream { ${proxied} }
      location = /until-close { ${proxied} chunked_transfer_encoding off; }
      location /dav/ {
        dav_methods PUT DELETE;
        create_full_put_path on;
        client_max_body_size 8m;
      }
      location = /ws {
        ${proxied}
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
      }`;
    const config = join(dir, "nginx.conf");
    writeFileSync(
      config,
      `daemon off;
master_process off;
user root;
worker_processes 1;
error_log ${dir}/error.log warn;
pid ${dir}/nginx.pid;
events { worker_connections 256; }
http {
  log_format conn '$connection $connection_requests "$request" $status';
  access_log ${dir}/access.log conn;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  types { text/plain txt; application/octet-stream bin; }
  default_type application/octet-stream;
  keepalive_requests 3;
  root ${www};
  server {
    listen 127.0.0.1:${plain};
    ${locations}
  }
  ssl_certificate ${dir}/server.crt;
  ssl_certificate_key ${dir}/server.key;
  server {
    listen 127.0.0.1:${tls} ssl http2;
    keepalive_requests 1000;
    ${locations}
  }
  server {
    listen 127.0.0.1:${tlsShort} ssl http2;
    ${locations}
  }
  ssl_session_cache shared:tls:1m;
  # nginx 1.22 leaves TLS 1.3 out by default.
  ssl_protocols TLSv1.2 TLSv1.3;
  server {
    listen 127.0.0.1:${tlsOld} ssl http2;
    ssl_protocols TLSv1.2;
    ${locations}
  }
  server {
    listen 127.0.0.1:${tlsMutual} ssl http2;
    ssl_client_certificate ${dir}/ca.crt;
    ssl_verify_client on;
    ${locations}
  }
  server {
    listen 127.0.0.1:${tlsNarrow} ssl http2;
    keepalive_requests 1000;
    http2_max_concurrent_streams 2;
    ${locations}
  }
}
`,
    );
    server = await startServer(nginx as string, ["-p", dir, "-c", config], dir, [
      plain,
      tls,
      tlsShort,
      tlsNarrow,
      tlsOld,
      tlsMutual,
    ]);
  });

  afterAll(async () => {
    await server?.stop();
    await up?.close();
  });

  it("static files of 0 B, 1 B, 16 KiB and 1 MiB: the same bytes, Content-Length as sent", async () => {
    const s = session();
    for (const [name, size] of Object.entries(SIZES)) {
      const res = await s.get(`${base}/files/${name}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-length")).toBe(String(size));
      const bytes = await res.bytes();
      expect(bytes.length).toBe(size);
      expect(sha256(bytes)).toBe(sha256(patternBytes(size)));
    }
  });

  it("HEAD of 1 MiB: the length, no body, and the connection serves the next request", async () => {
    const s = session();
    const head = await s.head(`${base}/files/1m.bin`);
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe(String(1024 * 1024));
    expect((await head.bytes()).length).toBe(0);
    const next = await s.get(`${base}/files/1.bin`);
    expect(next.timings.reused).toBe(true);
    expect(next.headers.get("x-connection")).toBe(head.headers.get("x-connection"));
    expect(await next.bytes()).toEqual(new Uint8Array(patternBytes(1)));
  });

  it("gzip: decoded by the session and by fetch, left encoded with decompress: false", async () => {
    const s = session();
    const res = await s.get(`${base}/gz/play.txt`);
    expect(res.headers.get("content-encoding")).toBe("gzip");
    expect(await res.text()).toBe(TEXT);
    const fetched = await createFetch(s)(`${base}/gz/play.txt`);
    expect(await fetched.text()).toBe(TEXT);
    // Not decoding, the session offers no codings: the ones asked for by hand come back as they are.
    const plain = await s.get(`${base}/gz/play.txt`, { decompress: false });
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(await plain.text()).toBe(TEXT);
    const raw = await s.get(`${base}/gz/play.txt`, {
      decompress: false,
      headers: { "accept-encoding": "gzip" },
    });
    expect(raw.headers.get("content-encoding")).toBe("gzip");
    const encoded = await raw.bytes();
    expect(encoded.length).toBeLessThan(TEXT.length / 4);
    expect(Buffer.from(encoded.subarray(0, 2))).toEqual(Buffer.of(0x1f, 0x8b));
    // Bodiless answers of a gzipped resource: HEAD, and 304 for its (weak) ETag.
    const head = await s.head(`${base}/gz/play.txt`);
    expect(head.headers.get("content-encoding")).toBe("gzip");
    expect(await head.text()).toBe("");
    const etag = head.headers.get("etag")!;
    expect(etag).toMatch(/^W\//);
    const cached = await s.get(`${base}/gz/play.txt`, { headers: { "if-none-match": etag } });
    expect(cached.status).toBe(304);
    expect(await cached.text()).toBe("");
  });

  it("If-None-Match with the ETag: 304 without a body, on the same connection", async () => {
    const s = session();
    const first = await s.get(`${base}/files/16k.bin`);
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^"/);
    await first.dump();
    const again = await s.get(`${base}/files/16k.bin`, { headers: { "if-none-match": etag! } });
    expect(again.status).toBe(304);
    expect((await again.bytes()).length).toBe(0);
    expect(again.timings.reused).toBe(true);
    const modified = first.headers.get("last-modified")!;
    const since = await s.get(`${base}/files/16k.bin`, {
      headers: { "if-modified-since": modified },
    });
    expect(since.status).toBe(304);
    await since.dump();
  });

  it("Range: 206 with the slice asked for; a suffix range; an unsatisfiable one is 416", async () => {
    const s = session();
    const whole = patternBytes(1024 * 1024);
    const res = await s.get(`${base}/files/1m.bin`, { headers: { range: "bytes=1000-70999" } });
    expect(res.status).toBe(206);
    expect(res.headers.get("content-range")).toBe(`bytes 1000-70999/${whole.length}`);
    expect(sha256(await res.bytes())).toBe(sha256(whole.subarray(1000, 71000)));
    const suffix = await s.get(`${base}/files/1m.bin`, { headers: { range: "bytes=-10" } });
    expect(suffix.status).toBe(206);
    expect(sha256(await suffix.bytes())).toBe(sha256(whole.subarray(whole.length - 10)));
    const beyond = await s.get(`${base}/files/1.bin`, { headers: { range: "bytes=5-9" } });
    expect(beyond.status).toBe(416);
    await beyond.dump();
  });

  it("301 followed, same origin and absolute Location; manual mode returns the 301", async () => {
    const s = session();
    const res = await s.get(`${base}/moved`);
    expect(res.status).toBe(200);
    expect(res.redirected).toBe(true);
    expect(res.url).toBe(`${base}/files/16k.bin`);
    expect(sha256(await res.bytes())).toBe(sha256(patternBytes(16 * 1024)));
    const far = await s.get(`${base}/moved-far`);
    expect(far.url).toBe(`${base}/files/1.bin`);
    await far.dump();
    const manual = await s.get(`${base}/moved`, { redirect: "manual" });
    expect(manual.status).toBe(301);
    expect(manual.headers.get("location")).toBe(`${base}/files/16k.bin`);
    await manual.dump();
  });

  it("keepalive_requests 3: 30 sequential requests on exactly 10 connections, none retried", async () => {
    const s = session();
    const connections = new Map<string, number[]>();
    for (let i = 0; i < 30; i++) {
      const res = await s.get(`${base}/files/1.bin`);
      expect(res.status).toBe(200);
      expect(res.timings.retries).toBe(0);
      await res.dump();
      const id = res.headers.get("x-connection")!;
      connections.set(id, [
        ...(connections.get(id) ?? []),
        Number(res.headers.get("x-connection-requests")),
      ]);
    }
    expect(connections.size).toBe(10);
    for (const requests of connections.values()) expect(requests).toEqual([1, 2, 3]);
  });

  it("keepalive_requests 3: 60 concurrent requests over at most 4 connections at a time all succeed", async () => {
    const s = session({ pool: { connections: 4 } });
    const results = await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        const res = await s.get(`${base}/files/${i % 2 === 0 ? "16k.bin" : "1.bin"}`);
        const bytes = await res.bytes();
        return {
          id: res.headers.get("x-connection")!,
          n: Number(res.headers.get("x-connection-requests")),
          ok: res.status === 200 && bytes.length === (i % 2 === 0 ? 16 * 1024 : 1),
        };
      }),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    const perConnection = new Map<string, number[]>();
    for (const r of results) perConnection.set(r.id, [...(perConnection.get(r.id) ?? []), r.n]);
    // Every connection carried at most nginx's three, and each number once.
    for (const numbers of perConnection.values()) {
      expect(numbers.length).toBeLessThanOrEqual(3);
      expect(new Set(numbers).size).toBe(numbers.length);
    }
    expect(perConnection.size).toBeGreaterThanOrEqual(20);
  });

  it("an upload over client_max_body_size: the early 413 is the answer, and the session goes on", async () => {
    const s = session();
    const big = patternBytes(256 * 1024);
    const res = await s.post(`${base}/echo`, { body: big });
    expect(res.status).toBe(413);
    await res.dump();
    const small = patternBytes(1000);
    const ok = await s.post(`${base}/echo`, { body: small });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe(`POST 1000 ${sha256(small)}`);
  });

  it("an upload of a stream (chunked) over client_max_body_size: 413", async () => {
    const s = session();
    async function* pieces() {
      for (let i = 0; i < 64; i++) yield patternBytes(4096);
    }
    const res = await s.post(`${base}/echo`, { body: pieces() });
    expect(res.status).toBe(413);
    await res.dump();
  });

  it("Expect: 100-continue: nginx's 100 releases the body; over the limit the 413 comes instead", async () => {
    const s = session();
    const statuses: number[] = [];
    const body = patternBytes(8000);
    const res = await s.post(`${base}/echo`, {
      body,
      expectContinue: 5000,
      onInformational: (status) => statuses.push(status),
    });
    expect(await res.text()).toBe(`POST 8000 ${sha256(body)}`);
    expect(statuses).toEqual([100]);
    const refused: number[] = [];
    const over = await s.post(`${base}/echo`, {
      body: patternBytes(64 * 1024),
      expectContinue: 5000,
      onInformational: (status) => refused.push(status),
    });
    expect(over.status).toBe(413);
    expect(refused).toEqual([]);
    await over.dump();
  });

  it("a chunked, streamed response through proxy_pass arrives whole, by the session and by fetch", async () => {
    const s = session();
    const res = await s.get(`${base}/stream`);
    expect(res.headers.get("transfer-encoding")).toBe("chunked");
    expect(res.headers.get("content-length")).toBeNull();
    let text = "";
    for await (const piece of res) text += Buffer.from(piece).toString();
    expect(text).toBe(STREAMED);
    const fetched = await createFetch(s)(`${base}/stream`);
    expect(await fetched.text()).toBe(STREAMED);
  });

  it("a 64 MiB upload refused with 413 at once: the client stops sending it", async () => {
    const s = session();
    const upload = pacedUpload();
    const res = await s.post(`${base}/echo`, {
      body: upload.body,
      headers: { "content-length": String(64 * 1024 * 1024) },
    });
    expect(res.status).toBe(413);
    // RFC 9112 §9.5: an error answer that closes the connection stops the upload at once,
    // not only when its body has been read and the connection dropped.
    await expectUploadStopped(upload);
    await res.dump();
  });

  it("307 replays the POST body to the new location; 303 turns it into a GET", async () => {
    const s = session();
    const body = patternBytes(5000);
    const kept = await s.post(`${base}/temporary`, { body });
    expect(kept.url).toBe(`${base}/echo`);
    expect(await kept.text()).toBe(`POST 5000 ${sha256(body)}`);
    const seeOther = await s.post(`${base}/see-other`, { body });
    expect(seeOther.url).toBe(`${base}/files/1.bin`);
    expect((await seeOther.bytes()).length).toBe(1);
  });

  it("204 without a body keeps the connection; cookies set by nginx come back", async () => {
    const s = session();
    const empty = await s.get(`${base}/empty`);
    expect(empty.status).toBe(204);
    expect((await empty.bytes()).length).toBe(0);
    const first = await s.get(`${base}/cookies`);
    expect(first.headers.getSetCookie()).toEqual(["a=1; Path=/", "b=2; Path=/"]);
    expect(first.timings.reused).toBe(true);
    await first.dump();
    expect(await (await s.get(`${base}/cookies`)).text()).toBe("cookie: a=1; b=2");
  });

  it("trailers after a chunked body (add_trailer), on HTTP/1.1 and HTTP/2", async () => {
    for (const [url, options] of [
      [`${base}/trailers`, {}],
      [`${secure}/trailers`, { tls: { ca: certs.ca } }],
    ] as const) {
      const s = session(options);
      const res = await s.get(url, { headers: { te: "trailers" } });
      expect(await res.text()).toBe(STREAMED);
      expect(res.trailers?.get("x-checksum")).toBe("done");
    }
  });

  it("a POST on a connection nginx closed while idle (keepalive_timeout 1s) is sent on a new one", async () => {
    const s = session();
    const first = await s.get(`${base}/idle/1.bin`);
    await first.dump();
    await new Promise((resolve) => setTimeout(resolve, 1300));
    const body = patternBytes(3000);
    const res = await s.post(`${base}/echo`, { body });
    expect(await res.text()).toBe(`POST 3000 ${sha256(body)}`);
    expect(res.timings.reused).toBe(false);
  });

  it("a body that ends when nginx closes (chunked_transfer_encoding off) is read whole", async () => {
    const s = session();
    const res = await s.get(`${base}/until-close`);
    expect(res.headers.get("transfer-encoding")).toBeNull();
    expect(res.headers.get("content-length")).toBeNull();
    expect(await res.text()).toBe(STREAMED);
    const next = await s.get(`${base}/files/1.bin`);
    expect(next.timings.reused).toBe(false);
    await next.dump();
  });

  it("WebDAV PUT (fixed and chunked), GET back byte for byte, DELETE", async () => {
    for (const [url, options] of [
      [base, {}],
      [secure, { tls: { ca: certs.ca } }],
    ] as const) {
      const s = session(options);
      const body = patternBytes(1024 * 1024 + 7);
      const put = await s.put(`${url}/dav/a/b/file.bin`, { body });
      expect(put.status).toBe(201);
      await put.dump();
      async function* pieces() {
        for (let i = 0; i < 10; i++) yield body.subarray(i * 1000, (i + 1) * 1000);
      }
      const chunked = await s.put(`${url}/dav/chunked.bin`, { body: pieces() });
      expect(chunked.status).toBe(201);
      await chunked.dump();
      expect(sha256(await (await s.get(`${url}/dav/a/b/file.bin`)).bytes())).toBe(sha256(body));
      expect(sha256(await (await s.get(`${url}/dav/chunked.bin`)).bytes())).toBe(
        sha256(body.subarray(0, 10_000)),
      );
      const replaced = await s.put(`${url}/dav/chunked.bin`, { body: "x" });
      expect(replaced.status).toBe(204);
      await replaced.dump();
      for (const path of ["a/b/file.bin", "chunked.bin"]) {
        const gone = await s.delete(`${url}/dav/${path}`);
        expect(gone.status).toBe(204);
        await gone.dump();
      }
      const missing = await s.get(`${url}/dav/chunked.bin`);
      expect(missing.status).toBe(404);
      await missing.dump();
    }
  });

  it("HEAD of a proxied chunked answer has no body; a path with a space, non-ASCII and # is percent-encoded", async () => {
    const s = session();
    const head = await s.head(`${base}/stream`);
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    const next = await s.get(`${base}/files/1.bin`);
    expect(next.status).toBe(200);
    await next.dump();
    const named = await s.get(`${base}/files/${encodeURIComponent("ä b#1.txt")}`);
    expect(await named.text()).toBe("unusual name");
    const literal = await s.get(`${base}/files/ä b%231.txt`);
    expect(literal.status).toBe(200);
    expect(await literal.text()).toBe("unusual name");
  });

  it("HTTPS: HTTP/2 negotiated by default, all files right, concurrent streams on one connection", async () => {
    const s = session({ tls: { ca: certs.ca } });
    const results = await Promise.all(
      Object.entries(SIZES).flatMap(([name, size]) =>
        [0, 1].map(async () => {
          const res = await s.get(`${secure}/files/${name}`);
          const bytes = await res.bytes();
          return {
            version: res.httpVersion,
            connection: res.headers.get("x-connection"),
            same: bytes.length === size && sha256(bytes) === sha256(patternBytes(size)),
          };
        }),
      ),
    );
    expect(results.map((r) => r.version)).toEqual(results.map(() => "2"));
    expect(results.every((r) => r.same)).toBe(true);
    expect(new Set(results.map((r) => r.connection)).size).toBe(1);
  });

  it("HTTPS over HTTP/2: gzip, 304, Range, redirect, upload, streamed body and 413", async () => {
    const s = session({ tls: { ca: certs.ca } });
    const gz = await s.get(`${secure}/gz/play.txt`);
    expect(gz.httpVersion).toBe("2");
    expect(await gz.text()).toBe(TEXT);
    const first = await s.get(`${secure}/files/16k.bin`);
    await first.dump();
    const etag = first.headers.get("etag")!;
    const cached = await s.get(`${secure}/files/16k.bin`, { headers: { "if-none-match": etag } });
    expect(cached.status).toBe(304);
    await cached.dump();
    const range = await s.get(`${secure}/files/1m.bin`, { headers: { range: "bytes=10-19" } });
    expect(range.status).toBe(206);
    expect(sha256(await range.bytes())).toBe(sha256(patternBytes(20).subarray(10)));
    const moved = await s.get(`${secure}/moved`);
    expect(moved.url).toBe(`${secure}/files/16k.bin`);
    await moved.dump();
    const body = patternBytes(12_345);
    const statuses: number[] = [];
    const echoed = await s.post(`${secure}/echo`, {
      body,
      expectContinue: 5000,
      onInformational: (status) => statuses.push(status),
    });
    expect(await echoed.text()).toBe(`POST 12345 ${sha256(body)}`);
    // On HTTP/2 expectContinue is documented to send the body at once, without Expect: no 100.
    const held = await s.post(`${secure}/echo`, {
      body: patternBytes(50_000),
      expectContinue: 5000,
      onInformational: (status) => statuses.push(status),
    });
    expect(held.status).toBe(413);
    expect(statuses).toEqual([]);
    await held.dump();
    const stream = await s.get(`${secure}/stream`);
    expect(await stream.text()).toBe(STREAMED);
    const tooBig = await s.post(`${secure}/echo`, { body: patternBytes(100_000) });
    expect(tooBig.status).toBe(413);
    await tooBig.dump();
    const after = await s.get(`${secure}/files/1.bin`);
    expect(after.httpVersion).toBe("2");
    await after.dump();
  });

  it("HTTP/2: a 3 MiB upload through nginx's flow control; 413 stops a streamed one over the limit", async () => {
    const s = session({ tls: { ca: certs.ca } });
    const body = patternBytes(3 * 1024 * 1024);
    const res = await s.post(`${secure}/echo-big`, { body });
    expect(res.httpVersion).toBe("2");
    expect(await res.text()).toBe(`POST ${body.length} ${sha256(body)}`);
    // A complete response before the request's end, then RST_STREAM(NO_ERROR): the response stands (RFC 9113 §8.1).
    const upload = pacedUpload();
    const over = await s.post(`${secure}/echo`, { body: upload.body });
    expect(over.status).toBe(413);
    await expectUploadStopped(upload);
    await over.dump();
    const after = await s.get(`${secure}/files/1.bin`);
    expect(after.status).toBe(200);
    await after.dump();
  });

  it("a 24 KB response header (CONTINUATION frames on h2) and 300 distinct request headers (HPACK eviction)", async () => {
    for (const [url, options] of [
      [base, {}],
      [secure, { tls: { ca: certs.ca } }],
    ] as const) {
      const s = session(options);
      const big = await s.get(`${url}/big-header`);
      for (let i = 0; i < 8; i++) expect(big.headers.get(`x-big-${i}`)).toBe(BIG_VALUE);
      await big.dump();
      for (let i = 0; i < 300; i++) {
        const value = `${i}-${"v".repeat(200 + (i % 50))}`;
        const res = await s.get(`${url}/big-header`, { headers: { "x-custom": value } });
        expect(res.headers.get("x-echo")).toBe(value);
        await res.dump();
      }
    }
  });

  it("HTTP/2: 12 downloads of 1 MiB cancelled after their first piece leave the connection's window whole", async () => {
    // Frames nginx sent before it saw our RST_STREAM still count against the
    // connection's window (RFC 9113 §6.9): lose track and later downloads stall.
    const s = session({ tls: { ca: certs.ca }, timeout: { body: 5000 } });
    const connections = new Set<string | null>();
    for (let i = 0; i < 12; i++) {
      const res = await s.get(`${secure}/files/1m.bin?cancel=${i}`);
      connections.add(res.headers.get("x-connection"));
      const reader = res[Symbol.asyncIterator]();
      await reader.next();
      await res.cancel();
    }
    const whole = await Promise.all(
      [0, 1, 2].map(async () => {
        const res = await s.get(`${secure}/files/1m.bin`);
        connections.add(res.headers.get("x-connection"));
        return sha256(await res.bytes());
      }),
    );
    expect(whole).toEqual(whole.map(() => sha256(patternBytes(1024 * 1024))));
    expect(connections.size).toBe(1);
  });

  it("followed redirects and fetch's manual mode against nginx's 301", async () => {
    const s = session();
    const fetch = createFetch(s);
    const followed = await fetch(`${base}/moved`);
    expect([followed.status, followed.redirected, followed.url]).toEqual([
      200,
      true,
      `${base}/files/16k.bin`,
    ]);
    await followed.arrayBuffer();
    // As Node's and Deno's fetch (documented): the 3xx itself, not a browser's opaque redirect.
    const manual = await fetch(`${base}/moved`, { redirect: "manual" });
    expect([manual.status, manual.headers.get("location")]).toEqual([301, `${base}/files/16k.bin`]);
    await manual.arrayBuffer();
  });

  it("HTTP/2 with keepalive_requests 3: nginx's GOAWAY leaves streams unprocessed, sent again until served", async () => {
    const s = session({ tls: { ca: certs.ca } });
    const results = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const res = await s.get(`${secureShort}/files/16k.bin?${i}`);
        const bytes = await res.bytes();
        return {
          version: res.httpVersion,
          connection: res.headers.get("x-connection"),
          same: sha256(bytes) === sha256(patternBytes(16 * 1024)),
        };
      }),
    );
    expect(results.every((r) => r.version === "2" && r.same)).toBe(true);
    const perConnection = new Map<string | null, number>();
    for (const r of results)
      perConnection.set(r.connection, (perConnection.get(r.connection) ?? 0) + 1);
    expect([...perConnection.values()].every((n) => n <= 3)).toBe(true);
  });

  it("HTTP/2 with http2_max_concurrent_streams 2: 20 requests at once, none refused, one connection", async () => {
    const s = session({ tls: { ca: certs.ca } });
    const results = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const res = await s.get(`${secureNarrow}/stream`);
        return [res.httpVersion, res.headers.get("x-connection"), await res.text()];
      }),
    );
    expect(results.every(([version, , text]) => version === "2" && text === STREAMED)).toBe(true);
    expect(new Set(results.map(([, connection]) => connection)).size).toBe(1);
  });

  it("HTTPS with http2: false: HTTP/1.1 over TLS, keepalive_requests honoured", async () => {
    const s = session({ tls: { ca: certs.ca }, http2: false });
    const ids = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const res = await s.get(`${secureShort}/files/16k.bin`);
      expect(res.httpVersion).toBe("1.1");
      expect((await res.bytes()).length).toBe(16 * 1024);
      ids.add(res.headers.get("x-connection")!);
    }
    expect(ids.size).toBe(2);
  });

  it("TLS: 1.3 by default and its session resumed on the next connection; 1.2 where that is all nginx speaks", async () => {
    const s = session({ tls: { ca: certs.ca }, http2: false });
    const tls: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await s.get(`${secureShort}/files/1.bin?resume`);
      tls.push(res.headers.get("x-tls")!);
      await res.dump();
    }
    // keepalive_requests 3: the fourth request is on a new connection, which resumes the session.
    expect(tls).toEqual(["TLSv1.3 . NONE", "TLSv1.3 . NONE", "TLSv1.3 . NONE", "TLSv1.3 r NONE"]);
    const old = session({ tls: { ca: certs.ca } });
    const res = await old.get(`${secureOld}/files/16k.bin`);
    expect([res.httpVersion, res.headers.get("x-tls")]).toEqual(["2", "TLSv1.2 . NONE"]);
    expect(sha256(await res.bytes())).toBe(sha256(patternBytes(16 * 1024)));
    // TLS 1.3 required by the client: the handshake fails as a TlsError.
    const strict = session({ tls: { ca: certs.ca, minVersion: "TLSv1.3" } });
    await expect(strict.get(`${secureOld}/files/1.bin`)).rejects.toBeInstanceOf(TlsError);
  });

  it("TLS client certificate (ssl_verify_client on): verified; without one, nginx's 400", async () => {
    const s = session({ tls: { ca: certs.ca, cert: certs.client.cert, key: certs.client.key } });
    const res = await s.get(`${secureMutual}/files/1.bin`);
    expect([res.status, res.httpVersion]).toEqual([200, "2"]);
    expect(res.headers.get("x-tls")).toMatch(/ SUCCESS$/);
    await res.dump();
    const anonymous = session({ tls: { ca: certs.ca } });
    const refused = await anonymous.get(`${secureMutual}/files/1.bin`);
    expect(refused.status).toBe(400);
    await refused.dump();
  });

  it("WebSocket through nginx's proxy, ws: and wss:", async () => {
    const s = session({ tls: { ca: certs.ca } });
    for (const url of [
      `${base.replace("http", "ws")}/ws`,
      `${secure.replace("https", "wss")}/ws`,
    ]) {
      const ws = await s.websocket(url);
      const messages = ws[Symbol.asyncIterator]();
      expect((await messages.next()).value).toBe("hello /ws");
      await ws.send("ping");
      expect((await messages.next()).value).toBe("ping");
      const binary = patternBytes(70_000);
      await ws.send(binary);
      expect(sha256((await messages.next()).value as Uint8Array)).toBe(sha256(binary));
      await ws.close();
    }
    // permessage-deflate and a subprotocol pass through nginx; the backend's close code comes back.
    const ws = await s.websocket(`${base.replace("http", "ws")}/ws`, { protocols: ["chat"] });
    expect(ws.protocol).toBe("chat");
    expect(ws.extensions).toMatch(/^permessage-deflate/);
    const messages = ws[Symbol.asyncIterator]();
    await messages.next();
    const text = TEXT.repeat(10);
    await ws.send(text);
    expect((await messages.next()).value).toBe(text);
    await ws.send("bye");
    const closed = await ws.closed;
    expect([closed.code, closed.reason]).toEqual([4001, "as asked"]);
  });
});
