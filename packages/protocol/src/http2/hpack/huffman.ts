import { decodeLatin1 } from "../../bytes.ts";
import { hpackError } from "./errors.ts";
import { EOS, HUFFMAN_CODES, HUFFMAN_LENGTHS } from "./huffman-code.ts";

/**
 * Octets `text` takes once Huffman-coded (RFC 7541 §5.2), padding included.
 * The caller has checked every code unit is ≤ 0xFF.
 *
 * @example
 * ```ts
 * huffmanEncodedLength("www.example.com"); // 12, against 15 raw
 * ```
 */
export function huffmanEncodedLength(text: string): number {
  let bits = 0;
  for (let i = 0; i < text.length; i++) bits += HUFFMAN_LENGTHS[text.charCodeAt(i)]!;
  return Math.ceil(bits / 8);
}

/**
 * Writes `text` Huffman-coded into `target` at `offset`, pads the last octet
 * with ones (the start of EOS), and returns the offset after it. `target` has
 * room for {@link huffmanEncodedLength} octets.
 *
 * @example
 * ```ts
 * const out = new Uint8Array(huffmanEncodedLength("no-cache"));
 * huffmanEncode("no-cache", out, 0); // a8 eb 10 64 9c bf
 * ```
 */
export function huffmanEncode(text: string, target: Uint8Array, offset: number): number {
  // Fewer than 8 bits stay pending between symbols; a code is added in parts
  // of at most 16 bits, so the accumulator stays below 2^24 (int32-safe).
  let pending = 0;
  let pendingBits = 0;
  for (let i = 0; i < text.length; i++) {
    const symbol = text.charCodeAt(i);
    let length = HUFFMAN_LENGTHS[symbol]!;
    const code = HUFFMAN_CODES[symbol]!;
    if (length > 16) {
      length -= 16;
      pending = (pending << length) | (code >>> 16);
      pendingBits += length;
      while (pendingBits >= 8) {
        pendingBits -= 8;
        target[offset++] = pending >>> pendingBits;
      }
      pending &= (1 << pendingBits) - 1;
      length = 16;
    }
    pending = (pending << length) | (code & 0xffff);
    pendingBits += length;
    while (pendingBits >= 8) {
      pendingBits -= 8;
      target[offset++] = pending >>> pendingBits;
    }
    pending &= (1 << pendingBits) - 1;
  }
  if (pendingBits > 0) {
    const padBits = 8 - pendingBits;
    target[offset++] = (pending << padBits) | ((1 << padBits) - 1);
  }
  return offset;
}

/*
 * Decoding walks the code tree four bits at a time. A state is an internal
 * node of the tree (0 is the root); for each state and nibble the tables give
 * the next state and the symbol completed on the way, if any (the shortest
 * code has 5 bits, so a nibble completes at most one). A string may end only
 * in a state reached from the root by at most 7 one-bits: that is padding
 * which is short enough and all ones.
 */
const NO_SYMBOL = -1;
const FAIL = 0xffff;
let nextState: Uint16Array | undefined;
let emitted: Int16Array | undefined;
let accepting: Uint8Array | undefined;

function buildDecodeTables(): void {
  // children[2n], children[2n+1]: child of node n for bit 0 and 1; a value
  // below 0 is a leaf holding symbol -value-1.
  const children: number[] = [0, 0];
  let nodes = 1;
  for (let symbol = 0; symbol <= EOS; symbol++) {
    const length = HUFFMAN_LENGTHS[symbol]!;
    const code = HUFFMAN_CODES[symbol]!;
    let node = 0;
    for (let bit = length - 1; bit > 0; bit--) {
      const slot = 2 * node + (Math.floor(code / 2 ** bit) & 1);
      if (children[slot] === 0) {
        children[slot] = nodes++;
        children.push(0, 0);
      }
      node = children[slot]!;
    }
    children[2 * node + (code & 1)] = -symbol - 1;
  }
  nextState = new Uint16Array(nodes * 16);
  emitted = new Int16Array(nodes * 16);
  for (let state = 0; state < nodes; state++) {
    for (let nibble = 0; nibble < 16; nibble++) {
      let node = state;
      let symbol = NO_SYMBOL;
      let failed = false;
      for (let bit = 3; bit >= 0; bit--) {
        const child = children[2 * node + ((nibble >> bit) & 1)]!;
        if (child >= 0) {
          node = child;
          continue;
        }
        symbol = -child - 1;
        if (symbol === EOS) failed = true;
        node = 0;
      }
      nextState[state * 16 + nibble] = failed ? FAIL : node;
      emitted[state * 16 + nibble] = symbol;
    }
  }
  accepting = new Uint8Array(nodes);
  let onesPath = 0;
  for (let depth = 0; depth <= 7; depth++) {
    accepting[onesPath] = 1;
    onesPath = children[2 * onesPath + 1]!;
  }
}

let scratch = new Uint8Array(256);

/**
 * Decodes the Huffman-coded octets `bytes[start, end)` to a latin1 string.
 * Throws `HPACK_INVALID_HUFFMAN` for the EOS symbol, padding longer than 7
 * bits, or padding that is not all ones (RFC 7541 §5.2).
 *
 * @example
 * ```ts
 * const coded = Uint8Array.of(0xa8, 0xeb, 0x10, 0x64, 0x9c, 0xbf);
 * huffmanDecode(coded, 0, coded.length); // "no-cache"
 * ```
 */
export function huffmanDecode(bytes: Uint8Array, start: number, end: number): string {
  if (nextState === undefined) buildDecodeTables();
  const next = nextState!;
  const symbols = emitted!;
  // Each symbol takes at least 5 bits, so 8/5 octets out per octet in.
  const most = Math.ceil(((end - start) * 8) / 5);
  if (scratch.length < most) scratch = new Uint8Array(Math.max(most, scratch.length * 2));
  const out = scratch;
  let written = 0;
  let state = 0;
  for (let i = start; i < end; i++) {
    const octet = bytes[i]!;
    let slot = state * 16 + (octet >> 4);
    state = next[slot]!;
    if (state === FAIL) throw hpackError("HPACK_INVALID_HUFFMAN", "EOS symbol in a string");
    let symbol = symbols[slot]!;
    if (symbol !== NO_SYMBOL) out[written++] = symbol;
    slot = state * 16 + (octet & 0x0f);
    state = next[slot]!;
    if (state === FAIL) throw hpackError("HPACK_INVALID_HUFFMAN", "EOS symbol in a string");
    symbol = symbols[slot]!;
    if (symbol !== NO_SYMBOL) out[written++] = symbol;
  }
  if (accepting![state] !== 1) {
    throw hpackError("HPACK_INVALID_HUFFMAN", "padding longer than 7 bits or not all ones");
  }
  return decodeLatin1(out, 0, written);
}
