// A generator of server-to-client WebSocket frame streams from their structure:
// every opcode (reserved ones too), RSV bits, the mask bit, each length
// encoding (minimal or not, 2^63 and up), fragmented messages with control
// frames between fragments, UTF-8 valid, invalid or cut inside a code point,
// close frames with every kind of code and reason, sizes just under, at and
// over the message limit, truncation.
import type { Rng } from "./random.ts";
import type { WsCase } from "./ws.ts";

const encoder = new TextEncoder();
const MAX_MESSAGE = 256;

function header(rng: Rng, fin: boolean, opcode: number, length: number): number[] {
  let first = (fin ? 0x80 : 0) | opcode;
  if (rng.chance(0.03)) first |= rng.pick([0x40, 0x20, 0x10]);
  const mask = rng.chance(0.02) ? 0x80 : 0;
  const out = [first];
  const form = length < 126 && rng.chance(0.9) ? 0 : length < 65536 && rng.chance(0.9) ? 1 : 2;
  if (form === 0) out.push(mask | length);
  else if (form === 1) out.push(mask | 126, length >>> 8, length & 255);
  else {
    const high = rng.chance(0.05) ? rng.pick([0x80000000, 0x7fffffff, 0x00200000]) : 0;
    out.push(mask | 127, high >>> 24, (high >>> 16) & 255, (high >>> 8) & 255, high & 255);
    out.push(length >>> 24, (length >>> 16) & 255, (length >>> 8) & 255, length & 255);
  }
  if (mask) out.push(1, 2, 3, 4);
  return out;
}

const TEXTS = ["hello", "", "héllo wörld", "😀 ok", "\u0000nul", "a".repeat(125)];
const BAD_UTF8 = [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]];

function payload(rng: Rng, text: boolean): number[] {
  if (rng.chance(0.1)) {
    const size = Math.max(0, MAX_MESSAGE + rng.int(7) - 3);
    return new Array(size).fill(text ? 0x61 : 0x62);
  }
  if (!text) return Array.from({ length: rng.int(12) }, () => rng.byte());
  const bytes = [...encoder.encode(rng.pick(TEXTS))];
  if (rng.chance(0.15)) bytes.splice(rng.int(bytes.length + 1), 0, ...rng.pick(BAD_UTF8));
  return bytes;
}

function closePayload(rng: Rng): number[] {
  switch (rng.int(6)) {
    case 0:
      return [];
    case 1:
      return [0x03];
    case 2: {
      const code = rng.pick([999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 0, 65535]);
      return [code >>> 8, code & 255];
    }
    default: {
      const code = rng.pick([
        1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4999,
      ]);
      const reason = rng.chance(0.2)
        ? rng.pick(BAD_UTF8)
        : [...encoder.encode(rng.pick(["", "bye", "ça va"]))];
      return [code >>> 8, code & 255, ...reason];
    }
  }
}

function control(rng: Rng, opcode: number): number[] {
  const body =
    opcode === 8
      ? closePayload(rng)
      : Array.from({ length: rng.chance(0.05) ? 126 : rng.int(6) }, () => rng.byte());
  return [...header(rng, !rng.chance(0.03), opcode, body.length), ...body];
}

function message(rng: Rng): number[] {
  const text = rng.chance(0.5);
  const whole = payload(rng, text);
  const pieces = rng.chance(0.3) ? 2 + rng.int(3) : 1;
  const out: number[] = [];
  let from = 0;
  for (let i = 0; i < pieces; i++) {
    const to = i === pieces - 1 ? whole.length : from + rng.int(whole.length - from + 1);
    const part = whole.slice(from, to);
    from = to;
    out.push(...header(rng, i === pieces - 1, i === 0 ? (text ? 1 : 2) : 0, part.length), ...part);
    if (i < pieces - 1 && rng.chance(0.3)) out.push(...control(rng, rng.pick([9, 10])));
  }
  return out;
}

export function generateWsCase(rng: Rng): WsCase {
  const out: number[] = [];
  for (let frames = 1 + rng.int(5); frames > 0; frames--) {
    const kind = rng.int(20);
    if (kind < 12) out.push(...message(rng));
    else if (kind < 15) out.push(...control(rng, rng.pick([9, 10])));
    else if (kind < 17) out.push(...control(rng, 8));
    else if (kind < 18)
      out.push(...header(rng, true, rng.pick([3, 4, 5, 6, 7, 11, 12, 13, 14, 15]), 0));
    else if (kind < 19)
      out.push(...header(rng, rng.chance(0.5), 0, 2), 0x61, 0x62); // continuation out of place
    else
      out.push(
        ...header(rng, true, rng.pick([1, 2]), MAX_MESSAGE + 1 + rng.int(MAX_MESSAGE)),
        0xff,
        0x80,
      );
  }
  let bytes = Uint8Array.from(out);
  if (rng.chance(0.05)) bytes = bytes.subarray(0, rng.int(bytes.length + 1));
  if (rng.chance(0.05) && bytes.length > 0) bytes[rng.int(bytes.length)] = rng.byte();
  return { bytes, maxMessage: MAX_MESSAGE };
}
