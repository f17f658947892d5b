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
 * The bytes of an IPv4 or IPv6 literal (IPv6 possibly in brackets), or `null` for a name.
 *
 * @example
 * ```ts
 * parseIp("127.0.0.1")?.length; // 4
 * parseIp("[::1]")?.length;     // 16
 * ```
 */
export function parseIp(text: string): Uint8Array | null {
  return text.includes(":") ? parseIpv6(text) : parseIpv4(text);
}

/**
 * Whether `address` lies in the network `network`/`bits` (same family only).
 *
 * @example
 * ```ts
 * inNetwork(parseIp("10.9.8.7")!, parseIp("10.0.0.0")!, 8); // true
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
