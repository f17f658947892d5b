// Replays Autobahn|Testsuite cases (fixtures/autobahn/cases-scripted.json)
// against a client WebSocketConnection acting as Autobahn's echo client, and
// grades the outcome the way autobahntestsuite/case/case.py does.
import { readFileSync } from "node:fs";
import { ProtocolError } from "../../src/index.ts";
import { client, drain, hex, parseFrames, serverFrame } from "./helpers.ts";

interface FrameStep {
  t_ms: number;
  action: "frame";
  frame: { opcode: number; payload_len: number; header_hex: string; payload_pattern_hex: string };
  chopsize: number;
  /** "close" when Autobahn sent it through sendClose (which sets its closedByMe). */
  note?: string;
}
type Step =
  | FrameStep
  | { t_ms: number; action: "frame_header"; frame: { header_hex: string } }
  | { t_ms: number; action: "raw_payload_data"; hex: string }
  | { t_ms: number; action: "checkpoint"; event: { tag: string } }
  | { t_ms: number; action: "kill_after" | "close_after"; delay_ms: number };

type Expectation =
  | { kind: "message"; payload_pattern_hex: string; payload_len: number; binary: boolean }
  | { kind: "pong"; payload_hex: string }
  | { kind: "timeout"; tag: string };

export interface ScriptCase {
  id: string;
  kind: "script";
  steps: Step[];
  expected: Record<string, Expectation[]>;
  expected_close: { closedByMe: boolean; closeCode: number[]; requireClean: boolean };
  suppress_close: boolean;
}

export interface PerformanceCase {
  id: string;
  kind: "performance";
  params: {
    DATALEN?: number;
    FRAGSIZE?: number;
    PAYLOAD?: { pattern_hex: string; len: number };
    chopsize?: number;
    BINARY?: boolean;
    COUNT?: number;
    LEN?: number;
  };
}

export type AutobahnCase = ScriptCase | PerformanceCase;

export function loadCases(): AutobahnCase[] {
  const url = new URL("../fixtures/autobahn/cases-scripted.json", import.meta.url);
  return JSON.parse(readFileSync(url, "utf8")) as AutobahnCase[];
}

function repeatPattern(patternHex: string, length: number): Uint8Array {
  const pattern = hex(patternHex);
  const out = new Uint8Array(length);
  if (pattern.length === 0) return out;
  for (let i = 0; i < length; i += pattern.length) out.set(pattern.subarray(0, length - i), i);
  return out;
}

type Observation =
  | { kind: "message"; binary: boolean; payload: Uint8Array }
  | { kind: "pong"; payload: Uint8Array }
  | { kind: "timeout"; tag: string };

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}

function matches(observed: Observation[], expected: Expectation[]): boolean {
  if (observed.length !== expected.length) return false;
  return expected.every((e, i) => {
    const o = observed[i]!;
    if (e.kind !== o.kind) return false;
    if (e.kind === "timeout") return o.kind === "timeout" && o.tag === e.tag;
    if (e.kind === "pong") return o.kind === "pong" && sameBytes(o.payload, hex(e.payload_hex));
    if (o.kind !== "message" || o.binary !== e.binary) return false;
    return sameBytes(o.payload, repeatPattern(e.payload_pattern_hex, e.payload_len));
  });
}

/** The simulated Autobahn server and its view of the client's behaviour. */
class Session {
  readonly conn = client({ random: (b) => b.fill(0x5a) });
  readonly observed: Observation[] = [];
  clientClose: { code: number | null } | null = null;
  serverClosed = false;
  serverClosedFirst = false;
  killed = false;
  /** The TCP connection was dropped before both close frames were exchanged. */
  dropped = false;
  clientError: ProtocolError | null = null;
  #pendingMessage: { binary: boolean; parts: Uint8Array[] } | null = null;

  get open(): boolean {
    return this.clientClose === null && !this.serverClosed && !this.killed;
  }

  /** Server → client bytes, then let the client react. */
  feed(bytes: Uint8Array, chopsize = 0): void {
    if (this.killed) return;
    if (chopsize > 0) {
      for (let i = 0; i < bytes.length; i += chopsize) {
        this.conn.receiveData(bytes.subarray(i, i + chopsize));
        this.#react();
      }
    } else {
      this.conn.receiveData(bytes);
      this.#react();
    }
  }

  serverClose(code: number): void {
    if (this.serverClosed || this.killed) return;
    if (this.clientClose === null) this.serverClosedFirst = true;
    this.serverClosed = true;
    this.feed(serverFrame(8, Uint8Array.of(code >> 8, code & 255)));
  }

  kill(): void {
    if (this.killed) return;
    this.killed = true;
    this.dropped = this.clientClose === null || !this.serverClosed;
    this.conn.receiveData(null);
    this.#react();
  }

