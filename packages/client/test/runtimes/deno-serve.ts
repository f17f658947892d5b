// Deno.serve on 127.0.0.1 as the cases' ServeTcp (shared by the *.deno.ts entries).
import type { ServeTcp } from "./dns.cases.ts";

interface DenoServer {
  addr: { port: number };
  shutdown(): Promise<void>;
}
declare const Deno: {
  serve(
    options: { hostname: string; port: number; onListen?: () => void },
    handler: (request: Request) => Response,
  ): DenoServer;
};

export const serve: ServeTcp = async (handler) => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => undefined }, handler);
  return { port: server.addr.port, close: () => server.shutdown() };
};
