// One process per contender, driven by the benchmark that interleaves them.
// Contenders that share a process share its heap, garbage collector and
// inline caches: work one leaves behind (an undici fetch's finalizers, got's
// garbage) lands in the next one's sample and CPU time. Measured on the tiny
// GET: Reqivo cost 21 µs CPU per request next to only undici and the raw
// ceiling, 32–37 µs next to all nine Node contenders. The parent still runs
// the contenders round by round, so drift of the machine hits all alike.
//
// The protocol is JSON lines, so Node, Deno and Bun children speak it alike:
// the child prints {"ready":name}; each request line gets one reply line
// ({"error":message} on failure); the line {"close":true} ends the child.
import { type ChildProcessByStdio, spawn } from "node:child_process";
import type { Readable, Writable } from "node:stream";

/** A child process serving samples of one contender. */
export interface SampleHost {
  /** The contender's name, as the child reported it. */
  name: string;
  /** Sends one request line and resolves with the reply; rejects after `timeoutMs`. */
  ask<T>(request: object, timeoutMs: number): Promise<T>;
  close(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;

/** Starts `command args` and waits for its ready line. stderr passes through. */
export async function startSampleHost(command: string, args: string[]): Promise<SampleHost> {
  const child = spawn(command, args, {
    stdio: ["pipe", "pipe", "inherit"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  const lines = lineReader(child);
  const ready = await lines.next<{ ready: string }>(START_TIMEOUT_MS, "start");
  return {
    name: ready.ready,
    ask<T>(request: object, timeoutMs: number) {
      child.stdin.write(`${JSON.stringify(request)}\n`);
      return lines.next<T>(timeoutMs, ready.ready);
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.stdin.end(`${JSON.stringify({ close: true })}\n`);
      const timer = setTimeout(() => child.kill(), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function lineReader(child: ChildProcessByStdio<Writable, Readable, null>) {
  const waiting: { resolve(line: string): void; reject(error: Error): void }[] = [];
  const ready: string[] = [];
  let partial = "";
  let ended: Error | null = null;
  child.stdout.on("data", (chunk: Buffer) => {
    partial += chunk.toString();
    for (let nl = partial.indexOf("\n"); nl !== -1; nl = partial.indexOf("\n")) {
      const line = partial.slice(0, nl).trim();
      partial = partial.slice(nl + 1);
      // Anything else a child prints is passed on, not parsed.
      if (!line.startsWith("{")) {
        if (line !== "") console.log(line);
        continue;
      }
      const w = waiting.shift();
      if (w === undefined) ready.push(line);
      else w.resolve(line);
    }
  });
  child.once("exit", (code, signal) => {
    ended = new Error(`sample host exited (${signal ?? code})`);
    for (const w of waiting.splice(0)) w.reject(ended);
  });
  return {
    next<T>(timeoutMs: number, who: string): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const parse = (line: string) => {
          const reply = JSON.parse(line) as T & { error?: string };
          if (reply.error !== undefined) reject(new Error(`${who}: ${reply.error}`));
          else resolve(reply);
        };
        const queued = ready.shift();
        if (queued !== undefined) return parse(queued);
        if (ended !== null) return reject(ended);
        const timer = setTimeout(() => {
          child.kill();
          reject(new Error(`${who}: no reply in ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.push({
          resolve: (line) => {
            clearTimeout(timer);
            parse(line);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
      });
    },
  };
}

/**
 * The child's side, in Node, Deno or Bun: announces `name`, then answers
 * each request line with `handle(request)` until the close line, then runs
 * `close` and exits.
 */
export function serveSamples<Req, Reply extends object>(
  name: string,
  handle: (request: Req) => Promise<Reply>,
  close: () => Promise<void>,
): void {
  const say = (reply: object) => process.stdout.write(`${JSON.stringify(reply)}\n`);
  let partial = "";
  // One request at a time: the parent waits for each reply before the next.
  let queue: Promise<void> = Promise.resolve();
  process.stdin.on("data", (chunk: Buffer | string) => {
    partial += chunk.toString();
    for (let nl = partial.indexOf("\n"); nl !== -1; nl = partial.indexOf("\n")) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      const request = JSON.parse(line) as Req & { close?: true };
      queue = queue.then(async () => {
        if (request.close) {
          await close();
          process.exit(0);
        }
        try {
          say(await handle(request));
        } catch (error) {
          say({ error: String(error) });
        }
      });
    }
  });
  say({ ready: name });
}

/** User + system CPU time of this process so far, in µs (Node, Deno and Bun all have it). */
export function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}
