// WebSocket echo: one connection per contender to a `ws` echo server in its own
// process (src/client/ws-server.ts), one binary message in flight: send, wait
// for the echo, check its length, repeat. Messages of 16 B, 64 KiB and 1 MiB.
// Contenders: Reqivo (`session.websocket`, compression off), the `ws` client,
// undici's WebSocket. Interleaved rounds as in client.bench.ts.
// Options: --rounds=N (default 5), --duration=MS (default 1000), --write, --label=NAME
import { Session } from "@reqivo/client";
import { createTransport } from "@reqivo/transport-node";
import { WebSocket as UndiciWebSocket } from "undici";
import WebSocket from "ws";
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
const MAX_MESSAGES = 5_000_000;
const SIZES = [
  { id: "16b", title: "16 B", size: 16 },
  { id: "64k", title: "64 KiB", size: 64 * 1024 },
  { id: "1m", title: "1 MiB", size: 1024 * 1024 },
];

interface Echoer {
  name: string;
  /** Sends `message` and resolves with the length of the echo. */
  echo(message: Uint8Array): Promise<number>;
  close(): Promise<void>;
}

/** Turns "message" callbacks into one awaited echo at a time. */
function waiter() {
  let pending: ((n: number) => void) | undefined;
  return {
    next: () =>
      new Promise<number>((resolve) => {
        pending = resolve;
      }),
    got(n: number) {
      const p = pending;
      pending = undefined;
      p?.(n);
    },
  };
}

async function reqivo(url: string): Promise<Echoer> {
  const session = new Session({ transport: createTransport() });
  const ws = await session.websocket(url, { compress: false, maxMessageSize: 8 * 1024 * 1024 });
  const w = waiter();
  ws.on("message", (data: string | Uint8Array) => w.got(data.length));
  return {
    name: "reqivo",
    async echo(message) {
      const back = w.next();
      await ws.send(message);
      return back;
    },
    async close() {
      await ws.close(1000);
      await session.close();
    },
  };
}

async function wsClient(url: string): Promise<Echoer> {
  const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 8 * 1024 * 1024 });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  const w = waiter();
  ws.on("message", (data: Buffer) => w.got(data.length));
  return {
    name: "ws",
    echo(message) {
      const back = w.next();
      ws.send(message);
      return back;
    },
    async close() {
      ws.close(1000);
      await new Promise((resolve) => ws.once("close", resolve));
    },
  };
}

async function undiciClient(url: string): Promise<Echoer> {
  const ws = new UndiciWebSocket(url);
  ws.binaryType = "arraybuffer";
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener("open", () => resolve(), { once: true });
    ws.addEventListener("error", () => reject(new Error("undici WebSocket failed")), {
      once: true,
    });
  });
  const w = waiter();
  ws.addEventListener("message", (event) => w.got((event.data as ArrayBuffer).byteLength));
  return {
    name: "undici WebSocket",
    echo(message) {
      const back = w.next();
      ws.send(message);
      return back;
    },
    async close() {
      const closed = new Promise((resolve) =>
        ws.addEventListener("close", resolve, { once: true }),
      );
      ws.close(1000);
      await closed;
    },
  };
}

const server = await startServer("ws-server.ts");
const url = `ws://127.0.0.1:${server.port}/`;
const echoers = [await reqivo(url), await wsClient(url), await undiciClient(url)];
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
      "| contender | median echoes/s | min – max | spread | vs ws | CPU µs/echo |",
      "|---|---:|---:|---:|---:|---:|",
      ...rows.map((e) => {
        const r = rates.get(e.name)!;
        return `| ${e.name} | ${fmt(median(r))} | ${fmt(Math.min(...r))} – ${fmt(Math.max(...r))} | ${spread(
          r,
        )} | ${fmtRatio(ratio(r, rates.get("ws")!))} | ${fmt(median(cpu.get(e.name)!), 1)} |`;
      }),
      "",
      `Reqivo vs ws: ${fmtRatio(ratio(mine, rates.get("ws")!))}.`,
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
