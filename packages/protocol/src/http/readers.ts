import { RemoteProtocolError } from "../errors.ts";
import { TOKEN_CHARS } from "../syntax.ts";
import type { DataEvent, ReceivedEndEvent } from "./events.ts";
import type { BodyFraming } from "./framing.ts";
import { FieldLines } from "./head.ts";
import type { HttpLimits } from "./limits.ts";
import { type LineRules, LineScanner } from "./line-scanner.ts";
import type { ReceiveBuffer } from "./receive-buffer.ts";

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HTAB = 0x09;
const SEMICOLON = 0x3b;
const EQUALS = 0x3d;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Reads one message body from the buffer and turns it into events. */
export interface BodyReader {
  /** The next `data` or `end` event, or `null` when more bytes are needed. */
  read(buffer: ReceiveBuffer): DataEvent | ReceivedEndEvent | null;
  /** Called when the peer closed and `read` needs more: the final event, or a throw. */
  readEof(buffer: ReceiveBuffer): ReceivedEndEvent;
  /** Body bytes still owed by a Content-Length body (those buffered not counted yet); else absent. */
  readonly bytesLeft?: number;
}

const END_NO_TRAILERS = (): ReceivedEndEvent => ({ type: "end", trailers: [] });

function incomplete(): never {
  throw new RemoteProtocolError(
    "INCOMPLETE_MESSAGE",
    "peer closed the connection in the middle of a message body",
  );
}

class NoBodyReader implements BodyReader {
  read(): ReceivedEndEvent {
    return END_NO_TRAILERS();
  }
  readEof(): ReceivedEndEvent {
    return END_NO_TRAILERS();
  }
}

/** Stateless: one for every message without a body. */
const NO_BODY_READER: BodyReader = new NoBodyReader();

