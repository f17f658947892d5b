/**
 * permessage-deflate (RFC 7692): the offer, the check of the server's answer,
 * and the codec seam. The core never compresses itself; the caller injects a
 * {@link PerMessageDeflateCodec} (built on zlib, CompressionStream, …).
 */

import { LocalProtocolError, RemoteProtocolError } from "../errors.ts";
import type { ExtensionItem } from "./extensions.ts";

/** The extension token. */
export const PERMESSAGE_DEFLATE = "permessage-deflate";

/**
 * What the client offers (RFC 7692 §7.1). Window bits are 8..15.
 *
 * @example
 * ```ts
 * import type { PerMessageDeflateOffer } from "@reqivo/protocol";
 * const offer: PerMessageDeflateOffer = { clientMaxWindowBits: true, serverNoContextTakeover: true };
 * ```
 */
export interface PerMessageDeflateOffer {
  /** Ask the server to reset its compression context after each message. */
  serverNoContextTakeover?: boolean;
  /** Announce that the client will reset its context after each message. */
  clientNoContextTakeover?: boolean;
  /** Ask the server to use at most this LZ77 window (8..15). */
  serverMaxWindowBits?: number;
  /** `true`: the server may pick the client's window; a number: the client's own limit (8..15). Default `true`. */
  clientMaxWindowBits?: number | boolean;
}

/**
 * The parameters agreed in the handshake, with RFC 7692 defaults filled in.
 * The codec must honour them: reset the matching context when a
 * `*NoContextTakeover` is set, deflate with at most `clientMaxWindowBits`.
 *
 * @example
 * ```ts
 * import type { PerMessageDeflateParams } from "@reqivo/protocol";
 * const p: PerMessageDeflateParams = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };
 * ```
 */
export interface PerMessageDeflateParams {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits: number;
  clientMaxWindowBits: number;
}

/**
 * Raw DEFLATE (RFC 1951) for one connection, synchronous. It keeps the LZ77
 * context between messages unless the agreed parameters say otherwise.
 *
 * @example
 * ```ts
 * import type { PerMessageDeflateCodec } from "@reqivo/protocol";
 * // In Node (outside the core), with node:zlib's sync-flush streams:
 * declare const codec: PerMessageDeflateCodec;
 * // new WebSocketConnection({ role: "client", perMessageDeflate: codec });
 * ```
 */
export interface PerMessageDeflateCodec {
  /**
   * Compresses one whole message and flushes with Z_SYNC_FLUSH. The core
   * strips the trailing `00 00 ff ff` itself (RFC 7692 §7.2.1).
   */
  compress(data: Uint8Array): Uint8Array;
  /**
   * Decompresses one whole message; the core has already appended
   * `00 00 ff ff`. Must stop and return `null` as soon as the output would
   * exceed `maxLength` bytes (decompression bombs). Throw on corrupt input.
   */
  decompress(data: Uint8Array, maxLength: number): Uint8Array | null;
}

function isWindowBits(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 8 && value <= 15;
}

/**
 * Builds the `permessage-deflate` entry of the offer.
 *
 * @example
 * ```ts
 * import { deflateOfferItem, formatExtension } from "@reqivo/protocol";
 * formatExtension(deflateOfferItem({})); // "permessage-deflate; client_max_window_bits"
 * ```
 */
export function deflateOfferItem(offer: PerMessageDeflateOffer): ExtensionItem {
  const params = new Map<string, string | true>();
  if (offer.serverNoContextTakeover) params.set("server_no_context_takeover", true);
  if (offer.clientNoContextTakeover) params.set("client_no_context_takeover", true);
  if (offer.serverMaxWindowBits !== undefined) {
    if (!isWindowBits(offer.serverMaxWindowBits)) throw badOffer("serverMaxWindowBits");
    params.set("server_max_window_bits", String(offer.serverMaxWindowBits));
  }
  const client = offer.clientMaxWindowBits ?? true;
  if (client === true) params.set("client_max_window_bits", true);
  else if (client !== false) {
    if (!isWindowBits(client)) throw badOffer("clientMaxWindowBits");
    params.set("client_max_window_bits", String(client));
  }
  return { name: PERMESSAGE_DEFLATE, params };
}

function badOffer(name: string): LocalProtocolError {
  return new LocalProtocolError("INVALID_EXTENSION", `${name} must be an integer from 8 to 15`);
}

function refuse(message: string): RemoteProtocolError {
  return new RemoteProtocolError("HANDSHAKE_EXTENSION", `permessage-deflate: ${message}`);
}

function windowBits(value: string | true | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  // Digits only: "010" or "+9" are not what RFC 7692 §7.1.2 allows.
  if (value === true || !/^[1-9][0-9]?$/.test(value)) throw refuse(`${name} needs a value`);
  const bits = Number(value);
  if (!isWindowBits(bits)) throw refuse(`${name}=${value} is outside 8..15`);
  return bits;
}

/**
 * Checks the server's `permessage-deflate` answer against the offer and
 * returns the agreed parameters. Throws `RemoteProtocolError("HANDSHAKE_EXTENSION")`
 * for unknown or repeated parameters, window bits outside 8..15, a
 * `client_max_window_bits` the client did not allow, or an answer that
 * ignores a limit the client required.
 *
 * @example
 * ```ts
 * import { acceptDeflateResponse, parseExtensions } from "@reqivo/protocol";
 * const [item] = parseExtensions("permessage-deflate; server_no_context_takeover");
 * acceptDeflateResponse(item, {}).serverNoContextTakeover; // true
 * ```
 */
export function acceptDeflateResponse(
  item: ExtensionItem,
  offer: PerMessageDeflateOffer,
): PerMessageDeflateParams {
  const known = new Set([
    "server_no_context_takeover",
    "client_no_context_takeover",
    "server_max_window_bits",
    "client_max_window_bits",
  ]);
  for (const name of item.params.keys()) {
    if (!known.has(name)) throw refuse(`unknown parameter ${name}`);
  }
  const p = item.params;
  for (const flag of ["server_no_context_takeover", "client_no_context_takeover"]) {
    const v = p.get(flag);
    if (v !== undefined && v !== true) throw refuse(`${flag} takes no value`);
  }
  const serverBits = windowBits(p.get("server_max_window_bits"), "server_max_window_bits");
  const clientBits = windowBits(p.get("client_max_window_bits"), "client_max_window_bits");

  const offeredClient = offer.clientMaxWindowBits ?? true;
  if (clientBits !== undefined) {
    if (offeredClient === false) throw refuse("client_max_window_bits was not offered");
    if (typeof offeredClient === "number" && clientBits > offeredClient) {
      throw refuse(`client_max_window_bits=${clientBits} exceeds the offered ${offeredClient}`);
    }
  }
  if (offer.serverMaxWindowBits !== undefined) {
    if (serverBits === undefined || serverBits > offer.serverMaxWindowBits) {
      throw refuse("server_max_window_bits does not honour the offer");
    }
  }
  if (offer.serverNoContextTakeover && p.get("server_no_context_takeover") !== true) {
    throw refuse("server_no_context_takeover was required");
  }
  return {
    serverNoContextTakeover: p.get("server_no_context_takeover") === true,
    clientNoContextTakeover:
      p.get("client_no_context_takeover") === true || offer.clientNoContextTakeover === true,
    serverMaxWindowBits: serverBits ?? 15,
    clientMaxWindowBits: clientBits ?? (typeof offeredClient === "number" ? offeredClient : 15),
  };
}
