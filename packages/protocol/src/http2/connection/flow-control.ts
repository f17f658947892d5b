import { MAX_STREAM_ID } from "../frames/constants.ts";
import { peerError } from "./errors.ts";

/**
 * One receive window (a stream's or the connection's) with a bounded-buffer
 * update policy: the peer may send `size` octets that the application has
 * not consumed; consumed octets are given back with a WINDOW_UPDATE only
 * once half the window is consumed, so updates stay few and the octets held
 * for the application never exceed `size`.
 *
 * @example
 * ```ts
 * const window = new ReceiveWindow(65_535);
 * window.receive(40_000);
 * window.consume(40_000); // 40000: worth a WINDOW_UPDATE
 * ```
 */
export class ReceiveWindow {
  #size: number;
  /** Octets the peer may still send. */
  #available: number;
  /** Received and not yet consumed by the application. */
  #held = 0;
  /** Consumed and not yet given back with a WINDOW_UPDATE. */
  #credit = 0;

  constructor(size: number) {
    this.#size = size;
    this.#available = size;
  }

  /** Octets the peer may still send before it must wait. */
  get available(): number {
    return this.#available;
  }

  /** Received octets the application has not consumed yet. */
  get held(): number {
    return this.#held;
  }

  /** Takes `length` received octets; false when they exceed the window (nothing changes). */
  receive(length: number): boolean {
    if (length > this.#available) return false;
    this.#available -= length;
    this.#held += length;
    return true;
  }

  /**
   * Marks `length` held octets consumed (at most {@link held}); returns the
   * increment to send now, or 0 while less than half the window is owed.
   */
  consume(length: number): number {
    const taken = Math.min(length, this.#held);
    this.#held -= taken;
    this.#credit += taken;
    if (this.#credit * 2 < this.#size) return 0;
    return this.#release();
  }

  /** Gives back everything consumed, whatever the threshold; the increment, or 0. */
  #release(): number {
    const increment = this.#credit;
    this.#credit = 0;
    this.#available += increment;
    return increment;
  }

  /**
   * Applies a new size (our SETTINGS_INITIAL_WINDOW_SIZE, once acknowledged):
   * the peer's allowance moves by the difference (§6.9.2) and may go negative.
   */
  resize(size: number): void {
    this.#available += size - this.#size;
    this.#size = size;
  }

  /**
   * Raises the size (the connection window, which only WINDOW_UPDATE
   * changes); returns the increment to announce.
   */
  grow(size: number): number {
    const increment = size - this.#size;
    if (increment <= 0) return 0;
    this.#size = size;
    this.#available += increment;
    return increment;
  }
}

/**
 * `window + increment`, or a FLOW_CONTROL_ERROR when the sum passes 2^31 - 1
 * (RFC 9113 §6.9.1).
 *
 * @example
 * ```ts
 * addToSendWindow(65_535, 1000, "stream 1"); // 66535
 * ```
 */
export function addToSendWindow(window: number, increment: number, what: string): number {
  const sum = window + increment;
  if (sum > MAX_STREAM_ID) {
    throw peerError("H2_FLOW_CONTROL", `${what}'s send window above 2^31 - 1`);
  }
  return sum;
}
