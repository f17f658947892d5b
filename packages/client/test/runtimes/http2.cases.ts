// HTTP/2 cases shared by the Deno and Bun runs: each runtime brings its own
// transport; the server is node:http2 (or node:https offering no h2) run by
// real Node in a child process (./http2-server.mjs) on 127.0.0.1, so the
// client meets the reference server whatever the runtime's own node:http2
// does. Node runs the same ground in test/http2.test.ts.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Transport } from "@reqivo/transport";
import { generateTestCertificates, type TestCertificates } from "@reqivo/transport/testing";
import {
  AbortError,
  BodyTimeoutError,
  BodyWriter,
  createFetch,
  HeadersTimeoutError,
  Http2StreamError,
  ProtocolError,
  Session,
  type SessionOptions,
  TransportError,
} from "../../src/index.ts";
import type { ServeTcp, TcpServer } from "./dns.cases.ts";

/** What the child server saw so far. */
interface Seen {
  connections: number;
  sessions: number;
  /** HTTP/2 sessions still open. */
  openSessions: number;
  peakStreams: number;
  resets: number[];
}

interface ChildServer {
  url: string;
  stats(): Promise<Seen>;
  /** Ends the held /slow answers. */
  finish(): void;
  close(): Promise<void>;
}

type Mode = "tls" | "h2c" | "http1";

/** The server's HTTP/2 SETTINGS, in node:http2's names. */
interface ServerSettings {
  maxConcurrentStreams?: number;
}

const SCRIPT = fileURLToPath(new URL("./http2-server.mjs", import.meta.url));
// RST_STREAM codes (RFC 9113 §7): CANCEL is what an abort sends.
const CANCEL = 8;
const INTERNAL_ERROR = 2;

