/**
 * Request bodies: every accepted input becomes a {@link RequestBody} — a
 * length when known, a content type when implied, and a way to produce the
 * bytes (again, when the input can be replayed for a redirect or a retry).
 */
import { type FieldValueRule, isFieldValue } from "@reqivo/protocol";
import type { RequestBody } from "./connection/request-body.ts";
import { InvalidRequestError } from "./errors.ts";

/** What may be sent as a request body. */
export type BodyInit =
  | string
  | Uint8Array
  | ArrayBuffer
  | Blob
  | URLSearchParams
  | FormData
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array | string>;

const encoder = new TextEncoder();

function fixed(bytes: Uint8Array, contentType: string | null): RequestBody {
  return {
    length: bytes.length,
    contentType,
    replayable: true,
    async *chunks() {
      if (bytes.length > 0) yield bytes;
    },
  };
}

function onceOnly(source: () => AsyncIterable<Uint8Array>): RequestBody {
  let used = false;
  return {
    length: null,
    contentType: null,
    replayable: false,
    chunks() {
      if (used) throw new InvalidRequestError("a streamed body can be sent only once");
      used = true;
      return source();
    },
  };
}

async function* fromStream(stream: ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield toBytes(value);
    }
  } finally {
    reader.releaseLock();
  }
}

async function* fromIterable(
  iterable: AsyncIterable<Uint8Array | string>,
): AsyncIterable<Uint8Array> {
  for await (const piece of iterable) yield toBytes(piece);
}

function toBytes(piece: unknown): Uint8Array {
  if (piece instanceof Uint8Array) return piece;
  if (typeof piece === "string") return encoder.encode(piece);
  if (piece instanceof ArrayBuffer) return new Uint8Array(piece);
  if (ArrayBuffer.isView(piece))
    return new Uint8Array(piece.buffer, piece.byteOffset, piece.byteLength);
  throw new InvalidRequestError(`body stream yielded ${typeof piece}; expected bytes or strings`);
}

function blobBody(blob: Blob, contentType: string | null): RequestBody {
  return {
    length: blob.size,
    contentType,
    replayable: true,
    async *chunks() {
      yield* fromStream(blob.stream() as ReadableStream<Uint8Array>);
    },
  };
}

/** Random multipart boundary from the cryptographic source: it must not be guessable (RFC 7578 §4.1). */
function boundary(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `----reqivo${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/**
 * Escapes a name or filename for its quoted Content-Disposition parameter as
 * the HTML multipart/form-data encoding algorithm does: LF → `%0A`,
 * CR → `%0D`, `"` → `%22`, nothing else.
 */
const escapeDispositionValue = (value: string) =>
  value.replace(/\n/g, "%0A").replace(/\r/g, "%0D").replace(/"/g, "%22");

/** HTML multipart/form-data encoding step 1: every bare CR or LF in an entry's name becomes CRLF. */
const normalizeLineBreaks = (value: string) => value.replace(/\r\n|\r|\n/g, "\r\n");

/**
 * A part's media type must be safe in a head (the request head's rule), in
 * ASCII: part headers are written as UTF-8, so obs-text would change on the
 * way. Padding is left as the Blob has it.
 */
const PART_HEADER_VALUE: FieldValueRule = Object.freeze({ obsText: false, trimmed: false });

function partContentType(file: Blob, name: string): string {
  const type = file.type;
  if (typeof type !== "string" || !isFieldValue(type, PART_HEADER_VALUE))
    throw new InvalidRequestError(
      `multipart part ${JSON.stringify(name)} has a type with a forbidden character: ${JSON.stringify(type)}`,
    );
  return type || "application/octet-stream";
}

/** Encodes FormData as multipart/form-data (RFC 7578), keeping files as Blobs so they are streamed. */
function multipart(form: FormData): RequestBody {
  const mark = boundary();
  const parts: (Uint8Array | Blob)[] = [];
  for (const [name, value] of form) {
    let head = `--${mark}\r\nContent-Disposition: form-data; name="${escapeDispositionValue(normalizeLineBreaks(name))}"`;
    if (typeof value === "string") {
      parts.push(encoder.encode(`${head}\r\n\r\n`), encoder.encode(value), encoder.encode("\r\n"));
    } else {
      head += `; filename="${escapeDispositionValue(value.name)}"\r\nContent-Type: ${partContentType(value, name)}`;
      parts.push(encoder.encode(`${head}\r\n\r\n`), value, encoder.encode("\r\n"));
    }
  }
  parts.push(encoder.encode(`--${mark}--\r\n`));
  const length = parts.reduce((n, p) => n + (p instanceof Uint8Array ? p.length : p.size), 0);
  return {
    length,
    contentType: `multipart/form-data; boundary=${mark}`,
    replayable: true,
    async *chunks() {
      for (const part of parts) {
        if (part instanceof Uint8Array) yield part;
        else yield* fromStream(part.stream() as ReadableStream<Uint8Array>);
      }
    },
  };
}

/**
 * Turns a body input (and the `json` option) into a {@link RequestBody}.
 *
 * @example
 * ```ts
 * const body = toRequestBody("hello", undefined);
 * body?.length;      // 5
 * body?.contentType; // "text/plain;charset=UTF-8"
 * ```
 */
export function toRequestBody(
  body: BodyInit | null | undefined,
  json: unknown,
): RequestBody | null {
  if (json !== undefined) {
    if (body !== undefined && body !== null)
      throw new InvalidRequestError("give either body or json, not both");
    const text = JSON.stringify(json);
    if (text === undefined) throw new InvalidRequestError("json value cannot be serialized");
    return fixed(encoder.encode(text), "application/json");
  }
  if (body === undefined || body === null) return null;
  if (typeof body === "string") return fixed(encoder.encode(body), "text/plain;charset=UTF-8");
  if (body instanceof Uint8Array) return fixed(body, null);
  if (body instanceof ArrayBuffer) return fixed(new Uint8Array(body), null);
  if (ArrayBuffer.isView(body)) return fixed(toBytes(body), null);
  if (typeof Blob !== "undefined" && body instanceof Blob) return blobBody(body, body.type || null);
  if (body instanceof URLSearchParams) {
    return fixed(
      encoder.encode(body.toString()),
      "application/x-www-form-urlencoded;charset=UTF-8",
    );
  }
  if (typeof FormData !== "undefined" && body instanceof FormData) return multipart(body);
  if (typeof ReadableStream !== "undefined" && body instanceof ReadableStream)
    return onceOnly(() => fromStream(body));
  if (typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function") {
    return onceOnly(() => fromIterable(body as AsyncIterable<Uint8Array | string>));
  }
  throw new InvalidRequestError(`unsupported body type ${Object.prototype.toString.call(body)}`);
}
