// Real third-party servers (nginx, Apache, squid, dante) for the real-*.test.ts
// suites: each started in the foreground on free 127.0.0.1 ports with a
// generated config and every file (logs, pid, cache, content) in a fresh temp
// dir, stopped and the dir removed after the suite. A program that is not
// installed makes its suite skip, with a console.warn saying how to install it.
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { accessSync, chmodSync, constants, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import type { Session } from "../src/index.ts";

/** Debian puts daemons in /usr/sbin, which a non-root PATH may lack. */
const SEARCH = [...(process.env.PATH ?? "").split(":"), "/usr/sbin", "/usr/local/sbin"];

/** The absolute path of `program` (a name, or a path taken as it is), or undefined when it is not installed. */
export function findProgram(program: string): string | undefined {
  const candidates = program.startsWith("/")
    ? [program]
    : SEARCH.filter((dir) => dir !== "").map((dir) => join(dir, program));
  for (const path of candidates) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {}
  }
  return undefined;
}

/**
 * The path of `program`, or undefined after a warning naming the Debian
 * package to install (the suite then skips).
 */
export function requireProgram(program: string, debianPackage: string): string | undefined {
  const path = findProgram(program);
  if (path === undefined)
    console.warn(
      `${program} is not installed: the real-${program} cases are skipped (apt-get install ${debianPackage})`,
    );
  return path;
}

/**
 * A fresh temp dir, world-readable so a server's unprivileged workers
 * (nobody) can read what it holds.
 */
export function serverDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `reqivo-real-${name}-`));
  chmodSync(dir, 0o755);
  return dir;
}

/** Whether something accepts a TCP connection on 127.0.0.1:`port` now. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export interface RealServer {
  readonly dir: string;
  /** What the program wrote to stdout and stderr so far (for failure messages). */
  output(): string;
  /** Reads a file of the server's dir ("" when it does not exist). */
  read(name: string): string;
  /** Stops the program (SIGTERM, SIGKILL after 3 s) and removes the dir. */
  stop(): Promise<void>;
}

/**
 * Starts `path args` in `dir` and waits (at most 10 s) until every port in
 * `ports` accepts connections; throws with the program's output if it exits
 * or never listens.
 */
export async function startServer(
  path: string,
  args: string[],
  dir: string,
  ports: number[],
): Promise<RealServer> {
  const child: ChildProcess = spawn(path, args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (data: Buffer) => {
    output += data.toString();
  });
  child.stderr?.on("data", (data: Buffer) => {
    output += data.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null || child.signalCode !== null || attempt === 200) {
      await stop();
      throw new Error(`${path} did not start (exit ${child.exitCode}):\n${output}`);
    }
    const ready = await Promise.all(ports.map(accepts));
    if (ready.every(Boolean)) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    dir,
    output: () => output,
    read: (name) => {
      try {
        return readFileSync(join(dir, name), "utf8");
      } catch {
        return "";
      }
    },
    stop,
  };
}

/** The SHA-256 of `bytes` in hex: how the suites compare bodies without printing them. */
export function sha256(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** `size` bytes of a repeating, position-dependent pattern (so a shifted or lost range shows). */
export function patternBytes(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + (i >> 8)) & 0xff;
  return bytes;
}

/**
 * A 64 MiB upload in 64 KiB pieces, each after a turn of the event loop as a
 * file read would come (a source that never yields to it is sent whole: over
 * loopback every write completes at once), with how much was pulled so far.
 */
export function pacedUpload(): { body: AsyncIterable<Uint8Array>; pulled(): number } {
  const piece = patternBytes(64 * 1024);
  let pulled = 0;
  async function* pieces() {
    for (let i = 0; i < 1024; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      pulled += piece.length;
      yield piece;
    }
  }
  return { body: pieces(), pulled: () => pulled };
}

/** Asserts that `upload` stopped being pulled: nothing more over two 20 ms waits, and not all of it. */
export async function expectUploadStopped(upload: { pulled(): number }): Promise<void> {
  const wait = () => new Promise((resolve) => setTimeout(resolve, 20));
  await wait();
  const seen = upload.pulled();
  await wait();
  expect(upload.pulled()).toBe(seen);
  expect(seen).toBeLessThan(64 * 1024 * 1024);
}

/** Opens a WebSocket with `s` to a fresh `ws` echo server and checks that `text` comes back. */
export async function expectWebSocketEcho(s: Session, text: string): Promise<void> {
  const { echo, wsServer } = await import("./websocket-servers.ts");
  const ws = await wsServer();
  echo(ws.wss);
  try {
    const socket = await s.websocket(ws.url);
    await socket.send(text);
    expect((await socket[Symbol.asyncIterator]().next()).value).toBe(text);
    await socket.close();
  } finally {
    await ws.close();
  }
}