/** A Content-Length body; a connection restarts one for each such message. */
export class ContentLengthReader implements BodyReader {
  #remaining: number;
  constructor(length: number) {
    this.#remaining = length;
  }
  /** Reads the next message's body of `length` bytes (the last one's has ended). */
  restart(length: number): void {
    this.#remaining = length;
  }
  get bytesLeft(): number {
    return this.#remaining;
  }
  read(buffer: ReceiveBuffer): DataEvent | ReceivedEndEvent | null {
    if (this.#remaining === 0) return END_NO_TRAILERS();
    if (buffer.length === 0) return null;
    const data = buffer.take(this.#remaining);
    this.#remaining -= data.length;
    return { type: "data", data };
  }
  readEof(): ReceivedEndEvent {
    return this.#remaining === 0 ? END_NO_TRAILERS() : incomplete();
  }
}

class UntilCloseReader implements BodyReader {
  read(buffer: ReceiveBuffer): DataEvent | null {
    return buffer.length === 0 ? null : { type: "data", data: buffer.takeAll() };
  }
  readEof(): ReceivedEndEvent {
    return END_NO_TRAILERS();
  }
}

/**
 * `chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] )`, validated
 * and dropped: whitespace only around ";" and "=", none before the CRLF.
 * With `complete` false, `bytes[start, end)` may be an unfinished line:
 * running out of bytes is then no error.
 */
function checkChunkExtensions(
  bytes: Uint8Array,
  start: number,
  end: number,
  complete: boolean,
): void {
  let i = start;
  const skipBws = () => {
    while (i < end && isBws(bytes[i]!)) i++;
  };
  const bad = (what: string): never => {
    throw new RemoteProtocolError("INVALID_CHUNK_EXTENSION", `invalid chunk extension: ${what}`);
  };
  while (i < end) {
    if (bytes[i] !== SEMICOLON) bad("expected ';'");
    i++;
    skipBws();
    const nameStart = i;
    while (i < end && TOKEN_CHARS[bytes[i]!] === 1) i++;
    if (i === end && !complete) return;
    if (i === nameStart) bad("missing name");
    skipBws();
    if (i < end && bytes[i] === EQUALS) {
      i++;
      skipBws();
      if (i === end && !complete) return;
      if (i < end && bytes[i] === DQUOTE) {
        i++;
        for (;;) {
          if (i >= end) {
            if (!complete) return;
            bad("unterminated quoted value");
          }
          const c = bytes[i]!;
          if (c === DQUOTE) break;
          if (c === BACKSLASH) {
            i++;
            if (i >= end) {
              if (!complete) return;
              bad("invalid quoted-pair");
            }
            const escaped = bytes[i]!;
            if ((escaped < SP && escaped !== HTAB) || escaped === 0x7f) bad("invalid quoted-pair");
          } else if ((c < SP && c !== HTAB) || c === 0x7f) {
            bad("control byte in quoted value");
          }
          i++;
        }
        i++;
      } else {
        const valueStart = i;
        while (i < end && TOKEN_CHARS[bytes[i]!] === 1) i++;
        if (i === valueStart) bad("missing value");
      }
      skipBws();
    }
    // BWS comes only before a ";" or "=", never before the CRLF (llhttp agrees).
    if (i === end && complete && isBws(bytes[end - 1]!)) bad("whitespace at the end of the line");
  }
}

function isBws(c: number): boolean {
  return c === SP || c === HTAB;
}

/** Value of a hex digit byte, or -1. */
function hexValue(c: number): number {
  return c >= 0x30 && c <= 0x39
    ? c - 0x30
    : c >= 0x61 && c <= 0x66
      ? c - 0x57
      : c >= 0x41 && c <= 0x46
        ? c - 0x37
        : -1;
}

/**
 * Checks a chunk-size line `bytes[start, end)` (its CRLF excluded) and returns
 * the size. With `complete` false it may be unfinished: only a byte that no
 * valid line can have there is an error, and the size returned is partial.
 */
function checkChunkLine(
  bytes: Uint8Array,
  start: number,
  end: number,
  maxChunkSize: number,
  complete: boolean,
): number {
  let size = 0;
  let i = start;
  for (; i < end; i++) {
    const digit = hexValue(bytes[i]!);
    if (digit === -1) break;
    size = size * 16 + digit;
    // Checked on every digit, so the running value never leaves the safe-integer range.
    if (size > maxChunkSize) {
      throw new RemoteProtocolError("CHUNK_SIZE_TOO_LARGE", "chunk size exceeds the limit");
    }
  }
  if (i === end && !complete) return size;
  if (i === start) throw new RemoteProtocolError("INVALID_CHUNK_SIZE", "missing chunk size");
  if (i < end) {
    while (i < end && (bytes[i] === SP || bytes[i] === HTAB)) i++;
    if (i === end && !complete) return size;
    // Whitespace only before a ";" (RFC 9112 §7.1).
    if (i === end || bytes[i] !== SEMICOLON) {
      throw new RemoteProtocolError("INVALID_CHUNK_SIZE", "invalid character in chunk size");
    }
    checkChunkExtensions(bytes, i, end, complete);
  }
  return size;
}

type ChunkedPhase = "size" | "data" | "data-crlf" | "trailers";

class ChunkedReader implements BodyReader, LineRules {
  readonly #limits: HttpLimits;
  readonly #lines = new LineScanner();
  #phase: ChunkedPhase = "size";
  #remaining = 0;
  #trailers: FieldLines | undefined;
  #trailerBytes = 0;

  constructor(limits: HttpLimits) {
    this.#limits = limits;
  }

  checkPrefix(bytes: Uint8Array, start: number, end: number): void {
    if (this.#phase === "trailers") this.#trailers!.checkPrefix(bytes, start, end);
    else checkChunkLine(bytes, start, end, this.#limits.maxChunkSize, false);
  }

  tooLong(): RemoteProtocolError {
    const limits = this.#limits;
    return this.#phase === "trailers"
      ? new RemoteProtocolError(
          "HEADERS_TOO_LARGE",
          `trailer section larger than ${limits.maxHeaderBytes} bytes`,
        )
      : new RemoteProtocolError(
          "CHUNK_LINE_TOO_LONG",
          `chunk-size line longer than ${limits.maxChunkLineBytes} bytes`,
        );
  }

  read(buffer: ReceiveBuffer): DataEvent | ReceivedEndEvent | null {
    for (;;) {
      switch (this.#phase) {
        case "size":
          if (!this.#readSizeLine(buffer)) return null;
          break;
        case "data": {
          if (buffer.length === 0) return null;
          const data = buffer.take(this.#remaining);
          this.#remaining -= data.length;
          if (this.#remaining === 0) this.#phase = "data-crlf";
          return { type: "data", data };
        }
        case "data-crlf": {
          if (buffer.length < 2) {
            if (buffer.length === 1 && buffer.bytes[buffer.start] !== CR) this.#badDataEnd();
            return null;
          }
          if (buffer.bytes[buffer.start] !== CR || buffer.bytes[buffer.start + 1] !== LF)
            this.#badDataEnd();
          buffer.start += 2;
          this.#phase = "size";
          break;
        }
        case "trailers":
          return this.#readTrailers(buffer);
      }
    }
  }

  readEof(buffer: ReceiveBuffer): ReceivedEndEvent {
    if (this.#phase === "size" || this.#phase === "trailers")
      this.#lines.checkUnfinished(buffer, this);
    return incomplete();
  }

  #badDataEnd(): never {
    throw new RemoteProtocolError("INVALID_CHUNK_DATA", "chunk data not followed by CRLF");
  }

  #readSizeLine(buffer: ReceiveBuffer): boolean {
    const start = buffer.start;
    const end = this.#lines.next(buffer, this, this.#limits.maxChunkLineBytes, Infinity);
    if (end === -1) return false;
    const size = checkChunkLine(buffer.bytes, start, end, this.#limits.maxChunkSize, true);
    buffer.start = end + 2;
    if (size === 0) {
      this.#phase = "trailers";
      this.#trailers = new FieldLines(this.#limits.maxHeaderCount);
    } else {
      this.#phase = "data";
      this.#remaining = size;
    }
    return true;
  }

  #readTrailers(buffer: ReceiveBuffer): ReceivedEndEvent | null {
    const fields = this.#trailers!;
    for (;;) {
      const start = buffer.start;
      const room = this.#limits.maxHeaderBytes - this.#trailerBytes;
      const end = this.#lines.next(buffer, this, Infinity, room);
      if (end === -1) return null;
      this.#trailerBytes += end + 2 - start;
      buffer.start = end + 2;
      if (end === start) return { type: "end", trailers: fields.headers };
      fields.addLine(buffer.bytes, start, end);
    }
  }
}

/** Picks the body reader for a framing decision (the table h11 calls READERS). */
export function bodyReaderFor(framing: BodyFraming, limits: HttpLimits): BodyReader {
  switch (framing.kind) {
    case "none":
    case "upgrade":
      return NO_BODY_READER;
    case "length":
      return new ContentLengthReader(framing.length);
    case "chunked":
      return new ChunkedReader(limits);
    case "until-close":
      return new UntilCloseReader();
  }
}
