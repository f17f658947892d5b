/**
 * The networking options on the built binary: --proxy/--no-proxy through a
 * local HTTP proxy (forwarding and CONNECT), the TLS options against node:https
 * servers with test certificates, --unix-socket, and --resolve to made-up names.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import { generateTestCertificates, type TestCertificates } from "@reqivo/transport/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import {
  httpProxy,
  type KitServer,
  type ProxySeen,
} from "../../../packages/client/test/proxy-kit.ts";
import { run, startServer, type TestServer } from "./helpers.ts";

type Proxy = KitServer & { seen: ProxySeen[] };

/** What every server here answers: enough of the request to check it arrived as meant. */
function describeRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
  const socket = req.socket as Partial<TLSSocket>;
  const peer = socket.getPeerCertificate?.();
  res.writeHead(200, { "content-type": "application/json" });
  res.end(
    JSON.stringify({
      path: req.url,
      host: req.headers.host,
      tls: socket.getProtocol?.() ?? null,
      clientCertificate: peer?.subject?.CN ?? null,
    }),
  );
}

let dir: string;
let certs: TestCertificates;
const file = (name: string) => join(dir, name);
let plain: TestServer;
let proxy: Proxy;
const closers: (() => Promise<void>)[] = [];

async function httpsServer(options: https.ServerOptions): Promise<number> {
  const server = https.createServer(options, describeRequest);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "reqivo-cli-net-"));
  certs = await generateTestCertificates();
  writeFileSync(file("ca.pem"), certs.ca);
  writeFileSync(file("client.pem"), certs.client.cert);
  writeFileSync(file("client-key.pem"), certs.client.key);
  writeFileSync(file("client-both.pem"), `${certs.client.cert}\n${certs.client.key}`);
  plain = await startServer(describeRequest);
  proxy = await httpProxy();
});

afterAll(async () => {
  await Promise.all([plain.close(), proxy.close(), ...closers.map((close) => close())]);
  rmSync(dir, { recursive: true, force: true });
});

function answer(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout.slice(stdout.indexOf("{"))) as Record<string, unknown>;
}

