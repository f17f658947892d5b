// The client against a real Apache httpd (Debian's apache2), when installed:
// one instance (mpm_event, workers as nobody) on free loopback ports:
// cleartext HTTP/1.1 (and h2c by prior knowledge), and TLS with h2 offered by
// mod_http2. MaxKeepAliveRequests 3, CGI scripts (mod_cgid) that stream
// chunked answers and read uploads (100 Continue), mod_deflate, a body limit,
// and connections Apache closes itself.
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateTestCertificates, type TestCertificates } from "@reqivo/transport/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { session } from "./harness.ts";
import { freePort } from "./proxy-kit.ts";
import {
  patternBytes,
  type RealServer,
  requireProgram,
  serverDir,
  startServer,
} from "./real-servers.ts";

const apache = requireProgram("apache2", "apache2");
const MODULES = "/usr/lib/apache2/modules";

const TEXT = "To be, or not to be, that is the question.\n".repeat(600);
const STREAM_PIECES = 8;
const STREAMED = Array.from({ length: STREAM_PIECES }, (_, i) => `piece ${i}\n`).join("");

/** The Connection header's tokens, lower-cased (Apache adds `Upgrade` where it offers h2c). */
function connectionTokens(res: { headers: { get(name: string): string | null } }): string[] {
  return (res.headers.get("connection") ?? "")
    .toLowerCase()
    .split(/\s*,\s*/)
    .filter(Boolean);
}

