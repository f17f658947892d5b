// Test-side frame tools, written independently of the code under test so the
// suites do not check the codec against itself.
import { NEED_DATA, WebSocketConnection, type WebSocketEvent } from "../../src/index.ts";

export const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, "hex"));
export const toHex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** An unmasked (server) frame. */
export function serverFrame(
  opcode: number,
  payload: Uint8Array | string = new Uint8Array(0),
  { fin = true, rsv = 0 }: { fin?: boolean; rsv?: number } = {},
): Uint8Array {
  const data = typeof payload === "string" ? utf8(payload) : payload;
  const n = data.length;
  const head =
    n < 126
      ? [n]
      : n < 65536
        ? [126, n >> 8, n & 255]
        : [127, 0, 0, 0, 0, n >>> 24, (n >> 16) & 255, (n >> 8) & 255, n & 255];
  const out = new Uint8Array(1 + head.length + n);
  out[0] = (fin ? 0x80 : 0) | (rsv << 4) | opcode;
  out.set(head, 1);
  out.set(data, 1 + head.length);
  return out;
}

export interface ParsedFrame {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  payload: Uint8Array;
}

/** Parses a byte string of whole frames, unmasking them. */
export function parseFrames(bytes: Uint8Array): ParsedFrame[] {
  const out: ParsedFrame[] = [];
  let p = 0;
  while (p < bytes.length) {
    const b0 = bytes[p]!;
    const b1 = bytes[p + 1]!;
    let len = b1 & 127;
    p += 2;
    if (len === 126) {
      len = (bytes[p]! << 8) | bytes[p + 1]!;
      p += 2;
    } else if (len === 127) {
      len = Number(new DataView(bytes.buffer, bytes.byteOffset + p, 8).getBigUint64(0));
      p += 8;
    }
    const masked = (b1 & 0x80) !== 0;
    const key = masked ? bytes.slice(p, p + 4) : null;
    if (masked) p += 4;
    const payload = bytes.slice(p, p + len);
    if (key) for (let i = 0; i < len; i++) payload[i]! ^= key[i & 3]!;
    p += len;
    if (p > bytes.length) throw new Error("truncated frame");
    out.push({ fin: (b0 & 0x80) !== 0, rsv: (b0 >> 4) & 7, opcode: b0 & 15, masked, payload });
  }
  return out;
}

/** Drains every event currently available. */
export function drain(conn: WebSocketConnection): WebSocketEvent[] {
  const events: WebSocketEvent[] = [];
  for (let ev = conn.nextEvent(); ev !== NEED_DATA; ev = conn.nextEvent()) events.push(ev);
  return events;
}

/** A deterministic random source (counter bytes) for reproducible masks. */
export function counterRandom(seed = 1): (b: Uint8Array) => void {
  let x = seed;
  return (b) => {
    for (let i = 0; i < b.length; i++) b[i] = x++ & 255;
  };
}

export function client(
  options: Partial<ConstructorParameters<typeof WebSocketConnection>[0]> = {},
) {
  return new WebSocketConnection({ role: "client", ...options });
}

/** Concatenation into a plain Uint8Array (Buffer.concat's Buffers compare unequal). */
export function cat(parts: readonly Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}
