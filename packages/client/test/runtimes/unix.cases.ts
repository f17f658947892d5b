// Unix-socket cases shared by the Deno and Bun runs: each runtime serves HTTP
// on a socket in a temp dir (Deno.serve / Bun.serve) and brings its own
// transport. Node runs the same ground in test/unix.test.ts.
import assert from "node:assert/strict";
import type { Transport } from "@reqivo/transport";
import { Session } from "../../src/index.ts";

export interface UnixServer {
  /** The socket's path. */
  path: string;
  close(): Promise<void>;
}

/** Starts a server on a fresh socket that answers with `handler`. */
export type ServeUnix = (handler: (request: Request) => Response) => Promise<UnixServer>;

const encoded = (path: string, rest: string) => `http+unix://${encodeURIComponent(path)}${rest}`;

function answer(request: Request): Response {
  const url = new URL(request.url);
  if (url.pathname === "/login") {
    return new Response(null, {
      status: 302,
      headers: { location: "/home", "set-cookie": "sid=7; Path=/" },
    });
  }
  const cookie = request.headers.get("cookie") ?? "";
  return new Response(
    `${request.method} ${url.pathname}${url.search} host=${request.headers.get("host")} cookie=${cookie}`,
  );
}

export function unixCases(
  serve: ServeUnix,
  transport: () => Transport,
): Record<string, () => Promise<void>> {
  async function withServer(run: (server: UnixServer, session: Session) => Promise<void>) {
    const server = await serve(answer);
    const session = new Session({ transport: transport() });
    try {
      await run(server, session);
    } finally {
      await session.close();
      await server.close();
    }
  }

  return {
    async "http+unix: URLs reach the socket with Host localhost, through the pool"() {
      await withServer(async (server, session) => {
        const first = await session.get(encoded(server.path, "/v1/items?x=1"));
        assert.equal(await first.text(), "GET /v1/items?x=1 host=localhost cookie=");
        assert.equal(first.url, "http://localhost/v1/items?x=1");
        const second = await session.post(encoded(server.path, "/v1/items"), { body: "b" });
        assert.equal(await second.text(), "POST /v1/items host=localhost cookie=");
        assert.equal(second.timings.reused, true);
        assert.deepEqual(Object.keys(session.poolStats()), [`http://localhost:80@${server.path}`]);
      });
    },

    async "unix:/path:/request URLs and the socketPath option"() {
      await withServer(async (server, session) => {
        assert.equal(
          await (await session.get(`unix:${server.path}:/got`)).text(),
          "GET /got host=localhost cookie=",
        );
        const viaOption = await session.get("http://localhost/opt", { socketPath: server.path });
        assert.equal(await viaOption.text(), "GET /opt host=localhost cookie=");
      });
    },

    async "a relative redirect stays on the socket and its cookie comes back"() {
      await withServer(async (server, session) => {
        const res = await session.get(encoded(server.path, "/login"));
        assert.equal(await res.text(), "GET /home host=localhost cookie=sid=7");
        assert.equal(res.url, "http://localhost/home");
        assert.equal(res.history.length, 1);
      });
    },
  };
}
