// WebSocket echo: one connection per contender to a `ws` echo server in its own
// process (src/client/ws-server.ts), one binary message in flight: send, wait
// for the echo, check its length, repeat. Messages of 16 B, 64 KiB and 1 MiB.
// Contenders: Reqivo (`session.websocket`, compression off), the `ws` client,
// undici's WebSocket, and the floor of node:net itself (no WebSocket code; see
// netFloorEchoer). Each contender runs in a Node process of its own
// (src/client/ws-echo-child.ts), as in client.bench.ts; rounds interleave the
// contenders, rotated; ratios are the median of per-round ratios, with their
// interquartile range. Each turn starts with --rewarm ms of unmeasured echoes
// and no forced gc(), and the children run with V8's memory reducer off: the
// loaded-client turn of every client bench (client/turn.ts).
// Options: --rounds=N (default 10), --duration=MS (default 1000), --rewarm=MS
// (default 1000), --gc-before-sample, --memory-reducer, --sizes=16b,64k,1m (which
// message sizes; all by default), --write, --label=NAME
import { fileURLToPath } from "node:url";
import { startSampleHost } from "./client/sample-host.ts";
import {
  flag,
  fmt,
  fmtRatio,
  machineLine,
  median,
  numberFlag,
  quartiles,
  ratio,
  recordHeadlines,
  rotated,
  roundRatios,
  spread,
  startServer,
  writeChart,
  writeSection,
} from "./client/suite.ts";
import { childExecArgv, turnFlags, turnText } from "./client/turn.ts";
import type { EchoSampleReply, EchoSampleRequest } from "./client/ws-echo-child.ts";

/** A median ratio with the quartiles of the ratios it came from. */
function fmtRatioQuartiles(ratios: number[]): string {
  const [q1, q3] = quartiles(ratios);
  return `${fmtRatio(median(ratios))} (${q1.toFixed(2)}–${q3.toFixed(2)})`;
}

const ROUNDS = numberFlag("rounds", 10, 1, 200);
const DURATION = numberFlag("duration", 1000, 100, 10_000);
const TURN = turnFlags(1000);
const MAX_MESSAGES = 5_000_000;
const ALL_SIZES = [
  { id: "16b", title: "16 B", size: 16 },
  { id: "64k", title: "64 KiB", size: 64 * 1024 },
  { id: "1m", title: "1 MiB", size: 1024 * 1024 },
];
const chosenSizes = flag("sizes")?.split(",");
const SIZES = ALL_SIZES.filter((s) => chosenSizes === undefined || chosenSizes.includes(s.id));
if (SIZES.length === 0)
  throw new Error(`--sizes: none of ${chosenSizes} (${ALL_SIZES.map((s) => s.id)})`);

