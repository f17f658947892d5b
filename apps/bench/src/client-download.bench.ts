// Streamed downloads against the node:http server of client.bench.ts (its own
// process; it writes one reused 64 KiB piece whenever the socket drains, so it
// never holds a body):
//  1. chunked 10 MiB: one download at a time, every contender consumes the body
//     piece by piece (no buffering), interleaved rounds as in client.bench.ts;
//  2. 1 GiB with Content-Length: each contender in a fresh process of its
//     runtime per round (src/client/stream-child.ts), throughput and peak RSS
//     growth of that process (target for Reqivo: under 64 MiB on every
//     runtime): Node (Reqivo on the Node transport, undici, node:http, Node
//     fetch), Deno (Reqivo on the Deno transport, Deno fetch) and Bun (Reqivo
//     on the Bun transport, Bun fetch). Reqivo reads the body three ways on
//     each runtime: `for await` over the response and the reader of
//     `response.body` (the plain streaming API, what the target is judged
//     on), and `readInto` with one reused buffer.
// Options: --rounds=N (default 5), --duration=MS (default 1000),
//   --big-rounds=N (default 2), --big-mib=N (default 1024),
//   --big-runtimes=node,deno,bun (default all three),
//   --section=chunked-10m|stream-1g (that section only), --write, --label=NAME,
//   --deno-v8-flags=--a,--b (more V8 flags for the Deno children, for diagnosis,
//   e.g. --no-incremental-marking; not trace flags, whose output shares the
//   child's stdout: results/2026-12-07-deno-rss.md)
import * as http from "node:http";
import { fileURLToPath } from "node:url";
import { Session } from "@reqivo/client";
import { createTransport } from "@reqivo/transport-node";
import { Pool, fetch as undiciFetch } from "undici";
import { nodeHttpBodyLength } from "./client/node-http-body.ts";
import {
  bin,
  collect,
  flag,
  fmt,
  fmtRatio,
  type Headline,
  machineLine,
  median,
  numberFlag,
  ratio,
  recordHeadlines,
  rotated,
  roundRatios,
  runForOutput,
  runtimeVersion,
  spread,
  startServer,
  writeChart,
  writeSection,
} from "./client/suite.ts";

const ROUNDS = numberFlag("rounds", 5, 1, 50);
const DURATION = numberFlag("duration", 1000, 100, 10_000);
const BIG_ROUNDS = numberFlag("big-rounds", 2, 1, 10);
const BIG_BYTES = numberFlag("big-mib", 1024, 1, 4096) * 1024 * 1024;
const MAX_DOWNLOADS = 100_000;
const SECTION = flag("section");
/** Extra V8 flags for the Deno 1 GiB children (diagnosis only; see the header). */
const DENO_V8_FLAGS = flag("deno-v8-flags");
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
      one: () => nodeHttpBodyLength(url, agent),
      close: async () => agent.destroy(),
    },
  ];
}

async function chunked(): Promise<BigTable> {
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
  const charts = writeChart("chunked-10m", {
    title: "Chunked 10 MiB, streamed, one download at a time",
    unit: "MiB/s",
    rows: list.map((l) => ({ name: l.name, values: rates.get(l.name)!.map((r) => r * 10) })),
  });
  return {
    markdown: [
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
    ].join("\n"),
    charts,
    headlines: [
      {
        id: "download-chunked-10m",
        order: 40,
        scenario: "chunked 10 MiB, streamed",
        reqivo: `${fmt(median(reqivo) * 10)} MiB/s`,
        ratios: `${fmtRatio(ratio(reqivo, undici))} undici \`request\`, ${fmtRatio(
          ratio(reqivo, rates.get("node fetch")!),
        )} Node \`fetch\``,
        target: "–",
        charts: [
          { label: "chunked 10 MiB vs undici request", values: roundRatios(reqivo, undici) },
        ],
      },
    ],
  };
}

interface BigResult {
  bytes: number;
  ms: number;
  rssStart: number;
  peak: number;
  sampledPeak: number;
  /** memoryUsage() growth at the sampled peak (bytes). */
  atPeak: { heapTotal: number; heapUsed: number; external: number };
}

const streamChild = fileURLToPath(new URL("./client/stream-child.ts", import.meta.url));

/** How each runtime starts src/client/stream-child.ts. */
const LAUNCH: Record<Runtime, () => [string, string[]]> = {
  // --expose-gc: without it the child's collect() before taking the start RSS
  // does nothing on Node, and warm-up garbage would hide growth.
  node: () => [
    process.execPath,
    [...process.execArgv.filter((a) => !a.startsWith("--cpu-prof")), "--expose-gc", streamChild],
  ],
  deno: () => [
    bin("deno"),
    [
      "run",
      "--allow-all",
      "--no-check",
      `--v8-flags=--expose-gc${DENO_V8_FLAGS === undefined ? "" : `,${DENO_V8_FLAGS}`}`,
      streamChild,
    ],
  ],
  bun: () => [bin("bun"), [streamChild]],
};

