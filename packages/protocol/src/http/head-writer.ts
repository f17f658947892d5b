// Outgoing message heads: checks of what the caller gives (field names and
// values, request targets) and the writers that put heads into HEAD_SLAB.
import { HEAD_SLAB } from "../byte-slab.ts";
import { writeLatin1 } from "../bytes.ts";
import { LocalProtocolError } from "../errors.ts";
import { FIELD_VALUE_CHARS, isFieldValue, isToken, TOKEN_CHARS } from "../syntax.ts";
import type { HeaderList } from "./headers.ts";

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HTAB = 0x09;
const COLON = 0x3a;

function refuse(code: string, message: string): never {
  throw new LocalProtocolError(code, message);
}

/** Checks every field name is a token and every value is safe on the wire (no CR, LF, NUL). */
export function validateFields(headers: HeaderList, what = "header"): void {
  for (const pair of headers) {
    if (!Array.isArray(pair))
      refuse("INVALID_HEADER_NAME", `${what} fields must be [name, value] pairs`);
    const [name, value] = pair;
    if (typeof name !== "string" || !isToken(name)) {
      refuse("INVALID_HEADER_NAME", `invalid ${what} field name ${JSON.stringify(name)}`);
    }
    if (typeof value !== "string" || !isFieldValue(value)) {
      refuse("INVALID_HEADER_VALUE", `invalid value for ${what} field ${name}`);
    }
  }
}

/** Throws the error {@link validateFields} gives for the first invalid field of `fields`. */
function refuseFields(fields: HeaderList, what: string): never {
  validateFields(fields, what);
  // Only reached if called for valid fields: a bug here, never the caller's input.
  throw new Error("refuseFields: the fields are valid");
}

/**
 * The bytes `fields` take on the wire (`name: value` CRLF each). An entry that
 * is not a pair of strings is refused here, with the error
 * {@link validateFields} gives for the first invalid field.
 */
export function fieldsSize(fields: HeaderList, what = "header"): number {
  let size = 0;
  for (let i = 0; i < fields.length; i++) {
    const pair = fields[i];
    if (!Array.isArray(pair) || typeof pair[0] !== "string" || typeof pair[1] !== "string")
      refuseFields(fields, what);
    size += pair[0].length + pair[1].length + 4;
  }
  return size;
}

/**
 * Writes `name: value` CRLF for every field into `out` at `at` and returns
 * the offset after them, checking each byte as it goes: the checks of
 * {@link validateFields} (names are tokens; values have no CR, LF, NUL or
 * other control byte, nothing beyond latin1, no leading or trailing
 * whitespace) with its errors, in one pass instead of a check pass and a
 * write pass. On a refusal `out` holds a partial write the caller drops.
 * `fields` went through {@link fieldsSize} (pairs of strings) and `out` has
 * room for them.
 */
export function writeCheckedFields(
  fields: HeaderList,
  out: Uint8Array,
  at: number,
  what = "header",
): number {
  for (let f = 0; f < fields.length; f++) {
    const pair = fields[f]!;
    const name = pair[0];
    const value = pair[1];
    const nameLength = name.length;
    if (nameLength === 0) refuseFields(fields, what);
    for (let i = 0; i < nameLength; i++) {
      const c = name.charCodeAt(i);
      if (c > 0xff || TOKEN_CHARS[c] !== 1) refuseFields(fields, what);
      out[at++] = c;
    }
    out[at++] = COLON;
    out[at++] = SP;
    const valueLength = value.length;
    for (let i = 0; i < valueLength; i++) {
      const c = value.charCodeAt(i);
      if (c > 0xff || FIELD_VALUE_CHARS[c] !== 1) refuseFields(fields, what);
      out[at++] = c;
    }
    if (valueLength > 0) {
      // A recipient strips surrounding whitespace, which would change the value.
      const first = value.charCodeAt(0);
      const last = value.charCodeAt(valueLength - 1);
      if (first === SP || first === HTAB || last === SP || last === HTAB)
        refuseFields(fields, what);
    }
    out[at++] = CR;
    out[at++] = LF;
  }
  return at;
}

/**
 * Checks a request target and its form against the method (RFC 9112 §3.2):
 * origin-form `/path?q`, absolute-form `scheme://…`, authority-form `host:port`
 * (CONNECT only) or `*` (OPTIONS only). Only visible ASCII is allowed, so no
 * space, CR, LF or NUL can reach the wire.
 */
export function validateTarget(method: string, target: string): void {
  if (typeof target !== "string" || target.length === 0)
    refuse("INVALID_TARGET", "empty request target");
  for (let i = 0; i < target.length; i++) {
    const c = target.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) {
      refuse(
        "INVALID_TARGET",
        `request target contains byte 0x${c.toString(16)}; percent-encode it`,
      );
    }
  }
  if (method === "CONNECT") {
    if (!/^(\[[0-9A-Fa-f:.]+\]|[^/?#@[\]:]+):[0-9]{1,5}$/.test(target)) {
      refuse("INVALID_TARGET", "CONNECT needs an authority-form target (host:port)");
    }
    return;
  }
  if (target === "*") {
    if (method !== "OPTIONS") refuse("INVALID_TARGET", "asterisk-form is only for OPTIONS");
    return;
  }
  if (target.charCodeAt(0) === 0x2f) return;
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]+/.test(target)) {
    refuse(
      "INVALID_TARGET",
      "request target must be origin-form (/path) or absolute-form (scheme://host/path)",
    );
  }
}