const server = await startServer("ws-server.ts");
const url = `ws://127.0.0.1:${server.port}/`;
const child = fileURLToPath(new URL("./client/ws-echo-child.ts", import.meta.url));
const execArgv = childExecArgv(TURN);
const echoers = await Promise.all(
  ["reqivo", "ws", "undici", "floor"].map((key) =>
    startSampleHost(process.execPath, [...execArgv, child, url, key]),
  ),
);
const turnLine = turnText(TURN, "echoes");
const sections: string[] = [];
const results: { title: string; echoes: number; vsWs: number[] }[] = [];
try {
  console.log(
    `websocket echo benchmark: ${ROUNDS} rounds of ${DURATION} ms (+1 warm-up), ws server and each contender in a process of its own, one message in flight; ${turnLine}.`,
  );
  for (const { id, title, size } of SIZES) {
    const rates = new Map<string, number[]>(echoers.map((e) => [e.name, []]));
    const cpu = new Map<string, number[]>(echoers.map((e) => [e.name, []]));
    for (let round = -1; round < ROUNDS; round++) {
      for (const e of rotated(echoers, round)) {
        const request: EchoSampleRequest = {
          size,
          durationMs: DURATION,
          maxMessages: MAX_MESSAGES,
          rewarmMs: round < 0 ? 0 : TURN.rewarmMs,
          collectFirst: TURN.collectFirst,
        };
        const { echoes, elapsedMs, cpuMicros } = await e.ask<EchoSampleReply>(
          request,
          TURN.rewarmMs + DURATION + 60_000,
        );
        if (round >= 0) {
          rates.get(e.name)!.push((echoes * 1000) / elapsedMs);
          cpu.get(e.name)!.push(cpuMicros / echoes);
        }
      }
      process.stdout.write(round < 0 ? `ws-${id}: warm-up ` : `${round + 1} `);
    }
    process.stdout.write("\n");
    const mine = rates.get("reqivo")!;
    const rows = [...echoers].sort(
      (a, b) => median(rates.get(b.name)!) - median(rates.get(a.name)!),
    );
    const table = [
      `### Echo of ${title} binary messages`,
      "",
      "| contender | median echoes/s | min – max | spread | vs ws (quartiles of the round ratios) | CPU µs/echo |",
      "|---|---:|---:|---:|---:|---:|",
      ...rows.map((e) => {
        const r = rates.get(e.name)!;
        return `| ${e.name} | ${fmt(median(r))} | ${fmt(Math.min(...r))} – ${fmt(Math.max(...r))} | ${spread(
          r,
        )} | ${fmtRatioQuartiles(roundRatios(r, rates.get("ws")!))} | ${fmt(median(cpu.get(e.name)!), 1)} |`;
      }),
      "",
      `Reqivo vs ws: ${fmtRatio(ratio(mine, rates.get("ws")!))}; vs the node:net floor: ${fmtRatio(
        ratio(mine, rates.get("node:net floor")!),
      )}, \`ws\` vs the floor: ${fmtRatio(ratio(rates.get("ws")!, rates.get("node:net floor")!))}.`,
    ].join("\n");
    const chart = writeChart(`ws-${id}`, {
      title: `WebSocket echo of ${title} binary messages, one in flight`,
      unit: "echoes/s",
      rows: echoers.map((e) => ({ name: e.name, values: rates.get(e.name)! })),
    });
    console.log(`\n${table}\n`);
    sections.push(table.replace("\n\n", `\n\n${chart}`));
    const vsWs = roundRatios(mine, rates.get("ws")!);
    results.push({ title, echoes: median(mine), vsWs });
  }
  writeSection(
    [
      "## WebSocket echo (client-websocket.bench.ts)",
      "",
      machineLine(
        `\`ws\` echo server in its own process, no compression, one connection per contender, each contender in a Node process of its own, one message in flight, ${ROUNDS} rounds of ${DURATION} ms interleaved (order rotated); ${turnLine}. CPU is the contender process's (user+system) per echo in the sample.`,
      ),
      "",
      ...sections.flatMap((s) => [s, ""]),
    ].join("\n"),
  );
  const held = results.every((r) => median(r.vsWs) >= 1);
  recordHeadlines(
    [
      {
        id: "websocket-echo",
        order: 60,
        scenario: `WebSocket echo ${results.map((r) => r.title).join(" / ")}`,
        reqivo: `${results.map((r) => fmt(r.echoes)).join(" / ")} echoes/s`,
        ratios: `${results.map((r) => fmtRatio(median(r.vsWs))).join(" / ")} \`ws\``,
        target: `≥ 1.0× \`ws\`: ${
          held
            ? "holds"
            : `not held for ${results
                .filter((r) => median(r.vsWs) < 1)
                .map((r) => r.title)
                .join(", ")}`
        }`,
        charts: results.map((r) => ({
          label: `WebSocket ${r.title} vs ws`,
          values: r.vsWs,
          target: 1,
        })),
      },
    ],
    { rounds: ROUNDS },
  );
} finally {
  await Promise.all(echoers.map((e) => e.close().catch(() => undefined)));
  server.stop();
}
