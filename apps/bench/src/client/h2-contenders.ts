// The contenders and scenarios of client-http2.bench.ts: keep-alive GETs
// over TLS to src/client/h2-server.ts, 100 requests in flight, on 1 or on 10
// connections. Each contender keeps one client per connection count (made
// on first use, reused by every later sample), reads the whole body and
// checks status and length; the first response of a client also checks the
// protocol where the API tells it.
import * as http2 from "node:http2";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Session } from "@reqivo/client";
import { createTransport } from "@reqivo/transport-node";
import { Pool } from "undici";
import { drive, type Sample } from "./contenders.ts";
import { rawH2Ceiling } from "./h2-raw-ceiling.ts";

export interface H2Scenario {
  /** Short id, used on the command line and in file names. */
  id: string;
  title: string;
  path: string;
  expectedBody: number;
  /** Connections (HTTP/2 sessions) each contender may open. */
  connections: number;
  inFlight: number;
}

const IN_FLIGHT = 100;

function scenario(size: "tiny" | "64k", connections: number): H2Scenario {
  const body = size === "tiny" ? "16 B" : "64 KiB";
  const conns = connections === 1 ? "1 connection" : `${connections} connections`;
  return {
    id: `get-${size}-${connections}c`,
    title: `GET ${body} keep-alive over TLS, ${conns}, ${IN_FLIGHT} in flight`,
    path: `/${size}`,
    expectedBody: size === "tiny" ? 16 : 64 * 1024,
    connections,
    inFlight: IN_FLIGHT,
  };
}

/** Every scenario, in the order they run. */
export const H2_SCENARIOS: readonly H2Scenario[] = [
  scenario("tiny", 1),
  scenario("tiny", 10),
  scenario("64k", 1),
  scenario("64k", 10),
];

export interface H2Contender {
  name: string;
  /** Runs the scenario for about `durationMs` (bounded by `maxRequests` too). */
  sample(scenario: H2Scenario, durationMs: number, maxRequests: number): Promise<Sample>;
  close(): Promise<void>;
}

const BASELINE = "reqivo h2 (baseline)";
/** REQIVO_BASELINE: another checkout (packages built) whose client runs as BASELINE. */
const baselineRoot = process.env.REQIVO_BASELINE;

/** Every contender's name; BASELINE only with REQIVO_BASELINE set. */
export const H2_CONTENDERS: readonly string[] = [
  "reqivo h2",
  ...(baselineRoot ? [BASELINE] : []),
  "reqivo h1",
  "undici h2",
  "node:http2",
  "raw h2 ceiling",
];

function check(name: string, s: H2Scenario, status: number, length: number): void {
  if (status !== 200 || length !== s.expectedBody)
    throw new Error(
      `${name}/${s.id}: status ${status}, body ${length} bytes (want 200, ${s.expectedBody})`,
    );
}

/** What a reqivo contender is made of: this checkout's, or REQIVO_BASELINE's. */
interface ReqivoModules {
  Session: typeof Session;
  createTransport: typeof createTransport;
}

const current = async (): Promise<ReqivoModules> => ({ Session, createTransport });

/** The baseline checkout's client on its own Node transport: a before/after in one run. */
async function baseline(): Promise<ReqivoModules> {
  const load = (pkg: string) =>
    import(pathToFileURL(join(baselineRoot ?? "", "packages", pkg, "dist/index.js")).href);
  const [client, transport] = await Promise.all([load("client"), load("transport-node")]);
  return { Session: client.Session, createTransport: transport.createTransport };
}

/** A client per connection count; `one` makes a request function for a scenario on it. */
interface Client {
  one(s: H2Scenario): () => Promise<void>;
  close(): Promise<void>;
}

function contender(
  name: string,
  make: (connections: number) => Client | Promise<Client>,
): H2Contender {
  const clients = new Map<number, Client>();
  const ones = new Map<string, () => Promise<void>>();
  return {
    name,
    async sample(s, durationMs, maxRequests) {
      let one = ones.get(s.id);
      if (one === undefined) {
        let client = clients.get(s.connections);
        if (client === undefined) {
          client = await make(s.connections);
          clients.set(s.connections, client);
        }
        one = client.one(s);
        ones.set(s.id, one);
      }
      return drive(s, durationMs, maxRequests, one);
    },
    async close() {
      for (const c of clients.values()) await c.close();
    },
  };
}