/** Bytes of {@link writeRequestLineEnd}. */
const REQUEST_LINE_END_LENGTH = 11;

/**
 * Writes " HTTP/1.1" CRLF, the end of every request line, at `at`. Stored
 * byte by byte: a loop over a constant array cost more than the fields.
 */
function writeRequestLineEnd(out: Uint8Array, at: number): number {
  out[at] = SP;
  out[at + 1] = 0x48; // H
  out[at + 2] = 0x54; // T
  out[at + 3] = 0x54; // T
  out[at + 4] = 0x50; // P
  out[at + 5] = 0x2f; // /
  out[at + 6] = 0x31; // 1
  out[at + 7] = 0x2e; // .
  out[at + 8] = 0x31; // 1
  out[at + 9] = CR;
  out[at + 10] = LF;
  return at + REQUEST_LINE_END_LENGTH;
}

/**
 * Room for the framing field {@link outgoingFraming} may add after a request's
 * own fields ("content-length: " and up to 16 digits, or "transfer-encoding:
 * chunked", CRLF) and the empty line: reserved up front so that
 * {@link finishHead} need not copy.
 */
const FRAMING_FIELD_ROOM = 40;

/**
 * Starts a request head in {@link HEAD_SLAB}: the request line and the
 * caller's fields, each field checked as it is written (see
 * {@link writeCheckedFields}), and records in `draft` where it lies. Nothing
 * is handed out until {@link finishHead}; a refusal in between leaves no
 * trace. `method` is a token and `target` passed {@link validateTarget}.
 */
export function startRequestHead(
  method: string,
  target: string,
  headers: HeaderList,
  draft: RequestHeadDraft,
): void {
  const size = method.length + 1 + target.length + REQUEST_LINE_END_LENGTH + fieldsSize(headers);
  const start = HEAD_SLAB.reserve(size + FRAMING_FIELD_ROOM);
  const out = HEAD_SLAB.bytes;
  let at = writeLatin1(method, out, start);
  out[at++] = SP;
  at = writeLatin1(target, out, at);
  at = writeRequestLineEnd(out, at);
  draft.start = start;
  draft.end = writeCheckedFields(headers, out, at);
}

/** Where a head begun with {@link startRequestHead} lies in `HEAD_SLAB.bytes`. */
export interface RequestHeadDraft {
  start: number;
  end: number;
}

/**
 * Ends a head begun in {@link HEAD_SLAB} at `draft` with `extra` (fields we
 * generated, already valid) and the empty line, and hands it out.
 */
export function finishHead(draft: RequestHeadDraft, extra: HeaderList): Uint8Array {
  const written = draft.end - draft.start;
  // Within the room reserved by startRequestHead for any framing field we add; grow() keeps it right otherwise.
  const start = HEAD_SLAB.grow(draft.start, draft.end, written + fieldsSize(extra) + 2);
  const out = HEAD_SLAB.bytes;
  let at = writeFields(extra, out, start + written);
  out[at++] = CR;
  out[at++] = LF;
  return HEAD_SLAB.take(start, at);
}

/**
 * Serializes a start line and fields; every part has been validated. The
 * start line may be given in pieces (`[method, " ", target, " HTTP/1.1"]`):
 * writing them one by one avoids building a concatenated string whose
 * characters are then slower to read back.
 */
export function serializeHead(
  startLine: string | readonly string[],
  headers: HeaderList,
  extra: HeaderList,
): Uint8Array {
  const parts = typeof startLine === "string" ? [startLine] : startLine;
  let size = 4 + fieldsSize(headers) + fieldsSize(extra);
  for (let i = 0; i < parts.length; i++) size += parts[i]!.length;
  const start = HEAD_SLAB.reserve(size);
  const out = HEAD_SLAB.bytes;
  let at = start;
  for (let i = 0; i < parts.length; i++) at = writeLatin1(parts[i]!, out, at);
  out[at++] = CR;
  out[at++] = LF;
  at = writeFields(headers, out, at);
  at = writeFields(extra, out, at);
  out[at++] = CR;
  out[at++] = LF;
  return HEAD_SLAB.take(start, at);
}

function writeFields(fields: HeaderList, out: Uint8Array, at: number): number {
  for (let f = 0; f < fields.length; f++) {
    const pair = fields[f]!;
    at = writeLatin1(pair[0], out, at);
    out[at++] = COLON;
    out[at++] = SP;
    at = writeLatin1(pair[1], out, at);
    out[at++] = CR;
    out[at++] = LF;
  }
  return at;
}
