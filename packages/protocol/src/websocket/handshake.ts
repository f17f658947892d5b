/**
 * The opening handshake (RFC 6455 §4.1-4.2): build the client's upgrade
 * request, then check the server's 101 answer. The HTTP core carries both;
 * these helpers only produce and judge header lists.
 */

import { LocalProtocolError, RemoteProtocolError } from "../errors.ts";
import { type HeaderPair, Headers } from "../http/headers.ts";
import { isFieldValue, isToken, trimOws } from "../syntax.ts";
import { encodeBase64 } from "./base64.ts";
import {
  acceptDeflateResponse,
  deflateOfferItem,
  PERMESSAGE_DEFLATE,
  type PerMessageDeflateOffer,
  type PerMessageDeflateParams,
} from "./deflate.ts";
import { type ExtensionItem, formatExtension, parseExtensions } from "./extensions.ts";
import { defaultRandomSource, type RandomSource } from "./random.ts";
import { sha1 } from "./sha1.ts";
import { encodeUtf8 } from "./utf8.ts";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

// Set by these helpers; the caller may not override them through `headers`.
const RESERVED = new Set([
  "upgrade",
  "connection",
  "sec-websocket-key",
  "sec-websocket-version",
  "sec-websocket-protocol",
  "sec-websocket-extensions",
]);

/**
 * `Sec-WebSocket-Accept` for a key: base64(SHA-1(key + GUID)).
 *
 * @example
 * ```ts
 * import { computeAcceptKey } from "@reqivo/protocol";
 * computeAcceptKey("dGhlIHNhbXBsZSBub25jZQ=="); // "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
 * ```
 */
export function computeAcceptKey(key: string): string {
  return encodeBase64(sha1(encodeUtf8(key + GUID)));
}

/** Options for {@link buildHandshakeRequest}. */
export interface HandshakeOptions {
  /** Request target: path and query, e.g. `"/chat?room=1"`. */
  target: string;
  /** `Host` header value (`host[:port]`). */
  host: string;
  /** Subprotocols to offer, in preference order (tokens, no repeats). */
  protocols?: readonly string[];
  /** Offer permessage-deflate: `true` for defaults, or the parameters to offer. */
  perMessageDeflate?: boolean | PerMessageDeflateOffer;
  /** `Origin` header, if any. */
  origin?: string;
  /** Extra headers (cookies, auth…); the WebSocket ones above are refused here. */
  headers?: readonly HeaderPair[];
  /** Randomness for the key. Default `crypto.getRandomValues`. */
  random?: RandomSource;
}

/**
 * The HTTP request event that opens a WebSocket (feed it to the HTTP
 * client connection's `send`).
 *
 * @example
 * ```ts
 * import type { HandshakeRequestEvent } from "@reqivo/protocol";
 * const ev: HandshakeRequestEvent = { type: "request", method: "GET", target: "/", headers: [["host", "a"]] };
 * ```
 */
export interface HandshakeRequestEvent {
  type: "request";
  method: "GET";
  target: string;
  headers: HeaderPair[];
}

/**
 * A handshake in progress: the request to send, and what the answer is
 * checked against.
 *
 * @example
 * ```ts
 * import { buildHandshakeRequest } from "@reqivo/protocol";
 * const hs = buildHandshakeRequest({ target: "/", host: "example.com" });
 * hs.key.length; // 24
 * ```
 */
export interface WebSocketHandshake {
  request: HandshakeRequestEvent;
  /** The `Sec-WebSocket-Key` sent. */
  key: string;
  /** Subprotocols offered. */
  protocols: readonly string[];
  /** The permessage-deflate offer, or `null` when none was made. */
  perMessageDeflate: PerMessageDeflateOffer | null;
}

/**
 * Builds the upgrade request: `Upgrade: websocket`, `Connection: Upgrade`, a
 * key from 16 random bytes, version 13, and the optional subprotocol and
 * extension offers. Throws `LocalProtocolError` for invalid input.
 *
 * @example
 * ```ts
 * import { buildHandshakeRequest } from "@reqivo/protocol";
 * const { request, key } = buildHandshakeRequest({ target: "/chat", host: "example.com", protocols: ["v1.chat"] });
 * request.headers; // [["Host","example.com"],["Upgrade","websocket"],["Connection","Upgrade"],["Sec-WebSocket-Key",key],…]
 * ```
 */