type Runtime = "node" | "deno" | "bun";

/**
 * The 1 GiB contenders per runtime; the first two of each are that runtime's
 * Reqivo with the plain streaming API (`for await`, then `response.body`'s
 * reader: what the target is judged on), the third Reqivo reading with
 * `readInto` into one reused buffer.
 */
const BIG_CONTENDERS: Record<Runtime, string[]> = {
  node: [
    "reqivo",
    "reqivo (body stream)",
    "reqivo (readInto)",
    "undici request",
    "node:http",
    "node fetch",
  ],
  deno: [
    "reqivo (deno transport)",
    "reqivo (deno transport, body stream)",
    "reqivo (deno transport, readInto)",
    "deno fetch",
  ],
  bun: [
    "reqivo (bun transport)",
    "reqivo (bun transport, body stream)",
    "reqivo (bun transport, readInto)",
    "bun fetch",
  ],
};

async function runChild(runtime: Runtime, name: string, target: string): Promise<BigResult> {
  const [command, args] = LAUNCH[runtime]();
  const out = await runForOutput(command, [...args, name, target, String(BIG_BYTES)], 300_000);
  return JSON.parse(out.trim().split("\n").pop()!) as BigResult;
}

const mib = (b: number) => b / 1024 / 1024;

interface BigTable {
  markdown: string;
  charts: string;
  headlines: Headline[];
  /** The Deno and Bun versions used, or "". */
  versions?: string;
}

async function big(): Promise<BigTable> {
  const runtimes = (flag("big-runtimes") ?? "node,deno,bun")
    .split(",")
    .filter((r): r is Runtime => r in BIG_CONTENDERS);
  const entries = runtimes.flatMap((runtime) =>
    BIG_CONTENDERS[runtime].map((name) => ({ runtime, name, key: `${runtime}: ${name}` })),
  );
  const target = `${origin}/stream/${BIG_BYTES}`;
  const got = new Map<string, BigResult[]>(entries.map((e) => [e.key, []]));
  for (let round = 0; round < BIG_ROUNDS; round++) {
    for (const e of rotated(entries, round))
      got.get(e.key)!.push(await runChild(e.runtime, e.name, target));
    process.stdout.write(`stream-1g: ${round + 1} `);
  }
  process.stdout.write("\n");
  const thr = (key: string) => got.get(key)!.map((r) => mib(r.bytes) / (r.ms / 1000));
  const growth = (key: string) => got.get(key)!.map((r) => mib(r.peak - r.rssStart));
  const sampled = (key: string) => got.get(key)!.map((r) => mib(r.sampledPeak - r.rssStart));
  const ownReqivo = (runtime: Runtime) => `${runtime}: ${BIG_CONTENDERS[runtime][0]}`;
  /** External and heap growth at the sampled peak of the worst round (MiB). */
  const atWorst = (key: string) => {
    const rs = got.get(key)!;
    const worstRound = rs.reduce((a, b) =>
      b.sampledPeak - b.rssStart > a.sampledPeak - a.rssStart ? b : a,
    );
    return `${fmt(mib(worstRound.atPeak.external), 1)} / ${fmt(mib(worstRound.atPeak.heapTotal), 1)}`;
  };
  const rows = entries.map(({ runtime, name, key }) => {
    const rs = got.get(key)!;
    return `| ${name} | ${runtime} | ${fmt(median(thr(key)))} | ${fmtRatio(
      ratio(thr(ownReqivo(runtime)), thr(key)),
    )} | ${fmt(Math.max(...sampled(key)), 1)} | ${fmt(Math.max(...growth(key)), 1)} | ${fmt(
      median(growth(key)),
      1,
    )} | ${atWorst(key)} | ${fmt(mib(median(rs.map((r) => r.rssStart))), 0)} |`;
  });
  const LIMIT = 64;
  // The plain streaming API is both `for await` and `response.body`: the worse of the two counts.
  const worst = runtimes.map((r) => ({
    runtime: r,
    mib: Math.max(...BIG_CONTENDERS[r].slice(0, 2).flatMap((n) => growth(`${r}: ${n}`))),
  }));
  const worstInto = runtimes.map((r) => ({
    runtime: r,
    mib: Math.max(...growth(`${r}: ${BIG_CONTENDERS[r][2]}`)),
  }));
  const held = worst.every((w) => w.mib < LIMIT);
  const verdictLine = `Target: Reqivo's peak RSS growth under ${LIMIT} MiB on every runtime with \`for await\` and \`response.body\` (worst round, incl. maxRSS): ${worst
    .map((w) => `${w.runtime} ${fmt(w.mib, 1)} MiB`)
    .join(
      ", ",
    )}; ${held ? "holds" : "does not hold"} in this run. Reading with \`readInto\` and one reused buffer: ${worstInto
    .map((w) => `${w.runtime} ${fmt(w.mib, 1)} MiB`)
    .join(", ")}.`;
  const title = `${fmt(mib(BIG_BYTES))} MiB streamed`;
  const charts =
    writeChart("stream-1g-rss", {
      title: `${title}: peak RSS growth of the client process`,
      unit: "MiB (incl. maxRSS)",
      rows: entries.map((e) => ({ name: e.key, values: growth(e.key) })),
      marker: { value: LIMIT, label: `target < ${LIMIT} MiB` },
      order: "given",
    }) +
    writeChart("stream-1g-throughput", {
      title: `${title}: throughput`,
      unit: "MiB/s",
      rows: entries.map((e) => ({ name: e.key, values: thr(e.key) })),
      order: "given",
    });
  const headlines: Headline[] = [
    {
      id: "download-1g",
      order: 50,
      scenario: `${title} (Content-Length)`,
      reqivo: runtimes.includes("node")
        ? `${fmt(median(thr(ownReqivo("node"))))} MiB/s (Node)`
        : "–",
      ratios: `peak RSS growth ${worst.map((w) => `${w.runtime} ${fmt(w.mib, 0)} MiB`).join(", ")}; with \`readInto\` ${worstInto.map((w) => `${w.runtime} ${fmt(w.mib, 0)}`).join(", ")} MiB`,
      target: `< ${LIMIT} MiB on every runtime: ${held ? "holds" : "not held"}${
        runtimes.length < 3 ? ` (only ${runtimes.join(", ")} measured)` : ""
      }`,
    },
  ];
  const versions = runtimes
    .filter((r): r is "deno" | "bun" => r !== "node")
    .map((r) => (r === "deno" ? runtimeVersion(r) : `bun ${runtimeVersion(r)}`))
    .join(", ");
  return {
    versions,
    markdown: [
      "| contender | runtime | median MiB/s | that runtime's Reqivo vs it | peak RSS growth, sampled (MiB) | peak RSS growth incl. maxRSS (MiB) | median of it (MiB) | external / heap growth at the worst peak (MiB) | RSS at start (MiB) |",
      "|---|---|---:|---:|---:|---:|---:|---:|---:|",
      ...rows,
      "",
      verdictLine,
    ].join("\n"),
    charts,
    headlines,
  };
}

