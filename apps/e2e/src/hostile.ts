// A hostile HTTP server on loopback, scripted per connection. Built on
// node:net, which Node, Deno and Bun all provide, so the same scripts run in
// every runtime's test run. Every timer a script starts is tied to its socket
// and cleared when the socket closes, and every write loop is bounded, so a
// test that fails leaves nothing running behind it.
import { Buffer } from "node:buffer";
import * as net from "node:net";

/** One accepted connection, with helpers for misbehaving on it. */
export interface HostileSocket {
  readonly socket: net.Socket;
  /** 1-based accept order on this server. */
  readonly index: number;
  /** Calls `onRequest` for every complete request head (raw latin1 text) and its body bytes so far. */
  onRequest(onRequest: (head: string, n: number) => void): void;
  write(data: string | Uint8Array): void;
  /** FIN after `data`. */
  end(data?: string): void;
  /** RST (falls back to a plain destroy where the runtime has no resetAndDestroy). */
  reset(): void;
  /** Runs `fn` after `ms` unless the socket closed first. */
  later(ms: number, fn: () => void): void;
  /** Writes `piece(i)` every `ms` ms (0: as fast as the socket drains), at most `max` times, until closed. */
  drip(piece: (i: number) => string, ms: number, max: number): void;
}

export interface HostileServer {
  readonly url: string;
  readonly httpsUrl: string;
  readonly port: number;
  /** Sockets accepted so far. */
  readonly accepted: number;
  /** Sockets open on the server side now. */
  open(): number;
  /** From now on every new connection (and every new request) is answered properly with `ok`. */
  behave(): void;
  close(): Promise<void>;
}

export type Script = (conn: HostileSocket) => void;

/** A well-formed response with a Content-Length. */
export const ok = (body: string, extra = ""): string =>
  `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n${extra}\r\n${body}`;

/** Splits an incoming byte stream into request heads; bodies are skipped by Content-Length or chunked framing. */
function requestReader(onRequest: (head: string, n: number) => void): (data: Uint8Array) => void {
  let buffered = "";
  let skip = 0;
  let chunked = false;
  let n = 0;
  return (data) => {
    buffered += Buffer.from(data.buffer, data.byteOffset, data.length).toString("latin1");
    for (let guard = 0; guard < 10_000; guard++) {
      if (skip > 0) {
        const take = Math.min(skip, buffered.length);
        buffered = buffered.slice(take);
        skip -= take;
        if (skip > 0) return;
      }
      if (chunked) {
        // Skip chunked bodies by looking for the last-chunk marker (enough for the client's own bodies).
        const end = buffered.indexOf("0\r\n\r\n");
        if (end === -1) return;
        buffered = buffered.slice(end + 5);
        chunked = false;
      }
      const end = buffered.indexOf("\r\n\r\n");
      if (end === -1) return;
      const head = buffered.slice(0, end + 4);
      buffered = buffered.slice(end + 4);
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      skip = length === null ? 0 : Number(length[1]);
      chunked = /\r\ntransfer-encoding:[^\r]*chunked/i.test(head);
      onRequest(head, n++);
    }
  };
}

/**
 * Starts a server on 127.0.0.1 that runs `script` on each connection until
 * {@link HostileServer.behave} is called. `host` is the loopback address to
 * listen on (another one, such as 127.0.0.2 on Linux, is another origin and host).
 *
 * @example
 * ```ts
 * const server = await hostile((c) => c.onRequest(() => c.reset()));
 * await session.get(server.url); // rejects with CONNECTION_RESET
 * ```
 */
export async function hostile(script: Script, host = "127.0.0.1"): Promise<HostileServer> {
  const sockets = new Set<net.Socket>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let accepted = 0;
  let behaving = false;

  const serveProperly = (conn: HostileSocket) =>
    conn.onRequest((_head, n) => conn.write(ok(`ok${conn.index}.${n}`)));

  const server = net.createServer((socket) => {
    accepted++;
    sockets.add(socket);
    const own = new Set<ReturnType<typeof setTimeout>>();
    const clear = () => {
      for (const t of own) {
        clearTimeout(t);
        clearInterval(t);
        timers.delete(t);
      }
      own.clear();
    };
    socket.on("close", () => {
      sockets.delete(socket);
      clear();
    });
    socket.on("error", () => undefined);
    const alive = () => !socket.destroyed && socket.writable;
    const conn: HostileSocket = {
      socket,
      index: accepted,
      onRequest(onRequest) {
        socket.on(
          "data",
          requestReader((head, n) => {
            if (behaving && n > 0) conn.write(ok(`ok${conn.index}.${n}`));
            else onRequest(head, n);
          }),
        );
      },
      write(data) {
        if (alive()) socket.write(data);
      },
      end(data) {
        if (!alive()) return;
        if (data === undefined) socket.end();
        else socket.end(data);
      },
      reset() {
        const s = socket as net.Socket & { resetAndDestroy?: () => void };
        if (typeof s.resetAndDestroy === "function") s.resetAndDestroy();
        else s.destroy();
      },
      later(ms, fn) {
        const t = setTimeout(() => {
          own.delete(t);
          timers.delete(t);
          if (!socket.destroyed) fn();
        }, ms);
        own.add(t);
        timers.add(t);
      },
      drip(piece, ms, max) {
        let i = 0;
        const next = () => {
          if (!alive() || i >= max) return;
          const more = socket.write(piece(i++));
          if (ms > 0) conn.later(ms, next);
          else if (more) conn.later(0, next);
          else socket.once("drain", next);
        };
        next();
      },
    };
    if (behaving) serveProperly(conn);
    else script(conn);
    // A socket nobody reads never sees the client's FIN: keep reading so closes are noticed.
    if (socket.listenerCount("data") === 0) socket.resume();
  });
  server.on("error", () => undefined);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://${host}:${port}/`,
    httpsUrl: `https://${host}:${port}/`,
    port,
    get accepted() {
      return accepted;
    },
    open: () => sockets.size,
    behave() {
      behaving = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
