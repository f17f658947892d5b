// Reads a TLS ClientHello off the wire, so that the SNI and ALPN a client
// offers can be checked by a plain TCP server in any runtime, whatever its TLS
// server can report.

/**
 * What a client offered in its ClientHello.
 *
 * @example
 * ```ts
 * import type { ClientHelloSummary } from "@reqivo/transport/testing";
 * const seen: ClientHelloSummary = { servername: "sni.test", alpnProtocols: ["http/1.1"] };
 * ```
 */
export interface ClientHelloSummary {
  readonly servername: string | null;
  readonly alpnProtocols: readonly string[];
}

const HANDSHAKE_RECORD = 0x16;
const CLIENT_HELLO = 0x01;
const EXTENSION_SERVER_NAME = 0x0000;
const EXTENSION_ALPN = 0x0010;

/**
 * Byte length of the first TLS record in `bytes` (header included), or
 * `null` while the header is incomplete.
 */
export function firstRecordLength(bytes: Uint8Array): number | null {
  if (bytes.length < 5) return null;
  return 5 + ((bytes[3]! << 8) | bytes[4]!);
}

/**
 * Parses the ClientHello in the first TLS record of `bytes`. Throws on anything else.
 *
 * @example
 * ```ts
 * import { parseClientHello } from "@reqivo/transport/testing";
 * declare const firstBytesFromClient: Uint8Array;
 * parseClientHello(firstBytesFromClient).servername; // e.g. "sni.test"
 * ```
 */
export function parseClientHello(bytes: Uint8Array): ClientHelloSummary {
  const reader = new ByteReader(bytes);
  if (reader.u8() !== HANDSHAKE_RECORD) throw new Error("not a TLS handshake record");
  reader.skip(2); // legacy record version
  const recordEnd = reader.u16() + reader.offset;
  if (reader.u8() !== CLIENT_HELLO) throw new Error("not a ClientHello");
  reader.skip(3 + 2 + 32); // handshake length, legacy version, random
  reader.skip(reader.u8()); // session id
  reader.skip(reader.u16()); // cipher suites
  reader.skip(reader.u8()); // compression methods
  let servername: string | null = null;
  const alpnProtocols: string[] = [];
  const extensionsEnd = Math.min(reader.u16() + reader.offset, recordEnd);
  while (reader.offset + 4 <= extensionsEnd) {
    const type = reader.u16();
    const body = new ByteReader(reader.take(reader.u16()));
    if (type === EXTENSION_SERVER_NAME) {
      body.skip(2 + 1); // list length, name type (0 = host_name)
      servername = new TextDecoder().decode(body.take(body.u16()));
    } else if (type === EXTENSION_ALPN) {
      const listEnd = body.u16() + body.offset;
      while (body.offset < listEnd) {
        alpnProtocols.push(new TextDecoder().decode(body.take(body.u8())));
      }
    }
  }
  return { servername, alpnProtocols };
}

class ByteReader {
  offset = 0;
  readonly #bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  u8(): number {
    return this.take(1)[0]!;
  }

  u16(): number {
    const b = this.take(2);
    return (b[0]! << 8) | b[1]!;
  }

  skip(length: number): void {
    this.take(length);
  }

  take(length: number): Uint8Array {
    if (this.offset + length > this.#bytes.length) throw new Error("truncated ClientHello");
    const slice = this.#bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return slice;
  }
}
