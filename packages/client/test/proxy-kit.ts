// Proxies for the proxy tests, on 127.0.0.1 with OS-chosen ports, written
// with node:net (and node:tls for an HTTPS proxy) only, so the same kit runs
// under vitest, `deno test` and `bun test`:
//
// - httpProxy(): CONNECT tunnels and plain-HTTP forwarding (absolute-form
//   requests), optional Basic auth; records every request line it saw and
//   whether it carried Proxy-Authorization.
// - socksProxy(): SOCKS5 (RFC 1928) with optional user/password (RFC 1929).
// - origin(): an HTTP or HTTPS server that records the raw bytes it received
//   and answers every request with its request line as the body.
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer } from "node:tls";

export interface KitServer {
  url: string;
  port: number;
  /** Client connections accepted so far. */
  accepted: number;
  /** Client connections open now. */
  open(): number;
  close(): Promise<void>;
}

/** What an HTTP proxy saw, one entry per request head. */
export interface ProxySeen {
  /** The request line, e.g. `CONNECT 127.0.0.1:443 HTTP/1.1` or `GET http://a/ HTTP/1.1`. */
  line: string;
  /** The Proxy-Authorization value, if any. */
  proxyAuthorization: string | undefined;
  /** The raw head. */
  head: string;
}

export interface HttpProxyOptions {
  /** Require this exact Proxy-Authorization value (else 407). */
  auth?: string;
  /** Answer every CONNECT with this status instead of opening a tunnel. */
  connectStatus?: number;
  /** Serve TLS: the proxy itself is an https: URL. */
  tls?: { cert: string; key: string };
}

interface Tracked {
  server: Server;
  sockets: Set<Socket>;
  count: { accepted: number };
}

function track(server: Server): Tracked {
  const sockets = new Set<Socket>();
  const count = { accepted: 0 };
  return { server, sockets, count };
}

function adopt(tracked: Tracked, socket: Socket): void {
  tracked.count.accepted++;
  tracked.sockets.add(socket);
  socket.on("close", () => tracked.sockets.delete(socket));
  socket.on("error", () => undefined);
}