try {
  console.log(
    `download benchmark: chunked 10 MiB ${ROUNDS} rounds of ${DURATION} ms (+1 warm-up); ${fmt(BIG_BYTES / 1024 / 1024)} MiB × ${BIG_ROUNDS} rounds, one process per download.`,
  );
  const a = SECTION === "stream-1g" ? undefined : await chunked();
  if (a !== undefined) console.log(`\n### Chunked 10 MiB, streamed\n\n${a.markdown}\n`);
  const b = SECTION === "chunked-10m" ? undefined : await big();
  if (b !== undefined)
    console.log(`\n### ${fmt(BIG_BYTES / 1024 / 1024)} MiB streamed\n\n${b.markdown}\n`);
  writeSection(
    [
      "## Streamed downloads (client-download.bench.ts)",
      "",
      machineLine(
        `${b?.versions ? `${b.versions}; ` : ""}node:http server in its own process writing one reused 64 KiB piece on each drain.`,
      ),
      "",
      ...(a === undefined
        ? []
        : [
            `### Chunked 10 MiB, one download at a time, body consumed piece by piece (${ROUNDS} rounds of ${DURATION} ms, interleaved)`,
            "",
            a.charts + a.markdown,
            "",
          ]),
      ...(b === undefined
        ? []
        : [
            `### ${fmt(BIG_BYTES / 1024 / 1024)} MiB (Content-Length), streamed, each download in a fresh process (${BIG_ROUNDS} rounds, order rotated)`,
            "",
            "Each download runs in a fresh process of its runtime (src/client/stream-child.ts): Reqivo with the Node transport and the Node clients under Node, " +
              "Reqivo on the Deno transport and Deno's fetch under Deno, Reqivo on the Bun transport and Bun's fetch under Bun. " +
              "RSS growth = peak RSS of the client process during the download minus its RSS after a 32 MiB warm-up download and a full GC. " +
              '"sampled" polls RSS every 5 ms; "incl. maxRSS" also takes the kernel\'s high-water mark (VmHWM; it includes the start-up peak, so it can only overstate). Worst round shown; ' +
              '"external / heap" is the growth of process.memoryUsage()\'s external and heapTotal at the sampled peak of that round.',
            "",
            b.charts + b.markdown,
            "",
          ]),
    ].join("\n"),
  );
  recordHeadlines([...(a?.headlines ?? []), ...(b?.headlines ?? [])], { rounds: ROUNDS });
} finally {
  server.stop();
}
