// The HTTP/1.1 read path is driven by callbacks (PooledConnection.readNow):
// the transport's readNow where it has one, read()'s promise where not. Each
// case runs both ways, on real sockets to 127.0.0.1.
import type { Socket } from "node:net";
import { ConnectionResetError } from "@reqivo/transport";
import { describe, expect, it } from "vitest";
import { Session } from "../src/index.ts";
import { keep, raw, serve, watched } from "./harness.ts";
import { eventually, onRequests } from "./servers.ts";

/** Writes `text` one byte per timer tick, so each byte is a read of its own. */
function drip(socket: Socket, text: string): Promise<void> {
  socket.setNoDelay(true);
  const bytes = Buffer.from(text, "latin1");
  return new Promise((resolve) => {
    let at = 0;
    const next = () => {
      if (socket.destroyed) return resolve();
      if (at === bytes.length) return resolve();
      socket.write(bytes.subarray(at, ++at));
      setTimeout(next, 1);
    };
    next();
  });
}

describe.each([true, false])("HTTP/1.1 reads (transport readNow: %s)", (withReadNow) => {
  it("parses a response dripped byte by byte, interim head included, then keeps the connection", async () => {
    const server = await raw((socket) => {
      onRequests(socket, (_head, index) => {
        void drip(
          socket,
          "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n" +
            `HTTP/1.1 200 OK\r\nContent-Length: 7\r\nX-Index: ${index}\r\n\r\nhello ${index}`,
        );
      });
    });
    const watch = watched(withReadNow);
    const s = keep(new Session({ transport: watch.transport }));
    for (const index of [0, 1]) {
      const hints: Array<[number, string | null]> = [];
      const res = await s.get(server.url, {
        onInformational: (status, headers) => hints.push([status, headers.get("link")]),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("x-index")).toBe(String(index));
      expect(await res.text()).toBe(`hello ${index}`);
      expect(hints).toEqual([[103, "</a.css>; rel=preload"]]);
    }
    expect(server.accepted).toBe(1);
    if (withReadNow) expect(watch.readNows()).toBeGreaterThan(50);
    else expect(watch.readNows()).toBe(0);
  });

  it("notices an idle connection the server closed, and opens a new one for the next request", async () => {
    const server = await raw((socket) => {
      onRequests(socket, () => {
        socket.end("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
      });
    });
    const watch = watched(withReadNow);
    const s = keep(new Session({ transport: watch.transport }));
    const res = await s.get(server.url);
    expect(await res.text()).toBe("ok");
    // The idle watch sees the server's FIN and closes our side: nothing is left open.
    await eventually(() => watch.ended() === 1);
    await eventually(() => server.open() === 0);
    const again = await s.get(server.url);
    expect(await again.text()).toBe("ok");
    expect(server.accepted).toBe(2);
  });

  it("fails a bodiless exchange whose write fails once, with the write's typed error", async () => {
    let requests = 0;
    const server = await serve((_req, res) => {
      requests++;
      res.end("ok");
    });
    const watch = watched(withReadNow);
    const s = keep(new Session({ transport: watch.transport }));
    // A fresh connection: not a stale one to replay on. The read stays open
    // (the socket is up), so only the write's failure can end the exchange.
    watch.failNextWrite(new ConnectionResetError());
    const failures: unknown[] = [];
    await s.get(server.url).then(
      () => expect.unreachable("the write failed"),
      (error: unknown) => failures.push(error),
    );
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ code: "CONNECTION_RESET" });
    expect(requests).toBe(0);
    await eventually(() => watch.ended() === 1);
    // The session goes on with a new connection.
    expect(await (await s.get(server.url)).text()).toBe("ok");
    expect(server.accepted).toBe(2);
  });

  it("sends a GET once more on a fresh connection when the write on a reused one fails as stale", async () => {
    const server = await serve((_req, res) => res.end("ok"));
    const watch = watched(withReadNow);
    const s = keep(new Session({ transport: watch.transport }));
    expect(await (await s.get(server.url)).text()).toBe("ok");
    watch.failNextWrite(new ConnectionResetError());
    expect(await (await s.get(server.url)).text()).toBe("ok");
    expect(server.accepted).toBe(2);
  });

  it("reads a body that comes in many reads, whole and piece by piece, and fails a cut one with a typed error", async () => {
    const body = "0123456789".repeat(5);
    const server = await raw((socket) => {
      onRequests(socket, (head) => {
        const cut = head.startsWith("GET /cut");
        const text = `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${cut ? body.slice(0, 20) : body}`;
        void drip(socket, text).then(() => {
          if (cut) socket.destroy();
        });
      });
    });
    const watch = watched(withReadNow);
    const s = keep(new Session({ transport: watch.transport }));
    expect(await (await s.get(server.url)).text()).toBe(body);
    const pieces: string[] = [];
    for await (const piece of await s.get(server.url)) pieces.push(new TextDecoder().decode(piece));
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join("")).toBe(body);
    expect(server.accepted).toBe(1);
    const cut = await s.get(`${server.url}/cut`);
    const failure = await cut.bytes().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ code: "INCOMPLETE_MESSAGE" });
  });

  it("ends a request waiting for its head when the caller aborts", async () => {
    const server = await raw((socket) => socket.resume());
    const watch = watched(withReadNow);
    const s = keep(new Session({ transport: watch.transport }));
    const controller = new AbortController();
    const pending = s.get(server.url, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("enough")), 20);
    await expect(pending).rejects.toMatchObject({ code: "ABORTED" });
    await eventually(() => watch.ended() >= 1);
  });
});
