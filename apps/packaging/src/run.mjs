// Small helpers shared by the checks: run a command, bound the concurrency.
import { spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const bin = (name) => join(root, "node_modules/.bin", name);

/**
 * Runs `command` and resolves with its exit code and output (never rejects).
 * `onLine` sees stdout as it arrives; `timeout` kills it after that many ms.
 */
export function run(command, args, { cwd = root, env, timeout = 120_000, onStdout } = {}) {
  return new Promise((done) => {
    const started = performance.now();
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, NO_COLOR: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    const killer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeout);
    child.stdout.setEncoding("utf8").on("data", (text) => {
      stdout += text;
      onStdout?.(stdout);
    });
    child.stderr.setEncoding("utf8").on("data", (text) => {
      stderr += text;
    });
    const finish = (code, error) => {
      clearTimeout(killer);
      done({
        code: timedOut ? "timeout" : code,
        stdout,
        stderr: error ? `${stderr}${error.message}` : stderr,
        ms: Math.round(performance.now() - started),
        exitedAt: performance.now(),
      });
    };
    child.on("error", (error) => finish(-1, error));
    child.on("close", (code) => finish(code));
  });
}

/** Maps `items` through `fn`, at most `limit` at a time, keeping order. */
export async function mapLimit(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
