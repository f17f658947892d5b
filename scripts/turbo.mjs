#!/usr/bin/env node
// Runs the workspace's turbo with the toolchain's network side-channels off:
// turbo's telemetry (and so its notice) and update check, and Deno's update
// check in the tasks. Tests run offline after set-up, and the notices are noise
// to someone trying the project.
// Usage: node scripts/turbo.mjs <turbo arguments>
import { spawn } from "node:child_process";
import { createRequire } from "node:module";

const turbo = createRequire(import.meta.url).resolve("turbo/bin/turbo");
const env = {
  TURBO_TELEMETRY_DISABLED: "1",
  TURBO_NO_UPDATE_NOTIFIER: "1",
  DENO_NO_UPDATE_CHECK: "1",
  ...process.env,
};
const child = spawn(process.execPath, [turbo, ...process.argv.slice(2)], { stdio: "inherit", env });
// Ctrl-C reaches turbo through the terminal's process group; wait for its exit.
process.on("SIGINT", () => {});
child.on("exit", (code, signal) => {
  process.exitCode = code ?? (signal === "SIGINT" ? 130 : 1);
});
