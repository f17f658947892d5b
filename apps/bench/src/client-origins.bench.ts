// Connection set-up cost: many origins, every request on a new connection.
// A server process (src/client/origins-server.ts) listens on --origins plain
// HTTP ports and as many HTTPS ports, with a certificate issued at bench time
// by a throw-away CA (ECDSA P-256 keys from node:crypto's WebCrypto, X.509
// from @peculiar/x509). Every response carries `connection: close`, and the
// requests go round-robin over the origins (each request to another origin
// than the one before), so every request pays TCP set-up, and for HTTPS the
// TLS handshake too. The server counts connections and TLS handshakes (and
// resumed ones), so the table shows that each request did open a connection.
//
// Contenders, one long-lived client each (no construction cost per request):
// Reqivo (Session, tls.ca), undici `request` (Agent, connect.ca), node:http /
// node:https (keep-alive Agent, ca), Node `fetch`. Node's fetch takes no CA, so
// this file generates the CA, writes it to a temporary file and runs the
// measurement in a child Node process started with NODE_EXTRA_CA_CERTS
// pointing at it (the others pass the CA explicitly, which replaces the
// default trust store, so the variable changes nothing for them).
//
// Options: --rounds=N (default 5), --duration=MS (default 1000),
//   --origins=N (default 20), --in-flight=N (default 10), --write, --label=NAME
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Session } from "@reqivo/client";
import { createTransport } from "@reqivo/transport-node";
import { Agent } from "undici";
import { generateCertificates } from "./client/certificates.ts";
import {
  collect,
  fmt,
  fmtRatio,
  machineLine,
  median,
  numberFlag,
  ratio,
  recordHeadlines,
  rotated,
  roundRatios,
  spread,
  startServer,
  writeChart,
  writeSection,
} from "./client/suite.ts";

const ROUNDS = numberFlag("rounds", 5, 1, 50);
const DURATION = numberFlag("duration", 1000, 100, 10_000);
const ORIGINS = numberFlag("origins", 20, 2, 200);
const IN_FLIGHT = numberFlag("in-flight", 10, 1, 100);
const MAX_REQUESTS = 200_000;
const BODY_LENGTH = 16;
const CHILD_ENV = "REQIVO_BENCH_ORIGINS_CHILD";

// --- Parent: certificates, then the measuring child with NODE_EXTRA_CA_CERTS. ---

async function parent(): Promise<number> {
  const certs = await generateCertificates();
  const dir = mkdtempSync(join(tmpdir(), "reqivo-bench-origins-"));
  try {
    const caFile = join(dir, "ca.pem");
    writeFileSync(caFile, certs.ca);
    const child = spawn(
      process.execPath,
      [
        ...process.execArgv.filter((a) => !a.startsWith("--cpu-prof")),
        fileURLToPath(import.meta.url),
        ...process.argv.slice(2),
      ],
      {
        stdio: "inherit",
        env: {
          ...process.env,
          [CHILD_ENV]: "1",
          NODE_EXTRA_CA_CERTS: caFile,
          ORIGINS_CA: certs.ca,
          ORIGINS_CERT: certs.cert,
          ORIGINS_KEY: certs.key,
          ORIGINS_COUNT: String(ORIGINS),
        },
      },
    );
    // Bounded: 2 scenarios × (rounds + warm-up) × 4 contenders × duration, with room to spare.
    const limit = 2 * (ROUNDS + 1) * 4 * DURATION * 3 + 120_000;
    return await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => child.kill(), limit);
      child.once("error", reject);
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        resolve(code ?? (signal === null ? 1 : 128));
      });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- Child: the server, the contenders, interleaved rounds. ---

interface Contender {
  name: string;
  /** One GET of `origin` + "/", whole body read; returns status and body length. */
  one(origin: string): Promise<[number, number]>;
  close(): Promise<void>;
}

interface ServerStats {
  connections: number;
  tls: number;
  resumed: number;
}

