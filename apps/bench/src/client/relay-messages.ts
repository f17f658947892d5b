// The messages between the relay raw ceiling's main side (relay-ceiling.ts)
// and its Bun Worker (relay-worker.ts). Shared so both sides agree on them.

/**
 * What the worker relays back for each socket read.
 * - `bytes`: the read's ArrayBuffer itself, transferred (moved, not copied).
 * - `counts`: only the read's length: a lower bound on what relaying costs.
 */
export type RelayPayload = "bytes" | "counts";

/** How a relay raw ceiling runs (see relayCeilingRunner in relay-ceiling.ts). */
export interface RelayOptions {
  payload: RelayPayload;
  /**
   * true: each side gathers what it has to post in one event-loop turn into
   * one message (setImmediate); false: one message per write asked and per read.
   */
  batched: boolean;
  /**
   * true: the main side sends the request's bytes with each write (copied by
   * postMessage), as a real transport would have to; false: the worker writes
   * the request it got at open.
   */
  requestsSent: boolean;
}

/**
 * Main → worker, first message: open `connections` sockets to 127.0.0.1:`port`,
 * each writing `request` when asked.
 *
 * @example
 * const open: RelayOpen = { kind: "open", port: 8080, connections: 50,
 *   request: new TextEncoder().encode("GET / HTTP/1.1\r\nhost: x\r\n\r\n"),
 *   options: { payload: "bytes", batched: true, requestsSent: false } };
 */
export interface RelayOpen {
  kind: "open";
  port: number;
  connections: number;
  request: Uint8Array;
  options: RelayOptions;
}

/**
 * Main → worker: write on these connections (indexes into the opened
 * sockets) the request of `requests[i]`, or the one given at open when
 * `requests` is empty. Unbatched, `ids` holds one index.
 *
 * @example
 * const ask: RelayWrite = { kind: "write", ids: [0, 7], requests: [] };
 */
export interface RelayWrite {
  kind: "write";
  ids: number[];
  requests: Uint8Array[];
}

/** Main → worker: end the sockets. @example const end: RelayClose = { kind: "close" }; */
export interface RelayClose {
  kind: "close";
}

/** Every message the main side sends. */
export type ToRelayWorker = RelayOpen | RelayWrite | RelayClose;

/**
 * Worker → main, once the sockets are open. `threadId` is the worker's
 * Linux thread id ("" elsewhere), so runtime-child.ts can name its CPU.
 *
 * @example
 * const ready: RelayReady = { kind: "ready", threadId: "4242" };
 */
export interface RelayReady {
  kind: "ready";
  threadId: string;
}

/**
 * Worker → main: reads, in the order they happened. `ids[i]` is the
 * connection of read i; with payload `bytes`, `chunks[i]` is its bytes
 * (transferred) and `lengths` is empty; with `counts`, `lengths[i]` is its
 * size and `chunks` is empty.
 *
 * @example
 * const reads: RelayReads = { kind: "reads", ids: [3], chunks: [], lengths: [65643] };
 */
export interface RelayReads {
  kind: "reads";
  ids: number[];
  chunks: ArrayBuffer[];
  lengths: number[];
}

/** Worker → main: a socket failed. @example const f: RelayFailure = { kind: "failure", message: "closed" }; */
export interface RelayFailure {
  kind: "failure";
  message: string;
}

/** Every message the worker sends. */
export type FromRelayWorker = RelayReady | RelayReads | RelayFailure;
