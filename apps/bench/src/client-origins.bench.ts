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
// Contenders (src/client/origins-contenders.ts), one long-lived client each
// (no construction cost per request): Reqivo (Session, tls.ca), undici
// `request` (Agent, connect.ca), node:http / node:https (keep-alive Agent,
// ca), Node `fetch`. Each runs in a Node process of its own
// (src/client/origins-child.ts via sample-host.ts), interleaved round by round
// (order rotated) after a warm-up round, as in client.bench.ts. Node's fetch
// takes no CA, so this file writes the CA to a temporary file and starts the
// children with NODE_EXTRA_CA_CERTS pointing at it (the others pass the CA
// explicitly, which replaces the default trust store, so the variable changes
// nothing for them).
// Each measured turn begins with --rewarm ms (default 2000) of unmeasured
// requests of the same scenario, no forced gc(), in children with V8's memory
// reducer off: the loaded-client turn of client.bench.ts (client/turn.ts;
// results/2026-12-07-s13-method.md). The turn is a request of its own, so the
// server's counts cover the sample alone. Until the fourteenth session every
// contender ran in this bench's own (child) process, a forced gc() before each
// sample, no rewarm, the reducer on.
//
// Options: --rounds=N (default 5), --duration=MS (default 1000),
//   --origins=N (default 20), --in-flight=N (default 10), --rewarm=MS (default 2000),
//   --gc-before-sample, --memory-reducer, --write, --label=NAME
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateCertificates } from "./client/certificates.ts";
import type { SampleReply } from "./client/contender-child.ts";
import type { OriginsSampleRequest } from "./client/origins-child.ts";
import { ORIGINS_CONTENDERS } from "./client/origins-contenders.ts";
import { type SampleHost, startSampleHost } from "./client/sample-host.ts";
import {
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
import { askTurn, childExecArgv, turnFlags, turnText } from "./client/turn.ts";

const ROUNDS = numberFlag("rounds", 5, 1, 50);
const DURATION = numberFlag("duration", 1000, 100, 10_000);
const ORIGINS = numberFlag("origins", 20, 2, 200);
const IN_FLIGHT = numberFlag("in-flight", 10, 1, 100);
const TURN = turnFlags(2000);
const MAX_REQUESTS = 200_000;
const BODY_LENGTH = 16;
// A sample or a turn's rewarm, with room for a slow machine.
const ASK_TIMEOUT_MS = DURATION + 60_000;

interface ServerStats {
  connections: number;
  tls: number;
  resumed: number;
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
  list: SampleHost[],
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
      const request: OriginsSampleRequest = {
        origins: [...origins],
        inFlight: IN_FLIGHT,
        durationMs: DURATION,
        maxRequests: MAX_REQUESTS,
        bodyLength: BODY_LENGTH,
      };
      // The warm-up round is unmeasured already.
      if (round >= 0) await askTurn(c, request, TURN, ASK_TIMEOUT_MS);
      const before = await getStats(statsPort);
      const s = await c.ask<SampleReply>(request, ASK_TIMEOUT_MS);
      const after = await getStats(statsPort);
      if (round < 0) continue;
      const m = got.get(c.name)!;
      m.rates.push((s.requests * 1000) / s.elapsedMs);
      m.cpu.push(s.cpuMicros / s.requests);
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

/** The server, then one child per contender (NODE_EXTRA_CA_CERTS for Node's fetch), then both scenarios. */
async function main(): Promise<void> {
  const certs = await generateCertificates();
  const dir = mkdtempSync(join(tmpdir(), "reqivo-bench-origins-"));
  const caFile = join(dir, "ca.pem");
  writeFileSync(caFile, certs.ca);
  // The server and the children inherit these.
  Object.assign(process.env, {
    NODE_EXTRA_CA_CERTS: caFile,
    ORIGINS_CA: certs.ca,
    ORIGINS_CERT: certs.cert,
    ORIGINS_KEY: certs.key,
    ORIGINS_COUNT: String(ORIGINS),
  });
  const server = await startServer("origins-server.ts", 3);
  const statsPort = server.port;
  const ports = (line: string) => line.split(",").map(Number);
  const plain = ports(server.extra[0]!).map((p) => `http://127.0.0.1:${p}`);
  const secure = ports(server.extra[1]!).map((p) => `https://127.0.0.1:${p}`);
  const child = fileURLToPath(new URL("./client/origins-child.ts", import.meta.url));
  const execArgv = childExecArgv(TURN);
  const list: SampleHost[] = [];
  try {
    list.push(
      ...(await Promise.all(
        ORIGINS_CONTENDERS.map((key) =>
          startSampleHost(process.execPath, [...execArgv, child, key]),
        ),
      )),
    );
    console.log(
      `origins benchmark: ${ORIGINS} HTTP + ${ORIGINS} HTTPS origins, every response \`connection: close\`, ` +
        `${IN_FLIGHT} requests in flight, ${ROUNDS} rounds of ${DURATION} ms (+1 warm-up), interleaved, ` +
        `each contender in a process of its own; ${turnText(TURN)}.`,
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
          "(TCP, plus the TLS handshake for HTTPS) to another origin than the one before; one long-lived client per contender, " +
          "each in a Node process of its own. " +
          `${ROUNDS} rounds of ${DURATION} ms, interleaved (order rotated each round), after a warm-up round; ${turnText(TURN)}. ` +
          '"new connections/req" and "TLS sessions resumed" are counted by the server over the measured samples. ' +
          "Reqivo, undici and node:https get the CA as an option; Node fetch cannot take one, so the contender processes run with NODE_EXTRA_CA_CERTS. " +
          "CPU µs/req is the contender process's (user+system).",
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
    await Promise.all(list.map((c) => c.close().catch(() => undefined)));
    server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
