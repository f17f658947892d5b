// WebSocket frame throughput: @reqivo/protocol against ws's Sender/Receiver,
// same process, same payloads. ws runs without its native add-ons.
//
//   npx turbo run build --filter=@reqivo/protocol
//   cd apps/bench && WS_NO_BUFFER_UTIL=1 WS_NO_UTF_8_VALIDATE=1 npx tsx --expose-gc src/ws-frames.bench.ts
//
// encode: one masked binary frame per op. Reqivo: `send({ type: "binary" })`;
//   ws: `Sender.frame(data, { mask: true, readOnly: true })`, the path ws.send()
//   takes for caller-owned buffers (input untouched, one merged output buffer).
// decode: a batch of unmasked server frames (about 1 MiB, at least one frame)
//   parsed into message events by one long-lived connection / Receiver.
//   Reqivo: receiveData + nextEvent loop; ws: Receiver._write (its parse loop
//   without the Writable-stream overhead). Reqivo's text events carry a
//   string; ws 8 emits a validated Buffer, so "to string" adds the
//   toString() a ws user needs, and the last rows show ws without it.
// Each cell: warm-up, then 9 interleaved rounds of ~40 ms; the median is shown.

process.env.WS_NO_BUFFER_UTIL ??= "1";
process.env.WS_NO_UTF_8_VALIDATE ??= "1";
const { NEED_DATA, WebSocketConnection } = await import("@reqivo/protocol");
const { Sender, Receiver } = (await import("ws")) as unknown as {
  Sender: { frame(data: Buffer, options: Record<string, unknown>): Buffer[] };
  Receiver: new (
    options: Record<string, unknown>,
  ) => NodeJS.EventEmitter & {
    _write(chunk: Buffer, encoding: null, cb: (err?: Error) => void): void;
  };
};

const SIZES = [16, 1024, 64 * 1024, 1024 * 1024];
const ROUNDS = 9;
const ROUND_MS = 40;

type Op = (iterations: number) => number; // returns bytes of payload processed

function serverFrame(opcode: number, payload: Uint8Array): Buffer {
  const n = payload.length;
  const head =
    n < 126
      ? [n]
      : n < 65536
        ? [126, n >> 8, n & 255]
        : [127, 0, 0, 0, 0, n >>> 24, (n >> 16) & 255, (n >> 8) & 255, n & 255];
  return Buffer.concat([Buffer.from([0x80 | opcode, ...head]), payload]);
}

function encodeReqivo(payload: Uint8Array): Op {
  const conn = new WebSocketConnection({ role: "client" });
  let sink = 0;
  return (iterations) => {
    for (let i = 0; i < iterations; i++)
      sink += conn.send({ type: "binary", data: payload }).length;
    return sink > 0 ? iterations * payload.length : 0;
  };
}

function encodeWs(payload: Uint8Array): Op {
  const data = Buffer.from(payload);
  const options = { fin: true, opcode: 2, mask: true, readOnly: true, rsv1: false };
  let sink = 0;
  return (iterations) => {
    for (let i = 0; i < iterations; i++) sink += Sender.frame(data, options)[0]!.length;
    return sink > 0 ? iterations * payload.length : 0;
  };
}

function batchOf(opcode: number, payload: Uint8Array): { batch: Buffer; frames: number } {
  const one = serverFrame(opcode, payload);
  const frames = Math.max(1, Math.floor((1024 * 1024) / one.length));
  return { batch: Buffer.concat(Array.from({ length: frames }, () => one)), frames };
}

function decodeReqivo(opcode: number, payload: Uint8Array): Op {
  const { batch, frames } = batchOf(opcode, payload);
  // One long-lived connection, as on a real socket.
  const conn = new WebSocketConnection({ role: "client", maxMessageSize: 1 << 30 });
  return (iterations) => {
    let events = 0;
    for (let i = 0; i < iterations; i++) {
      conn.receiveData(batch);
      while (conn.nextEvent() !== NEED_DATA) events++;
    }
    if (events !== iterations * frames) throw new Error("reqivo lost frames");
    return events * payload.length;
  };
}