/** Rejects after `ms` with `what`; the timer is cleared when `promise` settles first. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Starts `node http2-server.mjs <mode> <settings>` and waits for the port it prints. */
async function startServer(
  mode: Mode,
  certs: TestCertificates,
  settings: ServerSettings,
): Promise<ChildServer> {
  const child: ChildProcess = spawn("node", [SCRIPT, mode, JSON.stringify(settings)], {
    env: { ...process.env, REQIVO_KEY: certs.server.key, REQIVO_CERT: certs.server.cert },
    stdio: ["pipe", "pipe", "inherit"],
  });
  // An "error" (no node on PATH) means no "exit" will follow.
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", () => resolve());
  });
  // stdout as lines, each handed to the oldest waiter.
  const waiters: ((line: string) => void)[] = [];
  let pending = "";
  child.stdout?.setEncoding("utf8");
  child.stdout?.on("data", (chunk: string) => {
    pending += chunk;
    for (let end = pending.indexOf("\n"); end >= 0; end = pending.indexOf("\n")) {
      const line = pending.slice(0, end);
      pending = pending.slice(end + 1);
      waiters.shift()?.(line);
    }
  });
  const nextLine = (what: string) =>
    within(new Promise<string>((resolve) => waiters.push(resolve)), 10_000, what);
  const send = (line: string) => child.stdin?.write(`${line}\n`);
  const close = async () => {
    child.stdin?.end();
    try {
      await within(exited, 5_000, "server exit");
    } catch {
      child.kill();
      await exited;
    }
  };
  try {
    const ended = exited.then(() => {
      throw new Error(`node ${SCRIPT} ${mode} ended before it listened (is node on PATH?)`);
    });
    const first = await Promise.race([nextLine(`node ${mode} server start`), ended]);
    const { port } = JSON.parse(first) as { port: number };
    const scheme = mode === "h2c" ? "http" : "https";
    return {
      url: `${scheme}://127.0.0.1:${port}`,
      async stats() {
        const answer = nextLine("server stats");
        send("stats");
        return JSON.parse(await answer) as Seen;
      },
      finish: () => send("finish"),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Polls the server's stats until `done` holds; bounded in count. */
async function statsUntil(server: ChildServer, done: (seen: Seen) => boolean): Promise<Seen> {
  let seen = await server.stats();
  for (let tries = 0; !done(seen) && tries < 100; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    seen = await server.stats();
  }
  return seen;
}

/** The cases, keyed by name; none needs skipping on Deno or Bun (see the client README's "Runtimes"). */
export function http2Cases(transport: () => Transport): Record<string, () => Promise<void>> {
  let certificates: Promise<TestCertificates> | undefined;
  /** Runs `run` against a fresh server and session, closing both after. */
  const withServer =
    (
      mode: Mode,
      options: Partial<SessionOptions>,
      run: (server: ChildServer, session: Session) => Promise<void>,
      settings: ServerSettings = {},
    ) =>
    async (): Promise<void> => {
      certificates ??= generateTestCertificates();
      const certs = await certificates;
      const server = await startServer(mode, certs, settings);
      const tls = { ca: certs.ca, ...options.tls };
      const session = new Session({ transport: transport(), ...options, tls });
      try {
        // Bounded: a case that hangs fails, and its server and session are closed.
        await within(run(server, session), 15_000, "the case");
      } finally {
        await session.close();
        await server.close();
      }
    };

  return {
    "h2 over TLS (ALPN): a GET, and a POST whose body the server reads whole": withServer(
      "tls",
      { http2: true },
      async (server, session) => {
        const get = await session.get(`${server.url}/a?b=1`);
        assert.deepEqual(
          [get.status, get.httpVersion, await get.text()],
          [200, "2", "v2.0 /a?b=1"],
        );
        assert.equal(get.headers.get("x-seen"), "2.0 GET 0");
        const body = "x".repeat(100_000);
        const post = await session.post(`${server.url}/echo`, { body });
        assert.equal(post.headers.get("x-seen"), "2.0 POST 100000");
        assert.equal(await post.text(), body);
        const seen = await server.stats();
        assert.deepEqual([seen.sessions, seen.connections], [1, 1]);
      },
    ),

    "h2 over TLS 1.3 as the minimum (on Deno: through its node:tls): 3 GETs and 2 MiB each way":
      withServer(
        "tls",
        { http2: true, tls: { minVersion: "TLSv1.3" } },
        async (server, session) => {
          const answers = await Promise.all(
            Array.from({ length: 3 }, (_, i) =>
              session
                .get(`${server.url}/${i}`)
                .then(async (res) => `${res.httpVersion} ${await res.text()}`),
            ),
          );
          assert.deepEqual(answers, ["2 v2.0 /0", "2 v2.0 /1", "2 v2.0 /2"]);
          // Windows and WINDOW_UPDATEs both ways over that TLS too.
          const body = new Uint8Array(2 * 1024 * 1024).map((_, i) => i % 253);
          const echoed = await (await session.post(`${server.url}/echo`, { body })).bytes();
          assert.equal(echoed.length, body.length);
          assert.deepEqual(echoed.subarray(body.length - 1000), body.subarray(body.length - 1000));
          assert.equal((await server.stats()).sessions, 1);
        },
      ),

    "h2: 20 concurrent requests share one connection": withServer(
      "tls",
      { http2: true },
      async (server, session) => {
        const answers = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            session.get(`${server.url}/delay/${i}`).then((res) => res.text()),
          ),
        );
        assert.deepEqual(
          answers,
          Array.from({ length: 20 }, (_, i) => `r /delay/${i}`),
        );
        const seen = await server.stats();
        assert.deepEqual([seen.sessions, seen.connections], [1, 1]);
        // Held 20 ms each, they overlapped on the one connection.
        assert.ok(seen.peakStreams > 1, `peak streams ${seen.peakStreams}`);
      },
    ),

    "h2: aborting one stream resets it only; the others finish and the connection is reused":
      withServer("tls", { http2: true }, async (server, session) => {
        const controller = new AbortController();
        const slow = await session.get(`${server.url}/slow`, { signal: controller.signal });
        const others = Array.from({ length: 5 }, (_, i) =>
          session.get(`${server.url}/delay/${i}`).then((res) => res.text()),
        );
        const reader = slow.body.getReader();
        assert.equal(new TextDecoder().decode((await reader.read()).value), "first piece");
        controller.abort();
        await assert.rejects(reader.read(), (error) => error instanceof AbortError);
        assert.deepEqual(
          await Promise.all(others),
          Array.from({ length: 5 }, (_, i) => `r /delay/${i}`),
        );
        const seen = await statsUntil(server, (s) => s.resets.length > 0);
        assert.deepEqual(seen.resets, [CANCEL]);
        const next = await session.get(`${server.url}/after`);
        assert.deepEqual([await next.text(), next.timings.reused], ["v2.0 /after", true]);
        assert.deepEqual([seen.sessions, seen.connections], [1, 1]);
        server.finish();
      }),

    "h2: the server's SETTINGS_MAX_CONCURRENT_STREAMS (2) holds; 9 requests queue on one connection":
      withServer(
        "tls",
        { http2: true, pool: { connections: 1 } },
        async (server, session) => {
          const answers = await Promise.all(
            Array.from({ length: 9 }, (_, i) =>
              session.get(`${server.url}/delay/${i}`).then((res) => res.text()),
            ),
          );
          assert.deepEqual(
            answers,
            Array.from({ length: 9 }, (_, i) => `r /delay/${i}`),
          );
          const seen = await server.stats();
          assert.deepEqual([seen.sessions, seen.peakStreams], [1, 2]);
        },
        { maxConcurrentStreams: 2 },
      ),

    "h2: after a GOAWAY new requests go to a new connection; an unprocessed POST is sent again":
      withServer("tls", { http2: true }, async (server, session) => {
        assert.equal(await (await session.get(`${server.url}/goaway-after`)).text(), "answered");
        assert.equal(await (await session.get(`${server.url}/next`)).text(), "v2.0 /next");
        assert.equal((await server.stats()).sessions, 2);
        // Above the GOAWAY's last stream id: not processed, so sent again on a new connection.
        const retried = await session.post(`${server.url}/goaway-before`, { body: "once" });
        assert.deepEqual([retried.status, await retried.text()], [200, "v2.0 /goaway-before"]);
        assert.equal((await server.stats()).sessions, 3);
      }),

    "h2: redirects, cookies, gzip, trailers and fetch() over h2": withServer(
      "tls",
      { http2: true },
      async (server, session) => {
        const res = await session.get(`${server.url}/start`);
        assert.match(await res.text(), /^cookie=sid=abc ae=.*gzip/);
        assert.deepEqual(
          res.history.map((hop) => hop.status),
          [302, 303],
        );
        assert.equal(res.httpVersion, "2");
        const trailed = await session.get(`${server.url}/trailers`);
        assert.equal(await trailed.text(), "body");
        assert.equal(trailed.trailers?.get("x-checksum"), "c0ffee");
        const fetch = createFetch(session);
        const fetched = await fetch(`${server.url}/echo`, { method: "PUT", body: "payload" });
        assert.equal(await fetched.text(), "payload");
        assert.equal((await server.stats()).sessions, 1);
      },
    ),

    "h2: a 2 MiB request body goes out through the server's windows; a 2 MiB answer comes back":
      withServer("tls", { http2: true }, async (server, session) => {
        const piece = new Uint8Array(64 * 1024).map((_, i) => i % 251);
        async function* chunks() {
          for (let i = 0; i < 32; i++) yield piece;
        }
        const res = await session.post(`${server.url}/echo`, { body: chunks() });
        assert.equal(res.httpVersion, "2");
        const bytes = await res.bytes();
        assert.equal(bytes.length, 32 * piece.length);
        assert.deepEqual(bytes.subarray(5 * piece.length, 6 * piece.length), piece);
        assert.deepEqual(bytes.subarray(31 * piece.length), piece);
      }),

    "h2: 50 streams of 100 kB each way at once through 16 KiB stream windows": withServer(
      "tls",
      { http2: { initialWindowSize: 16_384, connectionWindowSize: 65_535 } },
      async (server, session) => {
        // Many uploads and downloads interleave on one socket, each held to small windows.
        const body = new Uint8Array(100_000).map((_, i) => i % 251);
        const lengths = await Promise.all(
          Array.from({ length: 50 }, async (_, i) => {
            const echoed = await (await session.post(`${server.url}/echo`, { body })).bytes();
            assert.deepEqual(echoed.subarray(99_000), body.subarray(99_000), `stream ${i}`);
            return echoed.length;
          }),
        );
        assert.deepEqual(lengths, Array(50).fill(100_000));
        assert.equal((await server.stats()).sessions, 1);
      },
    ),

    "h2: full duplex, the answer streams back while the request body is still being written":
      withServer("tls", { http2: true }, async (server, session) => {
        const writer = new BodyWriter();
        const pending = session.post(`${server.url}/duplex`, { body: writer });
        await writer.write("ping ");
        const res = await pending;
        const pieces = res[Symbol.asyncIterator]();
        const decoder = new TextDecoder();
        // The first echo arrives before the request body is finished.
        assert.equal(decoder.decode((await pieces.next()).value), "PING ");
        await writer.write("pong");
        assert.equal(decoder.decode((await pieces.next()).value), "PONG");
        writer.close();
        assert.equal(decoder.decode((await pieces.next()).value), "!");
        assert.equal((await pieces.next()).done, true);
      }),

    "h2: cancelling a body resets its stream and keeps the connection": withServer(
      "tls",
      { http2: true },
      async (server, session) => {
        const res = await session.get(`${server.url}/big`);
        res.cancel();
        const seen = await statsUntil(server, (s) => s.resets.length > 0);
        assert.deepEqual(seen.resets, [CANCEL]);
        const next = await session.get(`${server.url}/after`);
        assert.deepEqual([await next.text(), next.timings.reused], ["v2.0 /after", true]);
        assert.equal((await server.stats()).sessions, 1);
      },
    ),

    "h2: a headers timeout and a body timeout reset only their streams": withServer(
      "tls",
      { http2: true },
      async (server, session) => {
        await assert.rejects(
          session.get(`${server.url}/never`, { timeout: { headers: 100 } }),
          (error) => error instanceof HeadersTimeoutError,
        );
        const stalled = await session.get(`${server.url}/big`, { timeout: { body: 100 } });
        await assert.rejects(stalled.text(), (error) => error instanceof BodyTimeoutError);
        const seen = await statsUntil(server, (s) => s.resets.length > 1);
        assert.deepEqual(seen.resets, [CANCEL, CANCEL]);
        const next = await session.get(`${server.url}/after`);
        assert.deepEqual([await next.text(), next.timings.reused], ["v2.0 /after", true]);
        assert.equal((await server.stats()).sessions, 1);
      },
    ),

    "h2: a stream the server resets fails with Http2StreamError; a dropped connection with TransportError":
      withServer("tls", { http2: true }, async (server, session) => {
        const broken = await session.get(`${server.url}/broken`);
        await assert.rejects(
          broken.text(),
          (error) => error instanceof Http2StreamError && error.errorCode === INTERNAL_ERROR,
        );
        const dropped = await session.get(`${server.url}/drop`);
        await assert.rejects(dropped.text(), (error) => error instanceof TransportError);
        // The next request connects anew.
        const next = await session.get(`${server.url}/after`);
        assert.deepEqual([await next.text(), next.timings.reused], ["v2.0 /after", false]);
        assert.equal((await server.stats()).sessions, 2);
      }),

    "h2: closing the session lets a stream in flight finish, then closes its connection":
      withServer("tls", { http2: true }, async (server, session) => {
        const res = await session.get(`${server.url}/slow`);
        const reader = res.body.getReader();
        assert.equal(new TextDecoder().decode((await reader.read()).value), "first piece");
        await session.close();
        await assert.rejects(session.get(`${server.url}/late`));
        assert.equal((await server.stats()).openSessions, 1);
        server.finish();
        assert.equal((await reader.read()).done, true);
        const seen = await statsUntil(server, (s) => s.openSessions === 0);
        assert.equal(seen.openSessions, 0);
      }),

    "h2: a TLS server that does not offer h2 gets HTTP/1.1": withServer(
      "http1",
      { http2: true },
      async (server, session) => {
        const res = await session.get(`${server.url}/one`);
        assert.deepEqual([await res.text(), res.httpVersion], ["v1.1 /one", "1.1"]);
        const again = await session.get(`${server.url}/two`);
        assert.deepEqual([await again.text(), again.timings.reused], ["v1.1 /two", true]);
        assert.equal((await server.stats()).connections, 1);
      },
    ),

    "h2c: cleartext HTTP/2 with prior knowledge, 5 requests on one connection": withServer(
      "h2c",
      { http2: { priorKnowledge: true } },
      async (server, session) => {
        const answers = await Promise.all(
          Array.from({ length: 5 }, (_, i) =>
            session
              .get(`${server.url}/${i}`)
              .then(async (res) => `${res.httpVersion} ${await res.text()}`),
          ),
        );
        assert.deepEqual(
          answers,
          Array.from({ length: 5 }, (_, i) => `2 v2.0 /${i}`),
        );
        const seen = await server.stats();
        assert.deepEqual([seen.sessions, seen.connections], [1, 1]);
      },
    ),
  };
}

