import { EMPTY_BYTES, encodeLatin1, writeLatin1 } from "../bytes.ts";
import { LocalProtocolError } from "../errors.ts";
import { serializeHead, validateFields } from "./head-writer.ts";
import type { HeaderList } from "./headers.ts";

function refuse(code: string, message: string): never {
  throw new LocalProtocolError(code, message);
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

// Stateless: one for every message without a body.
const NO_BODY_WRITER: BodyWriter = new NoBodyWriter();

/** Picks the body writer for a framing (the table h11 calls WRITERS). */
export function bodyWriterFor(framing: OutgoingFraming): BodyWriter {
  switch (framing.kind) {
    case "none":
      return NO_BODY_WRITER;
    case "length":
      return framing.length === 0 ? NO_BODY_WRITER : new ContentLengthWriter(framing.length);
    case "chunked":
      return new ChunkedWriter();
  }
}
