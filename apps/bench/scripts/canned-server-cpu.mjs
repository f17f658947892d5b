#!/usr/bin/env node
// The canned server's own CPU per request, native and Node: each server in
// turn, loaded by the native raw ceiling (native/raw-ceiling.c: 50
// connections, one request each on the wire) for --duration ms per scenario,
// its processes' user + system time read from /proc (Linux) around the load.
// What the server takes from a 2-core machine while a contender runs
// (results/2026-12-07-native-server.md).
//
//   node scripts/canned-server-cpu.mjs [--duration=3000] [--server-processes=2] [--rounds=3]
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { tsImport } from "tsx/esm/api";
import { flag, here, numberFlag, tsxLoader } from "./script-kit.mjs";

const duration = numberFlag("duration", 3000, 100, 60_000);
const processes = numberFlag("server-processes", 2, 1, 8);
const rounds = numberFlag("rounds", 3, 1, 20);
const { nativeTool } = await tsImport("../src/client/native.ts", import.meta.url);
const serverBinary = nativeTool("canned-server");
const clientBinary = nativeTool("raw-ceiling");
if (serverBinary === null || clientBinary === null) {
  console.log("canned-server-cpu: skipped, no C compiler found");
  process.exit(0);
}
const TICK_US = 1e6 / 100; // USER_HZ: /proc's clock ticks

/** user + system µs of `pid` and every process below it (Node cluster workers). */
function treeCpuMicros(pid) {
  const procs = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // fields[1]: ppid; fields[11], [12]: utime, stime in clock ticks.
      procs.set(Number(entry), {
        ppid: Number(fields[1]),
        cpu: (Number(fields[11]) + Number(fields[12])) * TICK_US,
      });
    } catch {} // gone meanwhile
  }
  let total = 0;
  const todo = [pid];
  while (todo.length > 0) {
    const at = todo.pop();
    total += procs.get(at)?.cpu ?? 0;
    for (const [child, p] of procs) if (p.ppid === at) todo.push(child);
  }
  return total;
}

function start(command, args) {
  const child = spawn(command, args, { stdio: ["pipe", "pipe", "inherit"] });
  const lines = [];
  const waiting = [];
  let partial = "";
  child.stdout.on("data", (c) => {
    partial += c;
    for (let nl = partial.indexOf("\n"); nl !== -1; nl = partial.indexOf("\n")) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      const w = waiting.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  const next = () =>
    lines.length > 0
      ? Promise.resolve(lines.shift())
      : new Promise((resolve) => waiting.push(resolve));
  return { child, next };
}

const servers = {
  native: [serverBinary, []],
  node: [
    process.execPath,
    [
      "--import",
      pathToFileURL(tsxLoader).href,
      here("../src/client/canned-server.ts"),
      String(processes),
    ],
  ],
};
const scenarios = [
  ["get-tiny", "GET /tiny 0"],
  ["get-64k", "GET /64k 0"],
];
const only = flag("server")?.split(",") ?? Object.keys(servers);
console.log(
  `server CPU µs per request under the native raw ceiling, ${rounds} round(s) of ${duration} ms, Node server ${processes} process(es)`,
);
console.log("| server | scenario | req/s (client) | server CPU µs/req | client CPU µs/req |");
console.log("|---|---|---:|---:|---:|");
for (let round = 0; round < rounds; round++) {
  for (const name of only) {
    const [command, args] = servers[name];
    const server = start(command, args);
    const port = Number(await server.next());
    // Node cluster workers take a moment to listen after the primary prints.
    await new Promise((r) => setTimeout(r, 300));
    const client = start(clientBinary, [String(port), "50"]);
    for (const [id, command] of scenarios) {
      client.child.stdin.write(`${command} 1000 2000000 100\n`); // warm-up
      await client.next();
      const before = treeCpuMicros(server.child.pid);
      client.child.stdin.write(`${command} ${duration} 100000000 100\n`);
      const reply = await client.next();
      const used = treeCpuMicros(server.child.pid) - before;
      const [requests, elapsedUs, clientCpu] = reply.split(" ").map(Number);
      if (reply.startsWith("error")) throw new Error(reply);
      console.log(
        `| ${name} | ${id} | ${Math.round((requests * 1e6) / elapsedUs)} | ${(used / requests).toFixed(1)} | ${(clientCpu / requests).toFixed(1)} |`,
      );
    }
    client.child.stdin.end();
    server.child.stdin.end();
    await new Promise((r) => server.child.once("exit", r));
  }
}
