// Overhead of @reqivo/transport-node against node:net used directly, on
// loopback with the server in a child process:
//   ping-pong: 100-byte request, 100-byte echo, one at a time (latency bound)
//   bulk:      256 MiB in 64 KiB writes to a sink, with backpressure (throughput bound)
// Each side is measured in alternating rounds; the median of the rounds counts.
// Targets: overhead < 20% for ping-pong, < 10% for bulk.
import { spawn } from "node:child_process";
import { once } from "node:events";
import * as net from "node:net";
import { fileURLToPath } from "node:url";
import { createTransport } from "@reqivo/transport-node";

const ROUNDS = 7;
const PING_PONGS = 10_000;
const PING_SIZE = 100;
const BULK_BYTES = 256 * 1024 * 1024;
const BULK_WRITE = 64 * 1024;

async function startServer(): Promise<{ port: number; stop(): void }> {
  const file = fileURLToPath(new URL("./transport-server.ts", import.meta.url));
  const child = spawn(process.execPath, [...process.execArgv, file], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const [line] = (await once(child.stdout, "data")) as [Buffer];
  return { port: Number(line.toString().trim()), stop: () => child.kill() };
}

function sinkHeader(total: number): Uint8Array {
  const header = Buffer.alloc(9);
  header[0] = 0x53;
  header.writeBigUInt64BE(BigInt(total), 1);
  return header;
}

/** node:net, idiomatic: data events, write() and 'drain'. */
async function rawConnect(port: number): Promise<net.Socket> {
  const socket = net.connect({ host: "127.0.0.1", port, noDelay: true });
  await once(socket, "connect");
  return socket;
}

async function rawPingPong(port: number): Promise<number> {
  const socket = await rawConnect(port);
  const ping = Buffer.alloc(PING_SIZE, 1);
  let pending = 0;
  let wake: () => void = () => {};
  socket.on("data", (chunk: Buffer) => {
    pending -= chunk.length;
    if (pending <= 0) wake();
  });
  const start = performance.now();
  for (let i = 0; i < PING_PONGS; i++) {
    pending = PING_SIZE;
    const answered = new Promise<void>((resolve) => {
      wake = resolve;
    });
    socket.write(ping);
    await answered;
  }
  const elapsed = performance.now() - start;
  socket.destroy();
  return elapsed;
}

async function rawBulk(port: number): Promise<number> {
  const socket = await rawConnect(port);
  const block = Buffer.alloc(BULK_WRITE, 2);
  const done = once(socket, "data");
  const start = performance.now();
  socket.write(sinkHeader(BULK_BYTES));
  for (let sent = 0; sent < BULK_BYTES; sent += BULK_WRITE) {
    if (!socket.write(block)) await once(socket, "drain");
  }
  await done;
  const elapsed = performance.now() - start;
  socket.destroy();
  return elapsed;
}

const transport = createTransport();

async function transportPingPong(port: number): Promise<number> {
  const conn = await transport.connect({ host: "127.0.0.1", port });
  const ping = new Uint8Array(PING_SIZE).fill(1);
  const start = performance.now();
  for (let i = 0; i < PING_PONGS; i++) {
    await conn.write(ping);
    for (let got = 0; got < PING_SIZE; ) got += (await conn.read())!.byteLength;
  }
  const elapsed = performance.now() - start;
  conn.close();
  return elapsed;
}

async function transportBulk(port: number): Promise<number> {
  const conn = await transport.connect({ host: "127.0.0.1", port });
  const block = new Uint8Array(BULK_WRITE).fill(2);
  const start = performance.now();
  await conn.write(sinkHeader(BULK_BYTES));
  for (let sent = 0; sent < BULK_BYTES; sent += BULK_WRITE) await conn.write(block);
  await conn.read();
  const elapsed = performance.now() - start;
  conn.close();
  return elapsed;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function compare(
  name: string,
  raw: (port: number) => Promise<number>,
  ours: (port: number) => Promise<number>,
  port: number,
  describe: (ms: number) => string,
  target: number,
): Promise<void> {
  await raw(port); // warm-up
  await ours(port);
  const rawTimes: number[] = [];
  const ourTimes: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    rawTimes.push(await raw(port));
    ourTimes.push(await ours(port));
  }
  const rawMs = median(rawTimes);
  const ourMs = median(ourTimes);
  const overhead = ((ourMs - rawMs) / rawMs) * 100;
  const verdict = overhead < target ? "ok" : "OVER TARGET";
  console.log(`${name}`);
  console.log(`  node:net          ${describe(rawMs)}`);
  console.log(`  transport-node    ${describe(ourMs)}`);
  console.log(`  overhead          ${overhead.toFixed(1)}% (target < ${target}%: ${verdict})`);
}

const server = await startServer();
try {
  console.log(`median of ${ROUNDS} rounds, server in a child process, loopback\n`);
  await compare(
    `ping-pong: ${PING_PONGS} x ${PING_SIZE} bytes`,
    rawPingPong,
    transportPingPong,
    server.port,
    (ms) => `${((ms * 1000) / PING_PONGS).toFixed(1)} µs per round trip`,
    20,
  );
  await compare(
    `bulk: ${BULK_BYTES / 2 ** 20} MiB in ${BULK_WRITE / 1024} KiB writes`,
    rawBulk,
    transportBulk,
    server.port,
    (ms) => `${(BULK_BYTES / 2 ** 20 / (ms / 1000)).toFixed(0)} MiB/s`,
    10,
  );
} finally {
  server.stop();
}
