import { RemoteProtocolError } from "../errors.ts";
import { isNamed, isToken, splitList, trimOws } from "../syntax.ts";
import type { HeaderList } from "./headers.ts";

/** How a message body is delimited (RFC 9112 §6.3). */
export type BodyFraming =
  | { kind: "none" }
  | { kind: "length"; length: number }
  | { kind: "chunked" }
  | { kind: "until-close" }
  | { kind: "upgrade" };

/** The framing-relevant fields of a head, gathered in one pass. */
export interface FramingFields {
  /** The lists may be shared and frozen: never push to them (see addFramingField). */
  contentLength: readonly string[];
  transferEncoding: readonly string[];
  connection: readonly string[];
  hasUpgrade: boolean;
  expectContinue: boolean;
}

/**
 * `splitList` of a Connection value, without its split/trim/lower-case
 * allocations for the two values nearly every response carries.
 */
function connectionOptions(value: string): readonly string[] {
  // Exact matches first: string equality is cheaper than the per-character fold.
  if (value === "keep-alive" || (value.length === 10 && isNamed(value, "keep-alive")))
    return KEEP_ALIVE;
  if (value === "close" || (value.length === 5 && isNamed(value, "close"))) return CLOSE;
  return splitList(value);
}

// Read-only results of connectionOptions: frozen, as FramingFields.connection may be one of them.
const KEEP_ALIVE: readonly string[] = Object.freeze(["keep-alive"]);
const CLOSE: readonly string[] = Object.freeze(["close"]);

/** The empty lists of a fresh {@link FramingFields}: shared, replaced on the first value. */
const NO_VALUES: readonly string[] = Object.freeze([]);

/**
 * `list` with `value` appended: a new array when `list` is one of the shared
 * read-only ones, else `list` itself. Most heads have one or two framing
 * fields, so three arrays per head made up front were mostly left empty
 * (and a push grows an empty one to 17 slots). Scavenges over 500,000
 * cycles with 1 MiB semi-spaces, i.e. ~2 bytes allocated per cycle each:
 * small-0 1,120 -> 1,015, tiny-get 942 -> 837 (apps/bench: node --trace-gc
 * --single-threaded --predictable --max-semi-space-size=1
 * --min-semi-space-size=1 scripts/protocol-cycle.mjs small-0 500000 | grep -c
 * Scavenge); instructions per cycle unchanged (18,057 / 18,047).
 */
function appended(list: readonly string[], value: string): readonly string[] {
  if (list === NO_VALUES || list === KEEP_ALIVE || list === CLOSE) return [...list, value];
  (list as string[]).push(value);
  return list;
}

/** Which framing field a name is, as returned by {@link framingFieldOf}. */
export const NOT_FRAMING = 0;
export const CONTENT_LENGTH = 1;
export const TRANSFER_ENCODING = 2;
export const CONNECTION = 3;
export const UPGRADE = 4;
export const EXPECT = 5;

/** The names {@link framingFields} looks for, lower-case, by kind. */
export const FRAMING_FIELD_NAMES: readonly string[] = [
  "",
  "content-length",
  "transfer-encoding",
  "connection",
  "upgrade",
  "expect",
];

/** Which framing field `name` is (compared case-insensitively), or NOT_FRAMING. */
export function framingFieldOf(name: string): number {
  // Length first: most fields are ruled out without looking at a character.
  switch (name.length) {
    case 14:
      return isNamed(name, "content-length") ? CONTENT_LENGTH : NOT_FRAMING;
    case 17:
      return isNamed(name, "transfer-encoding") ? TRANSFER_ENCODING : NOT_FRAMING;
    case 10:
      return isNamed(name, "connection") ? CONNECTION : NOT_FRAMING;
    case 7:
      return isNamed(name, "upgrade") ? UPGRADE : NOT_FRAMING;
    case 6:
      return isNamed(name, "expect") ? EXPECT : NOT_FRAMING;
    default:
      return NOT_FRAMING;
  }
}

/** An empty {@link FramingFields}, to fill with {@link addFramingField}. */
export function emptyFramingFields(): FramingFields {
  return {
    contentLength: NO_VALUES,
    transferEncoding: NO_VALUES,
    connection: NO_VALUES,
    hasUpgrade: false,
    expectContinue: false,
  };
}

