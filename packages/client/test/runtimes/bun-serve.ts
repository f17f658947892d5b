// Bun.serve on 127.0.0.1 as the cases' ServeTcp (shared by the *.bun.spec.ts entries).
import type { ServeTcp } from "./dns.cases.ts";

interface BunServer {
  port: number;
  stop(force?: boolean): Promise<void> | void;
}
declare const Bun: {
  serve(options: { hostname: string; port: number; fetch(request: Request): Response }): BunServer;
};

export const serve: ServeTcp = async (handler) => {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: handler });
  return {
    port: server.port,
    close: async () => {
      await server.stop(true);
    },
  };
};
