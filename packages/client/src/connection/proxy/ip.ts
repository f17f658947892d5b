/**
 * IP address literals as bytes, for NO_PROXY's CIDR rules and SOCKS5
 * addresses. No name is ever resolved here: only literals are parsed.
 */

/**
 * The 4 bytes of a dotted-decimal IPv4 literal, or `null`.
 *
 * @example
 * ```ts
 * parseIpv4("10.1.2.3"); // Uint8Array [10, 1, 2, 3]
 * parseIpv4("10.1.2");   // null
 * ```
 */
export function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!;
    if (!/^\d{1,3}$/.test(part)) return null;
    const value = Number(part);
    if (value > 255) return null;
    out[i] = value;
  }
  return out;
}

/** One part of a URL-style IPv4 host: `0x` hex, a leading `0` octal, else decimal. */
function urlIpv4Part(part: string): number | null {
  if (/^0x[0-9a-f]*$/i.test(part))
    return part.length === 2 ? 0 : Number.parseInt(part.slice(2), 16);
  if (/^0\d+$/.test(part)) return /^0[0-7]+$/.test(part) ? Number.parseInt(part, 8) : null;
  if (/^\d+$/.test(part)) return Number(part);
  return null;
}

/**
 * The 4 bytes of an IPv4 host as the WHATWG URL parser reads it — one to
 * four parts, each decimal, octal (`0177`) or hex (`0x7f`), the last filling
 * the remaining bytes, an optional trailing dot — or `null`.
 *
 * @example
 * ```ts
 * parseUrlIpv4("127.1");        // Uint8Array [127, 0, 0, 1]
 * parseUrlIpv4("0x7f.0.0.01."); // Uint8Array [127, 0, 0, 1]
 * parseUrlIpv4("example.com");  // null
 * ```
 */
export function parseUrlIpv4(text: string): Uint8Array | null {
  const parts = text.split(".");
  if (parts.length > 1 && parts[parts.length - 1] === "") parts.pop();
  if (parts.length < 1 || parts.length > 4) return null;
  const values: number[] = [];
  for (const part of parts) {
    const value = urlIpv4Part(part);
    if (value === null) return null;
    values.push(value);
  }
  const last = values.pop()!;
  if (values.some((value) => value > 255)) return null;
  if (last >= 256 ** (4 - values.length)) return null;
  let number = last;
  for (let i = 0; i < values.length; i++) number += values[i]! * 256 ** (3 - i);
  return new Uint8Array([
    number >>> 24,
    (number >>> 16) & 0xff,
    (number >>> 8) & 0xff,
    number & 0xff,
  ]);
}

/**
 * The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`),
 * or the address itself when it is not one.
 *
 * @example
 * ```ts
 * unmapIpv4(parseIpv6("::ffff:7f00:1")!); // Uint8Array [127, 0, 0, 1]
 * unmapIpv4(parseIpv6("::1")!).length;    // 16
 * ```
 */
export function unmapIpv4(address: Uint8Array): Uint8Array {
  if (address.length !== 16) return address;
  for (let i = 0; i < 10; i++) if (address[i] !== 0) return address;
  if (address[10] !== 0xff || address[11] !== 0xff) return address;
  return address.slice(12);
}

/** 16-bit groups of one side of `::`; a dotted IPv4 tail counts as two. */
function groups(part: string, tailAllowed: boolean): number[] | null {
  if (part === "") return [];
  const out: number[] = [];
  const pieces = part.split(":");
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    if (tailAllowed && i === pieces.length - 1 && piece.includes(".")) {
      const v4 = parseIpv4(piece);
      if (v4 === null) return null;
      out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      continue;
    }
    if (!/^[0-9a-fA-F]{1,4}$/.test(piece)) return null;
    out.push(Number.parseInt(piece, 16));
  }
  return out;
}

/**
 * The 16 bytes of an IPv6 literal (brackets and a `%zone` allowed), or `null`.
 *
 * @example
 * ```ts
 * parseIpv6("[::1]");            // Uint8Array [0, …, 0, 1]
 * parseIpv6("::ffff:10.0.0.1");  // the IPv4-mapped form
 * parseIpv6("example.com");      // null
 * ```
 */
export function parseIpv6(text: string): Uint8Array | null {
  let s = text;
  if (s.startsWith("[") && s.endsWith("]")) s = s.slice(1, -1);
  const zone = s.indexOf("%");
  if (zone !== -1) s = s.slice(0, zone);
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const head = groups(halves[0]!, halves.length === 1);
  const tail = halves.length === 2 ? groups(halves[1]!, true) : [];
  if (head === null || tail === null) return null;
  const given = head.length + tail.length;
  if (halves.length === 1 ? given !== 8 : given > 7) return null;
  const all = [...head, ...new Array<number>(8 - given).fill(0), ...tail];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = all[i]! >> 8;
    out[2 * i + 1] = all[i]! & 0xff;
  }
  return out;
}

/**
 * Whether `address` lies in the network `network`/`bits` (same family only).
 *
 * @example
 * ```ts
 * inNetwork(parseIpv4("10.9.8.7")!, parseIpv4("10.0.0.0")!, 8); // true
 * ```
 */
export function inNetwork(address: Uint8Array, network: Uint8Array, bits: number): boolean {
  if (address.length !== network.length) return false;
  let left = bits;
  for (let i = 0; left > 0; i++, left -= 8) {
    const mask = left >= 8 ? 0xff : (0xff << (8 - left)) & 0xff;
    if ((address[i]! & mask) !== (network[i]! & mask)) return false;
  }
  return true;
}