async function listen(tracked: Tracked, scheme: string): Promise<KitServer> {
  const { server, sockets, count } = tracked;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    get accepted() {
      return count.accepted;
    },
    open: () => sockets.size,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function headerValue(head: string, name: string): string | undefined {
  const match = new RegExp(`\\r\\n${name}:[ \\t]*([^\\r]*)`, "i").exec(head);
  return match?.[1];
}

function authority(target: string): { host: string; port: number } {
  const at = target.lastIndexOf(":");
  return {
    host: target.slice(0, at).replace(/^\[(.*)\]$/, "$1"),
    port: Number(target.slice(at + 1)),
  };
}

/** Answers with an empty response and closes. */
function answer(socket: Socket, status: number, extra = ""): void {
  socket.end(`HTTP/1.1 ${status} Kit\r\ncontent-length: 0\r\n${extra}\r\n`);
}

/** An HTTP proxy: CONNECT tunnels and absolute-form forwarding. */
export async function httpProxy(
  options: HttpProxyOptions = {},
): Promise<KitServer & { seen: ProxySeen[] }> {
  const seen: ProxySeen[] = [];
  const server = options.tls === undefined ? createServer() : createTlsServer(options.tls);
  const tracked = track(server);
  const onSocket = (client: Socket) => {
    adopt(tracked, client);
    // Origin connections of this client, by host:port (forwarding reuses them).
    const upstreams = new Map<string, Socket>();
    client.on("close", () => {
      for (const upstream of upstreams.values()) upstream.destroy();
    });
    let buffer = Buffer.alloc(0);
    let bodyLeft = 0;
    let bodyTo: Socket | undefined;
    const onData = (data: Buffer) => {
      buffer = Buffer.concat([buffer, data]);
      for (let step = 0; step < 1000 && buffer.length > 0; step++) {
        if (bodyLeft > 0) {
          const piece = buffer.subarray(0, bodyLeft);
          bodyTo?.write(piece);
          bodyLeft -= piece.length;
          buffer = buffer.subarray(piece.length);
          continue;
        }
        const end = buffer.indexOf("\r\n\r\n");
        if (end === -1) return;
        const head = buffer.subarray(0, end + 4).toString("latin1");
        buffer = buffer.subarray(end + 4);
        const line = head.slice(0, head.indexOf("\r\n"));
        const proxyAuthorization = headerValue(head, "proxy-authorization");
        seen.push({ line, proxyAuthorization, head });
        const [method = "", target = ""] = line.split(" ");
        if (options.auth !== undefined && proxyAuthorization !== options.auth) {
          answer(client, 407, 'proxy-authenticate: Basic realm="kit"\r\n');
          return;
        }
        if (method === "CONNECT") {
          client.off("data", onData);
          tunnel(client, target, buffer, options.connectStatus);
          return;
        }
        const url = new URL(target);
        const key = `${url.hostname}:${url.port || 80}`;
        let upstream = upstreams.get(key);
        if (upstream === undefined) {
          upstream = connect(Number(url.port || 80), url.hostname.replace(/^\[(.*)\]$/, "$1"));
          upstream.on("error", () => client.destroy());
          upstream.on("data", (chunk) => client.write(chunk));
          // The origin closed (Connection: close): so does the proxy.
          upstream.on("end", () => client.end());
          upstreams.set(key, upstream);
        }
        const rest = head
          .slice(head.indexOf("\r\n"))
          .replace(/\r\nproxy-(authorization|connection):[^\r]*/gi, "");
        upstream.write(`${method} ${url.pathname}${url.search} HTTP/1.1${rest}`);
        bodyLeft = Number(headerValue(head, "content-length") ?? 0);
        bodyTo = upstream;
      }
    };
    client.on("data", onData);
  };
  server.on(options.tls === undefined ? "connection" : "secureConnection", onSocket);
  const running = await listen(tracked, options.tls === undefined ? "http" : "https");
  return Object.assign(running, { seen });
}

function tunnel(client: Socket, target: string, rest: Buffer, status: number | undefined): void {
  if (status !== undefined) {
    answer(client, status, status === 407 ? 'proxy-authenticate: Basic realm="kit"\r\n' : "");
    return;
  }
  const { host, port } = authority(target);
  relay(client, host, port, rest, "HTTP/1.1 200 Connection established\r\n\r\n", () =>
    answer(client, 502),
  );
}

/**
 * Connects to `host:port` and joins it to `client` both ways: `ok` goes to
 * the client first, then `rest` (bytes it sent early) to the target.
 * `refuse` answers a connect that failed.
 */
function relay(
  client: Socket,
  host: string,
  port: number,
  rest: Buffer,
  ok: string | Uint8Array,
  refuse: () => void,
): void {
  const upstream = connect(port, host);
  let connected = false;
  upstream.on("error", () => {
    if (!connected) refuse();
    else client.destroy();
  });
  upstream.on("connect", () => {
    connected = true;
    client.write(ok);
    if (rest.length > 0) upstream.write(rest);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  client.on("close", () => upstream.destroy());
  upstream.on("close", () => {
    if (connected) client.destroy();
  });
}

/** What a SOCKS5 server saw: the target asked for, and the credentials used. */
export interface SocksSeen {
  /** 1 (IPv4), 3 (domain name) or 4 (IPv6). */
  atyp: number;
  host: string;
  port: number;
  username: string | undefined;
}

export interface SocksOptions {
  /** Require these credentials (method 0x02); without, only "no auth" is accepted. */
  auth?: { username: string; password: string };
  /** Answer every CONNECT with this reply code instead of connecting. */
  reply?: number;
}

/** A SOCKS5 server (RFC 1928, RFC 1929). A target that refuses gets reply 5. */
export async function socksProxy(
  options: SocksOptions = {},
): Promise<KitServer & { seen: SocksSeen[] }> {
  const seen: SocksSeen[] = [];
  const server = createServer();
  const tracked = track(server);
  server.on("connection", (client: Socket) => {
    adopt(tracked, client);
    let buffer = Buffer.alloc(0);
    let stage: "greeting" | "auth" | "request" | "done" = "greeting";
    let username: string | undefined;
    const onData = (data: Buffer) => {
      buffer = Buffer.concat([buffer, data]);
      if (stage === "greeting") {
        if (buffer.length < 2 || buffer.length < 2 + buffer[1]!) return;
        const methods = [...buffer.subarray(2, 2 + buffer[1]!)];
        buffer = buffer.subarray(2 + buffer[1]!);
        const wanted = options.auth === undefined ? 0x00 : 0x02;
        if (!methods.includes(wanted)) {
          client.end(Buffer.of(5, 0xff));
          return;
        }
        client.write(Buffer.of(5, wanted));
        stage = wanted === 0x02 ? "auth" : "request";
      }
      if (stage === "auth") {
        const ulen = buffer[1];
        if (ulen === undefined || buffer.length < 3 + ulen) return;
        const plen = buffer[2 + ulen]!;
        if (buffer.length < 3 + ulen + plen) return;
        username = buffer.subarray(2, 2 + ulen).toString("utf8");
        const password = buffer.subarray(3 + ulen, 3 + ulen + plen).toString("utf8");
        buffer = buffer.subarray(3 + ulen + plen);
        if (username !== options.auth?.username || password !== options.auth.password) {
          client.end(Buffer.of(1, 1));
          return;
        }
        client.write(Buffer.of(1, 0));
        stage = "request";
      }
      if (stage === "request") {
        if (buffer.length < 5) return;
        const atyp = buffer[3]!;
        const size = atyp === 1 ? 4 : atyp === 4 ? 16 : 1 + buffer[4]!;
        if (buffer.length < 4 + size + 2) return;
        const raw = buffer.subarray(4, 4 + size);
        const host =
          atyp === 1
            ? [...raw].join(".")
            : atyp === 4
              ? (raw.toString("hex").match(/.{4}/g) ?? []).join(":")
              : raw.subarray(1).toString("latin1");
        const port = buffer.readUInt16BE(4 + size);
        const rest = buffer.subarray(4 + size + 2);
        seen.push({ atyp, host, port, username });
        stage = "done";
        client.off("data", onData);
        socksConnect(client, host, port, rest, options.reply);
      }
    };
    client.on("data", onData);
  });
  const running = await listen(tracked, "socks5h");
  return Object.assign(running, { seen });
}

const REPLY_TAIL = [1, 0, 0, 0, 0, 0, 0];

function socksConnect(
  client: Socket,
  host: string,
  port: number,
  rest: Buffer,
  reply: number | undefined,
): void {
  if (reply !== undefined) {
    client.end(Buffer.of(5, reply, 0, ...REPLY_TAIL));
    return;
  }
  relay(client, host, port, rest, Buffer.of(5, 0, 0, ...REPLY_TAIL), () =>
    client.end(Buffer.of(5, 5, 0, ...REPLY_TAIL)),
  );
}

/** A loopback port nothing listens on (bound, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** An origin server: records the raw bytes of each connection, answers each request with its request line. */
export async function origin(tls?: {
  cert: string;
  key: string;
}): Promise<KitServer & { received: string[] }> {
  const received: string[] = [];
  const server = tls === undefined ? createServer() : createTlsServer(tls);
  const tracked = track(server);
  server.on(tls === undefined ? "connection" : "secureConnection", (socket: Socket) => {
    adopt(tracked, socket);
    const index = received.push("") - 1;
    let buffer = "";
    socket.on("data", (data: Buffer) => {
      received[index] += data.toString("latin1");
      buffer += data.toString("latin1");
      for (let end = buffer.indexOf("\r\n\r\n"); end !== -1; end = buffer.indexOf("\r\n\r\n")) {
        const line = buffer.slice(0, buffer.indexOf("\r\n"));
        buffer = buffer.slice(end + 4);
        socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${line.length}\r\n\r\n${line}`);
      }
    });
  });
  const running = await listen(tracked, tls === undefined ? "http" : "https");
  return Object.assign(running, { received });
}
