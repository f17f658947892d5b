/**
 * Subresource Integrity for fetch()'s `integrity` member (the SRI
 * specification's "do bytes match metadataList"): the whole body is read
 * and hashed before the response is handed over.
 */
import { fetchRefusal } from "./fetch-errors.ts";

/** SRI's hash algorithms, weakest first: only the strongest listed one counts. */
const ALGORITHMS = [
  ["sha256", "SHA-256"],
  ["sha384", "SHA-384"],
  ["sha512", "SHA-512"],
] as const;

interface IntegrityHash {
  strength: number;
  digest: string;
  value: string;
}

/** The metadata's valid `alg-base64` items; unknown algorithms and options are skipped, as SRI says. */
function parseIntegrity(metadata: string): IntegrityHash[] {
  const hashes: IntegrityHash[] = [];
  for (const item of metadata.split(/[ \t\n\f\r]+/)) {
    const match = /^(sha256|sha384|sha512)-([A-Za-z0-9+/_-]+={0,2})(?:\?.*)?$/.exec(item);
    if (match === null) continue;
    const strength = ALGORITHMS.findIndex(([name]) => name === match[1]);
    hashes.push({ strength, digest: ALGORITHMS[strength]![1], value: match[2]! });
  }
  return hashes;
}

/** Standard base64 of `bytes`; SRI accepts the URL-safe alphabet too, so both are compared. */
function base64(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}

const withoutPadding = (value: string) =>
  value.replace(/=+$/, "").replace(/-/g, "+").replace(/_/g, "/");

/**
 * Whether `bytes` match `metadata`: true when no item is valid, else when a
 * hash of the strongest listed algorithm matches. A mismatch is a TypeError
 * (network error) with the code `INTEGRITY_MISMATCH`.
 */
export async function checkIntegrity(bytes: Uint8Array, metadata: string): Promise<void> {
  const hashes = parseIntegrity(metadata);
  if (hashes.length === 0) return;
  const strongest = Math.max(...hashes.map((h) => h.strength));
  const candidates = hashes.filter((h) => h.strength === strongest);
  const digest = new Uint8Array(
    await crypto.subtle.digest(candidates[0]!.digest, bytes as Uint8Array<ArrayBuffer>),
  );
  const actual = withoutPadding(base64(digest));
  if (!candidates.some((h) => withoutPadding(h.value) === actual))
    throw fetchRefusal("INTEGRITY_MISMATCH", "the response body does not match `integrity`");
}
