import type { HeaderPair } from "../../http/headers.ts";
import { ReceiveWindow } from "./flow-control.ts";
import type { StreamState } from "./stream-state.ts";

/**
 * One client-opened stream's bookkeeping: its state, both windows, what
 * waits to be sent, and what the response has shown so far.
 *
 * @example
 * ```ts
 * const stream = new Http2Stream(1, "GET", 65_535, 65_535);
 * stream.state; // "idle"
 * ```
 */
export class Http2Stream {
  state: StreamState = "idle";
  /** Octets we may still send (the server's window for this stream). */
  sendWindow: number;
  readonly receiveWindow: ReceiveWindow;
  /** DATA waiting for window, in order. */
  readonly queued: Uint8Array[] = [];
  queuedLength = 0;
  /** END_STREAM (with trailers, if any) goes out once `queued` is empty. */
  endQueued = false;
  trailersQueued: HeaderPair[] | undefined;
  /** Whether the final (non-1xx) response head arrived. */
  responded = false;
  informationalCount = 0;
  /** The response's content-length, when it binds the DATA total. */
  expectedLength: number | undefined;
  receivedLength = 0;

  constructor(
    readonly id: number,
    /** The request method: a HEAD response has a content-length but no body. */
    readonly method: string,
    sendWindow: number,
    receiveWindow: number,
  ) {
    this.sendWindow = sendWindow;
    this.receiveWindow = new ReceiveWindow(receiveWindow);
  }

  /** Whether something waits to be sent: DATA, or an END_STREAM not sent yet. */
  get hasQueued(): boolean {
    if (this.queuedLength > 0) return true;
    return this.endQueued && (this.state === "open" || this.state === "half_closed_remote");
  }
}
