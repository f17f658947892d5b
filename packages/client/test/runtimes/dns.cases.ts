// DNS cases shared by the Deno and Bun runs: each runtime serves HTTP on
// 127.0.0.1 (Deno.serve / Bun.serve) and brings its own transport. Node runs
// the same ground, and more, in test/dns.test.ts.
import assert from "node:assert/strict";
import type { LookupAddress, Transport } from "@reqivo/transport";
import { DnsError, Session } from "../../src/index.ts";

export interface TcpServer {
  port: number;
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1 and an OS-chosen port that answers with `handler`. */
export type ServeTcp = (handler: (request: Request) => Response) => Promise<TcpServer>;

const LOOPBACK: LookupAddress[] = [{ address: "127.0.0.1", family: 4 }];

// `connection: close`: every request connects, and so resolves, anew.
function answer(request: Request): Response {
  return new Response(`host=${request.headers.get("host")}`, {
    headers: { connection: "close" },
  });
}

export function dnsCases(
  serve: ServeTcp,
  transport: () => Transport,
): Record<string, () => Promise<void>> {
  async function withServer(run: (server: TcpServer) => Promise<void>) {
    const server = await serve(answer);
    try {
      await run(server);
    } finally {
      await server.close();
    }
  }

  return {
    async "a cached lookup hook sends a name to a local server, called once for many connects"() {
      await withServer(async (server) => {
        const calls: string[] = [];
        const session = new Session({
          transport: transport(),
          dns: {
            cache: { ttl: 60_000 },
            lookup: async (hostname) => {
              calls.push(hostname);
              return LOOPBACK;
            },
          },
        });
        try {
          for (let i = 0; i < 3; i++) {
            const res = await session.get(`http://api.reqivo.test:${server.port}/`);
            assert.equal(await res.text(), `host=api.reqivo.test:${server.port}`);
            assert.equal(res.timings.reused, false);
          }
          assert.deepEqual(calls, ["api.reqivo.test"]);
        } finally {
          await session.close();
        }
      });
    },

    async "a failing or empty lookup is a DnsError"() {
      const failing = new Session({
        transport: transport(),
        dns: {
          lookup: async (hostname) => {
            if (hostname === "empty.test") return [];
            throw new Error("no such host");
          },
        },
      });
      try {
        const error = await failing.get("http://nowhere.test/").catch((e: unknown) => e);
        assert.ok(error instanceof DnsError, String(error));
        assert.equal(error.hostname, "nowhere.test");
        assert.equal(error.code, "DNS_FAILURE");
        await assert.rejects(failing.get("http://empty.test/"), DnsError);
      } finally {
        await failing.close();
      }
    },
  };
}
