// `deno test` entry: the DNS cases over @reqivo/transport-deno against Deno.serve.
import { createTransport } from "@reqivo/transport-deno";
import { dnsCases, type ServeTcp } from "./dns.cases.ts";

interface DenoServer {
  addr: { port: number };
  shutdown(): Promise<void>;
}
declare const Deno: {
  test(name: string, fn: () => Promise<void>): void;
  serve(
    options: { hostname: string; port: number; onListen?: () => void },
    handler: (request: Request) => Response,
  ): DenoServer;
};

const serve: ServeTcp = async (handler) => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => undefined }, handler);
  return { port: server.addr.port, close: () => server.shutdown() };
};

for (const [name, run] of Object.entries(dnsCases(serve, () => createTransport()))) {
  Deno.test(`dns (deno): ${name}`, run);
}
