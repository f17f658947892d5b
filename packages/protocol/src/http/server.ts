import { LocalProtocolError } from "../errors.ts";
import { NEED_DATA, type NeedData } from "../need-data.ts";
import { isFieldValue } from "../syntax.ts";
import {
  bodyWriterFor,
  HttpConnection,
  type HttpConnectionOptions,
  outgoingFraming,
} from "./connection.ts";
import type {
  InformationalEvent,
  ResponseEvent,
  ServerReceiveEvent,
  ServerSendEvent,
} from "./events.ts";
import { framingFields, requestFraming } from "./framing.ts";
import { serializeHead, validateFields } from "./head-writer.ts";

/**
 * The server side of one HTTP/1.1 connection: parses requests and serializes
 * responses. Reqivo ships the client; this role exists so that tests, mocks
 * and in-memory transports can run a real peer without sockets.
 *
 * @example
 * ```ts
 * import { ClientConnection, NEED_DATA, ServerConnection } from "@reqivo/protocol";
 * const client = new ClientConnection();
 * const server = new ServerConnection();
 * server.receiveData(client.send({ type: "request", method: "GET", target: "/", headers: [["host", "a"]] }));
 * client.send({ type: "end" });
 * server.nextEvent(); // { type: "request", method: "GET", target: "/", ... }
 * server.nextEvent(); // { type: "end", trailers: [] }
 * client.receiveData(server.send({ type: "response", status: 204, reason: "No Content", headers: [] }));
 * client.receiveData(server.send({ type: "end" }));
 * ```
 */
export class ServerConnection extends HttpConnection {
  #requestMethod = "";
  #requestVersion = "1.1";

  constructor(options: HttpConnectionOptions = {}) {
    super("server", options);
  }

  /** The next event from the client, or `NEED_DATA`. */
  nextEvent(): ServerReceiveEvent | NeedData {
    return this.guardReceive(() => this.#next());
  }

  /** Turns a response event into bytes (a head is a view into a shared buffer, as with `ClientConnection.send`). */
  send(event: ServerSendEvent): Uint8Array {
    this.checkUsable();
    switch (event?.type) {
      case "informational":
      case "response":
        return this.#sendHead(event);
      case "data":
      case "end":
        return this.sendBodyEvent(event);
      case "closed":
        return this.sendClosed();
      default:
        throw new LocalProtocolError(
          "INVALID_EVENT",
          `a server cannot send ${JSON.stringify((event as { type?: unknown } | undefined)?.type)}`,
        );
    }
  }

  #next(): ServerReceiveEvent | NeedData {
    switch (this.theirState) {
      case "IDLE": {
        if (this.buffer.length === 0 && this.theyClosed) return this.readWhileIdle();
        const head = this.readHead();
        if (head === null) return NEED_DATA;
        const fields = framingFields(head.headers);
        const decision = requestFraming(head.version, fields);
        this.transition("client", "request");
        this.#requestMethod = head.method;
        this.#requestVersion = head.version;
        this.state.clientProposedSwitch = fields.hasUpgrade || head.method === "CONNECT";
        this.state.clientOfferedUpgrade = fields.hasUpgrade;
        if (!decision.keepAlive) this.state.disableKeepAlive();
        this.startBody(decision.framing);
        return {
          type: "request",
          method: head.method,
          target: head.target,
          version: head.version,
          headers: head.headers,
        };
      }
      case "SEND_BODY":
        return this.readBody();
      case "DONE":
      case "MUST_CLOSE":
      case "CLOSED":
        // A pipelined request waits in the buffer until startNextCycle().
        if (this.buffer.length > 0) return NEED_DATA;
        return this.readWhileIdle();
      default:
        return NEED_DATA;
    }
  }

  #sendHead(event: InformationalEvent | ResponseEvent): Uint8Array {
    const { status, headers } = event;
    const reason = event.reason ?? "";
    if (!Number.isInteger(status) || status < 100 || status > 999) {
      throw new LocalProtocolError("INVALID_STATUS", `invalid status ${status}`);
    }
    if (!isFieldValue(reason))
      throw new LocalProtocolError("INVALID_REASON", "invalid reason phrase");
    validateFields(headers);
    const startLine = `HTTP/1.1 ${status} ${reason}`;
    if (event.type === "informational" || (status < 200 && status !== 101)) {
      if (status >= 200 || status === 101)
        throw new LocalProtocolError("INVALID_STATUS", "informational needs 1xx");
      this.transition("server", "informational");
      return serializeHead(startLine, headers, []);
    }
    if (status === 101) {
      if (this.theirState !== "MIGHT_SWITCH_PROTOCOL") {
        throw new LocalProtocolError("INVALID_STATE", "101 without a finished upgrade request");
      }
      if (!this.state.clientOfferedUpgrade) {
        throw new LocalProtocolError("INVALID_STATE", "101 to a request that offered no Upgrade");
      }
      this.transition("server", "upgrade");
      return serializeHead(startLine, headers, []);
    }
    const noBody = this.#requestMethod === "HEAD" || status === 204 || status === 304;
    // A HEAD answer may carry the GET's Content-Length, but never a body.
    const { framing, extra } = noBody
      ? { framing: { kind: "none" as const }, extra: [] }
      : outgoingFraming(headers, event.contentLength, true);
    if (framing.kind === "chunked" && this.#requestVersion === "1.0") {
      throw new LocalProtocolError(
        "INVALID_FRAMING",
        "an HTTP/1.0 client cannot read chunked: give a Content-Length",
      );
    }
    this.transition("server", "response");
    if (framingFields(headers).connection.includes("close")) this.state.disableKeepAlive();
    this.bodyWriter = bodyWriterFor(framing);
    return serializeHead(startLine, headers, extra);
  }
}