describe("--proxy", () => {
  it("forwards an http: request to the proxy in absolute form", async () => {
    const before = proxy.seen.length;
    const r = await run(["-b", "--proxy", proxy.url, `${plain.origin}/forwarded`]);
    expect(r.code).toBe(0);
    expect(answer(r.stdout).path).toBe("/forwarded");
    expect(proxy.seen.slice(before).map((s) => s.line)).toEqual([
      `GET ${plain.origin}/forwarded HTTP/1.1`,
    ]);
  });

  it("tunnels https: through CONNECT, the origin's certificate checked with --cacert", async () => {
    const port = await httpsServer(certs.server);
    const before = proxy.seen.length;
    const r = await run([
      "-b",
      "--proxy",
      proxy.url,
      "--cacert",
      file("ca.pem"),
      `https://localhost:${port}/tunnelled`,
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(answer(r.stdout)).toMatchObject({ path: "/tunnelled", tls: "TLSv1.3" });
    expect(proxy.seen.slice(before).map((s) => s.line)).toEqual([
      `CONNECT localhost:${port} HTTP/1.1`,
    ]);
  });

  it("env reads HTTP_PROXY; without --proxy the environment is not used; --no-proxy wins", async () => {
    const env = {
      HTTP_PROXY: proxy.url,
      http_proxy: undefined,
      NO_PROXY: undefined,
      no_proxy: undefined,
    };
    const before = proxy.seen.length;
    const viaEnv = await run(["-b", "--proxy", "env", `${plain.origin}/env`], { env });
    expect(viaEnv.code).toBe(0);
    expect(proxy.seen.length).toBe(before + 1);
    for (const args of [[], ["--proxy", proxy.url, "--no-proxy"]]) {
      const direct = await run(["-b", ...args, `${plain.origin}/direct`], { env });
      expect(direct.code).toBe(0);
      expect(answer(direct.stdout).path).toBe("/direct");
    }
    expect(proxy.seen.length).toBe(before + 1);
  });

  it("--ws goes through a CONNECT tunnel", async () => {
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
    const port = (wss.address() as AddressInfo).port;
    wss.on("connection", (socket) => socket.on("message", (data) => socket.send(`echo: ${data}`)));
    const before = proxy.seen.length;
    try {
      const r = await run(["--ws", `ws://127.0.0.1:${port}/`, "--proxy", proxy.url], {
        input: "hi\n",
      });
      expect(r.code).toBe(0);
      expect(r.stdout).toBe("echo: hi\n");
      expect(proxy.seen.slice(before).map((s) => s.line)).toEqual([
        `CONNECT 127.0.0.1:${port} HTTP/1.1`,
      ]);
    } finally {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    }
  });
});

describe("TLS options", () => {
  it("--cacert trusts the test CA; without it the certificate is refused", async () => {
    const port = await httpsServer(certs.server);
    const url = `https://localhost:${port}/tls`;
    const trusted = await run(["-b", "--cacert", file("ca.pem"), url]);
    expect(trusted.code).toBe(0);
    expect(answer(trusted.stdout)).toMatchObject({ path: "/tls", tls: "TLSv1.3" });
    const refused = await run(["-b", url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^reqivo: error TLS_CERTIFICATE_INVALID: /);
  });

  it("--insecure accepts an untrusted certificate and warns", async () => {
    const port = await httpsServer(certs.untrusted);
    const r = await run(["-b", "-k", `https://localhost:${port}/insecure`]);
    expect(r.code).toBe(0);
    expect(answer(r.stdout).path).toBe("/insecure");
    expect(r.stderr).toBe(
      "reqivo: warning: TLS certificate verification is off (tls.rejectUnauthorized: false): " +
        "anyone on the path can read and change this session's HTTPS traffic. Use it in tests only.\n",
    );
  });

  it("--pin: one matching pin among several passes, none matching fails before sending", async () => {
    const port = await httpsServer(certs.server);
    const url = `https://localhost:${port}/pinned`;
    const wrong = "sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    const ca = ["--cacert", file("ca.pem")];
    const ok = await run(["-b", ...ca, "--pin", wrong, "--pin", certs.serverPin, url]);
    expect(ok.code).toBe(0);
    expect(answer(ok.stdout).path).toBe("/pinned");
    const refused = await run(["-b", ...ca, "--pin", wrong, url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^reqivo: error TLS_PIN_MISMATCH: .*sha256\//);
    expect(refused.stdout).toBe("");
  });

  it("--tls-min TLSv1.3 refuses a TLS 1.2 server; TLSv1.2 talks to it", async () => {
    const port = await httpsServer({ ...certs.server, maxVersion: "TLSv1.2" });
    const url = `https://localhost:${port}/old`;
    const ca = ["--cacert", file("ca.pem")];
    const refused = await run(["-b", ...ca, "--tls-min", "TLSv1.3", url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^reqivo: error TLS_HANDSHAKE_FAILED: /);
    const ok = await run(["-b", ...ca, "--tls-min", "1.2", url]);
    expect(ok.code).toBe(0);
    expect(answer(ok.stdout).tls).toBe("TLSv1.2");
  });

  it("--cert/--key (or one file holding both) authenticate to a server that requires it", async () => {
    const port = await httpsServer({
      ...certs.server,
      ca: certs.ca,
      requestCert: true,
      rejectUnauthorized: true,
    });
    const url = `https://localhost:${port}/mtls`;
    const ca = ["--cacert", file("ca.pem")];
    const pair = ["--cert", file("client.pem"), "--key", file("client-key.pem")];
    for (const given of [pair, ["--cert", file("client-both.pem")]]) {
      const r = await run(["-b", ...ca, ...given, url]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(answer(r.stdout).clientCertificate).toEqual(expect.any(String));
    }
    const without = await run(["-b", ...ca, url]);
    expect(without.code).toBe(1);
    expect(without.stderr).toMatch(/^reqivo: error [A-Z_]+: /);
  });

  it("a certificate file that cannot be read is a file error", async () => {
    const r = await run(["--cacert", file("missing.pem"), "https://localhost:1/"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^reqivo: error ENOENT: --cacert: cannot read .*missing\.pem/);
  });
});

describe("--unix-socket", () => {
  it("sends the request over the socket, Host from the URL", async () => {
    const path = file("app.sock");
    const server = http.createServer(describeRequest);
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      const r = await run(["-b", "--unix-socket", path, ":/over/socket?x=1"]);
      expect(r.code).toBe(0);
      expect(answer(r.stdout)).toMatchObject({ path: "/over/socket?x=1", host: "localhost" });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe("--resolve", () => {
  it("answers a made-up name with the given address; Host keeps the name", async () => {
    const r = await run([
      "-b",
      "--resolve",
      "api.reqivo.test:127.0.0.1",
      `http://API.reqivo.test:${plain.port}/resolved`,
    ]);
    expect(r.code).toBe(0);
    expect(answer(r.stdout)).toMatchObject({
      path: "/resolved",
      host: `api.reqivo.test:${plain.port}`,
    });
  });

  it("TLS checks the certificate against the name, not the address", async () => {
    const port = await httpsServer(certs.named);
    const r = await run([
      "-b",
      "--cacert",
      file("ca.pem"),
      "--resolve",
      "sni.test:127.0.0.1",
      `https://sni.test:${port}/named`,
    ]);
    expect(r.code).toBe(0);
    expect(answer(r.stdout)).toMatchObject({ path: "/named", host: `sni.test:${port}` });
  });

  it("works for --ws too", async () => {
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
    const port = (wss.address() as AddressInfo).port;
    wss.on("connection", (socket, req) => socket.send(`host ${req.headers.host}`));
    try {
      const r = await run(
        ["--ws", `chat.reqivo.test:${port}`, "--resolve", "chat.reqivo.test:127.0.0.1"],
        {
          input: "",
        },
      );
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`host chat.reqivo.test:${port}\n`);
    } finally {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    }
  });
});

describe("usage errors", () => {
  it.each([
    [["--resolve", "no-address", "x.test"], /--resolve takes HOST:ADDRESS/],
    [["--resolve", "x.test:not-an-ip", "x.test"], /--resolve takes HOST:ADDRESS/],
    [["--resolve", ":127.0.0.1", "x.test"], /--resolve takes HOST:ADDRESS/],
    [["--tls-min", "TLSv1.1", "x.test"], /--tls-min must be TLSv1.2 or TLSv1.3/],
    [["--key", "k.pem", "x.test"], /--key goes with --cert/],
    [["--unix-socket", "/s", "--proxy", "http://p:1", "x.test"], /cannot be used together/],
    [["--proxy", "", "x.test"], /--proxy needs a URL/],
    [["--proxy", "ftp://p:1", "http://x.test/"], /proxy/i],
  ])("%j", async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/^reqivo: error (USAGE|INVALID_REQUEST): /);
    expect(r.stderr).toMatch(message);
  });

  it("--cert without --key needs a file holding the key", async () => {
    const r = await run(["--cert", file("client.pem"), "https://localhost:1/"]);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/^reqivo: error USAGE: --cert needs --key/);
  });
});
