// WebSocket echo: one connection per contender to a `ws` echo server in its own
// process (src/client/ws-server.ts), one binary message in flight: send, wait
// for the echo, check its length, repeat. Messages of 16 B, 64 KiB and 1 MiB.
// Contenders: Reqivo (`session.websocket`, compression off), the `ws` client,
// undici's WebSocket, and the floor of node:net itself (no WebSocket code; see
// netFloorEchoer). Interleaved rounds as in client.bench.ts; ratios are the
// median of per-round ratios, with their interquartile range. Many short
// rounds rather than a few long ones: per-round rates on this 2-core machine
// moved by ±15–40 % from round to round, and the median of 5 ratios moved
// between runs by more than the 5 % a target asks (results/2026-12-07-ws-rounds.md).
// Options: --rounds=N (default 20), --duration=MS (default 250), --write, --label=NAME
import {
  collect,
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
import { netFloorEchoer, reqivoEchoer, undiciEchoer, wsEchoer } from "./client/ws-echoers.ts";

/** A median ratio with the quartiles of the ratios it came from. */
function fmtRatioQuartiles(ratios: number[]): string {
  const [q1, q3] = quartiles(ratios);
  return `${fmtRatio(median(ratios))} (${q1.toFixed(2)}–${q3.toFixed(2)})`;
}

const ROUNDS = numberFlag("rounds", 20, 1, 200);
const DURATION = numberFlag("duration", 250, 100, 10_000);
const MAX_MESSAGES = 5_000_000;
const SIZES = [
  { id: "16b", title: "16 B", size: 16 },
  { id: "64k", title: "64 KiB", size: 64 * 1024 },
  { id: "1m", title: "1 MiB", size: 1024 * 1024 },
];

const server = await startServer("ws-server.ts");
const url = `ws://127.0.0.1:${server.port}/`;
const echoers = [
  await reqivoEchoer(url),
  await wsEchoer(url),
  await undiciEchoer(url),
  await netFloorEchoer(url),
];
const sections: string[] = [];
const results: { title: string; echoes: number; vsWs: number[] }[] = [];
try {
  console.log(
    `websocket echo benchmark: ${ROUNDS} rounds of ${DURATION} ms (+1 warm-up), ws server in a child process, one message in flight.`,
  );
  for (const { id, title, size } of SIZES) {
    const message = new Uint8Array(size).fill(0x77);
    const rates = new Map<string, number[]>(echoers.map((e) => [e.name, []]));
    const cpu = new Map<string, number[]>(echoers.map((e) => [e.name, []]));
    for (let round = -1; round < ROUNDS; round++) {
      for (const e of rotated(echoers, round)) {
        collect();
        const used = process.cpuUsage();
        const start = performance.now();
        const deadline = start + DURATION;
        let count = 0;
        while (count < MAX_MESSAGES && performance.now() < deadline) {
          const n = await e.echo(message);
          if (n !== size) throw new Error(`${e.name}: echo of ${n} bytes, want ${size}`);
          count++;
        }
        const ms = performance.now() - start;
        const u = process.cpuUsage(used);
        if (round >= 0) {
          rates.get(e.name)!.push((count * 1000) / ms);
          cpu.get(e.name)!.push((u.user + u.system) / count);
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
        `\`ws\` echo server in its own process, no compression, one connection per contender, one message in flight, ${ROUNDS} rounds of ${DURATION} ms interleaved. CPU is the client process's (user+system) per echo.`,
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
  for (const e of echoers) await e.close().catch(() => undefined);
  server.stop();
}
