import { EMPTY_BYTES } from "../bytes.ts";
import { LocalProtocolError, RemoteProtocolError } from "../errors.ts";
import { NEED_DATA, type NeedData } from "../need-data.ts";
import { splitList } from "../syntax.ts";
import type { ClosedEvent, DataEvent, EndEvent, ReceivedEndEvent } from "./events.ts";
import {
  type BodyFraming,
  type FramingFields,
  framingFields,
  parseContentLength,
} from "./framing.ts";
import { HeadReader, type ParsedHead } from "./head.ts";
import type { HeaderList } from "./headers.ts";
import { type HttpLimits, resolveLimits } from "./limits.ts";
import { type BodyReader, bodyReaderFor, ContentLengthReader } from "./readers.ts";
import { ReceiveBuffer } from "./receive-buffer.ts";
import { ConnectionState, type Role, type SideState, type TransitionEvent } from "./state.ts";
import { type BodyWriter, bodyWriterFor, type OutgoingFraming } from "./writers.ts";

/** Options for {@link ClientConnection} and {@link ServerConnection}: the parser limits. */
export type HttpConnectionOptions = Partial<HttpLimits>;

/** Bytes that arrived after the protocol switched (or after the peer closed), with the peer's close flag. */
export interface TrailingData {
  data: Uint8Array;
  closed: boolean;
}

/**
 * What client and server connections share: the receive buffer, both sides'
 * states, body readers and writers, and the error latch (after a
 * `RemoteProtocolError` the connection is dead and every call rethrows it).
 */
export abstract class HttpConnection {
  protected readonly limits: HttpLimits;
  protected readonly state: ConnectionState = new ConnectionState();
  protected readonly buffer: ReceiveBuffer = new ReceiveBuffer();
  protected readonly headReader: HeadReader;
  protected bodyReader: BodyReader | undefined;
  /** The reader {@link startLengthBody} restarts. */
  #lengthReader: ContentLengthReader | undefined;
  protected bodyWriter: BodyWriter | undefined;
  protected failure: RemoteProtocolError | undefined;
  #theyClosed = false;
  readonly #ourRole: Role;
  readonly #theirRole: Role;

  protected constructor(ourRole: Role, options: HttpConnectionOptions) {
    this.limits = resolveLimits(options);
    this.#ourRole = ourRole;
    this.#theirRole = ourRole === "client" ? "server" : "client";
    this.headReader = new HeadReader(ourRole === "client" ? "response" : "request", this.limits);
  }