export function buildHandshakeRequest(options: HandshakeOptions): WebSocketHandshake {
  const { target, host } = options;
  if (!/^\/[\x21-\x7e]*$/.test(target)) {
    throw new LocalProtocolError(
      "INVALID_TARGET",
      `invalid request target ${JSON.stringify(target)}`,
    );
  }
  if (host.length === 0 || !isFieldValue(host)) {
    throw new LocalProtocolError("INVALID_HEADER_VALUE", "invalid Host");
  }
  const protocols = options.protocols ?? [];
  const seen = new Set<string>();
  for (const p of protocols) {
    if (!isToken(p) || seen.has(p)) {
      throw new LocalProtocolError("INVALID_SUBPROTOCOL", `invalid or repeated subprotocol ${p}`);
    }
    seen.add(p);
  }
  const nonce = new Uint8Array(16);
  (options.random ?? defaultRandomSource)(nonce);
  const key = encodeBase64(nonce);

  const headers: HeaderPair[] = [
    ["Host", host],
    ["Upgrade", "websocket"],
    ["Connection", "Upgrade"],
    ["Sec-WebSocket-Key", key],
    ["Sec-WebSocket-Version", "13"],
  ];
  if (protocols.length > 0) headers.push(["Sec-WebSocket-Protocol", protocols.join(", ")]);
  const deflate = options.perMessageDeflate === true ? {} : options.perMessageDeflate || null;
  if (deflate !== null) {
    headers.push(["Sec-WebSocket-Extensions", formatExtension(deflateOfferItem(deflate))]);
  }
  if (options.origin !== undefined) {
    if (!isFieldValue(options.origin)) {
      throw new LocalProtocolError("INVALID_HEADER_VALUE", "invalid Origin");
    }
    headers.push(["Origin", options.origin]);
  }
  for (const [name, value] of options.headers ?? []) {
    const lower = name.toLowerCase();
    if (!isToken(name) || RESERVED.has(lower) || lower === "host") {
      throw new LocalProtocolError("INVALID_HEADER_NAME", `header ${name} cannot be set here`);
    }
    if (!isFieldValue(value)) {
      throw new LocalProtocolError("INVALID_HEADER_VALUE", `invalid value for header ${name}`);
    }
    headers.push([name, value]);
  }
  return {
    request: { type: "request", method: "GET", target, headers },
    key,
    protocols: [...protocols],
    perMessageDeflate: deflate,
  };
}

/**
 * The head of the server's answer: status and headers in wire order (the
 * HTTP core's `upgrade` or `response` event fits).
 *
 * @example
 * ```ts
 * import type { HandshakeResponse } from "@reqivo/protocol";
 * const res: HandshakeResponse = { status: 101, headers: [["Upgrade", "websocket"]] };
 * ```
 */
export interface HandshakeResponse {
  status: number;
  headers: readonly HeaderPair[];
}

/**
 * What the server agreed to.
 *
 * @example
 * ```ts
 * import type { HandshakeResult } from "@reqivo/protocol";
 * const r: HandshakeResult = { protocol: null, extensions: [], perMessageDeflate: null };
 * ```
 */
export interface HandshakeResult {
  /** The selected subprotocol, or `null`. */
  protocol: string | null;
  /** The accepted extensions, as the server listed them. */
  extensions: ExtensionItem[];
  /** permessage-deflate parameters when accepted: build the codec from these. */
  perMessageDeflate: PerMessageDeflateParams | null;
}

function fail(code: string, message: string): RemoteProtocolError {
  return new RemoteProtocolError(code, message);
}

/**
 * Checks the server's answer (RFC 6455 §4.1, client steps 1-6): status 101,
 * `Upgrade: websocket`, `Connection: upgrade`, the exact
 * `Sec-WebSocket-Accept`, and no subprotocol or extension that was not
 * offered. Throws `RemoteProtocolError` with a `HANDSHAKE_*` code.
 *
 * @example
 * ```ts
 * import { buildHandshakeRequest, computeAcceptKey, validateHandshakeResponse } from "@reqivo/protocol";
 * const hs = buildHandshakeRequest({ target: "/", host: "a" });
 * validateHandshakeResponse(hs, { status: 101, headers: [
 *   ["Upgrade", "websocket"], ["Connection", "Upgrade"], ["Sec-WebSocket-Accept", computeAcceptKey(hs.key)],
 * ] }).protocol; // null
 * ```
 */
export function validateHandshakeResponse(
  handshake: WebSocketHandshake,
  response: HandshakeResponse,
): HandshakeResult {
  if (response.status !== 101) {
    throw fail("HANDSHAKE_STATUS", `expected status 101, got ${response.status}`);
  }
  const headers = new Headers(response.headers as HeaderPair[]);
  if (!headers.tokens("upgrade").includes("websocket")) {
    throw fail("HANDSHAKE_UPGRADE", "Upgrade header does not name websocket");
  }
  if (!headers.tokens("connection").includes("upgrade")) {
    throw fail("HANDSHAKE_CONNECTION", "Connection header does not include upgrade");
  }
  const accept = headers.getAll("sec-websocket-accept");
  if (accept.length !== 1 || trimOws(accept[0]!) !== computeAcceptKey(handshake.key)) {
    throw fail("HANDSHAKE_ACCEPT", "Sec-WebSocket-Accept does not match the key");
  }

  let protocol: string | null = null;
  const protocolValues = headers.getAll("sec-websocket-protocol");
  if (protocolValues.length > 1) throw fail("HANDSHAKE_PROTOCOL", "more than one subprotocol");
  if (protocolValues.length === 1) {
    protocol = trimOws(protocolValues[0]!);
    if (!handshake.protocols.includes(protocol)) {
      throw fail("HANDSHAKE_PROTOCOL", `subprotocol ${JSON.stringify(protocol)} was not offered`);
    }
  }

  const extensionValues = headers.getAll("sec-websocket-extensions");
  const extensions = extensionValues.length > 0 ? parseExtensions(extensionValues.join(", ")) : [];
  let perMessageDeflate: PerMessageDeflateParams | null = null;
  for (const item of extensions) {
    if (item.name !== PERMESSAGE_DEFLATE || handshake.perMessageDeflate === null) {
      throw fail("HANDSHAKE_EXTENSION", `extension ${item.name} was not offered`);
    }
    if (perMessageDeflate !== null) {
      throw fail("HANDSHAKE_EXTENSION", "permessage-deflate accepted twice");
    }
    perMessageDeflate = acceptDeflateResponse(item, handshake.perMessageDeflate);
  }
  return { protocol, extensions, perMessageDeflate };
}
