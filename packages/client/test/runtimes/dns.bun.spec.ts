// `bun test` entry: the DNS cases over @reqivo/transport-bun against Bun.serve.
// @ts-expect-error bun:test types are not installed (Bun provides the module at run time)
import { test } from "bun:test";
import { createTransport } from "@reqivo/transport-bun";
import { dnsCases, type ServeTcp } from "./dns.cases.ts";

interface BunServer {
  port: number;
  stop(force?: boolean): Promise<void> | void;
}
declare const Bun: {
  serve(options: { hostname: string; port: number; fetch(request: Request): Response }): BunServer;
};

const serve: ServeTcp = async (handler) => {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: handler });
  return {
    port: server.port,
    close: async () => {
      await server.stop(true);
    },
  };
};

for (const [name, run] of Object.entries(dnsCases(serve, () => createTransport()))) {
  test(`dns (bun): ${name}`, run);
}
