// Bun.serve on 127.0.0.1 as the cases' ServeTcp and ServeTls (shared by the *.bun.spec.ts entries).
import type { ServeTcp } from "./dns.cases.ts";
import type { ServeTls } from "./http2.cases.ts";

interface BunServer {
  port: number;
  stop(force?: boolean): Promise<void> | void;
}
declare const Bun: {
  serve(options: {
    hostname: string;
    port: number;
    tls?: { key: string; cert: string };
    fetch(request: Request): Response | Promise<Response>;
  }): BunServer;
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

/** Bun.serve with TLS: it speaks HTTP/1.1 only (no ALPN h2). */
export const serveTls: ServeTls = async (tls, handler) => {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, tls, fetch: handler });
  return {
    port: server.port,
    close: async () => {
      await server.stop(true);
    },
  };
};