function reqivo(
  name: string,
  origin: string,
  ca: string,
  h2: boolean,
  modules: () => Promise<ReqivoModules> = current,
): H2Contender {
  const want = h2 ? "2" : "1.1";
  return contender(name, async (connections) => {
    const { Session, createTransport } = await modules();
    const open = (http2: boolean | { maxStreamsPerConnection: number }) =>
      new Session({
        transport: createTransport(),
        tls: { ca },
        http2,
        pool: { connections, idleTimeout: 120_000 },
      });
    // On 10 connections: at most 10 streams each, so the 100 in flight
    // spread over all 10 (without it one connection carries them all).
    const spread = h2 && connections > 1;
    let session: Session;
    try {
      session = open(spread ? { maxStreamsPerConnection: Math.ceil(IN_FLIGHT / connections) } : h2);
    } catch (error) {
      // A baseline from before http2.maxStreamsPerConnection: an unknown option throws.
      if (!spread || modules === current) throw error;
      session = open(h2);
    }
    let checked = false;
    return {
      one(s) {
        const url = origin + s.path;
        return async () => {
          const res = await session.get(url);
          const body = await res.bytes();
          check(name, s, res.status, body.length);
          if (!checked) {
            if (res.httpVersion !== want)
              throw new Error(`${name}: HTTP/${res.httpVersion}, want HTTP/${want}`);
            checked = true;
          }
        };
      },
      close: () => session.close(),
    };
  });
}

function undiciH2(origin: string, ca: string): H2Contender {
  return contender("undici h2", (connections) => {
    const pool = new Pool(origin, {
      connections,
      allowH2: true,
      connect: { ca },
      keepAliveTimeout: 120_000,
      keepAliveMaxTimeout: 120_000,
    });
    return {
      one(s) {
        const options = { path: s.path, method: "GET" as const };
        return async () => {
          const res = await pool.request(options);
          const body = await res.body.arrayBuffer();
          check("undici h2", s, res.statusCode, body.byteLength);
        };
      },
      close: () => pool.close(),
    };
  });
}

function nodeHttp2(origin: string, ca: string): H2Contender {
  return contender("node:http2", (connections) => {
    const sessions = Array.from({ length: connections }, () => http2.connect(origin, { ca }));
    for (const session of sessions) session.on("error", () => undefined);
    let next = 0;
    return {
      one(s) {
        const headers = { ":method": "GET", ":path": s.path };
        return () =>
          new Promise<void>((resolve, reject) => {
            // Round-robin over the sessions, request by request.
            const session = sessions[next]!;
            next = (next + 1) % sessions.length;
            const stream = session.request(headers, { endStream: true });
            let status = 0;
            let length = 0;
            stream.on("response", (h) => {
              status = h[":status"] ?? 0;
            });
            stream.on("data", (chunk: Buffer) => {
              length += chunk.length;
            });
            stream.on("end", () => {
              try {
                check("node:http2", s, status, length);
                resolve();
              } catch (error) {
                reject(error);
              }
            });
            stream.on("error", reject);
          });
      },
      close: async () => {
        await Promise.all(
          sessions.map((session) => new Promise<void>((resolve) => session.close(() => resolve()))),
        );
      },
    };
  });
}

/** The contender called `name`, set up against the server on `port` trusting `ca` (undefined: no such name). */
export function createH2Contender(name: string, port: number, ca: string): H2Contender | undefined {
  const origin = `https://127.0.0.1:${port}`;
  switch (name) {
    case "reqivo h2":
      return reqivo(name, origin, ca, true);
    case BASELINE:
      return baselineRoot ? reqivo(name, origin, ca, true, baseline) : undefined;
    case "reqivo h1":
      return reqivo(name, origin, ca, false);
    case "undici h2":
      return undiciH2(origin, ca);
    case "node:http2":
      return nodeHttp2(origin, ca);
    case "raw h2 ceiling":
      return rawH2Ceiling(port, ca);
    default:
      return undefined;
  }
}
