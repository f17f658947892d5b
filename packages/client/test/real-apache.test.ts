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
  sha256,
  startServer,
} from "./real-servers.ts";
import { eventually } from "./servers.ts";

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

  /**
   * The access-log lines holding `tag`, once there are `count` of them (Apache
   * logs a request after answering it): the client port (one per connection)
   * and `%k`, the keep-alive requests the connection carried before.
   */
  async function logged(
    tag: string,
    count: number,
  ): Promise<{ port: string; before: number; line: string }[]> {
    const lines = () =>
      server
        .read("access.log")
        .split("\n")
        .filter((line) => line.includes(tag));
    await eventually(() => lines().length >= count, 5000);
    return lines().map((line) => {
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
    // Apache's own formats, made here: {SHA} for Basic, htdigest's MD5 of user:realm:password.
    const sha1 = createHash("sha1").update("pa ss").digest("base64");
    writeFileSync(join(dir, "htpasswd"), `ada:{SHA}${sha1}\n`, { mode: 0o644 });
    const ha1 = createHash("md5").update("ada:reqivo:pa ss").digest("hex");
    writeFileSync(join(dir, "htdigest"), `ada:reqivo:${ha1}\n`, { mode: 0o644 });
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
      "auth_basic",
      "auth_digest",
      "authn_core",
      "authn_file",
      "authz_user",
      "brotli",
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
<Location /br/>
  SetOutputFilter BROTLI_COMPRESS
</Location>
Alias /br/ ${www}/
# The server decides to close: Connection: close on the answer.
SetEnvIf Request_URI "^/closing/" nokeepalive
Alias /closing/ ${www}/
<Location /echo-header/>
  Header set x-echo "expr=%{req:x-custom}"
</Location>
Alias /echo-header/ ${www}/
Alias /basic/ ${www}/
<Location /basic/>
  AuthType Basic
  AuthName "reqivo"
  AuthBasicProvider file
  AuthUserFile ${dir}/htpasswd
  Require valid-user
</Location>
Alias /digest/ ${www}/
<Location /digest/>
  AuthType Digest
  AuthName "reqivo"
  AuthDigestDomain /digest/
  AuthDigestProvider file
  AuthUserFile ${dir}/htdigest
  Require valid-user
</Location>
Alias /hinted/ ${www}/
<Location /hinted/>
  H2PushResource /16k.bin
  H2EarlyHint Link "</16k.bin>;rel=preload"
</Location>
H2EarlyHints on
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
    const s = session();
    for (let i = 0; i < 12; i++) {
      const res = await s.get(`${base}/16k.bin?sequential`);
      expect(res.timings.retries).toBe(0);
      // The first answer after the first request's makes three kept alive: the fourth says close.
      expect(connectionTokens(res).includes("close")).toBe(i % 4 === 3);
      expect(sha256(await res.bytes())).toBe(sha256(patternBytes(16 * 1024)));
    }
    const lines = await logged("?sequential", 12);
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

  it("mod_deflate and mod_brotli: gzip and br decoded to the same text; HEAD of either has no body", async () => {
    const s = session();
    for (const [path, coding] of [
      ["gz", "gzip"],
      ["br", "br"],
    ]) {
      const res = await s.get(`${base}/${path}/play.txt`);
      expect(res.headers.get("content-encoding")).toBe(coding);
      expect(await res.text()).toBe(TEXT);
      const head = await s.head(`${base}/${path}/play.txt`);
      expect(head.status).toBe(200);
      expect(await head.text()).toBe("");
      const big = await s.get(`${base}/${path}/1m.bin`);
      expect(sha256(await big.bytes())).toBe(sha256(patternBytes(1024 * 1024)));
    }
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
    const s = session();
    const asked = await s.get(`${base}/16k.bin?closing`, { headers: { connection: "close" } });
    expect(connectionTokens(asked)).toContain("close");
    await asked.dump();
    const closing = await s.get(`${base}/closing/16k.bin?closing`);
    expect(connectionTokens(closing)).toContain("close");
    expect(closing.timings.reused).toBe(false);
    expect((await closing.bytes()).length).toBe(16 * 1024);
    const next = await s.get(`${base}/16k.bin?closing`);
    expect(next.timings.reused).toBe(false);
    await next.dump();
    const lines = await logged("?closing", 3);
    expect(lines.map((l) => l.before)).toEqual([0, 0, 0]);
    expect(new Set(lines.map((l) => l.port)).size).toBe(3);
  });

  it("Basic and Digest (mod_auth_digest, MD5, qop=auth) credentials; a wrong password stays 401", async () => {
    const s = session();
    const basic = await s.get(`${base}/basic/16k.bin`, {
      auth: { basic: { username: "ada", password: "pa ss" } },
    });
    expect(basic.status).toBe(200);
    await basic.dump();
    const anonymous = await s.get(`${base}/basic/16k.bin`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toBe('Basic realm="reqivo"');
    await anonymous.dump();
    const digest = session({ auth: { digest: { username: "ada", password: "pa ss" } } });
    for (const name of ["16k.bin", "play.txt"]) {
      const res = await digest.get(`${base}/digest/${name}`);
      expect(res.status).toBe(200);
      await res.dump();
    }
    const posted = await digest.get(`${base}/digest/1m.bin`, { headers: { range: "bytes=0-9" } });
    expect(posted.status).toBe(206);
    await posted.dump();
    const wrong = await s.get(`${base}/digest/16k.bin`, {
      auth: { digest: { username: "ada", password: "nope" } },
    });
    expect(wrong.status).toBe(401);
    await wrong.dump();
  });

  it("several ranges: 206 multipart/byteranges with each slice", async () => {
    const s = session();
    const res = await s.get(`${base}/1m.bin`, { headers: { range: "bytes=0-9,1000-1009" } });
    expect(res.status).toBe(206);
    const type = res.headers.get("content-type") ?? "";
    expect(type).toMatch(/^multipart\/byteranges; boundary=/);
    const body = Buffer.from(await res.bytes());
    const whole = patternBytes(2000);
    expect(body.includes(whole.subarray(0, 10))).toBe(true);
    expect(body.includes(whole.subarray(1000, 1010))).toBe(true);
    expect(body.toString("latin1")).toMatch(/content-range: bytes 1000-1009\/1048576/i);
  });

  it("h2c by prior knowledge on the cleartext port", async () => {
    const s = session({ http2: { priorKnowledge: true } });
    const res = await s.get(`${base}/16k.bin?h2c`);
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
    // On HTTP/2 expectContinue is documented to send the body at once, without Expect: no 100.
    expect(statuses).toEqual([]);
    const gz = await s.get(`${secure}/gz/play.txt`);
    expect(await gz.text()).toBe(TEXT);
    const tooBig = await s.post(`${secure}/cgi/echo`, { body: patternBytes(100_000) });
    expect(tooBig.status).toBe(413);
    await tooBig.dump();
  });

  it("HTTPS over h2: 103 Early Hints reach onInformational; the connection goes on (no push to a client refusing them)", async () => {
    const s = session({ tls: { ca: certs.ca } });
    const hints: [number, string | null][] = [];
    const res = await s.get(`${secure}/hinted/play.txt`, {
      onInformational: (status, headers) => hints.push([status, headers.get("link")]),
    });
    expect(res.httpVersion).toBe("2");
    expect(await res.text()).toBe(TEXT);
    expect(hints.map(([status]) => status)).toEqual([103]);
    // H2PushResource's link and H2EarlyHint's, joined.
    expect(hints[0]?.[1]).toMatch(/^<\/16k\.bin>; ?rel=preload/);
    // H2PushResource pushes nothing to a client whose SETTINGS refuse pushes: a PUSH_PROMISE
    // would be a connection error, and the next request on the connection would fail.
    const next = await s.get(`${secure}/16k.bin?after-hints`);
    expect(next.timings.reused).toBe(true);
    expect(sha256(await next.bytes())).toBe(sha256(patternBytes(16 * 1024)));
  });

  it("Digest over h2", async () => {
    const s = session({
      tls: { ca: certs.ca },
      auth: { digest: { username: "ada", password: "pa ss" } },
    });
    const res = await s.get(`${secure}/digest/16k.bin`);
    expect([res.httpVersion, res.status]).toEqual(["2", 200]);
    await res.dump();
  });

  it("h2: 300 answers whose header values vary (nghttp2 indexes them: HPACK table evictions)", async () => {
    const s = session({ tls: { ca: certs.ca } });
    for (let i = 0; i < 300; i++) {
      const value = `${i}-${"v".repeat(200 + (i % 50))}`;
      const res = await s.get(`${secure}/echo-header/1m.bin`, {
        headers: { "x-custom": value, range: "bytes=0-0" },
      });
      expect([res.httpVersion, res.headers.get("x-echo")]).toEqual(["2", value]);
      await res.dump();
    }
  });

  it("HTTPS with http2: false stays on HTTP/1.1", async () => {
    const s = session({ tls: { ca: certs.ca }, http2: false });
    const res = await s.get(`${secure}/16k.bin`);
    expect(res.httpVersion).toBe("1.1");
    expect((await res.bytes()).length).toBe(16 * 1024);
  });
});
