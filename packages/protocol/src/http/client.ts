import { LocalProtocolError, RemoteProtocolError } from "../errors.ts";
import { NEED_DATA, type NeedData } from "../need-data.ts";
import { isToken } from "../syntax.ts";
import {
  bodyWriterFor,
  HttpConnection,
  type HttpConnectionOptions,
  outgoingFraming,
} from "./connection.ts";
import type { ClientReceiveEvent, ClientSendEvent, RequestEvent } from "./events.ts";
import { framingFields, responseFraming, responseKeepsAlive, UPGRADE_FRAMING } from "./framing.ts";
import type { ParsedHead } from "./head.ts";
import {
  finishHead,
  type RequestHeadDraft,
  startRequestHead,
  validateTarget,
} from "./head-writer.ts";

/** Whether a request with this method carries a body unless the caller says otherwise (RFC 9110 §9.3). */
function bodyExpected(method: string): boolean {
  // A switch, not a Set: cheaper per request, and GET comes first.
  switch (method) {
    case "GET":
    case "HEAD":
    case "DELETE":
    case "OPTIONS":
    case "TRACE":
    case "CONNECT":
      return false;
    default:
      return true;
  }
}

/**
 * The client side of one HTTP/1.1 connection, Sans-I/O: `send()` turns
 * request events into bytes for the wire, `receiveData()` takes the server's
 * bytes, and `nextEvent()` turns them into response events.
 *
 * @example
 * ```ts
 * import { ClientConnection, NEED_DATA } from "@reqivo/protocol";
 *
 * const conn = new ClientConnection({ maxHeaderBytes: 64 * 1024 });
 * const head = conn.send({ type: "request", method: "GET", target: "/", headers: [["host", "example.com"]] });
 * conn.send({ type: "end" });
 * // write `head` to the socket, then feed what comes back:
 * conn.receiveData(new TextEncoder().encode("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"));
 * for (let ev = conn.nextEvent(); ev !== NEED_DATA; ev = conn.nextEvent()) {
 *   console.log(ev.type); // "response", "data", "end"
 *   if (ev.type === "end") break;
 * }
 * conn.startNextCycle(); // keep-alive: ready for the next request
 * ```
 */
export class ClientConnection extends HttpConnection {
  #requestMethod = "";
  #waitingFor100Continue = false;
  /** Interim heads received for the request in flight. */
  #informationalCount = 0;
  readonly #draft: RequestHeadDraft = { start: 0, end: 0 };

  constructor(options: HttpConnectionOptions = {}) {
    super("client", options);
  }

  /** The method of the request in flight (decides HEAD and CONNECT framing). */
  get requestMethod(): string {
    return this.#requestMethod;
  }

  /**
   * True after sending a request with `Expect: 100-continue` until the server
   * answers (100 or a final status) or we start sending the body anyway.
   */
  get waitingFor100Continue(): boolean {
    return this.#waitingFor100Continue;
  }

  /**
   * Turns a request event into bytes. Invalid input (a CR in a header, a bad
   * method or target, a missing Host) throws `LocalProtocolError` before any
   * byte is produced. A head comes back as a view into a shared buffer (mind
   * `byteOffset` when using `.buffer`); its bytes never change afterwards.
   */
  send(event: ClientSendEvent): Uint8Array {
    this.checkUsable();
    switch (event?.type) {
      case "request":
        return this.#sendRequest(event);
      case "data":
        this.#waitingFor100Continue = false;
        return this.sendBodyEvent(event);
      case "end":
        this.#waitingFor100Continue = false;
        return this.sendBodyEvent(event);
      case "closed":
        return this.sendClosed();
      default:
        throw new LocalProtocolError(
          "INVALID_EVENT",
          `a client cannot send ${JSON.stringify((event as { type?: unknown } | undefined)?.type)}`,
        );
    }
  }

  /** The next event from the server, or `NEED_DATA`. Throws `RemoteProtocolError` on a protocol violation. */
  nextEvent(): ClientReceiveEvent | NeedData {
    // guardReceive's logic inlined: this runs several times per response, and
    // a closure per call showed up in profiles.
    if (this.failure !== undefined) throw this.failure;
    try {
      return this.#next();
    } catch (error) {
      if (error instanceof RemoteProtocolError) this.fail(error);
      throw error;
    }
  }