/** Records the value of a field of kind `kind` (not NOT_FRAMING) in `fields`. */
export function addFramingField(fields: FramingFields, kind: number, value: string): void {
  switch (kind) {
    case CONTENT_LENGTH:
      fields.contentLength = appended(fields.contentLength, value);
      break;
    case TRANSFER_ENCODING:
      fields.transferEncoding = appended(fields.transferEncoding, value);
      break;
    case CONNECTION: {
      const options = connectionOptions(value);
      // The usual single "keep-alive" or "close" is kept as the shared frozen list.
      if (fields.connection === NO_VALUES && (options === KEEP_ALIVE || options === CLOSE)) {
        fields.connection = options;
        break;
      }
      for (let j = 0; j < options.length; j++)
        fields.connection = appended(fields.connection, options[j]!);
      break;
    }
    case UPGRADE:
      fields.hasUpgrade = true;
      break;
    case EXPECT:
      if (trimOws(value).toLowerCase() === "100-continue") fields.expectContinue = true;
      break;
  }
}

/**
 * What {@link framingFields} returns for a head without any framing field (a
 * plain GET): shared, so frozen.
 */
const NO_FRAMING_FIELDS: FramingFields = Object.freeze({
  contentLength: NO_VALUES,
  transferEncoding: NO_VALUES,
  connection: NO_VALUES,
  hasUpgrade: false,
  expectContinue: false,
});

/**
 * Collects the fields that decide framing and connection reuse (names
 * compared case-insensitively). The result is read-only: with no framing
 * field at all it is one shared frozen object.
 */
export function framingFields(headers: HeaderList): FramingFields {
  let fields: FramingFields | undefined;
  for (let i = 0; i < headers.length; i++) {
    // Indexing, not destructuring: this runs for every field of every message.
    const pair = headers[i]!;
    const kind = framingFieldOf(pair[0]);
    if (kind !== NOT_FRAMING) addFramingField((fields ??= emptyFramingFields()), kind, pair[1]);
  }
  return fields ?? NO_FRAMING_FIELDS;
}

const MAX_LENGTH_DIGITS = 15; // 10^15 - 1 < Number.MAX_SAFE_INTEGER

/**
 * Parses Content-Length field values. A list of identical values is accepted
 * (RFC 9110 §8.6); differing values, signs, spaces inside, non-digits or
 * more than 15 digits are a framing error; only SP and HTAB count as
 * whitespace around an element (a 0xA0 byte is no digit). Returns null when absent.
 */
export function parseContentLength(values: readonly string[]): number | null {
  if (values.length === 0) return null;
  // Fast path for the usual single plain number (no split, trim or regex);
  // anything else takes the general path below.
  if (values.length === 1) {
    const value = values[0]!;
    if (value.length > 0 && value.length <= MAX_LENGTH_DIGITS) {
      let n = 0;
      let i = 0;
      for (; i < value.length; i++) {
        const c = value.charCodeAt(i);
        if (c < 0x30 || c > 0x39) break;
        n = n * 10 + (c - 0x30);
      }
      if (i === value.length) return n;
    }
  }
  let result: number | null = null;
  for (const value of values) {
    for (const part of value.split(",")) {
      const digits = trimOws(part);
      if (digits.length === 0 || digits.length > MAX_LENGTH_DIGITS || !/^[0-9]+$/.test(digits)) {
        throw new RemoteProtocolError(
          "INVALID_CONTENT_LENGTH",
          `invalid Content-Length "${value}"`,
        );
      }
      const n = Number(digits);
      if (result !== null && n !== result) {
        throw new RemoteProtocolError(
          "INVALID_CONTENT_LENGTH",
          `conflicting Content-Length values`,
        );
      }
      result = n;
    }
  }
  return result;
}

/**
 * Parses Transfer-Encoding values into lower-cased coding names. Returns
 * whether chunked is the final coding. Chunked applied twice, an empty list or
 * a coding that is not a token is a framing error (a request-smuggling vector).
 */
export function chunkedIsFinal(values: readonly string[]): boolean {
  const codings: string[] = [];
  for (const value of values) {
    for (const element of value.split(",")) {
      const coding = trimOws(element.split(";", 1)[0] ?? "").toLowerCase();
      if (coding.length === 0 && trimOws(element).length === 0) continue;
      if (!isToken(coding)) {
        throw new RemoteProtocolError(
          "INVALID_TRANSFER_ENCODING",
          `invalid transfer coding "${trimOws(element)}"`,
        );
      }
      // Chunked defines no parameters (RFC 9112 §7); "chunked;" or "chunked ;x" is not chunked.
      if (coding === "chunked" && element.includes(";")) {
        throw new RemoteProtocolError(
          "INVALID_TRANSFER_ENCODING",
          `chunked takes no parameters: "${trimOws(element)}"`,
        );
      }
      codings.push(coding);
    }
  }
  if (codings.length === 0)
    throw new RemoteProtocolError("INVALID_TRANSFER_ENCODING", "empty Transfer-Encoding");
  const chunkedCount = codings.filter((c) => c === "chunked").length;
  if (chunkedCount > 1)
    throw new RemoteProtocolError("INVALID_TRANSFER_ENCODING", "chunked applied more than once");
  return codings[codings.length - 1] === "chunked";
}