/** Starts the runtime's own TLS server (Deno.serve, Bun.serve) on 127.0.0.1 with `tls`. */
export type ServeTls = (
  tls: { key: string; cert: string },
  handler: (request: Request) => Promise<Response>,
) => Promise<TcpServer>;

/** What the runtime's own servers speak: over TLS (ALPN), and cleartext to an h2c preface. */
export interface RuntimeServerSpeaks {
  tls: "2" | "1.1";
  h2c: boolean;
}

/**
 * The client against the runtime's own servers, which answer with the version
 * they spoke: Deno.serve offers h2 over TLS and answers h2c; Bun.serve speaks
 * HTTP/1.1 only. `speaks` says which, so the cases notice when that changes.
 */
export function http2RuntimeServerCases(
  serve: ServeTcp,
  serveTls: ServeTls,
  transport: () => Transport,
  speaks: RuntimeServerSpeaks,
): Record<string, () => Promise<void>> {
  const expected = speaks.tls;
  return {
    async [`the runtime's own TLS server: 20 POSTs of 300 kB over HTTP/${expected}`]() {
      const certs = await generateTestCertificates();
      const server = await serveTls(certs.server, async (request) => {
        const length = (await request.arrayBuffer()).byteLength;
        return new Response(`${new URL(request.url).pathname} ${length}`);
      });
      const session = new Session({ transport: transport(), tls: { ca: certs.ca }, http2: true });
      try {
        const url = `https://127.0.0.1:${server.port}`;
        const first = await session.get(`${url}/first`);
        assert.deepEqual([first.httpVersion, await first.text()], [expected, "/first 0"]);
        const body = "y".repeat(300_000);
        const answers = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            session.post(`${url}/${i}`, { body }).then((res) => res.text()),
          ),
        );
        assert.deepEqual(
          answers,
          Array.from({ length: 20 }, (_, i) => `/${i} 300000`),
        );
        // HTTP/2 carries them all on the first connection.
        if (expected === "2") assert.equal(Object.values(session.poolStats())[0]?.total, 1);
      } finally {
        await session.close();
        await server.close();
      }
    },

    async [`the runtime's own cleartext server and h2c prior knowledge: ${speaks.h2c ? "HTTP/2" : "H2_PEER_SPOKE_HTTP1, at once"}`]() {
      const server = await serve((request) => new Response(`c ${new URL(request.url).pathname}`));
      const session = new Session({
        transport: transport(),
        http2: { priorKnowledge: true },
        timeout: { total: 5_000 },
      });
      try {
        const url = `http://127.0.0.1:${server.port}`;
        if (speaks.h2c) {
          const answers = await Promise.all(
            Array.from({ length: 5 }, (_, i) =>
              session
                .get(`${url}/${i}`)
                .then(async (res) => `${res.httpVersion} ${await res.text()}`),
            ),
          );
          assert.deepEqual(
            answers,
            Array.from({ length: 5 }, (_, i) => `2 c /${i}`),
          );
          return;
        }
        // An HTTP/1.1 server answers the preface with an HTTP/1.1 error: the protocol names it.
        await assert.rejects(
          session.get(`${url}/x`),
          (error) => error instanceof ProtocolError && error.code === "H2_PEER_SPOKE_HTTP1",
        );
      } finally {
        await session.close();
        await server.close();
      }
    },
  };
}
