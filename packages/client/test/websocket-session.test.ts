// A WebSocket handshake goes the way of a request: the session's credentials
// (Digest included) and cookie jar as middleware, and the session owns its sockets.
import { createHash, randomBytes } from "node:crypto";
import { createTransport } from "@reqivo/transport-node";
import { afterEach, describe, expect, it } from "vitest";
import { Session, type SessionOptions } from "../src/index.ts";
import { echo, type WsRunning, wsServer } from "./websocket-servers.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function session(options: Partial<SessionOptions> = {}): Session {
  const s = new Session({ transport: createTransport(), ...options });
  cleanups.push(() => s.close());
  return s;
}

async function guardedEcho(seen: string[]): Promise<WsRunning> {
  const realm = "ws@test";
  const nonce = randomBytes(12).toString("hex");
  const h = (text: string) => createHash("sha256").update(text).digest("hex");
  const server = await wsServer({
    verifyClient: (info, done) => {
      const header = info.req.headers.authorization ?? "";
      seen.push(header.split(" ", 1)[0] || "none");
      const params: Record<string, string> = {};
      for (const m of header.matchAll(/(\w+)=(?:"([^"]*)"|([^\s,]+))/g))
        params[m[1]!] = m[2] ?? m[3]!;
      const ha1 = h(`ada:${realm}:pa ss`);
      const ha2 = h(`GET:${info.req.url}`);
      const valid =
        header.startsWith("Digest ") &&
        params.response === h(`${ha1}:${nonce}:${params.nc}:${params.cnonce}:auth:${ha2}`);
      if (valid) return done(true);
      done(false, 401, "Unauthorized", {
        "www-authenticate": `Digest realm="${realm}", qop="auth", algorithm=SHA-256, nonce="${nonce}"`,
        "set-cookie": "tried=1; Path=/",
      });
    },
  });
  echo(server.wss);
  cleanups.push(() => server.close());
  return server;
}

describe("session.websocket() goes the way of a request", () => {
  it("answers a Digest challenge to the handshake once, with the cookie the 401 set", async () => {
    const seen: string[] = [];
    const server = await guardedEcho(seen);
    const cookies: (string | undefined)[] = [];
    server.wss.on("headers", (_headers, req) => cookies.push(req.headers.cookie));
    const s = session({ auth: { digest: { username: "ada", password: "pa ss" } } });
    const ws = await s.websocket(`${server.url}/chat?room=1`);
    await ws.send("hello");
    const reply = await ws[Symbol.asyncIterator]().next();
    expect(reply.value).toBe("hello");
    expect(seen).toEqual(["none", "Digest"]);
    expect(cookies).toEqual(["tried=1"]);
    await ws.close();
    // The challenge is remembered: the next handshake answers it up front.
    const again = await s.websocket(`${server.url}/chat`);
    expect(seen).toEqual(["none", "Digest", "Digest"]);
    await again.close();
  });

  it("session.close() closes that session's sockets only", async () => {
    const server = await wsServer();
    echo(server.wss);
    cleanups.push(() => server.close());
    const a = session();
    const b = session();
    const first = await a.websocket(server.url);
    const second = await b.websocket(server.url);
    await a.close();
    expect((await first.closed).code).toBe(1001);
    await second.send("still open");
    expect((await second[Symbol.asyncIterator]().next()).value).toBe("still open");
    await second.close();
  });
});
