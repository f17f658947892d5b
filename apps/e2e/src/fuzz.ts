// Fuzzing the Sans-I/O cores with mutated conformance vectors: the llhttp,
// h11, Go net/http and http-parser responses and the Autobahn frames vendored
// in packages/protocol/test/fixtures. Each input is checked for the
// invariants the cores promise:
//   - nothing escapes but a (remote) ProtocolError — with a WebSocket close
//     code of 1002, 1007 or 1009;
//   - no hang: events per input are bounded by its size;
//   - bounded memory: the body bytes handed out never exceed the bytes fed;
//   - identical results (events and error code) for every split of the bytes.
// Used by test/fuzz.test.ts (fast-check, shrinking) and scripts/fuzz.ts (long runs).
import { readFileSync } from "node:fs";
import {
  ClientConnection,
  type ClientReceiveEvent,
  NEED_DATA,
  ProtocolError,
  RemoteProtocolError,
  WebSocketConnection,
} from "@reqivo/protocol";
import { cutModulo as cut } from "../../../packages/protocol/test/splittings.ts";

/** Where to cut `bytes`: every offset (mod length+1), sorted and deduplicated; shared with the protocol's own split tests. */
export { cut };

// ── corpus ──────────────────────────────────────────────────────────────

const fixtures = new URL("../../../packages/protocol/test/fixtures/", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, fixtures), "utf8");
const fromHex = (hex: string): Uint8Array =>
  Uint8Array.from(hex.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
const fromLatin1 = (text: string): Uint8Array =>
  Uint8Array.from(text, (c) => c.charCodeAt(0) & 255);

export interface Vector {
  name: string;
  bytes: Uint8Array;
}

let httpVectors: Vector[] | undefined;
/** Every HTTP response of the vendored suites. */
export function httpCorpus(): Vector[] {
  if (httpVectors !== undefined) return httpVectors;
  const out: Vector[] = [];
  for (const line of read("llhttp/response-cases.jsonl").split("\n")) {
    if (line.trim() === "") continue;
    const c = JSON.parse(line) as { name: string; type: string; input_hex: string };
    if (c.type === "response") out.push({ name: `llhttp ${c.name}`, bytes: fromHex(c.input_hex) });
  }
  for (const c of JSON.parse(read("h11/cases.json")) as {
    kind: string;
    name: string;
    input_hex?: string;
  }[])
    if (c.kind === "read" && c.input_hex !== undefined)
      out.push({ name: `h11 ${c.name}`, bytes: fromHex(c.input_hex) });
  for (const c of JSON.parse(read("go-net-http/read-response-errors.json")) as {
    name: string;
    input_hex: string;
  }[])
    out.push({ name: `go ${c.name}`, bytes: fromHex(c.input_hex) });
  for (const c of JSON.parse(read("http-parser/responses.json")) as { name: string; raw: string }[])
    out.push({ name: `http-parser ${c.name}`, bytes: fromLatin1(c.raw) });
  httpVectors = out.filter((v) => v.bytes.length > 0);
  return httpVectors;
}

interface AutobahnStep {
  action: string;
  frame?: { payload_len: number; header_hex: string; payload_pattern_hex: string };
  hex?: string;
}

let wsVectors: Vector[] | undefined;
/** The server→client byte stream of every scripted Autobahn case (payloads over 64 KiB cut short). */
export function wsCorpus(): Vector[] {
  if (wsVectors !== undefined) return wsVectors;
  const out: Vector[] = [];
  const cases = JSON.parse(read("autobahn/cases-scripted.json")) as {
    id: string;
    kind: string;
    steps?: AutobahnStep[];
  }[];
  for (const c of cases) {
    if (c.kind !== "script" || c.steps === undefined) continue;
    const parts: Uint8Array[] = [];
    for (const step of c.steps) {
      if (step.action === "frame" && step.frame !== undefined) {
        const length = Math.min(step.frame.payload_len, 64 * 1024);
        const pattern = fromHex(step.frame.payload_pattern_hex);
        const payload = new Uint8Array(length);
        if (pattern.length > 0)
          for (let i = 0; i < length; i++) payload[i] = pattern[i % pattern.length]!;
        parts.push(fromHex(step.frame.header_hex), payload);
      } else if (step.action === "frame_header" && step.frame !== undefined) {
        parts.push(fromHex(step.frame.header_hex));
      } else if (step.action === "raw_payload_data" && step.hex !== undefined) {
        parts.push(fromHex(step.hex));
      }
    }
    out.push({ name: `autobahn ${c.id}`, bytes: concat(parts) });
  }
  wsVectors = out.filter((v) => v.bytes.length > 0);
  return wsVectors;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// ── mutations ───────────────────────────────────────────────────────────

const TOKENS = [
  "\r\n",
  "\n",
  "\r",
  "\r\n\r\n",
  ":",
  " ",
  "\t",
  ";",
  "0",
  "00000000000000000000",
  "ffffffffffffffff",
  "-1",
  "\0",
  "\x7f",
  "\xff",
  "HTTP/1.1 ",
  "HTTP/1.0 200 OK\r\n",
  "HTTP/1.1 100 Continue\r\n\r\n",
  "HTTP/1.1 101 Switching Protocols\r\n",
  "Content-Length: ",
  "Content-Length: 0\r\n",
  "Content-Length: 99999999999999999999\r\n",
  "Transfer-Encoding: chunked\r\n",
  "Transfer-Encoding: gzip, chunked\r\n",
  "Connection: close\r\n",
  "Connection: keep-alive\r\n",
  "Upgrade: websocket\r\n",
  " folded\r\n",
  "0\r\n\r\n",
  '5;ext="q\\"x"\r\nhello\r\n',
].map(fromLatin1);

const WS_TOKENS = [
  [0x81, 0x00],
  [0x88, 0x02, 0x03, 0xe8],
  [0x89, 0x00],
  [0x8a, 0x00],
  [0x00, 0x00],
  [0x82, 126, 0xff, 0xff],
  [0x82, 127, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
  [0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 0],
  [0x82, 127, 0, 0x20, 0, 0, 0, 0, 0, 1],
  [0xc1, 0x00],
  [0xce, 0x80, 1, 2, 3, 4],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
].map((b) => Uint8Array.from(b));

/** One mutation, as fast-check generates it (and as the fuzz script draws it). */
export interface Mutation {
  op: number;
  at: number;
  value: number;
  length: number;
}

export const MUTATION_OPS = 9;

/** Applies a mutation; `tokens` and `donor` feed the splicing operations. Output is capped at 256 KiB. */
export function mutate(
  input: Uint8Array,
  m: Mutation,
  tokens: readonly Uint8Array[],
  donor: Uint8Array,
): Uint8Array {
  const n = input.length;
  const at = n === 0 ? 0 : m.at % (n + 1);
  const len = 1 + (m.length % 64);
  let out: Uint8Array;
  switch (m.op % MUTATION_OPS) {
    case 0: // flip one bit
      out = input.slice();
      if (n > 0) out[at % n]! ^= 1 << (m.value & 7);
      break;
    case 1: // set a byte
      out = input.slice();
      if (n > 0) out[at % n] = m.value & 255;
      break;
    case 2: // insert random-ish bytes
      out = concat([
        input.subarray(0, at),
        Uint8Array.from({ length: len }, (_, i) => (m.value * (i + 7)) & 255),
        input.subarray(at),
      ]);
      break;
    case 3: // delete a range
      out = concat([input.subarray(0, at), input.subarray(Math.min(n, at + len))]);
      break;
    case 4: // duplicate a range
      out = concat([
        input.subarray(0, Math.min(n, at + len)),
        input.subarray(at, Math.min(n, at + len)),
        input.subarray(Math.min(n, at + len)),
      ]);
      break;
    case 5: // insert an interesting token
      out = concat([input.subarray(0, at), tokens[m.value % tokens.length]!, input.subarray(at)]);
      break;
    case 6: // overwrite with an interesting token
      {
        const token = tokens[m.value % tokens.length]!;
        out = concat([
          input.subarray(0, at),
          token,
          input.subarray(Math.min(n, at + token.length)),
        ]);
      }
      break;
    case 7: // splice in part of another vector
      {
        const from = donor.length === 0 ? 0 : m.value % donor.length;
        out = concat([input.subarray(0, at), donor.subarray(from, from + len * 4)]);
      }
      break;
    default: // truncate
      out = input.subarray(0, at);
      break;
  }
  return out.length > 256 * 1024 ? out.subarray(0, 256 * 1024) : out;
}

export const httpTokens = TOKENS;
export const wsTokens = [...WS_TOKENS, ...TOKENS.slice(0, 4)];

// ── invariants ──────────────────────────────────────────────────────────

export interface Outcome {
  /** Normalized events: data merged and shown as latin1 text. */
  events: string[];
  /** The ProtocolError code that ended the run, if any. */
  error: string | undefined;
}

/** A broken invariant: what and on which input (hex, for a regression test). */
export interface Finding {
  kind: "exception" | "hang" | "memory" | "split";
  message: string;
  input: string;
  split?: number[];
}

class InvariantError extends Error {
  constructor(
    readonly kind: Finding["kind"],
    message: string,
  ) {
    super(message);
  }
}

function latin1(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 4096)
    s += String.fromCharCode(...bytes.subarray(i, Math.min(bytes.length, i + 4096)));
  return s;
}

function describeHttp(ev: Exclude<ClientReceiveEvent, { type: "data" }>): string {
  switch (ev.type) {
    case "end":
      return `end ${JSON.stringify(ev.trailers)}`;
    case "upgrade":
      return `upgrade ${ev.status} ${JSON.stringify(ev.headers)} ${latin1(ev.trailing)}`;
    case "closed":
      return "closed";
    default:
      return `${ev.type} ${ev.status} ${JSON.stringify(ev.reason)} ${JSON.stringify(ev.headers)}`;
  }
}

/**
 * Feeds `chunks` to a client connection that sent a GET (a HEAD when `head`),
 * then EOF, up to the end of the first response. Only the first: whether
 * bytes after it are a pipelined answer or unsolicited depends on when the
 * next request was sent, which a split of the input legitimately changes.
 */
export function runHttp(chunks: readonly Uint8Array[], head = false): Outcome {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const budget = 4 * total + 1000;
  const conn = new ClientConnection();
  conn.send({
    type: "request",
    method: head ? "HEAD" : "GET",
    target: "/",
    headers: [["host", "fuzz"]],
  });
  conn.send({ type: "end" });
  const events: string[] = [];
  let data = "";
  let dataBytes = 0;
  let steps = 0;
  let done = false;
  const flush = () => {
    if (data !== "") events.push(`data ${data}`);
    data = "";
  };
  const drain = () => {
    for (;;) {
      if (++steps > budget)
        throw new InvariantError("hang", `more than ${budget} events from ${total} bytes`);
      const ev = conn.nextEvent();
      if (ev === NEED_DATA) return;
      if (ev.type === "data") {
        dataBytes += ev.data.length;
        if (dataBytes > total)
          throw new InvariantError("memory", `${dataBytes} body bytes out of ${total} input bytes`);
        data += latin1(ev.data);
        continue;
      }
      flush();
      events.push(describeHttp(ev));
      if (ev.type === "end" || ev.type === "upgrade" || ev.type === "closed") {
        done = true;
        return;
      }
    }
  };
  try {
    for (const chunk of chunks) {
      if (done) break;
      conn.receiveData(chunk);
      drain();
    }
    if (!done) {
      conn.receiveData(null);
      drain();
    }
  } catch (error) {
    flush();
    if (error instanceof InvariantError) throw error;
    if (!(error instanceof RemoteProtocolError))
      throw new InvariantError("exception", `not a RemoteProtocolError: ${String(error)}`);
    return { events, error: error.code };
  }
  flush();
  return { events, error: undefined };
}

function describeWs(ev: {
  type: string;
  data?: unknown;
  code?: number | null;
  reason?: string;
  fin?: boolean;
}): string {
  if (ev.data instanceof Uint8Array) return `${ev.type} ${latin1(ev.data)}`;
  if (typeof ev.data === "string") return `${ev.type} ${JSON.stringify(ev.data)}`;
  return `${ev.type} ${ev.code ?? ""} ${JSON.stringify(ev.reason ?? "")}`;
}

const WS_CLOSE_CODES = new Set([1002, 1007, 1009]);

/** Feeds `chunks` to a client WebSocketConnection (1 MiB message limit), answering nothing. */
export function runWs(chunks: readonly Uint8Array[]): Outcome {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const budget = 4 * total + 1000;
  const ws = new WebSocketConnection({
    role: "client",
    maxMessageSize: 1 << 20,
    random: (b) => b.fill(7),
  });
  const events: string[] = [];
  let steps = 0;
  let dataBytes = 0;
  try {
    for (const chunk of chunks) {
      ws.receiveData(chunk);
      for (let ev = ws.nextEvent(); ev !== NEED_DATA; ev = ws.nextEvent()) {
        if (++steps > budget)
          throw new InvariantError("hang", `more than ${budget} events from ${total} bytes`);
        const d = (ev as { data?: unknown }).data;
        dataBytes += d instanceof Uint8Array ? d.length : typeof d === "string" ? d.length : 0;
        if (dataBytes > total * 2)
          throw new InvariantError(
            "memory",
            `${dataBytes} payload bytes out of ${total} input bytes`,
          );
        events.push(describeWs(ev as Parameters<typeof describeWs>[0]));
      }
    }
  } catch (error) {
    if (error instanceof InvariantError) throw error;
    if (!(error instanceof RemoteProtocolError))
      throw new InvariantError("exception", `not a RemoteProtocolError: ${String(error)}`);
    if (!WS_CLOSE_CODES.has(error.closeCode ?? 0))
      throw new InvariantError("exception", `close code ${error.closeCode} for ${error.code}`);
    return { events, error: error.code };
  }
  return { events, error: undefined };
}

const same = (a: Outcome, b: Outcome) =>
  a.error === b.error &&
  a.events.length === b.events.length &&
  a.events.every((e, i) => e === b.events[i]);

const hexOf = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

/**
 * Checks every invariant on one input: whole, cut at `offsets`, and (when
 * short enough) byte by byte. Returns the first broken one, or null.
 */
export function check(
  kind: "http" | "ws",
  input: Uint8Array,
  offsets: readonly number[],
  head = false,
): Finding | null {
  const run = (chunks: readonly Uint8Array[]) =>
    kind === "http" ? runHttp(chunks, head) : runWs(chunks);
  try {
    const whole = run([input]);
    const splits: number[][] = [offsets.slice()];
    if (input.length <= 2048) splits.push(Array.from({ length: input.length }, (_, i) => i));
    for (const split of splits) {
      const other = run(cut(input, split));
      if (!same(whole, other)) {
        return {
          kind: "split",
          message: `whole: ${JSON.stringify(whole).slice(0, 400)} vs split: ${JSON.stringify(other).slice(0, 400)}`,
          input: hexOf(input),
          split: split.length > 64 ? undefined : split,
        };
      }
    }
    return null;
  } catch (error) {
    if (error instanceof InvariantError)
      return { kind: error.kind, message: error.message, input: hexOf(input) };
    throw error;
  }
}

/** A ProtocolError check for callers that only want the type (used by tests). */
export const isProtocolError = (e: unknown): boolean => e instanceof ProtocolError;
