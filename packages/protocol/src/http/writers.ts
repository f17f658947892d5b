import { EMPTY_BYTES, encodeLatin1, writeLatin1 } from "../bytes.ts";
import { LocalProtocolError } from "../errors.ts";
import { isFieldValue, isToken } from "../syntax.ts";
import type { HeaderList } from "./headers.ts";

function refuse(code: string, message: string): never {
  throw new LocalProtocolError(code, message);
}

/** Checks every field name is a token and every value is safe on the wire (no CR, LF, NUL). */
export function validateFields(headers: HeaderList, what = "header"): void {
  for (const pair of headers) {
    const [name, value] = pair;
    if (typeof name !== "string" || !isToken(name)) {
      refuse("INVALID_HEADER_NAME", `invalid ${what} field name ${JSON.stringify(name)}`);
    }
    if (typeof value !== "string" || !isFieldValue(value)) {
      refuse("INVALID_HEADER_VALUE", `invalid value for ${what} field ${name}`);
    }
  }
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
  let size = 4;
  for (let i = 0; i < parts.length; i++) size += parts[i]!.length;
  for (const [name, value] of headers) size += name.length + value.length + 4;
  for (const [name, value] of extra) size += name.length + value.length + 4;
  const out = new Uint8Array(size);
  let at = 0;
  for (let i = 0; i < parts.length; i++) at = writeLatin1(parts[i]!, out, at);
  out[at++] = 0x0d;
  out[at++] = 0x0a;
  at = writeFields(headers, out, at);
  at = writeFields(extra, out, at);
  out[at++] = 0x0d;
  out[at++] = 0x0a;
  return out;
}

function writeFields(fields: HeaderList, out: Uint8Array, at: number): number {
  for (const [name, value] of fields) {
    at = writeLatin1(name, out, at);
    out[at++] = 0x3a;
    out[at++] = 0x20;
    at = writeLatin1(value, out, at);
    out[at++] = 0x0d;
    out[at++] = 0x0a;
  }
  return at;
}

/** Turns outgoing body events into framed bytes. */
export interface BodyWriter {
  data(data: Uint8Array): Uint8Array;
  end(trailers: HeaderList | undefined): Uint8Array;
}

class NoBodyWriter implements BodyWriter {
  data(data: Uint8Array): Uint8Array {
    if (data.length > 0) refuse("BODY_NOT_ALLOWED", "this message has no body");
    return EMPTY_BYTES;
  }
  end(trailers: HeaderList | undefined): Uint8Array {
    if (trailers !== undefined && trailers.length > 0)
      refuse("TRAILERS_NOT_ALLOWED", "trailers need chunked framing");
    return EMPTY_BYTES;
  }
}

class ContentLengthWriter implements BodyWriter {
  #remaining: number;
  constructor(length: number) {
    this.#remaining = length;
  }
  data(data: Uint8Array): Uint8Array {
    if (data.length > this.#remaining) {
      refuse(
        "BODY_TOO_LONG",
        `body exceeds the declared Content-Length by ${data.length - this.#remaining} bytes`,
      );
    }
    this.#remaining -= data.length;
    return data;
  }
  end(trailers: HeaderList | undefined): Uint8Array {
    if (this.#remaining !== 0)
      refuse("BODY_TOO_SHORT", `body is ${this.#remaining} bytes short of its Content-Length`);
    if (trailers !== undefined && trailers.length > 0)
      refuse("TRAILERS_NOT_ALLOWED", "trailers need chunked framing");
    return EMPTY_BYTES;
  }
}

// Fields a trailer must never carry (RFC 9110 §6.5.1): they govern framing, routing or authentication.
const FORBIDDEN_TRAILERS = new Set([
  "content-length",
  "transfer-encoding",
  "host",
  "content-encoding",
  "content-type",
  "content-range",
  "trailer",
  "authorization",
  "set-cookie",
  "cookie",
  "te",
  "connection",
]);

class ChunkedWriter implements BodyWriter {
  data(data: Uint8Array): Uint8Array {
    // An empty chunk would read as the last chunk: send nothing instead.
    if (data.length === 0) return EMPTY_BYTES;
    const size = data.length.toString(16);
    const out = new Uint8Array(size.length + 2 + data.length + 2);
    let at = writeLatin1(size, out, 0);
    out[at++] = 0x0d;
    out[at++] = 0x0a;
    out.set(data, at);
    at += data.length;
    out[at++] = 0x0d;
    out[at] = 0x0a;
    return out;
  }
  end(trailers: HeaderList | undefined): Uint8Array {
    if (trailers === undefined || trailers.length === 0) return encodeLatin1("0\r\n\r\n");
    validateFields(trailers, "trailer");
    for (const [name] of trailers) {
      if (FORBIDDEN_TRAILERS.has(name.toLowerCase()))
        refuse("TRAILERS_NOT_ALLOWED", `${name} may not be a trailer`);
    }
    return serializeHead("0", trailers, []);
  }
}

/** How an outgoing body is framed. */
export type OutgoingFraming =
  | { kind: "none" }
  | { kind: "length"; length: number }
  | { kind: "chunked" };

/** Picks the body writer for a framing (the table h11 calls WRITERS). */
export function bodyWriterFor(framing: OutgoingFraming): BodyWriter {
  switch (framing.kind) {
    case "none":
      return new NoBodyWriter();
    case "length":
      return framing.length === 0 ? new NoBodyWriter() : new ContentLengthWriter(framing.length);
    case "chunked":
      return new ChunkedWriter();
  }
}