function sha256(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Writes an executable CGI script (sh) into `dir`. */
function script(dir: string, name: string, body: string): void {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}

describe.skipIf(apache === undefined)("against Apache httpd", () => {
  let server: RealServer;
  let certs: TestCertificates;
  let base: string;
  let secure: string;
  let dir: string;

  /** Access-log lines since the last call: the client port (one per connection) and `%k`, keep-alive requests before this one. */
  let logRead = 0;
  function accessLog(): { port: string; before: number; line: string }[] {
    const text = server.read("access.log");
    const lines = text.slice(logRead).split("\n").filter(Boolean);
    logRead = text.length;
    return lines.map((line) => {
      const [port = "", before = "0"] = line.split(" ");
      return { port, before: Number(before), line };
    });
  }

  beforeAll(async () => {
    certs = await generateTestCertificates();
    const [plain, tls] = [await freePort(), await freePort()];
    base = `http://127.0.0.1:${plain}`;
    secure = `https://localhost:${tls}`;
    dir = serverDir("apache");
    const www = join(dir, "www");
    const cgi = join(dir, "cgi");
    mkdirSync(www);
    mkdirSync(cgi);
    chmodSync(www, 0o755);
    chmodSync(cgi, 0o755);
    writeFileSync(join(www, "16k.bin"), patternBytes(16 * 1024));
    writeFileSync(join(www, "1m.bin"), patternBytes(1024 * 1024));
    writeFileSync(join(www, "play.txt"), TEXT);
    writeFileSync(join(dir, "server.crt"), certs.server.cert);
    writeFileSync(join(dir, "server.key"), certs.server.key);
    // No Content-Length from a CGI that writes as it goes: Apache answers HTTP/1.1 chunked.
    script(
      cgi,
      "stream",
      `printf 'Content-Type: text/plain\\r\\n\\r\\n'
i=0; while [ $i -lt ${STREAM_PIECES} ]; do echo "piece $i"; sleep 0.01; i=$((i+1)); done`,
    );
    script(
      cgi,
      "big",
      `printf 'Content-Type: application/octet-stream\\r\\n\\r\\n'; cat ${www}/1m.bin`,
    );
    // Reading stdin is what makes Apache send 100 Continue.
    script(cgi, "echo", `printf 'Content-Type: text/plain\\r\\n\\r\\n'; sha256sum | cut -d' ' -f1`);
    const modules = [
      "mpm_event",
      "authz_core",
      "mime",
      "cgid",
      "alias",
      "deflate",
      "filter",
      "headers",
      "setenvif",
      "ssl",
      "http2",
      "socache_shmcb",
    ]
      .map((name) => `LoadModule ${name}_module ${MODULES}/mod_${name}.so`)
      .join("\n");
    const config = join(dir, "httpd.conf");
    writeFileSync(
      config,
      `ServerRoot ${dir}
ServerName localhost
${modules}
Listen 127.0.0.1:${plain}
Listen 127.0.0.1:${tls}
User nobody
Group nogroup
PidFile ${dir}/httpd.pid
ErrorLog ${dir}/error.log
LogLevel warn
LogFormat "%{remote}p %k \\"%r\\" %>s" conn
CustomLog ${dir}/access.log conn
DefaultRuntimeDir ${dir}
ScriptSock ${dir}/cgid.sock
TypesConfig /etc/mime.types
DocumentRoot ${www}
KeepAlive On
MaxKeepAliveRequests 3
KeepAliveTimeout 5
Protocols h2c http/1.1
<Directory ${www}>
  Require all granted
</Directory>
ScriptAlias /cgi/ ${cgi}/
<Directory ${cgi}>
  Require all granted
</Directory>
<Location /cgi/echo>
  LimitRequestBody 20000
</Location>
<Location /gz/>
  SetOutputFilter DEFLATE
</Location>
Alias /gz/ ${www}/
# The server decides to close: Connection: close on the answer.
SetEnvIf Request_URI "^/closing/" nokeepalive
Alias /closing/ ${www}/
SSLSessionCache shmcb:${dir}/ssl_scache(512000)
<VirtualHost 127.0.0.1:${tls}>
  SSLEngine on
  SSLCertificateFile ${dir}/server.crt
  SSLCertificateKeyFile ${dir}/server.key
  Protocols h2 http/1.1
</VirtualHost>
`,
    );
    server = await startServer(apache as string, ["-f", config, "-DFOREGROUND"], dir, [plain, tls]);
  });

  afterAll(async () => {
    await server?.stop();
  });

  it("MaxKeepAliveRequests 3: 12 sequential requests on exactly 3 connections of 4, none retried", async () => {
    accessLog();
    const s = session();
    for (let i = 0; i < 12; i++) {
      const res = await s.get(`${base}/16k.bin`);
      expect(res.timings.retries).toBe(0);
      // The first answer after the first request's makes three kept alive: the fourth says close.
      expect(connectionTokens(res).includes("close")).toBe(i % 4 === 3);
      expect(sha256(await res.bytes())).toBe(sha256(patternBytes(16 * 1024)));
    }
    const lines = accessLog();
    expect(lines.map((l) => l.before)).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]);
    expect(new Set(lines.map((l) => l.port)).size).toBe(3);
  });

  it("MaxKeepAliveRequests 3: 40 concurrent requests over at most 3 connections at a time", async () => {
    const s = session({ pool: { connections: 3 } });
    const sizes = await Promise.all(
      Array.from(
        { length: 40 },
        async () => (await (await s.get(`${base}/16k.bin`)).bytes()).length,
      ),
    );
    expect(sizes).toEqual(sizes.map(() => 16 * 1024));
  });

  it("a CGI that writes as it goes: chunked, read whole; 1 MiB chunked byte for byte", async () => {
    const s = session();
    const res = await s.get(`${base}/cgi/stream`);
    expect(res.headers.get("transfer-encoding")).toBe("chunked");
    expect(await res.text()).toBe(STREAMED);
    const big = await s.get(`${base}/cgi/big`);
    expect(big.headers.get("content-length")).toBeNull();
    expect(sha256(await big.bytes())).toBe(sha256(patternBytes(1024 * 1024)));
  });

  it("mod_deflate: gzip decoded to the same text", async () => {
    const s = session();
    const res = await s.get(`${base}/gz/play.txt`);
    expect(res.headers.get("content-encoding")).toBe("gzip");
    expect(await res.text()).toBe(TEXT);
  });

  it("Expect: 100-continue: Apache's 100 releases the body; over LimitRequestBody a 413 comes instead", async () => {
    const s = session();
    const statuses: number[] = [];
    const body = patternBytes(15_000);
    const res = await s.post(`${base}/cgi/echo`, {
      body,
      expectContinue: 5000,
      onInformational: (status) => statuses.push(status),
    });
    expect((await res.text()).trim()).toBe(sha256(body));
    expect(statuses).toEqual([100]);
    const refused: number[] = [];
    const over = await s.post(`${base}/cgi/echo`, {
      body: patternBytes(40_000),
      expectContinue: 5000,
      onInformational: (status) => refused.push(status),
    });
    expect(over.status).toBe(413);
    expect(refused).toEqual([]);
    await over.dump();
    // Without the expectation the whole body is refused as it goes up.
    const early = await s.post(`${base}/cgi/echo`, { body: patternBytes(300_000) });
    expect(early.status).toBe(413);
    await early.dump();
    const after = await s.post(`${base}/cgi/echo`, { body: "after" });
    expect((await after.text()).trim()).toBe(sha256("after"));
  });

  it("a chunked upload (a stream of pieces) reaches the CGI whole", async () => {
    const s = session();
    const piece = patternBytes(3000);
    async function* pieces() {
      for (let i = 0; i < 5; i++) yield piece;
    }
    const res = await s.post(`${base}/cgi/echo`, { body: pieces() });
    expect((await res.text()).trim()).toBe(sha256(Buffer.concat(Array(5).fill(piece))));
  });

  it("Connection: close, asked by the client or decided by Apache: the next request opens a new connection", async () => {
    accessLog();
    const s = session();
    const asked = await s.get(`${base}/16k.bin`, { headers: { connection: "close" } });
    expect(connectionTokens(asked)).toContain("close");
    await asked.dump();
    const closing = await s.get(`${base}/closing/16k.bin`);
    expect(connectionTokens(closing)).toContain("close");
    expect(closing.timings.reused).toBe(false);
    expect((await closing.bytes()).length).toBe(16 * 1024);
    const next = await s.get(`${base}/16k.bin`);
    expect(next.timings.reused).toBe(false);
    await next.dump();
    const lines = accessLog();
    expect(lines.map((l) => l.before)).toEqual([0, 0, 0]);
    expect(new Set(lines.map((l) => l.port)).size).toBe(3);
  });

  it("h2c by prior knowledge on the cleartext port", async () => {
    const s = session({ http2: { priorKnowledge: true } });
    const res = await s.get(`${base}/16k.bin`);
    expect(res.httpVersion).toBe("2");
    expect(sha256(await res.bytes())).toBe(sha256(patternBytes(16 * 1024)));
  });

  it("HTTPS: mod_http2 negotiates h2; files, a streamed CGI, an upload, gzip", async () => {
    const s = session({ tls: { ca: certs.ca } });
    const results = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const res = await s.get(`${secure}/1m.bin`);
        return [res.httpVersion, sha256(await res.bytes())];
      }),
    );
    expect(results).toEqual(results.map(() => ["2", sha256(patternBytes(1024 * 1024))]));
    const stream = await s.get(`${secure}/cgi/stream`);
    expect(stream.httpVersion).toBe("2");
    expect(await stream.text()).toBe(STREAMED);
    const body = patternBytes(12_000);
    const statuses: number[] = [];
    const echoed = await s.post(`${secure}/cgi/echo`, {
      body,
      expectContinue: 5000,
      onInformational: (status) => statuses.push(status),
    });
    expect((await echoed.text()).trim()).toBe(sha256(body));
    const gz = await s.get(`${secure}/gz/play.txt`);
    expect(await gz.text()).toBe(TEXT);
    const tooBig = await s.post(`${secure}/cgi/echo`, { body: patternBytes(100_000) });
    expect(tooBig.status).toBe(413);
    await tooBig.dump();
  });

  it("HTTPS with http2: false stays on HTTP/1.1", async () => {
    const s = session({ tls: { ca: certs.ca }, http2: false });
    const res = await s.get(`${secure}/16k.bin`);
    expect(res.httpVersion).toBe("1.1");
    expect((await res.bytes()).length).toBe(16 * 1024);
  });
});
