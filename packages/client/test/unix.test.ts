// Unix domain sockets on Node: `http+unix:`, `https+unix:`, `unix:` and
// `ws+unix:` URLs and the `socketPath` option, against node:http(s) and `ws`
// servers listening on sockets in temp dirs.
import { ConnectionRefusedError } from "@reqivo/transport";
import { describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { InvalidRequestError, RedirectError } from "../src/index.ts";
import { session } from "./harness.ts";
import { certs, unixHttpServer } from "./tls-servers.ts";

const socketUrl = (path: string, rest = "/", scheme = "http+unix") =>
  `${scheme}://${encodeURIComponent(path)}${rest}`;

describe("Unix domain sockets", () => {
  it("http+unix: URLs reach the socket with Host localhost, through the pool", async () => {
    const seen: string[] = [];
    const server = await unixHttpServer((req, res) => {
      seen.push(`${req.method} ${req.url} host=${req.headers.host}`);
      res.end(`ok ${req.url}`);
    });
    const s = session();
    const first = await s.get(socketUrl(server.path, "/v1/items?x=1"), { query: { y: 2 } });
    expect(await first.text()).toBe("ok /v1/items?x=1&y=2");
    expect(first.url).toBe("http://localhost/v1/items?x=1&y=2");
    const second = await s.post(socketUrl(server.path, "/v1/items"), { body: "b" });
    expect(second.timings.reused).toBe(true);
    await second.dump();
    expect(seen).toEqual(["GET /v1/items?x=1&y=2 host=localhost", "POST /v1/items host=localhost"]);
    expect(server.accepted).toBe(1);
    expect(Object.keys(s.poolStats())).toEqual([`http://localhost:80@${server.path}`]);
  });

  it("got's unix:/path:/request form and the socketPath option, per session and per request", async () => {
    const a = await unixHttpServer((req, res) => res.end(`a ${req.url}`));
    const b = await unixHttpServer((req, res) => res.end(`b ${req.url}`));
    const s = session({ socketPath: a.path });
    expect(await (await s.get(`unix:${b.path}:/got?q=1`)).text()).toBe("b /got?q=1");
    expect(await (await s.get("http://localhost/session")).text()).toBe("a /session");
    expect(await (await s.get("http://localhost/mine", { socketPath: b.path })).text()).toBe(
      "b /mine",
    );
    // Same origin, two sockets: two pool entries, never one connection for both.
    expect(Object.keys(s.poolStats()).sort()).toEqual(
      [`http://localhost:80@${a.path}`, `http://localhost:80@${b.path}`].sort(),
    );
    expect(a.accepted + b.accepted).toBe(2);
  });

  it("relative redirects stay on the socket, cookies come back to it, a base URL works", async () => {
    const server = await unixHttpServer((req, res) => {
      if (req.url === "/login") {
        res.writeHead(302, { location: "/home", "set-cookie": "sid=42; Path=/" }).end();
        return;
      }
      res.end(`${req.url} cookie=${req.headers.cookie ?? ""}`);
    });
    const s = session({ baseUrl: socketUrl(server.path, "/") });
    const res = await s.get("login");
    expect(await res.text()).toBe("/home cookie=sid=42");
    expect(res.url).toBe("http://localhost/home");
    expect(res.history.map((hop) => hop.url)).toEqual(["http://localhost/login"]);
    expect(server.accepted).toBe(1);
  });

  it("never follows a redirect onto another socket", async () => {
    const server = await unixHttpServer((_req, res) => {
      res.writeHead(302, { location: socketUrl("/var/run/docker.sock", "/x") }).end();
    });
    await expect(session().get(socketUrl(server.path, "/"))).rejects.toBeInstanceOf(RedirectError);
  });

  it("https+unix: TLS over the socket, checked against localhost", async () => {
    const { ca, server: pair } = await certs();
    const server = await unixHttpServer((req, res) => res.end(`tls ${req.url}`), pair);
    const s = session({ tls: { ca } });
    expect(await (await s.get(socketUrl(server.path, "/s", "https+unix"))).text()).toBe("tls /s");
  });

  it("ws+unix: a WebSocket over the socket", async () => {
    const server = await unixHttpServer();
    const wss = new WebSocketServer({ server: server.server });
    wss.on("connection", (ws, req) => {
      ws.send(`host=${req.headers.host} ${req.url}`);
      ws.on("message", (data, binary) => ws.send(data, { binary }));
    });
    const ws = await session().websocket(socketUrl(server.path, "/chat", "ws+unix"));
    const messages = ws[Symbol.asyncIterator]();
    expect((await messages.next()).value).toBe("host=localhost /chat");
    await ws.send("ping");
    expect((await messages.next()).value).toBe("ping");
    await ws.close();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });

  it("bad socket URLs and missing sockets fail typed", async () => {
    const s = session();
    await expect(s.get("http+unix:///x")).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(s.get("http+unix://%2Ftmp%2Fs:80/x")).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(s.get("http+unix://%2Ftmp%00/x")).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(s.get("http://localhost/", { socketPath: "" })).rejects.toBeInstanceOf(
      InvalidRequestError,
    );
    const missing = socketUrl("/nonexistent/reqivo-test.sock", "/");
    await expect(s.get(missing)).rejects.toBeInstanceOf(ConnectionRefusedError);
  });
});
