#!/usr/bin/env node
// A new connection per request, plain HTTP, one client per process: the loop
// behind the first-slab figures of results/2026-12-07-s14-origins.md.
//   node scripts/new-connection-loop.mjs [--pairs=8] [--ms=3000] [--contenders=reqivo,node]
// A node:http server (16 B body, `connection: close`) runs in its own
// process; each sample is a fresh Node process of one contender (a Reqivo
// Session over the Node transport, or node:http with a keep-alive Agent) with
// 10 requests in flight: 1.5 s unmeasured, then --ms measured, printing
// req/s and CPU µs per request (user + system, and system alone). Contenders
// alternate, --pairs times. To compare two builds, run it with each build's
// packages/transport/dist in place, alternating (as that file did).
import { spawn } from "node:child_process";
import * as http from "node:http";
import { fileURLToPath } from "node:url";
import { flag, numberFlag } from "./script-kit.mjs";

const IN_FLIGHT = 10;
const WARM_UP_MS = 1500;

const childOf = flag("child");
if (childOf !== undefined) await child(childOf, numberFlag("port", 0), numberFlag("ms", 3000));
else await parent();

async function parent() {
  const pairs = numberFlag("pairs", 8, 1, 100);
  const ms = numberFlag("ms", 3000, 100, 60_000);
  const contenders = (flag("contenders") || "reqivo,node").split(",");
  const server = spawn(process.execPath, [fileURLToPath(import.meta.url), "--child=server"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  try {
    const port = await new Promise((resolve, reject) => {
      server.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
      server.stdout.once("data", (c) => resolve(Number(String(c).trim())));
    });
    for (let i = 0; i < pairs; i++) {
      for (const name of contenders) {
        const out = await run([`--child=${name}`, `--port=${port}`, `--ms=${ms}`], ms + 60_000);
        process.stdout.write(out);
      }
    }
  } finally {
    server.kill();
  }
}

/** Runs this file with `args` in a fresh Node process; resolves with its stdout. */
function run(args, timeoutMs) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [fileURLToPath(import.meta.url), ...args], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    proc.stdout.on("data", (c) => {
      out += c;
    });
    const timer = setTimeout(() => proc.kill(), timeoutMs);
    proc.once("exit", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${args[0]} exited with ${code}`));
    });
  });
}

async function child(name, port, ms) {
  if (name === "server") {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { "content-length": 16, connection: "close" });
      res.end("a".repeat(16));
    });
    server.listen(0, "127.0.0.1", () => process.stdout.write(`${server.address().port}\n`));
    return;
  }
  const url = `http://127.0.0.1:${port}/`;
  const { one, close } = await contender(name, url);
  await loop(one, WARM_UP_MS);
  const cpu = process.cpuUsage();
  const start = performance.now();
  const requests = await loop(one, ms);
  const elapsedMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  console.log(
    `${name} ${Math.round((requests * 1000) / elapsedMs)} req/s ${((used.user + used.system) / requests).toFixed(1)} µs/req ${(used.system / requests).toFixed(1)} sys`,
  );
  await close();
  process.exit(0);
}

/** `one` with IN_FLIGHT requests in flight for `ms`; the number completed. */
async function loop(one, ms) {
  const deadline = performance.now() + ms;
  let completed = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (performance.now() < deadline) {
        await one();
        completed++;
      }
    }),
  );
  return completed;
}

async function contender(name, url) {
  if (name === "reqivo") {
    const { Session } = await import("@reqivo/client");
    const { createTransport } = await import("@reqivo/transport-node");
    const session = new Session({ transport: createTransport() });
    return {
      one: async () => {
        const res = await session.request(url);
        if ((await res.bytes()).length !== 16) throw new Error("reqivo: wrong body length");
      },
      close: () => session.close(),
    };
  }
  if (name === "node") {
    const agent = new http.Agent({ keepAlive: true });
    return {
      one: () =>
        new Promise((resolve, reject) => {
          http
            .get(url, { agent }, (res) => {
              res.resume();
              res.on("end", resolve);
              res.on("error", reject);
            })
            .on("error", reject);
        }),
      close: async () => agent.destroy(),
    };
  }
  throw new Error(`no contender ${name} (reqivo, node)`);
}
