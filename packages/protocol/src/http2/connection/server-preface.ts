import { FLAG, FRAME_HEADER_LENGTH, FRAME_TYPE } from "../frames/constants.ts";
import { peerError } from "./errors.ts";

/** "HTTP/1.": how an HTTP/1.x status line starts (RFC 9112 §4). */
const HTTP1_STATUS_START = Uint8Array.from("HTTP/1.", (c) => c.charCodeAt(0));

/**
 * The first frame header the server sent, checked before anything else is
 * read from it (RFC 9113 §3.4): the server's preface is a SETTINGS frame
 * (not an ACK), and anything else is a PROTOCOL_ERROR, before the frame's
 * size or payload is looked at. A server that answered in HTTP/1.x (an h2c
 * attempt with prior knowledge against an HTTP/1.1-only server) gets its own
 * code, `H2_PEER_SPOKE_HTTP1`; any other first frame is `H2_BAD_PREFACE`.
 * Collects the first 9 octets across calls, so any split of the same octets
 * gives the same verdict.
 *
 * @example
 * ```ts
 * const check = new ServerPrefaceCheck();
 * check.accept(new TextEncoder().encode("HTTP/1.1 400 Bad Request\r\n")); // throws H2_PEER_SPOKE_HTTP1
 * ```
 */
export class ServerPrefaceCheck {
  readonly #header = new Uint8Array(FRAME_HEADER_LENGTH);
  #seen = 0;

  /** Whether the first frame header was seen and passed (nothing more to check). */
  get done(): boolean {
    return this.#seen === FRAME_HEADER_LENGTH;
  }

  /** Takes received octets; throws a `RemoteProtocolError` once the first 9 show no SETTINGS frame. */
  accept(bytes: Uint8Array): void {
    const take = Math.min(bytes.length, FRAME_HEADER_LENGTH - this.#seen);
    if (take === 0) return;
    this.#header.set(bytes.subarray(0, take), this.#seen);
    this.#seen += take;
    if (this.#seen === FRAME_HEADER_LENGTH) checkFirstFrameHeader(this.#header);
  }
}

function checkFirstFrameHeader(header: Uint8Array): void {
  if (HTTP1_STATUS_START.every((octet, i) => header[i] === octet)) {
    const version = String.fromCharCode(...header.subarray(0, 8));
    throw peerError(
      "H2_PEER_SPOKE_HTTP1",
      `the server answered in HTTP/1.x ("${version} …"), not with HTTP/2 SETTINGS: it does not speak h2c here, so prior knowledge was wrong (use HTTP/1.1, or HTTP/2 over TLS with ALPN)`,
    );
  }
  const type = header[3]!;
  if (type !== FRAME_TYPE.SETTINGS || (header[4]! & FLAG.ACK) !== 0) {
    const name = Object.entries(FRAME_TYPE).find(([, code]) => code === type)?.[0];
    const what =
      type === FRAME_TYPE.SETTINGS
        ? "a SETTINGS ACK"
        : `${name === undefined ? `a frame of type 0x${type.toString(16)}` : `a ${name} frame`}`;
    throw peerError("H2_BAD_PREFACE", `${what} before the server's SETTINGS (RFC 9113 §3.4)`);
  }
}
