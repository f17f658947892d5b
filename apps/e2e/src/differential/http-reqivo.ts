// Reqivo's side of the HTTP differential: @reqivo/protocol's ClientConnection
// driven through the exchanges of a case, each answer cut into chunks.
import { ClientConnection, NEED_DATA, RemoteProtocolError } from "@reqivo/protocol";
import { CrashError } from "./check.ts";
import { type HttpCase, type HttpMessage, type HttpVerdict, LIMITS, latin1 } from "./http-case.ts";

/** Cuts one exchange's bytes into the chunks fed to the parser. */
export type Cutter = (bytes: Uint8Array, exchange: number) => Uint8Array[];

export const whole: Cutter = (bytes) => [bytes];

const pairs = (headers: readonly (readonly [string, string])[]): [string, string][] =>
  headers.map(([n, v]) => [n, v]);

function message(
  kind: HttpMessage["kind"],
  head: { status: number; reason: string; headers: readonly (readonly [string, string])[] },
  body: string,
): HttpMessage {
  return {
    kind,
    status: head.status,
    reason: head.reason,
    headers: pairs(head.headers),
    body,
    trailers: [],
  };
}

export function runReqivoHttp(c: HttpCase, cutter: Cutter = whole): HttpVerdict {
  const conn = new ClientConnection(LIMITS[c.limits]);
  const messages: HttpMessage[] = [];
  const total = c.exchanges.reduce((n, e) => n + e.bytes.length, 0);
  const budget = 4 * total + 1000;
  let steps = 0;
  let current: HttpMessage | undefined;
  let finished = false; // the final response (or upgrade) of this exchange arrived
  let stopped = false; // nothing more is read from this connection
  const drain = () => {
    for (;;) {
      if (++steps > budget) throw new CrashError(`more than ${budget} events from ${total} bytes`);
      const ev = conn.nextEvent();
      if (ev === NEED_DATA) return;
      switch (ev.type) {
        case "informational":
          messages.push(message("informational", ev, ""));
          break;
        case "response":
          current = message("final", ev, "");
          break;
        case "data":
          if (current === undefined) throw new CrashError("data before a response");
          current.body += latin1(ev.data);
          break;
        case "end":
          if (current === undefined) throw new CrashError("end before a response");
          current.trailers = pairs(ev.trailers);
          messages.push(current);
          current = undefined;
          finished = true;
          return;
        case "upgrade":
          messages.push(message("upgrade", ev, latin1(ev.trailing)));
          finished = true;
          stopped = true;
          return;
        case "closed":
          stopped = true;
          return;
      }
    }
  };
  try {
    for (let i = 0; i < c.exchanges.length && !stopped; i++) {
      const exchange = c.exchanges[i]!;
      if (i > 0) {
        // Only reached when the previous exchange ended with keep-alive on.
        conn.startNextCycle();
      }
      const headers: [string, string][] = [["host", "fuzz"]];
      if (exchange.upgrade) headers.push(["connection", "upgrade"], ["upgrade", "websocket"]);
      conn.send({
        type: "request",
        method: exchange.method,
        target: exchange.method === "CONNECT" ? "fuzz:443" : "/",
        headers,
      });
      conn.send({ type: "end" });
      finished = false;
      for (const chunk of cutter(exchange.bytes, i)) {
        if (stopped) {
          // After an upgrade the bytes belong to the new protocol.
          const last = messages[messages.length - 1];
          if (last?.kind === "upgrade") last.body += latin1(chunk);
          continue;
        }
        conn.receiveData(chunk);
        if (!finished) drain();
      }
      const lastExchange = i === c.exchanges.length - 1;
      if (!finished) {
        // The server stopped answering: it closed (or we stop reading).
        if (!lastExchange || c.eof) {
          conn.receiveData(null);
          drain();
        }
        stopped = true;
      } else if (!stopped && (lastExchange || !conn.keepAlive)) {
        stopped = true;
      }
    }
  } catch (error) {
    if (error instanceof CrashError) throw error;
    if (!(error instanceof RemoteProtocolError))
      throw new CrashError(`not a RemoteProtocolError: ${String(error)}`);
    return { messages, error: error.code };
  }
  return { messages, error: undefined };
}
