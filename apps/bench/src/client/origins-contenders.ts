// The contenders of client-origins.bench.ts, one long-lived client each (no
// construction cost per request), every request a GET of `origin` + "/" with
// the whole body read. Each gets the bench's CA as an option, except Node's
// fetch, which takes none: its process needs NODE_EXTRA_CA_CERTS.
import * as http from "node:http";
import * as https from "node:https";
import { Session } from "@reqivo/client";
import { createTransport } from "@reqivo/transport-node";
import { Agent } from "undici";

/** One client of the origins bench. */
export interface OriginsContender {
  name: string;
  /** One GET of `origin` + "/", whole body read; returns status and body length. */
  one(origin: string): Promise<[number, number]>;
  close(): Promise<void>;
}

/** The keys `originsContender` knows, in the bench's order. */
export const ORIGINS_CONTENDERS = ["reqivo", "undici", "node", "fetch"] as const;

/**
 * The contender named by `key`, trusting `ca` (PEM).
 *
 * @example
 * const c = originsContender("reqivo", ca);
 * const [status, length] = await c.one("https://127.0.0.1:8443");
 */
export function originsContender(key: string, ca: string): OriginsContender {
  switch (key) {
    case "reqivo": {
      const session = new Session({ transport: createTransport(), tls: { ca } });
      return {
        name: "reqivo",
        async one(origin) {
          const res = await session.get(`${origin}/`);
          return [res.status, (await res.bytes()).length];
        },
        close: () => session.close(),
      };
    }
    case "undici": {
      const agent = new Agent({ connect: { ca } });
      return {
        name: "undici request",
        async one(origin) {
          const res = await agent.request({ origin, path: "/", method: "GET" });
          return [res.statusCode, (await res.body.arrayBuffer()).byteLength];
        },
        close: () => agent.close(),
      };
    }
    case "node":
      return nodeHttpContender(ca);
    case "fetch":
      return {
        name: "node fetch",
        async one(origin) {
          const res = await fetch(`${origin}/`);
          return [res.status, (await res.arrayBuffer()).byteLength];
        },
        close: async () => undefined,
      };
    default:
      throw new Error(`origins: no contender ${key} (${ORIGINS_CONTENDERS.join(", ")})`);
  }
}

/** node:http / node:https with a keep-alive Agent each (the server closes every connection). */
function nodeHttpContender(ca: string): OriginsContender {
  const httpAgent = new http.Agent({ keepAlive: true });
  const httpsAgent = new https.Agent({ keepAlive: true, ca });
  return {
    name: "node:http(s)",
    one: (origin) =>
      new Promise((resolve, reject) => {
        const secure = origin.startsWith("https:");
        const get = secure ? https.get : http.get;
        get(`${origin}/`, { agent: secure ? httpsAgent : httpAgent }, (res) => {
          let n = 0;
          res.on("data", (chunk: Buffer) => {
            n += chunk.length;
          });
          res.on("end", () => resolve([res.statusCode ?? 0, n]));
          res.on("error", reject);
        }).on("error", reject);
      }),
    close: async () => {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
