// Streamed downloads against the node:http server of client.bench.ts (its own
// process; it writes one reused 64 KiB piece whenever the socket drains, so it
// never holds a body):
//  1. chunked 10 MiB: one download at a time, every contender consumes the body
//     piece by piece (no buffering), interleaved rounds as in client.bench.ts;
//  2. 1 GiB with Content-Length: each contender in a fresh Node process per
//     round (src/client/stream-child.ts), throughput and peak RSS growth of
//     that process (target for Reqivo: under 64 MiB).
// Options: --rounds=N (default 5), --duration=MS (default 1000),
//   --big-rounds=N (default 2), --big-mib=N (default 1024), --write, --label=NAME
import { spawn } from "node:child_process";
import * as http from "node:http";
import { fileURLToPath } from "node:url";
import { Session } from "@reqivo/client";
import { createTransport } from "@reqivo/transport-node";
import { Pool, fetch as undiciFetch } from "undici";
import {
  collect,
  fmt,
  fmtRatio,
  machineLine,
  median,
  numberFlag,
  ratio,
  rotated,
  spread,
  startServer,
  writeSection,
} from "./client/suite.ts";

const ROUNDS = numberFlag("rounds", 5, 1, 50);
const DURATION = numberFlag("duration", 1000, 100, 10_000);
const BIG_ROUNDS = numberFlag("big-rounds", 2, 1, 10);
const BIG_BYTES = numberFlag("big-mib", 1024, 1, 4096) * 1024 * 1024;
const MAX_DOWNLOADS = 100_000;
const TEN_MIB = 10 * 1024 * 1024;

interface Streamer {
  name: string;
  /** Downloads the URL, consuming each piece; returns the byte count. */
  one(): Promise<number>;
  close(): Promise<void>;
}

const server = await startServer("server.ts");
const origin = `http://127.0.0.1:${server.port}`;
const url = `${origin}/chunked-10m`;

function streamers(): Streamer[] {
  const session = new Session({ transport: createTransport(), pool: { idleTimeout: 120_000 } });
  const pool = new Pool(origin, { connections: 4, keepAliveTimeout: 120_000 });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const readAll = async (body: ReadableStream<Uint8Array>): Promise<number> => {
    const reader = body.getReader();
    let n = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return n;
      n += value.length;
    }
  };
  return [
    {
      name: "reqivo",
      async one() {
        const res = await session.get(url);
        let n = 0;
        for await (const chunk of res) n += chunk.length;
        return n;
      },
      close: () => session.close(),
    },
    {
      name: "undici request",
      async one() {
        const res = await pool.request({ path: "/chunked-10m", method: "GET" });
        let n = 0;
        for await (const chunk of res.body) n += (chunk as Buffer).length;
        return n;
      },
      close: () => pool.close(),
    },
    {
      name: "undici fetch",
      async one() {
        const res = await undiciFetch(url);
        return readAll(res.body as ReadableStream<Uint8Array>);
      },
      close: async () => undefined,
    },
    {
      name: "node fetch",
      async one() {
        const res = await fetch(url);
        return readAll(res.body!);
      },
      close: async () => undefined,
    },
    {
      name: "node:http",
      one: () =>
        new Promise<number>((resolve, reject) => {
          http
            .get(url, { agent }, (res) => {
              let n = 0;
              res.on("data", (chunk: Buffer) => {
                n += chunk.length;
              });
              res.on("end", () => resolve(n));
              res.on("error", reject);
            })
            .on("error", reject);
        }),
      close: async () => agent.destroy(),
    },
  ];
}

async function chunked(): Promise<string> {
  const list = streamers();
  const rates = new Map<string, number[]>(list.map((s) => [s.name, []]));
  const cpu = new Map<string, number[]>(list.map((s) => [s.name, []]));
  try {
    for (let round = -1; round < ROUNDS; round++) {
      for (const s of rotated(list, round)) {
        collect();
        const used = process.cpuUsage();
        const start = performance.now();
        const deadline = start + DURATION;
        let count = 0;
        while (count < MAX_DOWNLOADS && performance.now() < deadline) {
          const n = await s.one();
          if (n !== TEN_MIB) throw new Error(`${s.name}: ${n} bytes, want ${TEN_MIB}`);
          count++;
        }
        const ms = performance.now() - start;
        const u = process.cpuUsage(used);
        if (round >= 0) {
          rates.get(s.name)!.push((count * 1000) / ms);
          cpu.get(s.name)!.push((u.user + u.system) / 1000 / count);
        }
      }
      process.stdout.write(round < 0 ? "chunked-10m: warm-up " : `${round + 1} `);
    }
    process.stdout.write("\n");
  } finally {
    for (const s of list) await s.close();
  }
  const reqivo = rates.get("reqivo")!;
  const undici = rates.get("undici request")!;
  const rows = [...list].sort((a, b) => median(rates.get(b.name)!) - median(rates.get(a.name)!));
  return [
    "| contender | median downloads/s | MiB/s | min – max | spread | reqivo vs it | CPU ms/download |",
    "|---|---:|---:|---:|---:|---:|---:|",
    ...rows.map((s) => {
      const r = rates.get(s.name)!;
      return `| ${s.name} | ${fmt(median(r), 1)} | ${fmt(median(r) * 10)} | ${fmt(Math.min(...r), 1)} – ${fmt(
        Math.max(...r),
        1,
      )} | ${spread(r)} | ${fmtRatio(ratio(reqivo, r))} | ${fmt(median(cpu.get(s.name)!), 1)} |`;
    }),
    "",
    `Reqivo vs undici request: ${fmtRatio(ratio(reqivo, undici))}.`,
  ].join("\n");
}

