import { RemoteProtocolError } from "../errors.ts";
import type { ReceiveBuffer } from "./receive-buffer.ts";

const CR = 0x0d;

/**
 * Finds CRLF-terminated lines in a {@link ReceiveBuffer}, remembering how far
 * an incomplete line was already searched so drip-fed bytes cost linear time.
 * A bare LF is refused: RFC 9112 §2.2 lets a recipient accept it, but llhttp's
 * strict mode and request-smuggling hygiene say no. A bare CR inside a line is
 * refused by the callers' character checks.
 */
export class LineScanner {
  #scanned = 0;

  /**
   * Returns the index of the CR ending the next line (its content is
   * `buffer.bytes[buffer.start, cr)`, the caller consumes it by setting
   * `buffer.start = cr + 2`), or -1 while the line is incomplete.
   */
  next(buffer: ReceiveBuffer): number {
    const lineStart = buffer.start;
    const lf = buffer.indexOfLF(lineStart + this.#scanned);
    if (lf === -1) {
      this.#scanned = buffer.length;
      return -1;
    }
    this.#scanned = 0;
    if (lf === lineStart || buffer.bytes[lf - 1] !== CR) {
      throw new RemoteProtocolError("INVALID_LINE_ENDING", "line ends in LF without CR");
    }
    return lf - 1;
  }

  /** True when no partial line has been scanned yet. */
  get fresh(): boolean {
    return this.#scanned === 0;
  }

  reset(): void {
    this.#scanned = 0;
  }
}
