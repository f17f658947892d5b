// A script that is done must exit at once, even though the pool keeps its
// keep-alive connection open (idle connections are unref'd). The child runs
// the built package, as a user would; the server lives in this process, so
// only the client side can be what holds the child up.
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, expect, test } from "vitest";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
/** Well under the pool's default idle timeout (4 s): exiting at that timeout fails. */
const EXIT_BUDGET_MS = 2_000;
const IDLE_ONE = /\{"[^"]+":\{"total":1,"idle":1,"waiting":0\}\}/;

let server: Server;
let url: string;
const sockets = new Set<Socket>();

beforeEach(async () => {
  server = createServer((_req, res) => {
    res.setHeader("keep-alive", "timeout=60");
    res.end("hello");
  });
  server.keepAliveTimeout = 60_000;
  server.on("connection", (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  await new Promise((resolve) => server.close(resolve));
});

/** Runs `source` (ESM) in a child Node; resolves with ms from its "done" line to its exit. */
function exitDelay(
  source: string,
): Promise<{ delay: number; output: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", source, url], {
      cwd: packageDir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let doneAt: number | undefined;
    // A safety net only (the assertion is the delay after "done"); a loaded CI
    // machine can take seconds just to start the child.
    const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.stdout.setEncoding("utf8").on("data", (text: string) => {
      output += text;
      if (doneAt === undefined && output.includes("done")) doneAt = performance.now();
    });
    child.stderr.setEncoding("utf8").on("data", (text: string) => {
      output += text;
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(killer);
      const delay = doneAt === undefined ? Number.POSITIVE_INFINITY : performance.now() - doneAt;
      resolve({ delay, output, code });
    });
  });
}

test("get() then text(): the process exits promptly with the connection still pooled", async () => {
  const { delay, output, code } = await exitDelay(`
    import { defaultSession, get } from "@reqivo/node";
    const body = await (await get(process.argv[1])).text();
    console.log("done", body, JSON.stringify(defaultSession().poolStats()));
  `);
  // The connection is still pooled, idle, at the end: the exit was not bought by closing it.
  expect(output).toMatch(IDLE_ONE);
  expect(code).toBe(0);
  expect(delay).toBeLessThan(EXIT_BUDGET_MS);
});

test("a Session with a long idle timeout, reused, and fetch(): still exits promptly", async () => {
  const { delay, output, code } = await exitDelay(`
    import { Session, fetch } from "@reqivo/node";
    const session = new Session({ pool: { idleTimeout: 60_000 } });
    await (await session.get(process.argv[1])).text();
    const again = await (await session.get(process.argv[1])).text();
    const viaFetch = await (await fetch(process.argv[1])).text();
    console.log("done", again, viaFetch, JSON.stringify(session.poolStats()));
  `);
  expect(output).toContain("done hello hello");
  expect(output).toMatch(IDLE_ONE);
  expect(code).toBe(0);
  expect(delay).toBeLessThan(EXIT_BUDGET_MS);
});
