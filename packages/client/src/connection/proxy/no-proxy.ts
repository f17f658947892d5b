/**
 * NO_PROXY: which hosts are reached directly even when a proxy is set.
 * Entries are separated by commas or white space, compared without case:
 *
 * - `*` alone: every host.
 * - `example.com`, `.example.com`, `*.example.com`: that domain and every
 *   name below it (as curl does; `notexample.com` does not match).
 * - `example.com:8080`, `10.0.0.1:8080`, `[::1]:8080`: only that port.
 * - `10.0.0.1`, `::1`, `[::1]`: that address, when the URL's host is that literal.
 * - `10.0.0.0/8`, `fd00::/8`: a CIDR range, matched against IP literal hosts
 *   (names are not resolved for this).
 *
 * Addresses are normalised on both sides before matching: IPv4 is read as
 * URLs read it (`127.1`, `0x7f.0.0.1`, `0177.0.0.1` are 127.0.0.1), an
 * IPv4-mapped IPv6 address (`::ffff:127.0.0.1`, `::ffff:7f00:1`) is its IPv4
 * address, and a mapped range of /96 or longer is the IPv4 range it holds.
 * Names lose one trailing dot (`localhost.` is `localhost`).
 */
import { inNetwork, parseIpv6, parseUrlIpv4, unmapIpv4 } from "./ip.ts";

/** One parsed NO_PROXY entry. */
export type NoProxyRule =
  | { readonly kind: "all" }
  | { readonly kind: "domain"; readonly name: string; readonly port: number | undefined }
  | {
      readonly kind: "ip";
      readonly address: Uint8Array;
      readonly bits: number;
      readonly port: number | undefined;
    };

/** Rules parsed from a NO_PROXY value, and the entries that made no sense. */
export interface NoProxy {
  readonly rules: readonly NoProxyRule[];
  /** Entries that are not a host, address, range or `*` (ignored). */
  readonly invalid: readonly string[];
}

function port(text: string): number | undefined | null {
  if (!/^\d{1,5}$/.test(text)) return null;
  const value = Number(text);
  return value >= 1 && value <= 65535 ? value : null;
}

/** The bytes of an IPv4 (URL syntax) or IPv6 literal, brackets allowed, as written; `null` for a name. */
function literalAddress(text: string): Uint8Array | null {
  return text.startsWith("[") || text.includes(":") ? parseIpv6(text) : parseUrlIpv4(text);
}

function ipRule(address: string, bits: string | undefined, portText?: string): NoProxyRule | null {
  const written = literalAddress(address);
  if (written === null) return null;
  const size = written.length * 8;
  const prefix = bits === undefined ? size : /^\d{1,3}$/.test(bits) ? Number(bits) : -1;
  if (prefix < 0 || prefix > size) return null;
  const p = portText === undefined ? undefined : port(portText);
  if (p === null) return null;
  const unmapped = unmapIpv4(written);
  const mappedPrefixBits = 96;
  if (unmapped !== written && prefix >= mappedPrefixBits)
    return { kind: "ip", address: unmapped, bits: prefix - mappedPrefixBits, port: p };
  return { kind: "ip", address: written, bits: prefix, port: p };
}

function parseEntry(entry: string): NoProxyRule | null {
  if (entry === "*") return { kind: "all" };
  const slash = entry.indexOf("/");
  if (slash !== -1) {
    const address = entry.slice(0, slash);
    return ipRule(address.replace(/^\[(.*)\]$/, "$1"), entry.slice(slash + 1));
  }
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(entry);
  if (bracketed !== null) return ipRule(bracketed[1]!, undefined, bracketed[2]);
  // Two colons or more: a bare IPv6 address, which cannot carry a port.
  if (entry.indexOf(":") !== entry.lastIndexOf(":")) return ipRule(entry, undefined);
  const colon = entry.indexOf(":");
  const host = colon === -1 ? entry : entry.slice(0, colon);
  const portText = colon === -1 ? undefined : entry.slice(colon + 1);
  const ip = ipRule(host, undefined, portText);
  if (ip !== null) return ip;
  const name = host.replace(/^\*?\./, "").replace(/\.$/, "");
  if (!/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(name)) return null;
  const p = portText === undefined ? undefined : port(portText);
  if (p === null) return null;
  return { kind: "domain", name, port: p };
}

/**
 * Parses NO_PROXY entries (a string as in the environment, or a list).
 *
 * @example
 * ```ts
 * const noProxy = parseNoProxy("localhost, .internal, 10.0.0.0/8, [::1]:8080");
 * noProxy.rules.length; // 4
 * ```
 */
export function parseNoProxy(value: string | readonly string[]): NoProxy {
  const entries = (typeof value === "string" ? [value] : value)
    .flatMap((part) => part.split(/[\s,]+/))
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry !== "");
  const rules: NoProxyRule[] = [];
  const invalid: string[] = [];
  for (const entry of entries) {
    const rule = parseEntry(entry);
    if (rule === null) invalid.push(entry);
    else rules.push(rule);
  }
  return { rules, invalid };
}

/**
 * Whether a request to `hostname` (as `URL.hostname` gives it) on `port`
 * bypasses the proxy.
 *
 * @example
 * ```ts
 * const noProxy = parseNoProxy(".internal,10.0.0.0/8");
 * bypassesProxy(noProxy, "api.internal", 443); // true
 * bypassesProxy(noProxy, "10.1.2.3", 80);      // true
 * bypassesProxy(noProxy, "example.com", 443);  // false
 * ```
 */
export function bypassesProxy(noProxy: NoProxy, hostname: string, port: number): boolean {
  if (noProxy.rules.length === 0) return false;
  const host = hostname.toLowerCase().replace(/\.$/, "");
  const written = literalAddress(host);
  const address = written === null ? null : unmapIpv4(written);
  for (const rule of noProxy.rules) {
    if (rule.kind === "all") return true;
    if (rule.port !== undefined && rule.port !== port) continue;
    if (rule.kind === "ip") {
      if (address !== null && inNetwork(address, rule.address, rule.bits)) return true;
    } else if (
      address === null &&
      (host === rule.name ||
        (host.endsWith(rule.name) && host.charCodeAt(host.length - rule.name.length - 1) === 0x2e))
    ) {
      return true;
    }
  }
  return false;
}
