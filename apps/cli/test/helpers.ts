/** Local servers and a way to run the built binary, piped or under a pseudo-terminal. */
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const CLI = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "cli.js");

/** Longest a child may live before it is killed (a safety net, never asserted on). */
const KILL_AFTER_MS = 10_000;

export interface TestServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  port: number;
  server: http.Server;
  close(): Promise<void>;
}

/** Starts a node:http server on 127.0.0.1 with an ephemeral port. */
export async function startServer(handler: http.RequestListener): Promise<TestServer> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Reads a request body. */
export async function bodyOf(req: http.IncomingMessage): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const piece of req) pieces.push(piece as Buffer);
  return Buffer.concat(pieces);
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
}

/** Runs `node dist/cli.js …` with stdout and stderr piped; stdin is `input` or empty. */
export function run(
  args: readonly string[],
  options: { input?: string | Buffer; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: "", ...options.env },
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on("data", (d: Buffer) => out.push(d));
    child.stderr!.on("data", (d: Buffer) => err.push(d));
    if (options.input !== undefined) child.stdin!.end(options.input);
    const killer = setTimeout(() => child.kill("SIGKILL"), KILL_AFTER_MS);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(killer);
      const stdoutBytes = Buffer.concat(out);
      resolve({
        code,
        stdout: stdoutBytes.toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        stdoutBytes,
      });
    });
  });
}

export interface PtyResult {
  code: number;
  /** Everything the terminal showed (stdout and stderr together), CRLF turned into LF. */
  output: string;
}

type PtyRunner = (
  args: readonly string[],
  options?: { env?: NodeJS.ProcessEnv; cwd?: string },
) => Promise<PtyResult>;

interface NodePty {
  spawn(
    file: string,
    args: string[],
    options: { cols: number; rows: number; cwd?: string; env: NodeJS.ProcessEnv },
  ): {
    onData(listener: (data: string) => void): void;
    onExit(listener: (event: { exitCode: number }) => void): void;
    kill(signal?: string): void;
  };
}

function viaNodePty(pty: NodePty): PtyRunner {
  return (args, options = {}) =>
    new Promise((resolve) => {
      const child = pty.spawn(process.execPath, [CLI, ...args], {
        cols: 100,
        rows: 30,
        cwd: options.cwd ?? process.cwd(),
        env: { ...process.env, NO_COLOR: "", TERM: "xterm-256color", ...options.env },
      });
      let output = "";
      child.onData((data) => {
        output += data;
      });
      const killer = setTimeout(() => child.kill("SIGKILL"), KILL_AFTER_MS);
      child.onExit(({ exitCode }) => {
        clearTimeout(killer);
        resolve({ code: exitCode, output: output.replace(/\r\n/g, "\n") });
      });
    });
}

function quote(word: string): string {
  return `'${word.replace(/'/g, "'\\''")}'`;
}

/** util-linux `script`: the child gets a pty; its output is copied to our pipe. */
function viaScript(): PtyRunner {
  return (args, options = {}) =>
    new Promise((resolve, reject) => {
      const command = [process.execPath, CLI, ...args].map(quote).join(" ");
      const child = spawn("script", ["-qefc", command, "/dev/null"], {
        cwd: options.cwd,
        env: { ...process.env, NO_COLOR: "", TERM: "xterm-256color", ...options.env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      const out: Buffer[] = [];
      child.stdout.on("data", (d: Buffer) => out.push(d));
      const killer = setTimeout(() => child.kill("SIGKILL"), KILL_AFTER_MS);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(killer);
        resolve({
          code: code ?? -1,
          output: Buffer.concat(out).toString("utf8").replace(/\r\n/g, "\n"),
        });
      });
    });
}

/**
 * A pseudo-terminal runner: `@lydell/node-pty` (prebuilt binaries shipped
 * through npm, nothing compiled), else util-linux `script`, else none —
 * with the reason, for the skip message.
 */
export function findPty(): { run: PtyRunner; via: string } | { run: undefined; reason: string } {
  try {
    const require = createRequire(import.meta.url);
    const pty = require("@lydell/node-pty") as NodePty;
    return { run: viaNodePty(pty), via: "@lydell/node-pty" };
  } catch {
    // fall through
  }
  if (process.platform === "linux" && existsSync("/usr/bin/script")) {
    const probe = spawnSync("script", ["-qefc", "true", "/dev/null"], { stdio: "ignore" });
    if (probe.status === 0) return { run: viaScript(), via: "script (util-linux)" };
  }
  return {
    run: undefined,
    reason:
      "no pseudo-terminal: @lydell/node-pty has no prebuilt binary here and util-linux script is missing",
  };
}

/** Removes ANSI escape sequences. */
export function stripAnsi(text: string): string {
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
}