interface BigResult {
  bytes: number;
  ms: number;
  rssStart: number;
  peak: number;
  sampledPeak: number;
}

function runChild(name: string, target: string): Promise<BigResult> {
  const file = fileURLToPath(new URL("./client/stream-child.ts", import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        ...process.execArgv.filter((a) => !a.startsWith("--cpu-prof")),
        file,
        name,
        target,
        String(BIG_BYTES),
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    const timer = setTimeout(() => child.kill(), 300_000);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`${name}: stream child exited with ${code}`));
      else resolve(JSON.parse(out.trim().split("\n").pop()!) as BigResult);
    });
  });
}

async function big(): Promise<string> {
  const names = ["reqivo", "undici request", "node:http", "node fetch"];
  const target = `${origin}/stream/${BIG_BYTES}`;
  const got = new Map<string, BigResult[]>(names.map((n) => [n, []]));
  for (let round = 0; round < BIG_ROUNDS; round++) {
    for (const name of rotated(names, round)) got.get(name)!.push(await runChild(name, target));
    process.stdout.write(`stream-1g: ${round + 1} `);
  }
  process.stdout.write("\n");
  const mib = (b: number) => b / 1024 / 1024;
  const thr = (name: string) => got.get(name)!.map((r) => mib(r.bytes) / (r.ms / 1000));
  const rows = names.map((name) => {
    const rs = got.get(name)!;
    const growth = Math.max(...rs.map((r) => mib(r.peak - r.rssStart)));
    const sampled = Math.max(...rs.map((r) => mib(r.sampledPeak - r.rssStart)));
    return `| ${name} | ${fmt(median(thr(name)))} | ${fmtRatio(ratio(thr("reqivo"), thr(name)))} | ${fmt(
      sampled,
      1,
    )} | ${fmt(growth, 1)} | ${fmt(mib(median(rs.map((r) => r.rssStart))), 0)} |`;
  });
  return [
    "| contender | median MiB/s | reqivo vs it | peak RSS growth, sampled (MiB) | peak RSS growth incl. maxRSS (MiB) | RSS at start (MiB) |",
    "|---|---:|---:|---:|---:|---:|",
    ...rows,
  ].join("\n");
}

try {
  console.log(
    `download benchmark: chunked 10 MiB ${ROUNDS} rounds of ${DURATION} ms (+1 warm-up); ${fmt(BIG_BYTES / 1024 / 1024)} MiB × ${BIG_ROUNDS} rounds, one process per download.`,
  );
  const a = await chunked();
  console.log(`\n### Chunked 10 MiB, streamed\n\n${a}\n`);
  const b = await big();
  console.log(`\n### ${fmt(BIG_BYTES / 1024 / 1024)} MiB streamed\n\n${b}\n`);
  writeSection(
    [
      "## Streamed downloads (client-download.bench.ts)",
      "",
      machineLine(
        "node:http server in its own process writing one reused 64 KiB piece on each drain.",
      ),
      "",
      `### Chunked 10 MiB, one download at a time, body consumed piece by piece (${ROUNDS} rounds of ${DURATION} ms, interleaved)`,
      "",
      a,
      "",
      `### ${fmt(BIG_BYTES / 1024 / 1024)} MiB (Content-Length), streamed, each download in a fresh Node process (${BIG_ROUNDS} rounds, order rotated)`,
      "",
      "RSS growth = peak RSS of the client process during the download minus its RSS after a 32 MiB warm-up download and GC. " +
        '"sampled" polls RSS every 5 ms; "incl. maxRSS" also takes the kernel\'s high-water mark (it includes the start-up peak, so it can only overstate). Worst round shown.',
      "",
      b,
      "",
    ].join("\n"),
  );
} finally {
  server.stop();
}
