// The Worker of the relay raw ceiling on Bun (relay-ceiling.ts is its main
// side): it owns the sockets, so their syscalls and Bun's copy of each read
// into a fresh buffer happen on this thread, not on the main one. It writes
// the pre-built request on a connection when the main side asks, and posts
// each read back: the read's ArrayBuffer transferred (payload "bytes") or
// only its length ("counts"), gathered per event-loop turn into one message
// (batched) or one message per read. Batching saved 6–9 µs of CPU per request
// over both threads, GET 64 KiB, 100 in flight (results/2026-12-07-bun-relay.md).
// Bun-only; its API is declared locally.
import { readlinkSync } from "node:fs";
import type { BunApi, BunSocket } from "./raw-ceiling.ts";
import type {
  FromRelayWorker,
  RelayOpen,
  RelayOptions,
  RelayReads,
  ToRelayWorker,
} from "./relay-messages.ts";

interface WorkerScope {
  onmessage: ((event: { data: ToRelayWorker }) => void) | null;
  postMessage(message: FromRelayWorker, transfer?: ArrayBuffer[]): void;
}
const scope = globalThis as unknown as WorkerScope & { Bun: BunApi };

let options: RelayOptions = { payload: "bytes", batched: true, requestsSent: false };
const sockets: BunSocket[] = [];
/** Per connection: request bytes not yet accepted by the socket (null: none). */
const unsent: (Uint8Array | null)[] = [];
let request: Uint8Array = new Uint8Array(0);
let pending: RelayReads = emptyReads();
let flushScheduled = false;
/** Set once the main side asked to close: the sockets' close callbacks are expected then. */
let closing = false;

function emptyReads(): RelayReads {
  return { kind: "reads", ids: [], chunks: [], lengths: [] };
}

function post(message: FromRelayWorker, transfer?: ArrayBuffer[]): void {
  scope.postMessage(message, transfer);
}

function fail(message: string): void {
  post({ kind: "failure", message });
}

function flushReads(): void {
  flushScheduled = false;
  const reads = pending;
  pending = emptyReads();
  post(reads, reads.chunks);
}

function onRead(id: number, data: Uint8Array): void {
  pending.ids.push(id);
  if (options.payload === "counts") pending.lengths.push(data.byteLength);
  else if (data.byteOffset === 0 && data.byteLength === data.buffer.byteLength)
    // Bun hands each read over in a buffer of its own (checked once on
    // Bun 1.4.5: offset 0, buffer exactly the read), so it can move whole.
    pending.chunks.push(data.buffer as ArrayBuffer);
  else pending.chunks.push(data.slice().buffer);
  if (!options.batched) flushReads();
  else if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flushReads);
  }
}

function write(id: number, bytes: Uint8Array): void {
  const socket = sockets[id];
  if (socket === undefined) {
    fail(`relay worker: no connection ${id}`);
    return;
  }
  const n = socket.write(bytes);
  if (n < 0) fail("relay worker: socket closed");
  else unsent[id] = n < bytes.length ? bytes.subarray(n) : null;
}

async function open({ port, connections, request: bytes, options: chosen }: RelayOpen) {
  options = chosen;
  request = bytes;
  for (let id = 0; id < connections; id++) {
    const socket = await scope.Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        data: (_socket, data) => onRead(id, data),
        drain: () => {
          const rest = unsent[id];
          if (rest != null) write(id, rest);
        },
        close: () => {
          if (!closing) fail("relay worker: connection closed");
        },
        error: (_socket, error) => fail(`relay worker: ${error.message}`),
      },
    });
    socket.setNoDelay?.(true);
    sockets.push(socket);
    unsent.push(null);
  }
  post({ kind: "ready", threadId: ownThreadId() });
}

/** This thread's Linux thread id, from /proc/thread-self; "" where there is none. */
function ownThreadId(): string {
  try {
    return readlinkSync("/proc/thread-self").split("/").pop() ?? "";
  } catch {
    return "";
  }
}

scope.onmessage = ({ data }) => {
  if (data.kind === "open") open(data).catch((e: Error) => fail(e.message));
  else if (data.kind === "write")
    for (const [i, id] of data.ids.entries()) write(id, data.requests[i] ?? request);
  else {
    closing = true;
    for (const socket of sockets) socket.end();
    sockets.length = 0;
  }
};