  #sendRequest(event: RequestEvent): Uint8Array {
    const { method, target, headers } = event;
    if (typeof method !== "string" || !isToken(method)) {
      throw new LocalProtocolError("INVALID_METHOD", `invalid method ${JSON.stringify(method)}`);
    }
    validateTarget(method, target);
    if (!Array.isArray(headers))
      throw new LocalProtocolError("INVALID_HEADER_NAME", "headers must be [name, value] pairs");
    // Checks every field while writing the request line and fields (one pass,
    // no array allocated); the head is only handed out by finishHead below.
    const draft = this.#draft;
    startRequestHead(method, target, headers, draft);
    let hosts = 0;
    for (let i = 0; i < headers.length; i++) {
      const name = headers[i]![0];
      // The usual spellings first, sparing a lower-cased copy per request.
      if (
        name.length === 4 &&
        (name === "host" || name === "Host" || name.toLowerCase() === "host")
      )
        hosts++;
    }
    if (hosts !== 1) {
      throw new LocalProtocolError(
        "INVALID_HOST",
        hosts === 0 ? "HTTP/1.1 requires a Host header" : "more than one Host header",
      );
    }
    if (this.ourState !== "IDLE") {
      throw new LocalProtocolError(
        "INVALID_STATE",
        `cannot send a request in state ${this.ourState}`,
      );
    }
    // Bytes that came in while idle would be read as this request's response (response-queue poisoning).
    if (this.buffer.length > 0) this.guardReceive(() => this.readWhileIdle());
    const fields = framingFields(headers);
    const { framing, extra } = outgoingFraming(
      headers,
      event.contentLength,
      bodyExpected(method),
      fields,
    );
    const bytes = finishHead(draft, extra);
    this.transition("client", "request");
    this.#requestMethod = method;
    this.#informationalCount = 0;
    this.#waitingFor100Continue = fields.expectContinue;
    this.state.clientProposedSwitch = fields.hasUpgrade || method === "CONNECT";
    this.state.clientOfferedUpgrade = fields.hasUpgrade;
    if (fields.connection.includes("close")) this.state.disableKeepAlive();
    this.bodyWriter = bodyWriterFor(framing);
    return bytes;
  }

  #next(): ClientReceiveEvent | NeedData {
    switch (this.theirState) {
      case "SEND_RESPONSE": {
        const head = this.readHead();
        return head === null ? NEED_DATA : this.#onHead(head);
      }
      case "SEND_BODY":
        return this.readBody();
      case "SWITCHED_PROTOCOL":
        return NEED_DATA;
      default:
        return this.readWhileIdle();
    }
  }

  #onHead(head: ParsedHead): ClientReceiveEvent {
    const { status, reason, version, headers } = head;
    if (status < 200 && status !== 101) {
      if (++this.#informationalCount > this.limits.maxInformationalResponses) {
        this.fail(
          new RemoteProtocolError(
            "TOO_MANY_INFORMATIONAL_RESPONSES",
            `more than ${this.limits.maxInformationalResponses} interim (1xx) responses`,
          ),
        );
      }
      if (status === 100) this.#waitingFor100Continue = false;
      this.transition("server", "informational");
      return { type: "informational", status, reason, version, headers };
    }
    const fields = status === 101 ? null : (head.framing ?? framingFields(headers));
    const framing =
      fields === null ? UPGRADE_FRAMING : responseFraming(this.#requestMethod, status, fields);
    this.#waitingFor100Continue = false;
    if (framing === UPGRADE_FRAMING) {
      // A 101 needs an offered Upgrade, even to a CONNECT (whose tunnel is its 2xx).
      if (
        this.ourState !== "MIGHT_SWITCH_PROTOCOL" ||
        (status === 101 && !this.state.clientOfferedUpgrade)
      ) {
        this.fail(
          new RemoteProtocolError(
            "UNEXPECTED_UPGRADE",
            `server switched protocols (${status}) unasked`,
          ),
        );
      }
      this.transition("server", "upgrade");
      return { type: "upgrade", status, reason, version, headers, trailing: this.buffer.takeAll() };
    }
    if (!responseKeepsAlive(framing, version, fields!)) this.state.disableKeepAlive();
    this.transition("server", "response");
    if (typeof framing === "number") this.startLengthBody(framing);
    else this.startBody(framing);
    return { type: "response", status, reason, version, headers };
  }
}
