// The relay raw ceiling on Bun (a contender of runtime-child.ts): the raw
// ceiling of raw-ceiling.ts with its sockets on a Worker (relay-worker.ts).
// The main thread keeps the in-flight requests over `connections`
// keep-alive connections, asks the worker to write a connection's pre-built
// request, and counts the response bytes the worker relays back, as the
// direct raw ceiling does; nothing is parsed. It measures what a transport
// whose sockets live on a Worker would cost each thread
// (results/2026-12-07-bun-relay.md). Bun-only; Worker is declared locally.

import { FreeConnections, probeResponse, rawRequest } from "./raw-ceiling.ts";
import type { FromRelayWorker, RelayOptions, RelayReads, ToRelayWorker } from "./relay-messages.ts";

interface RelayWorkerHandle {
  onmessage: ((event: { data: FromRelayWorker }) => void) | null;
  postMessage(message: ToRelayWorker): void;
  terminate(): void;
}
type WorkerConstructor = new (url: string) => RelayWorkerHandle;

/** One connection's outstanding response: bytes still due and whom to tell. */
interface Exchange {
  due: number;
  resolve(): void;
  reject(error: Error): void;
}

/**
 * A relay raw ceiling as a contender of runtime-child.ts, with the same
 * `one()` as rawCeilingRunner: waits for a free connection, has the worker
 * write the request on it, and resolves with the body size once all of the
 * response's bytes came back. `threadLabels` names the main thread and the
 * worker's by Linux thread id, for the per-thread CPU of runtime-child.ts.
 *
 * @example
 * const relay = await relayCeilingRunner(8080, "/64k", 50, {
 *   payload: "bytes", batched: true, requestsSent: false });
 * await relay.one(); // 65536
 * await relay.close();
 */
export async function relayCeilingRunner(
  port: number,
  path: string,
  connections: number,
  options: RelayOptions,
): Promise<{
  name: string;
  one(): Promise<number>;
  close(): Promise<void>;
  threadLabels: Map<string, string>;
}> {
  const request = rawRequest(port, path);
  const { size, body } = await probeResponse(port, request);
  const WorkerClass = (globalThis as unknown as { Worker: WorkerConstructor }).Worker;
  const worker = new WorkerClass(new URL("./relay-worker.ts", import.meta.url).href);

  const exchanges: (Exchange | null)[] = Array.from({ length: connections }, () => null);
  const free = new FreeConnections(Array.from({ length: connections }, (_, id) => id));
  let writesAsked: number[] = [];
  let requestsAsked: Uint8Array[] = [];
  let flushScheduled = false;
  let failure: Error | null = null;
  const counters = { messagesIn: 0, reads: 0, messagesOut: 0 };

  const send = (message: ToRelayWorker) => worker.postMessage(message);
  const flushWrites = () => {
    flushScheduled = false;
    const ids = writesAsked;
    const requests = requestsAsked;
    writesAsked = [];
    requestsAsked = [];
    counters.messagesOut++;
    send({ kind: "write", ids, requests });
  };
  const askWrite = (id: number) => {
    // A fresh request each time when it is sent, as a client's would be.
    const bytes = options.requestsSent ? rawRequest(port, path) : null;
    if (!options.batched) {
      counters.messagesOut++;
      return send({ kind: "write", ids: [id], requests: bytes === null ? [] : [bytes] });
    }
    writesAsked.push(id);
    if (bytes !== null) requestsAsked.push(bytes);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flushWrites);
    }
  };
  const failAll = (error: Error) => {
    failure = error;
    for (const [id, exchange] of exchanges.entries()) {
      exchanges[id] = null;
      exchange?.reject(error);
    }
  };
  const onReads = ({ ids, chunks, lengths }: RelayReads) => {
    counters.messagesIn++;
    counters.reads += ids.length;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const exchange = exchanges[id];
      if (exchange == null) return failAll(new Error(`relay: unexpected bytes on ${id}`));
      exchange.due -= chunks.length > 0 ? chunks[i]!.byteLength : lengths[i]!;
      if (exchange.due < 0) return failAll(new Error("relay: more bytes than one response"));
      if (exchange.due === 0) {
        exchanges[id] = null;
        exchange.resolve();
      }
    }
  };

  const threadLabels = new Map<string, string>([[String(process.pid), "main"]]);
  await new Promise<void>((ready, refuse) => {
    worker.onmessage = ({ data }) => {
      if (data.kind === "reads") onReads(data);
      else if (data.kind === "ready") {
        if (data.threadId !== "") threadLabels.set(data.threadId, "relay worker");
        ready();
      } else {
        const error = new Error(data.message);
        refuse(error);
        failAll(error);
      }
    };
    send({ kind: "open", port, connections, request, options });
  });

  return {
    name: `relay ceiling (${options.payload}, ${options.batched ? "batched" : "unbatched"}${
      options.requestsSent ? ", requests sent" : ""
    })`,
    threadLabels,
    async one() {
      if (failure !== null) throw failure;
      const id = free.take() ?? (await free.next());
      try {
        await new Promise<void>((resolve, reject) => {
          exchanges[id] = { due: size, resolve, reject };
          askWrite(id);
        });
      } finally {
        free.release(id);
      }
      return body;
    },
    async close() {
      const { messagesIn, reads, messagesOut } = counters;
      console.error(
        `relay: ${reads} reads in ${messagesIn} messages from the worker (${(reads / Math.max(1, messagesIn)).toFixed(1)} a message), ${messagesOut} write messages to it`,
      );
      send({ kind: "close" });
      worker.terminate();
    },
  };
}
