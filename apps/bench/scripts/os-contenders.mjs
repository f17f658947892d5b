#!/usr/bin/env node
// What the operating system sees of each Node contender of client.bench.ts
// per request, over real loopback sockets to the canned server: user and
// system CPU µs, read and write syscalls, voluntary context switches and V8
// collections per 10k requests (src/client/os-child.ts), and with --strace
// every syscall per request (`strace -c -f` attached after the warm-up, in a
// second run of the child: the tracer slows the process, so its counts and
// the CPU figures never come from the same run).
//
//   node scripts/os-contenders.mjs [--only=reqivo,undici dispatch] [--scenario=get-tiny]
//     [--warm-up=20000] [--requests=40000] [--rounds=1] [--strace]
// (REQIVO_BASELINE=<checkout> adds "reqivo (baseline)", as in client.bench.ts)
// Contenders run one after another, --rounds times in turn (CPU figures of
// two at once would share cores; on a shared machine compare within a round).
import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { bundleChild, cacheDir, flag, here, tsxLoader } from "./script-kit.mjs";

const only = (flag("only") || "reqivo,undici dispatch,undici request").split(",");
const scenarios = (flag("scenario") || "get-tiny").split(",");
const rounds = Number(flag("rounds") || 1);
const warmUp = Number(flag("warm-up") || 20000);
const requests = Number(flag("requests") || 40000);
const traced = flag("strace") !== undefined;

const bundle = await bundleChild("os-child");

const server = spawn(
  process.execPath,
  ["--import", pathToFileURL(tsxLoader).href, here("../src/client/canned-server.ts")],
  { stdio: ["pipe", "pipe", "inherit"] },
);
const port = await new Promise((resolve) =>
  server.stdout.once("data", (c) => resolve(Number(String(c).trim()))),
);

/** Runs the child once; with `strace` attached after its warm-up, returns the trace's counts too. */
async function once(name, scenario, withStrace) {
  const child = spawn(
    process.execPath,
    [bundle, String(port), name, String(warmUp), String(requests), scenario],
    {
      stdio: ["pipe", "pipe", "inherit"],
      env: { ...process.env, OS_CHILD_WAIT: withStrace ? "1" : "0" },
    },
  );
  let out = "";
  let tracer;
  const traceFile = `${cacheDir}strace-${process.pid}.txt`;
  child.stdout.on("data", (c) => {
    out += c;
    if (withStrace && tracer === undefined && out.includes("warm\n")) {
      tracer = spawn("strace", ["-c", "-f", "-o", traceFile, "-p", String(child.pid)], {
        stdio: ["ignore", "ignore", "pipe"],
      });
      let attached = "";
      tracer.stderr.on("data", (d) => {
        attached += d;
        if (attached.includes("attached") && !child.stdin.writableEnded) {
          setTimeout(() => child.stdin.end("go\n"), 200);
        }
      });
    }
  });
  await new Promise((resolve) => child.once("exit", resolve));
  const result = JSON.parse(out.trim().split("\n").at(-1));
  if (tracer !== undefined) {
    await new Promise((resolve) =>
      tracer.exitCode === null ? tracer.once("exit", resolve) : resolve(),
    );
    const calls = {};
    for (const line of readFileSync(traceFile, "utf8").split("\n")) {
      const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)\s*$/.exec(line);
      if (m !== null) calls[m[2]] = +(Number(m[1]) / result.requests).toFixed(3);
    }
    rmSync(traceFile, { force: true });
    result.syscallsPerRequest = calls;
  }
  return result;
}

try {
  for (const scenario of scenarios)
    for (let round = 0; round < rounds; round++)
      for (const name of only) {
        console.log(JSON.stringify(await once(name, scenario, false)));
        if (traced)
          console.log(JSON.stringify((await once(name, scenario, true)).syscallsPerRequest));
      }
} finally {
  server.stdin.end();
  rmSync(bundle, { force: true });
}
