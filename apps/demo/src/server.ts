// The local server the demo talks to: plain node:http on 127.0.0.1, port chosen by the OS.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface DemoServer {
  port: number;
  close(): Promise<void>;
}

export async function startDemoServer(): Promise<DemoServer> {
  const server: Server = createServer((req, res) => {
    if (req.url === "/hello") {
      res.setHeader("content-type", "text/plain");
      res.end("hello from node:http\n");
    } else if (req.url === "/stream") {
      // Chunked: no Content-Length, written in pieces with pauses.
      let n = 0;
      const timer = setInterval(() => {
        res.write(`tick ${++n}\n`);
        if (n === 3) {
          clearInterval(timer);
          res.addTrailers({ "x-ticks": String(n) });
          res.end();
        }
      }, 50);
      res.setHeader("trailer", "x-ticks");
    } else if (req.url === "/early-hints") {
      res.writeEarlyHints({ link: "</style.css>; rel=preload; as=style" });
      res.end("final answer after a 103\n");
    } else if (req.url === "/echo" && req.method === "POST") {
      const parts: Buffer[] = [];
      req.on("data", (d: Buffer) => parts.push(d));
      req.on("end", () => res.end(`you sent ${Buffer.concat(parts).length} bytes\n`));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
