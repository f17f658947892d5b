#!/usr/bin/env node
// Runs the workspace's turbo with the toolchain's network side-channels off:
// turbo's telemetry (and so its notice) and update check, and Deno's update
// check in the tasks. Tests run offline after set-up, and the notices are noise
// to someone trying the project.
//
// Usage: node scripts/turbo.mjs [--progress] <turbo arguments>
// --progress: one line per task as it starts (a first build takes a while) and
// turbo's summary; the tasks' own output only when the run fails.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";

const turbo = createRequire(import.meta.url).resolve("turbo/bin/turbo");
const env = {
  TURBO_TELEMETRY_DISABLED: "1",
  TURBO_NO_UPDATE_NOTIFIER: "1",
  DENO_NO_UPDATE_CHECK: "1",
  ...process.env,
};
const progress = process.argv[2] === "--progress";
const args = progress
  ? [...process.argv.slice(3), "--output-logs=new-only"]
  : process.argv.slice(2);
const child = spawn(process.execPath, [turbo, ...args], {
  stdio: progress ? ["inherit", "pipe", "pipe"] : "inherit",
  env,
});

if (progress) {
  const held = [];
  const show = (line) => {
    // "<package>:<task>: cache miss, executing <hash>" starts a task.
    const started = /^(\S+):(\S+): cache (miss|hit|bypass)/.exec(line);
    if (started)
      console.log(`${started[1]} ${started[2]}${started[3] === "hit" ? " (cached)" : "…"}`);
    else if (/^\s*(Tasks|Cached|Time|Failed):/.test(line)) console.log(line);
    else held.push(line);
  };
  for (const stream of [child.stdout, child.stderr]) {
    let rest = "";
    stream.setEncoding("utf8").on("data", (text) => {
      const lines = (rest + text).split("\n");
      rest = lines.pop();
      lines.forEach(show);
    });
    stream.on("end", () => rest && show(rest));
  }
  child.on("exit", (code) => {
    if (code !== 0) console.error(held.join("\n"));
  });
}
// Ctrl-C reaches turbo through the terminal's process group; wait for its exit.
process.on("SIGINT", () => {});
child.on("exit", (code, signal) => {
  process.exitCode = code ?? (signal === "SIGINT" ? 130 : 1);
});