function decodeWs(opcode: number, payload: Uint8Array, asString = false): Op {
  const { batch, frames } = batchOf(opcode, payload);
  const receiver = new Receiver({ isServer: false, binaryType: "nodebuffer", maxPayload: 0 });
  let events = 0;
  let chars = 0;
  // ws 8 hands text over as a Buffer; getting the string is the user's toString().
  receiver.on("message", (data: Buffer, isBinary: boolean) => {
    events++;
    if (!isBinary && asString) chars += data.toString().length;
  });
  return (iterations) => {
    events = 0;
    chars = 0;
    for (let i = 0; i < iterations; i++) {
      receiver._write(batch, null, (err) => {
        if (err) throw err;
      });
    }
    if (events !== iterations * frames) throw new Error("ws lost frames");
    if (asString && chars !== events * payload.length) throw new Error("ws text lost");
    return events * payload.length;
  };
}

/** Iterations per round so a round lasts about ROUND_MS. */
function calibrate(op: Op): number {
  let n = 1;
  for (;;) {
    const t = performance.now();
    op(n);
    const ms = performance.now() - t;
    if (ms > ROUND_MS / 4) return Math.max(1, Math.round((n * ROUND_MS) / ms));
    n *= 2;
  }
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Interleaves the contenders round by round; returns median MB/s each. */
function race(ops: Record<string, Op>): Record<string, number> {
  const names = Object.keys(ops);
  const iterations = Object.fromEntries(names.map((n) => [n, calibrate(ops[n]!)]));
  for (const n of names) ops[n]!(iterations[n]!); // warm-up
  const rates: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const n of names) {
      (globalThis as { gc?: () => void }).gc?.();
      const t = performance.now();
      const bytes = ops[n]!(iterations[n]!);
      const seconds = (performance.now() - t) / 1000;
      rates[n]!.push(bytes / seconds / (1024 * 1024));
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(rates[n]!)]));
}

function label(size: number): string {
  return size >= 1024 * 1024
    ? `${size / 1024 / 1024} MiB`
    : size >= 1024
      ? `${size / 1024} KiB`
      : `${size} B`;
}

const rows: string[][] = [];
for (const [name, makeR, makeW] of [
  ["encode (masked binary)", encodeReqivo, encodeWs],
  ["decode binary", (p: Uint8Array) => decodeReqivo(2, p), (p: Uint8Array) => decodeWs(2, p)],
  [
    "decode text to string",
    (p: Uint8Array) => decodeReqivo(1, p),
    (p: Uint8Array) => decodeWs(1, p, true),
  ],
  [
    "decode text (ws: validate only, no string)",
    (p: Uint8Array) => decodeReqivo(1, p),
    (p: Uint8Array) => decodeWs(1, p, false),
  ],
] as const) {
  for (const size of SIZES) {
    const payload = new Uint8Array(size).map((_, i) => 0x41 + (i % 26)); // ASCII, valid as text
    const result = race({ reqivo: makeR(payload), ws: makeW(payload) });
    const ratio = result.reqivo! / result.ws!;
    const mps = (v: number) => ((v * 1024 * 1024) / size / 1e6).toFixed(2);
    rows.push([
      name,
      label(size),
      `${result.reqivo!.toFixed(0)} MB/s (${mps(result.reqivo!)} M msg/s)`,
      `${result.ws!.toFixed(0)} MB/s (${mps(result.ws!)} M msg/s)`,
      `${ratio.toFixed(2)}x`,
    ]);
    console.log(rows.at(-1)!.join(" | "));
  }
}

console.log(
  `\nnode ${process.version}, ws ${(await import("ws/package.json", { with: { type: "json" } })).default.version}, WS_NO_BUFFER_UTIL=${process.env.WS_NO_BUFFER_UTIL}, WS_NO_UTF_8_VALIDATE=${process.env.WS_NO_UTF_8_VALIDATE}`,
);
console.log("| operation | payload | reqivo | ws | reqivo/ws |\n|---|---|---|---|---|");
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
