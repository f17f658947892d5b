// The local server the tour talks to: node:http on 127.0.0.1 (port chosen by
// the OS) with a few routes that show what a client must handle, a
// WebSocket echo on /ws (the `ws` package), and a small proxy: CONNECT
// tunnels to this same server, and /via reporting a forwarded request.
import { createServer, type Server } from "node:http";
import { type AddressInfo, connect, type Socket } from "node:net";
import { WebSocketServer } from "ws";

export interface DemoServer {
  url: string;
  close(): Promise<void>;
}

export async function startDemoServer(): Promise<DemoServer> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://demo");
    const hops = /^\/redirect\/(\d+)$/.exec(url.pathname);
    if (hops) {
      const left = Number(hops[1]);
      res.statusCode = 302;
      res.setHeader("location", left > 1 ? `/redirect/${left - 1}` : "/hello?from=redirect");
      return res.end();
    }
    switch (url.pathname) {
      case "/hello":
        res.setHeader("content-type", "text/plain");
        return res.end(`hello${url.search ? ` (${url.searchParams.get("from")})` : ""}\n`);
      case "/stream": {
        res.setHeader("trailer", "x-ticks");
        let n = 0;
        const timer = setInterval(() => {
          res.write(`tick ${++n}\n`);
          if (n === 3) {
            clearInterval(timer);
            res.addTrailers({ "x-ticks": String(n) });
            res.end();
          }
        }, 40);
        return;
      }
      case "/early-hints":
        res.writeEarlyHints({ link: "</style.css>; rel=preload; as=style" });
        return res.end("final answer after a 103\n");
      case "/login":
        res.setHeader("set-cookie", ["session=demo-123; Path=/; HttpOnly", "theme=dark; Path=/"]);
        return res.end("logged in\n");
      case "/via":
        // A forwarding proxy sees the absolute-form target and its credentials.
        return res.end(
          `request target: ${req.url}, proxy-authorization: ${req.headers["proxy-authorization"] ? "sent" : "none"}\n`,
        );
      case "/whoami":
        return res.end(`cookie header: ${req.headers.cookie ?? "(none)"}\n`);
      case "/echo": {
        const parts: Buffer[] = [];
        req.on("data", (d: Buffer) => parts.push(d));
        req.on("end", () => {
          res.setHeader("content-type", "application/json");
          res.end(
            JSON.stringify({ method: req.method, received: Buffer.concat(parts).toString() }),
          );
        });
        return;
      }
      default:
        res.statusCode = 404;
        res.end();
    }
  });
  const sockets = new WebSocketServer({ server, path: "/ws", perMessageDeflate: true });
  sockets.on("connection", (socket) =>
    socket.on("message", (data, binary) => socket.send(data, { binary })),
  );
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const tunnels = new Set<Socket>();
  server.on("connect", (req, client: Socket, head: Buffer) => {
    // Tunnels only to this server: a demo proxy must not be an open relay.
    if (req.url !== `127.0.0.1:${port}`) return client.end("HTTP/1.1 403 Forbidden\r\n\r\n");
    const upstream = connect(port, "127.0.0.1", () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      tunnels.add(socket);
      socket.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
      socket.on("close", () => tunnels.delete(socket));
    }
  });
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const client of sockets.clients) client.terminate();
        for (const socket of tunnels) socket.destroy();
        sockets.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