  // The echo client: echo messages, answer pings, echo the close, fail on errors.
  #react(): void {
    if (this.clientError !== null) return;
    try {
      for (const ev of drain(this.conn)) {
        if (ev.type === "text") this.#wire(this.conn.send({ type: "text", data: ev.data }));
        else if (ev.type === "binary")
          this.#wire(this.conn.send({ type: "binary", data: ev.data }));
        else if (ev.type === "ping") this.#wire(this.conn.send({ type: "pong", data: ev.data }));
        else if (ev.type === "close" && ev.code !== 1006 && this.conn.state !== "closed") {
          const code = ev.code === 1005 ? undefined : ev.code;
          this.#wire(this.conn.send({ type: "close", code }));
        }
      }
    } catch (error) {
      if (!(error instanceof ProtocolError) || error.closeCode === undefined) throw error;
      this.clientError = error;
      this.#wire(this.conn.send({ type: "close", code: error.closeCode }));
    }
  }

  /** Client → server bytes, as Autobahn records them. */
  #wire(bytes: Uint8Array): void {
    for (const f of parseFrames(bytes)) {
      if (!f.masked) throw new Error("client frame not masked");
      if (f.opcode === 1 || f.opcode === 2) {
        this.#pendingMessage = { binary: f.opcode === 2, parts: [f.payload] };
      } else if (f.opcode === 0) {
        this.#pendingMessage!.parts.push(f.payload);
      } else if (f.opcode === 10) {
        this.observed.push({ kind: "pong", payload: f.payload });
      } else if (f.opcode === 8) {
        const code = f.payload.length >= 2 ? (f.payload[0]! << 8) | f.payload[1]! : null;
        this.clientClose = { code };
        // The server answers a close it did not start with its own.
        if (!this.serverClosed) this.serverClosed = true;
      }
      if (f.opcode <= 2 && f.fin && this.#pendingMessage) {
        const { binary, parts } = this.#pendingMessage;
        this.observed.push({ kind: "message", binary, payload: Buffer.concat(parts) });
        this.#pendingMessage = null;
      }
    }
  }
}

export interface Outcome {
  behavior: "OK" | "NON-STRICT" | "FAILED";
  close: "OK" | string;
  observed: string[];
}

function describe(observed: Observation[]): string[] {
  return observed.map((o) =>
    o.kind === "timeout"
      ? `timeout ${o.tag}`
      : `${o.kind}${o.kind === "message" ? (o.binary ? " binary" : " text") : ""} ${o.payload.length}B`,
  );
}

function gradeClose(s: Session, expected: ScriptCase["expected_close"]): string {
  if (s.clientClose === null) return "client never sent a close frame";
  if (expected.closedByMe !== s.serverClosedFirst) return "closed by the wrong endpoint";
  if (expected.requireClean && s.dropped) return "unclean close";
  const code = s.clientClose.code;
  if (code !== null && !expected.closeCode.includes(code)) return `wrong close code ${code}`;
  return "OK";
}

/** Runs one scripted case (Autobahn's finishWhenDone included). */
export function runScript(c: ScriptCase): Outcome {
  const s = new Session();
  const grade = (): Outcome["behavior"] => {
    if (matches(s.observed, c.expected.OK ?? [])) return "OK";
    if (c.expected["NON-STRICT"] && matches(s.observed, c.expected["NON-STRICT"]))
      return "NON-STRICT";
    return "FAILED";
  };
  const finishWhenDone = () => {
    const all = Object.values(c.expected).every((list) => matches(s.observed, list));
    if (all && c.expected_close.closedByMe && !c.suppress_close && s.open) {
      s.serverClose(c.expected_close.closeCode[0]!);
    }
  };
  let now = 0;
  for (const step of c.steps) {
    // Replies sent before this moment have reached the server by now.
    if (step.t_ms > now) {
      finishWhenDone();
      now = step.t_ms;
    }
    switch (step.action) {
      case "frame": {
        const f = step.frame;
        const bytes = Buffer.concat([
          hex(f.header_hex),
          repeatPattern(f.payload_pattern_hex, f.payload_len),
        ]);
        if (step.note === "close" && s.clientClose === null && !s.serverClosed) {
          s.serverClosedFirst = true;
          s.serverClosed = true;
        }
        s.feed(bytes, step.chopsize);
        break;
      }
      case "frame_header":
        s.feed(hex(step.frame.header_hex));
        break;
      case "raw_payload_data":
        s.feed(hex(step.hex));
        break;
      case "checkpoint":
        if (s.open) s.observed.push({ kind: "timeout", tag: step.event.tag });
        break;
      case "close_after":
        finishWhenDone();
        s.serverClose(1000);
        break;
      case "kill_after":
        finishWhenDone();
        s.kill();
        break;
    }
  }
  finishWhenDone();
  s.kill();
  return {
    behavior: grade(),
    close: gradeClose(s, c.expected_close),
    observed: describe(s.observed),
  };
}

/** Runs a 9.x performance case: echo of large, fragmented, chopped or many messages. */
export function runPerformance(c: PerformanceCase): Outcome {
  const p = c.params;
  const s = new Session();
  const messages: { binary: boolean; payload: Uint8Array }[] = [];
  const major = c.id.split(".")[1];
  if (p.COUNT !== undefined) {
    const payload = new Uint8Array(p.LEN!).fill(0x2a);
    for (let i = 0; i < p.COUNT; i++) messages.push({ binary: p.BINARY === true, payload });
  } else {
    const binary = major === "2" || major === "4" || major === "6";
    messages.push({ binary, payload: repeatPattern(p.PAYLOAD!.pattern_hex, p.DATALEN!) });
  }
  for (const m of messages) {
    const opcode = m.binary ? 2 : 1;
    if (p.FRAGSIZE !== undefined) {
      const n = m.payload.length;
      const frames: Uint8Array[] = [];
      for (let at = 0; at < n; at += p.FRAGSIZE) {
        const end = Math.min(n, at + p.FRAGSIZE);
        frames.push(
          serverFrame(at === 0 ? opcode : 0, m.payload.subarray(at, end), { fin: end === n }),
        );
      }
      s.feed(Buffer.concat(frames));
    } else {
      s.feed(serverFrame(opcode, m.payload), p.chopsize ?? 0);
    }
  }
  const ok =
    s.observed.length === messages.length &&
    messages.every((m, i) => {
      const o = s.observed[i]!;
      return o.kind === "message" && o.binary === m.binary && sameBytes(o.payload, m.payload);
    });
  s.serverClose(1000);
  s.kill();
  const close = gradeClose(s, { closedByMe: true, closeCode: [1000], requireClean: true });
  return { behavior: ok ? "OK" : "FAILED", close, observed: [`${s.observed.length} messages`] };
}