  /** Our side's state (`IDLE`, `SEND_BODY`, `DONE`, `MUST_CLOSE`, `CLOSED`, …). */
  get ourState(): SideState {
    return this.state[this.#ourRole];
  }

  /** The peer's state. */
  get theirState(): SideState {
    return this.state[this.#theirRole];
  }

  /** Whether the connection can stay open after the current exchange (so far). */
  get keepAlive(): boolean {
    return this.state.keepAlive;
  }

  /** Whether the peer has closed its side (`receiveData(null)` was called). */
  get theyClosed(): boolean {
    return this.#theyClosed;
  }

  /**
   * True when the exchange is complete on both sides, keep-alive holds, the
   * peer has not closed and no unsolicited byte is waiting: `startNextCycle()`
   * will succeed.
   */
  get reusable(): boolean {
    return (
      this.state.canStartNextCycle &&
      this.buffer.length === 0 &&
      !this.#theyClosed &&
      this.failure === undefined
    );
  }

  /** Bytes received but not consumed: after an upgrade, these belong to the new protocol. */
  get trailingData(): TrailingData {
    return {
      data: this.buffer.bytes.subarray(this.buffer.start, this.buffer.end),
      closed: this.#theyClosed,
    };
  }

  /**
   * Hands bytes from the peer to the connection; `null` means the peer closed.
   * The connection keeps views into `data` (no copy): do not reuse that memory.
   */
  receiveData(data: Uint8Array | null): void {
    if (data === null) {
      this.#theyClosed = true;
      return;
    }
    if (!(data instanceof Uint8Array))
      throw new LocalProtocolError("INVALID_DATA", "receiveData takes a Uint8Array or null");
    if (this.#theyClosed && data.length > 0) {
      throw new LocalProtocolError("DATA_AFTER_CLOSE", "receiveData after the peer closed");
    }
    this.buffer.append(data);
  }

  /**
   * Resets the connection for the next exchange (keep-alive).
   *
   * @throws LocalProtocolError `NOT_REUSABLE` when the exchange is unfinished or keep-alive is off;
   *   RemoteProtocolError `UNSOLICITED_DATA` when the peer sent bytes nobody asked for.
   */
  startNextCycle(): void {
    if (this.failure !== undefined) throw this.failure;
    if (!this.state.canStartNextCycle) {
      throw new LocalProtocolError(
        "NOT_REUSABLE",
        `cannot reuse the connection (client ${this.state.client}, server ${this.state.server})`,
      );
    }
    if (this.#theyClosed)
      throw new LocalProtocolError("NOT_REUSABLE", "the peer closed the connection");
    if (this.#ourRole === "client" && this.buffer.length > 0) this.fail(unsolicited());
    this.state.startNextCycle();
    this.bodyReader = undefined;
    this.bodyWriter = undefined;
    this.headReader.reset();
    // An idle connection keeps no reference to its last chunk: held by the
    // pooled connections, chunks outlived young collections and only full
    // ones freed them. Bun, keep-alive GET 64 KiB, 100 in flight over 50
    // connections (apps/bench `BUN_JSC_logGC=1 bun src/client/runtime-child.ts
    // <port> reqivo --profile=4000`, 3 pairs): full collections 43–54 → 14–16
    // per run; results/2026-12-07-bun-main-thread.md.
    this.buffer.releaseConsumed();
  }

  /** Latches a remote error: the connection is dead from now on. */
  protected fail(error: RemoteProtocolError): never {
    this.failure = error;
    this.state.fail();
    throw error;
  }

  /** Runs a receive step, latching any remote protocol error it throws. */
  protected guardReceive<T>(step: () => T): T {
    if (this.failure !== undefined) throw this.failure;
    try {
      return step();
    } catch (error) {
      if (error instanceof RemoteProtocolError) this.fail(error);
      throw error;
    }
  }

  /** Moves `role` along the transition table or refuses the call. */
  protected transition(role: Role, event: TransitionEvent): void {
    if (!this.state.process(role, event)) {
      const what = role === this.#ourRole ? "send" : "receive";
      const error = `cannot ${what} "${event}" while the ${role} is in state ${this.state[role]}`;
      if (role === this.#ourRole) throw new LocalProtocolError("INVALID_STATE", error);
      this.fail(new RemoteProtocolError("UNEXPECTED_MESSAGE", error));
    }
  }

  /**
   * Bytes of the peer's Content-Length body not yet received, counting what
   * is buffered as received; `null` when no such body is being read (chunked,
   * until-close, or between messages). A reader that knows the count can read
   * exactly that much from the socket, straight into memory of its own.
   *
   * @example
   * ```ts
   * import { ClientConnection } from "@reqivo/protocol";
   * const conn = new ClientConnection();
   * conn.send({ type: "request", method: "GET", target: "/", headers: [["host", "a"]] });
   * conn.send({ type: "end" });
   * conn.receiveData(new TextEncoder().encode("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n0123"));
   * conn.nextEvent(); // the response head
   * conn.bodyBytesLeft; // 6: "0123" is buffered, 6 more bytes are owed
   * ```
   */
  get bodyBytesLeft(): number | null {
    const left = this.bodyReader?.bytesLeft;
    return left === undefined ? null : left - this.buffer.length;
  }

  /** The peer's side when it owes nothing: only its closing is an event; any byte is unsolicited. */
  protected readWhileIdle(): ClosedEvent | NeedData {
    if (this.buffer.length > 0) this.fail(unsolicited());
    if (!this.#theyClosed) return NEED_DATA;
    this.state[this.#theirRole] = "CLOSED";
    this.state.disableKeepAlive();
    return { type: "closed" };
  }

  /** The next body event of the peer's message. */
  protected readBody(): DataEvent | ReceivedEndEvent | NeedData {
    const reader = this.bodyReader!;
    let event = reader.read(this.buffer);
    if (event === null) {
      if (!this.#theyClosed) return NEED_DATA;
      event = reader.readEof(this.buffer);
    }
    if (event.type === "end") {
      this.bodyReader = undefined;
      this.transition(this.#theirRole, "end");
    }
    return event;
  }

  /** Reads a head, turning a close in the middle into the right error. */
  protected readHead(): ParsedHead | null {
    const head = this.headReader.read(this.buffer);
    if (head === null && this.#theyClosed) {
      this.headReader.checkUnfinished(this.buffer);
      if (!this.headReader.started && this.buffer.length === 0) {
        this.fail(
          new RemoteProtocolError(
            "CONNECTION_CLOSED",
            "peer closed the connection before sending a message",
          ),
        );
      }
      this.fail(
        new RemoteProtocolError(
          "INCOMPLETE_MESSAGE",
          "peer closed the connection in the middle of a head",
        ),
      );
    }
    return head;
  }

  protected startBody(framing: BodyFraming): void {
    this.bodyReader = bodyReaderFor(framing, this.limits);
  }

  /**
   * A Content-Length body of `length` bytes: one reader per connection,
   * restarted for each message (messages on a connection come one after the
   * other), not one per message.
   */
  protected startLengthBody(length: number): void {
    const reader = (this.#lengthReader ??= new ContentLengthReader(length));
    reader.restart(length);
    this.bodyReader = reader;
  }

  /** Sends body data or the end of our message. */
  protected sendBodyEvent(event: DataEvent | EndEvent): Uint8Array {
    const role = this.#ourRole;
    if (this.state[role] !== "SEND_BODY" || this.bodyWriter === undefined) {
      throw new LocalProtocolError(
        "INVALID_STATE",
        `cannot send "${event.type}" in state ${this.state[role]}`,
      );
    }
    if (event.type === "data") {
      if (!(event.data instanceof Uint8Array))
        throw new LocalProtocolError("INVALID_DATA", "data must be a Uint8Array");
      return this.bodyWriter.data(event.data);
    }
    const bytes = this.bodyWriter.end(event.trailers);
    this.bodyWriter = undefined;
    this.transition(role, "end");
    return bytes;
  }

  /** We closed our side: no bytes, but the connection is no longer reusable. */
  protected sendClosed(): Uint8Array {
    this.state[this.#ourRole] = "CLOSED";
    this.state.disableKeepAlive();
    return EMPTY_BYTES;
  }

  protected checkUsable(): void {
    if (this.failure !== undefined) {
      throw new LocalProtocolError("CONNECTION_FAILED", "the connection failed earlier", {
        cause: this.failure,
      });
    }
  }
}

export function unsolicited(): RemoteProtocolError {
  return new RemoteProtocolError(
    "UNSOLICITED_DATA",
    "peer sent bytes while no message was expected",
  );
}

// outgoingFraming's answer for a message without a body (most requests): shared, never written to.
const NO_BODY: { framing: OutgoingFraming; extra: HeaderList } = Object.freeze({
  framing: Object.freeze({ kind: "none" as const }),
  extra: Object.freeze([]) as unknown as HeaderList,
});

/**
 * Decides how our outgoing message is framed, from the caller's framing
 * fields or, failing those, the `contentLength` hint. Returns the framing and
 * the fields to append. `fields` is `framingFields(headers)`, passed in when
 * the caller needs it too (one pass over the headers instead of two).
 */
export function outgoingFraming(
  headers: HeaderList,
  contentLength: number | null | undefined,
  bodyExpected: boolean,
  fields: FramingFields = framingFields(headers),
): { framing: OutgoingFraming; extra: HeaderList } {
  if (fields.transferEncoding.length > 0) {
    if (fields.contentLength.length > 0) {
      throw new LocalProtocolError(
        "INVALID_FRAMING",
        "Content-Length and Transfer-Encoding together",
      );
    }
    const codings = fields.transferEncoding.flatMap(splitList);
    if (
      codings[codings.length - 1] !== "chunked" ||
      codings.indexOf("chunked") !== codings.length - 1
    ) {
      throw new LocalProtocolError(
        "INVALID_FRAMING",
        "Transfer-Encoding must end with a single chunked",
      );
    }
    return { framing: { kind: "chunked" }, extra: [] };
  }
  if (fields.contentLength.length > 0) {
    let length: number | null;
    try {
      length = parseContentLength(fields.contentLength);
    } catch {
      throw new LocalProtocolError("INVALID_FRAMING", "invalid Content-Length header");
    }
    return { framing: { kind: "length", length: length ?? 0 }, extra: [] };
  }
  if (contentLength === null || (contentLength === undefined && bodyExpected)) {
    return { framing: { kind: "chunked" }, extra: [["transfer-encoding", "chunked"]] };
  }
  if (contentLength === undefined) return NO_BODY;
  if (!Number.isSafeInteger(contentLength) || contentLength < 0) {
    throw new LocalProtocolError("INVALID_FRAMING", `contentLength must be a non-negative integer`);
  }
  if (contentLength === 0 && !bodyExpected) return NO_BODY;
  return {
    framing: { kind: "length", length: contentLength },
    extra: [["content-length", String(contentLength)]],
  };
}

export { bodyWriterFor };
