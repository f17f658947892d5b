/**
 * Frame layout constants and the frame writer (RFC 6455 §5.2).
 */

import { ByteSlab } from "../byte-slab.ts";
import { applyMask } from "./mask.ts";
import type { MaskKeyPool } from "./random.ts";

/**
 * Frame opcodes (RFC 6455 §5.2, §11.8).
 *
 * @example
 * ```ts
 * import { Opcode } from "@reqivo/protocol";
 * Opcode.TEXT; // 1
 * ```
 */
export const Opcode = {
  CONTINUATION: 0x0,
  TEXT: 0x1,
  BINARY: 0x2,
  CLOSE: 0x8,
  PING: 0x9,
  PONG: 0xa,
} as const;

/** Largest payload a control frame may carry (RFC 6455 §5.5). */
export const MAX_CONTROL_PAYLOAD = 125;

/** Options for {@link encodeFrame}. */
export interface EncodeFrameOptions {
  /** Last frame of its message. Default true. */
  fin?: boolean;
  /** RSV1 bit (permessage-deflate: "this message is compressed"). Default false. */
  rsv1?: boolean;
  /** Mask with a fresh key from this pool (client frames); omit for unmasked (server) frames. */
  mask?: MaskKeyPool;
}

// Below this, one copy-and-mask byte loop beats memcpy plus word masking.
const SMALL_PAYLOAD = 64;

/**
 * Frames up to this size (header included) are cut from {@link FRAME_SLAB}
 * instead of being allocated one by one. A `new Uint8Array` of at most 64
 * bytes lives on V8's heap, and Node's socket write then needs its
 * `.buffer`, which moves the bytes to a fresh off-heap allocation (and the
 * garbage collector frees it later); a larger one is an off-heap allocation
 * of its own. A view of the slab is neither: 16 B WebSocket echo, user-space
 * instructions per message 23,646 → 22,277, side by side (`node
 * scripts/ws-per-message.mjs --bundles=…` in apps/bench,
 * results/2026-12-07-ws-16b.md).
 */
const SLAB_FRAME_AT_MOST = 1024;

/** Where small frames are cut from (see {@link ByteSlab}: a frame's bytes are never written again). */
const FRAME_SLAB = new ByteSlab();

/** Header length for a payload of `length` bytes, mask key excluded. */
function headerLength(length: number): number {
  return length < 126 ? 2 : length < 0x10000 ? 4 : 10;
}

/**
 * Serialises one frame. With `mask`, the payload is copied and masked; the
 * input is never modified. The payload starts 4-byte aligned in the output's
 * buffer, so masking runs a word at a time.
 *
 * @example
 * ```ts
 * import { encodeFrame, Opcode } from "@reqivo/protocol";
 * encodeFrame(Opcode.TEXT, new TextEncoder().encode("hi")); // 81 02 68 69
 * ```
 */
export function encodeFrame(
  opcode: number,
  payload: Uint8Array,
  options: EncodeFrameOptions = {},
): Uint8Array {
  return writeFrame(opcode, payload, options.fin !== false, options.rsv1 === true, options.mask);
}

/** {@link encodeFrame} with positional arguments: the send hot path allocates no options. */
export function writeFrame(
  opcode: number,
  payload: Uint8Array,
  fin: boolean,
  rsv1: boolean,
  mask: MaskKeyPool | undefined,
): Uint8Array {
  const length = payload.length;
  const masked = mask !== undefined;
  const header = headerLength(length) + (masked ? 4 : 0);
  // Large masked payloads start on a word boundary of the ArrayBuffer (lead
  // padding) so masking runs a word at a time; small ones skip the extra view.
  const pad = masked && length >= SMALL_PAYLOAD ? (4 - (header & 3)) & 3 : 0;
  const size = header + length;
  let out: Uint8Array;
  if (size <= SLAB_FRAME_AT_MOST) {
    // Padded so that the payload starts on a word boundary of the slab.
    const reserved = FRAME_SLAB.reserve(size + 3);
    const start =
      masked && length >= SMALL_PAYLOAD
        ? reserved + ((4 - ((reserved + header) & 3)) & 3)
        : reserved;
    out = FRAME_SLAB.take(start, start + size);
  } else {
    out = pad === 0 ? new Uint8Array(size) : new Uint8Array(new ArrayBuffer(pad + size), pad, size);
  }
  out[0] = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode;
  const maskBit = masked ? 0x80 : 0;
  let p = 2;
  if (length < 126) {
    out[1] = maskBit | length;
  } else if (length < 0x10000) {
    out[1] = maskBit | 126;
    out[2] = length >>> 8;
    out[3] = length & 0xff;
    p = 4;
  } else {
    out[1] = maskBit | 127;
    const high = Math.floor(length / 0x100000000);
    out[2] = 0;
    out[3] = 0;
    out[4] = (high >>> 8) & 0xff;
    out[5] = high & 0xff;
    out[6] = (length >>> 24) & 0xff;
    out[7] = (length >>> 16) & 0xff;
    out[8] = (length >>> 8) & 0xff;
    out[9] = length & 0xff;
    p = 10;
  }
  if (!masked) {
    out.set(payload, p);
    return out;
  }
  mask!.next(out, p);
  const k0 = out[p]!;
  const k1 = out[p + 1]!;
  const k2 = out[p + 2]!;
  const k3 = out[p + 3]!;
  p += 4;
  if (length < SMALL_PAYLOAD) {
    // Small frames: one pass, copy and mask together, four bytes a turn with
    // the key in locals (it was read back from `out` per byte): 16 B send,
    // 1,529 → 1,241 user-space instructions (`node scripts/ws-frame-costs.mjs`
    // in apps/bench, results/2026-12-07-ws-margin.md).
    let i = 0;
    for (; i + 4 <= length; i += 4) {
      out[p + i] = payload[i]! ^ k0;
      out[p + i + 1] = payload[i + 1]! ^ k1;
      out[p + i + 2] = payload[i + 2]! ^ k2;
      out[p + i + 3] = payload[i + 3]! ^ k3;
    }
    if (i < length) out[p + i] = payload[i]! ^ k0;
    if (i + 1 < length) out[p + i + 1] = payload[i + 1]! ^ k1;
    if (i + 2 < length) out[p + i + 2] = payload[i + 2]! ^ k2;
    return out;
  }
  out.set(payload, p);
  applyMask(out, p, length, k0, k1, k2, k3);
  return out;
}
