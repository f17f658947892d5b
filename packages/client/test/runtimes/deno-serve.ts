// Deno.serve on 127.0.0.1 as the cases' ServeTcp and ServeTls (shared by the *.deno.ts entries).
import type { ServeTcp } from "./dns.cases.ts";
import type { ServeTls } from "./http2.cases.ts";

interface DenoServer {
  addr: { port: number };
  shutdown(): Promise<void>;
}
declare const Deno: {
  serve(
    options: { hostname: string; port: number; key?: string; cert?: string; onListen?: () => void },
    handler: (request: Request) => Response | Promise<Response>,
  ): DenoServer;
};

export const serve: ServeTcp = async (handler) => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => undefined }, handler);
  return { port: server.addr.port, close: () => server.shutdown() };
};

/** Deno.serve with TLS: it offers ALPN h2 and http/1.1. */
export const serveTls: ServeTls = async ({ key, cert }, handler) => {
  const options = { hostname: "127.0.0.1", port: 0, key, cert, onListen: () => undefined };
  const server = Deno.serve(options, handler);
  return { port: server.addr.port, close: () => server.shutdown() };
};