// The framings without a length, shared (frozen): a response head costs one
// object fewer (and a body-less one its reader, see readers.ts). small-0
// (Content-Length: 0): 1,015 -> 987 scavenges over 500,000 cycles with 1 MiB
// semi-spaces (command in apps/bench/results/2026-12-07-h1-parse.md).
const NO_BODY: BodyFraming = Object.freeze({ kind: "none" });
const CHUNKED: BodyFraming = Object.freeze({ kind: "chunked" });
const UNTIL_CLOSE: BodyFraming = Object.freeze({ kind: "until-close" });
/** The framing of a switch of protocols (a 101, a CONNECT's 2xx): nothing more is HTTP. */
export const UPGRADE_FRAMING: BodyFraming = Object.freeze({ kind: "upgrade" });

/** The result of {@link requestFraming}: framing plus whether the connection stays reusable. */
export interface FramingDecision {
  framing: BodyFraming;
  keepAlive: boolean;
}

/** Whether the message's own fields allow keeping the connection open. */
export function messageKeepsAlive(version: string, fields: FramingFields): boolean {
  if (fields.connection.includes("close")) return false;
  if (version === "1.0") return fields.connection.includes("keep-alive");
  return true;
}

/**
 * RFC 9112 §6.3, in its order, for a response to `requestMethod`: the
 * framing, or a positive number for a Content-Length body of that many bytes
 * (no framing object made per response). Whether the connection stays
 * reusable is {@link responseKeepsAlive}. With the connection's one
 * Content-Length reader (`startLengthBody`), no context, decision, framing or
 * reader object per response: tiny-get 17,865 → 17,613 instructions and 837 →
 * 782 scavenges per 500,000 cycles (apps/bench/results/2026-12-07-h1-dispatch.md).
 */
export function responseFraming(
  requestMethod: string,
  status: number,
  fields: FramingFields,
): BodyFraming | number {
  if (requestMethod === "CONNECT" && status >= 200 && status < 300) return UPGRADE_FRAMING;
  if (requestMethod === "HEAD" || status < 200 || status === 204 || status === 304) {
    // No body whatever the fields say, but conflicting lengths still mark a broken or hostile peer.
    parseContentLength(fields.contentLength);
    return NO_BODY;
  }
  if (fields.transferEncoding.length > 0) {
    const chunked = chunkedIsFinal(fields.transferEncoding);
    // RFC 9112 §6.3 lets TE override CL, but two framings are the request-smuggling
    // signature: refuse instead of guessing which one an intermediary used.
    if (fields.contentLength.length > 0) {
      throw new RemoteProtocolError(
        "INVALID_TRANSFER_ENCODING",
        "response has both Transfer-Encoding and Content-Length",
      );
    }
    return chunked ? CHUNKED : UNTIL_CLOSE;
  }
  const length = parseContentLength(fields.contentLength);
  if (length !== null) return length === 0 ? NO_BODY : length;
  return UNTIL_CLOSE;
}

/** Whether a response framed by {@link responseFraming} leaves the connection reusable. */
export function responseKeepsAlive(
  framing: BodyFraming | number,
  version: string,
  fields: FramingFields,
): boolean {
  if (typeof framing !== "number") {
    if (framing.kind === "upgrade" || framing.kind === "until-close") return false;
    // HTTP/1.0 with TE is faulty framing (RFC 9112 §6.1): never reuse.
    if (framing.kind === "chunked" && version === "1.0") return false;
  }
  return messageKeepsAlive(version, fields);
}

/** RFC 9112 §6.3 for a request (server role): no framing fields means no body. */
export function requestFraming(version: string, fields: FramingFields): FramingDecision {
  let keepAlive = messageKeepsAlive(version, fields);
  if (fields.transferEncoding.length > 0) {
    if (!chunkedIsFinal(fields.transferEncoding)) {
      throw new RemoteProtocolError(
        "INVALID_TRANSFER_ENCODING",
        "request Transfer-Encoding must end in chunked",
      );
    }
    if (fields.contentLength.length > 0 || version === "1.0") keepAlive = false;
    return { framing: CHUNKED, keepAlive };
  }
  const length = parseContentLength(fields.contentLength);
  if (length !== null && length > 0) return { framing: { kind: "length", length }, keepAlive };
  return { framing: NO_BODY, keepAlive };
}