function createContenders(ca: string): Contender[] {
  const session = new Session({ transport: createTransport(), tls: { ca } });
  const agent = new Agent({ connect: { ca } });
  const httpAgent = new http.Agent({ keepAlive: true });
  const httpsAgent = new https.Agent({ keepAlive: true, ca });
  return [
    {
      name: "reqivo",
      async one(origin) {
        const res = await session.get(`${origin}/`);
        return [res.status, (await res.bytes()).length];
      },
      close: () => session.close(),
    },
    {
      name: "undici request",
      async one(origin) {
        const res = await agent.request({ origin, path: "/", method: "GET" });
        return [res.statusCode, (await res.body.arrayBuffer()).byteLength];
      },
      close: () => agent.close(),
    },
    {
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
    },
    {
      name: "node fetch",
      async one(origin) {
        const res = await fetch(`${origin}/`);
        return [res.status, (await res.arrayBuffer()).byteLength];
      },
      close: async () => undefined,
    },
  ];
}

function getStats(port: number): Promise<ServerStats> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path: "/stats", agent: false }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => resolve(JSON.parse(text) as ServerStats));
        res.on("error", reject);
      })
      .on("error", reject);
  });
}

interface Sample {
  requests: number;
  ms: number;
  cpuUs: number;
}

/** IN_FLIGHT workers; request i goes to origins[i % n], so consecutive requests change origin. */
async function sample(c: Contender, origins: readonly string[]): Promise<Sample> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const deadline = start + DURATION;
  let started = 0;
  let completed = 0;
  const worker = async () => {
    while (started < MAX_REQUESTS && performance.now() < deadline) {
      const origin = origins[started++ % origins.length]!;
      const [status, length] = await c.one(origin);
      if (status !== 200 || length !== BODY_LENGTH)
        throw new Error(`${c.name}: ${origin} answered ${status} with ${length} bytes`);
      completed++;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { requests: completed, ms, cpuUs: (used.user + used.system) / completed };
}

interface Measured {
  rates: number[];
  cpu: number[];
  requests: number;
  connections: number;
  tls: number;
  resumed: number;
}

interface ScenarioOutcome {
  /** The table, with its chart above it when writing. */
  markdown: string;
  reqivo: number[];
  vsUndici: number[];
}

async function scenario(
  title: string,
  origins: readonly string[],
  list: Contender[],
  statsPort: number,
): Promise<ScenarioOutcome> {
  const got = new Map<string, Measured>(
    list.map((c) => [
      c.name,
      { rates: [], cpu: [], requests: 0, connections: 0, tls: 0, resumed: 0 },
    ]),
  );
  for (let round = -1; round < ROUNDS; round++) {
    for (const c of rotated(list, round)) {
      collect();
      const before = await getStats(statsPort);
      const s = await sample(c, origins);
      const after = await getStats(statsPort);
      if (round < 0) continue;
      const m = got.get(c.name)!;
      m.rates.push((s.requests * 1000) / s.ms);
      m.cpu.push(s.cpuUs);
      m.requests += s.requests;
      m.connections += after.connections - before.connections;
      m.tls += after.tls - before.tls;
      m.resumed += after.resumed - before.resumed;
    }
    process.stdout.write(round < 0 ? `${title}: warm-up ` : `${round + 1} `);
  }
  process.stdout.write("\n");
  const undici = got.get("undici request")!.rates;
  const reqivo = got.get("reqivo")!.rates;
  const secure = origins[0]!.startsWith("https:");
  const rows = [...list].sort(
    (a, b) => median(got.get(b.name)!.rates) - median(got.get(a.name)!.rates),
  );
  const chart = writeChart(`origins-${secure ? "https" : "http"}`, {
    title: `New connection per request, ${secure ? "HTTPS" : "HTTP"}, ${origins.length} origins`,
    unit: "requests/s",
    rows: list.map((c) => ({ name: c.name, values: got.get(c.name)!.rates })),
  });
  const table = [
    `| contender | median req/s | min – max | spread | vs undici request | CPU µs/req | new connections/req |${secure ? " TLS sessions resumed |" : ""}`,
    `|---|---:|---:|---:|---:|---:|---:|${secure ? "---:|" : ""}`,
    ...rows.map((c) => {
      const m = got.get(c.name)!;
      const resumed = m.tls === 0 ? "–" : `${((m.resumed / m.tls) * 100).toFixed(0)}%`;
      return `| ${c.name} | ${fmt(median(m.rates))} | ${fmt(Math.min(...m.rates))} – ${fmt(
        Math.max(...m.rates),
      )} | ${spread(m.rates)} | ${fmtRatio(ratio(m.rates, undici))} | ${fmt(median(m.cpu), 1)} | ${fmt(
        m.connections / m.requests,
        2,
      )} |${secure ? ` ${resumed} |` : ""}`;
    }),
    "",
    `Reqivo vs undici request: ${fmtRatio(ratio(reqivo, undici))}.`,
  ].join("\n");
  return { markdown: chart + table, reqivo, vsUndici: roundRatios(reqivo, undici) };
}

async function child(): Promise<void> {
  const ca = process.env.ORIGINS_CA!;
  const server = await startServer("origins-server.ts", 3);
  const statsPort = server.port;
  const ports = (line: string) => line.split(",").map(Number);
  const plain = ports(server.extra[0]!).map((p) => `http://127.0.0.1:${p}`);
  const secure = ports(server.extra[1]!).map((p) => `https://127.0.0.1:${p}`);
  const list = createContenders(ca);
  try {
    console.log(
      `origins benchmark: ${ORIGINS} HTTP + ${ORIGINS} HTTPS origins, every response \`connection: close\`, ` +
        `${IN_FLIGHT} requests in flight, ${ROUNDS} rounds of ${DURATION} ms (+1 warm-up), interleaved.`,
    );
    const a = await scenario("http", plain, list, statsPort);
    console.log(`\n### New connection per request, HTTP, ${ORIGINS} origins\n\n${a.markdown}\n`);
    const b = await scenario("https", secure, list, statsPort);
    console.log(
      `\n### New connection per request, HTTPS (TLS), ${ORIGINS} origins\n\n${b.markdown}\n`,
    );
    writeSection(
      [
        "## Many origins: connection set-up cost (client-origins.bench.ts)",
        "",
        machineLine(
          `node:http/node:https server in its own process on ${ORIGINS} plain and ${ORIGINS} TLS ports ` +
            "(ECDSA P-256 certificate from a CA generated at bench time), 16 B body, every response `connection: close`.",
        ),
        "",
        `Requests go round-robin over the origins (${IN_FLIGHT} in flight), so every request opens a new connection ` +
          "(TCP, plus the TLS handshake for HTTPS) to another origin than the one before; one long-lived client per contender. " +
          `${ROUNDS} rounds of ${DURATION} ms, interleaved (order rotated each round), after a warm-up round. ` +
          '"new connections/req" and "TLS sessions resumed" are counted by the server over the measured rounds. ' +
          "Reqivo, undici and node:https get the CA as an option; Node fetch cannot take one, so the client process runs with NODE_EXTRA_CA_CERTS. " +
          "CPU µs/req is the client process's (user+system).",
        "",
        `### HTTP, ${ORIGINS} origins`,
        "",
        a.markdown,
        "",
        `### HTTPS, ${ORIGINS} origins`,
        "",
        b.markdown,
        "",
      ].join("\n"),
    );
    recordHeadlines(
      [
        {
          id: "origins",
          order: 70,
          scenario: `many origins, new connection per request, HTTP / HTTPS (${ORIGINS} + ${ORIGINS} origins)`,
          reqivo: `${fmt(median(a.reqivo))} / ${fmt(median(b.reqivo))} req/s`,
          ratios: `${fmtRatio(median(a.vsUndici))} / ${fmtRatio(median(b.vsUndici))} undici \`request\``,
          target: "–",
          charts: [
            { label: "many origins, HTTP vs undici request", values: a.vsUndici },
            { label: "many origins, HTTPS vs undici request", values: b.vsUndici },
          ],
        },
      ],
      { rounds: ROUNDS },
    );
  } finally {
    for (const c of list) await c.close();
    server.stop();
  }
}

if (process.env[CHILD_ENV] === "1") await child();
else process.exitCode = await parent();
