import { RemoteProtocolError } from "../errors.ts";
import type { ReceiveBuffer } from "./receive-buffer.ts";

const CR = 0x0d;

/**
 * How many leading bytes of an unfinished line are checked on every piece,
 * so a peer that is not speaking HTTP fails at once (a status line's fixed
 * part is 12 bytes); the rest of a line is checked when it ends, crosses a
 * limit or is cut by the peer closing, which keeps drip-feeding linear.
 */
const EAGER_PREFIX = 12;

/** What a line reader knows about the line it is reading. */
export interface LineRules {
  /**
   * Throws the error of the first byte in `bytes[start, end)` that no valid
   * line could have there; running out of bytes is not an error. Must look
   * only at bytes up to the one it judges, so a longer prefix fails the same
   * way. The caller's parse of a whole line must begin with this check.
   */
  checkPrefix(bytes: Uint8Array, start: number, end: number): void;
  /** The error for crossing the content room (`true`) or the line room (`false`), see {@link LineScanner.next}. */
  tooLong(content: boolean): RemoteProtocolError;
}

/**
 * Finds CRLF-terminated lines in a {@link ReceiveBuffer} and judges them in
 * byte order: the verdict is the one a reader fed byte by byte reaches,
 * whatever the split. The first offending byte decides: a malformed byte,
 * the byte that crosses a limit (a malformed byte wins a tie), or a bare LF.
 * A CR that ends the bytes received is judged when the next byte shows
 * whether it starts the line end. The search for the LF resumes where the
 * previous piece stopped, so drip-fed bytes cost linear time.
 *
 * A bare LF is refused: RFC 9112 §2.2 lets a recipient accept it, but
 * llhttp's strict mode and request-smuggling hygiene say no.
 */
export class LineScanner {
  #scanned = 0;

  /**
   * Returns the index of the CR ending the next line (its content is
   * `buffer.bytes[buffer.start, cr)`, the caller consumes it by setting
   * `buffer.start = cr + 2`), or -1 while the line is incomplete. Throws the
   * line's verdict when it is refused. `contentRoom` is how many bytes before
   * the CRLF fit their limit, `lineRoom` how many with the CRLF
   * (`Infinity` for no limit).
   */
  next(buffer: ReceiveBuffer, rules: LineRules, contentRoom: number, lineRoom: number): number {
    const bytes = buffer.bytes;
    const start = buffer.start;
    const lf = buffer.indexOfLF(start + this.#scanned);
    if (lf === -1) {
      this.#scanned = buffer.length;
      const known = knownContentEnd(buffer);
      const over = start + Math.min(contentRoom, lineRoom);
      if (over < known) {
        rules.checkPrefix(bytes, start, over + 1);
        throw rules.tooLong(contentRoom <= lineRoom);
      }
      rules.checkPrefix(bytes, start, Math.min(known, start + EAGER_PREFIX));
      return -1;
    }
    this.#scanned = 0;
    const crlf = lf > start && bytes[lf - 1] === CR;
    const end = crlf ? lf - 1 : lf;
    // The first byte past each limit, if this line has one.
    const overContent = contentRoom < end - start ? start + contentRoom : Infinity;
    const overLine = lineRoom <= lf - start ? start + lineRoom : Infinity;
    const over = Math.min(overContent, overLine);
    // A sound line within its limits is checked by the caller's parse, which
    // starts with the same prefix check (one pass instead of two).
    if (crlf && over === Infinity) return end;
    rules.checkPrefix(bytes, start, Math.min(end, over + 1));
    if (!crlf && lf <= over) {
      throw new RemoteProtocolError("INVALID_LINE_ENDING", "line ends in LF without CR");
    }
    throw rules.tooLong(overContent <= overLine);
  }

  /** When the peer closed mid-line: throws the verdict on the bytes of the line received. */
  checkUnfinished(buffer: ReceiveBuffer, rules: LineRules): void {
    rules.checkPrefix(buffer.bytes, buffer.start, knownContentEnd(buffer));
  }

  /** True when no partial line has been scanned yet. */
  get fresh(): boolean {
    return this.#scanned === 0;
  }

  reset(): void {
    this.#scanned = 0;
  }
}

/** End of the bytes known to be line content: all received, but a final CR (maybe a line end). */
function knownContentEnd(buffer: ReceiveBuffer): number {
  const end = buffer.end;
  return end > buffer.start && buffer.bytes[end - 1] === CR ? end - 1 : end;
}
