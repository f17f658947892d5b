// Certificate pinning (`tls.pins`), one rule for every transport:
//
// - the pin is the SHA-256 of the leaf certificate's SubjectPublicKeyInfo,
//   taken from the DER bytes the server sent in this handshake (RFC 7469 §2.4);
// - a pinned connection never resumes a TLS session (the session cache has no
//   key for it), so every pinned connection gets a certificate to check;
// - a handshake that yields no certificate anyway is refused.
//
// The certificate is read here, in ECMAScript; only the SHA-256 is the
// runtime's (this package uses no runtime crypto).
import { TlsPinMismatchError } from "./errors.ts";

/**
 * The runtime's SHA-256, as base64 (node:crypto's `createHash`, Bun's `CryptoHasher`).
 *
 * @example
 * ```ts
 * import type { Sha256Base64 } from "@reqivo/transport/kit";
 * import { createHash } from "node:crypto";
 * const sha256: Sha256Base64 = (bytes) => createHash("sha256").update(bytes).digest("base64");
 * ```
 */
export type Sha256Base64 = (bytes: Uint8Array) => string;

/**
 * Checks the server's leaf certificate (DER) against `pins` (bare base64, as
 * resolved by `resolveConnectOptions`). Returns the error to fail the connect
 * with, or `null` when a pin matches or there are no pins. Never throws, so
 * that it can run inside a runtime's handshake callback: no certificate, a
 * certificate that cannot be read and a failing hash are all a mismatch.
 *
 * @example
 * ```ts
 * import { checkServerPins } from "@reqivo/transport/kit";
 * import { createHash } from "node:crypto";
 * declare const leafDer: Uint8Array;
 * const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("base64");
 * const mismatch = checkServerPins(["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="], leafDer, sha256);
 * if (mismatch !== null) throw mismatch; // TLS_PIN_MISMATCH, reason "sha256/…"
 * ```
 */
export function checkServerPins(
  pins: readonly string[],
  certificate: Uint8Array | null | undefined,
  sha256: Sha256Base64,
): TlsPinMismatchError | null {
  if (pins.length === 0) return null;
  if (certificate === null || certificate === undefined || certificate.byteLength === 0) {
    return new TlsPinMismatchError("no server certificate");
  }
  let actual: string;
  try {
    actual = sha256(subjectPublicKeyInfo(certificate));
  } catch (error) {
    return new TlsPinMismatchError("server certificate unreadable", { cause: error });
  }
  return pins.includes(actual) ? null : new TlsPinMismatchError(`sha256/${actual}`);
}

const SEQUENCE = 0x30;
const INTEGER = 0x02;
/** `[0] EXPLICIT Version`, present from X.509 v2 on. */
const VERSION = 0xa0;

/**
 * The DER SubjectPublicKeyInfo of an X.509 certificate (RFC 5280 §4.1), as
 * the bytes appear in it. Throws `TypeError` when `der` is not one
 * well-formed certificate.
 *
 * @example
 * ```ts
 * import { subjectPublicKeyInfo } from "@reqivo/transport/kit";
 * declare const leafDer: Uint8Array;
 * subjectPublicKeyInfo(leafDer); // SEQUENCE { algorithm, subjectPublicKey }
 * ```
 */
export function subjectPublicKeyInfo(der: Uint8Array): Uint8Array {
  const certificate = readElement(der, 0, der.byteLength, SEQUENCE);
  if (certificate.end !== der.byteLength) throw new TypeError("bytes after the certificate");
  const tbs = readElement(der, certificate.contentStart, certificate.end, SEQUENCE);
  let field = readElement(der, tbs.contentStart, tbs.end);
  if (field.tag === VERSION) field = readElement(der, field.end, tbs.end);
  // serialNumber, then signature, issuer, validity and subject.
  expectTag(field, INTEGER);
  for (let skipped = 0; skipped < 4; skipped++) {
    field = readElement(der, field.end, tbs.end, SEQUENCE);
  }
  const spki = readElement(der, field.end, tbs.end, SEQUENCE);
  return der.subarray(spki.start, spki.end);
}

interface Element {
  readonly tag: number;
  /** Where the tag byte is. */
  readonly start: number;
  readonly contentStart: number;
  /** One past the last content byte. */
  readonly end: number;
}

/** The DER element at `offset`, which must end by `limit`. */
function readElement(bytes: Uint8Array, offset: number, limit: number, tag?: number): Element {
  if (offset + 2 > limit) throw new TypeError("certificate truncated");
  const found = bytes[offset]!;
  // Certificates use no high-tag-number form (tag number 31 and up).
  if ((found & 0x1f) === 0x1f) throw new TypeError("unexpected DER tag");
  let length = bytes[offset + 1]!;
  let contentStart = offset + 2;
  if (length >= 0x80) {
    // Long form; 0x80 (indefinite) is not DER, and 4 bytes cover any certificate.
    const count = length & 0x7f;
    if (count === 0 || count > 4 || contentStart + count > limit) {
      throw new TypeError("bad DER length");
    }
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[contentStart + i]!;
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > limit) throw new TypeError("certificate truncated");
  const element = { tag: found, start: offset, contentStart, end };
  if (tag !== undefined) expectTag(element, tag);
  return element;
}

function expectTag(element: Element, tag: number): void {
  if (element.tag !== tag) throw new TypeError("not an X.509 certificate");
}
