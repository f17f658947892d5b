// The HTTP/1.1 oracle: llhttp, the parser of Node's own HTTP client, in strict
// mode (no lenient flag), reached through `node:_http_common`'s HTTPParser —
// public since Node 0.x, present on Node 20 (the oldest runtime Reqivo supports)
// and later, with no native build or download. The harness around it plays the
// client's part the way RFC 9112 §6.3 asks of any client (HEAD, 1xx, 204, 304
// have no body; a 2xx to CONNECT and a 101 switch protocols), exactly as Node's
// client does through the same callbacks' return values.
import { createRequire } from "node:module";
import { type HttpCase, type HttpMessage, type HttpVerdict, LIMITS, latin1 } from "./http-case.ts";

interface NodeHttpParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(data: Uint8Array): number | (Error & { code: string; bytesParsed: number });
  finish(): undefined | (Error & { code: string });
  close(): void;
  [key: number]: unknown;
}
interface HttpParserClass {
  new (): NodeHttpParser;
  RESPONSE: number;
  kLenientNone: number;
  kOnHeaders: number;
  kOnHeadersComplete: number;
  kOnBody: number;
  kOnMessageComplete: number;
}

const { HTTPParser } = createRequire(import.meta.url)("node:_http_common") as {
  HTTPParser: HttpParserClass;
};

const toPairs = (flat: readonly string[] | undefined): [string, string][] => {
  const out: [string, string][] = [];
  if (flat === undefined) return out;
  for (let i = 0; i + 1 < flat.length; i += 2)
    out.push([flat[i]!, flat[i + 1]!.replace(/^[ \t]+|[ \t]+$/g, "")]);
  return out;
};

/** Harness verdicts that are the client's rule, not llhttp's (the same names Reqivo uses). */
const UNSOLICITED = "UNSOLICITED_DATA";
const UNEXPECTED_UPGRADE = "UNEXPECTED_UPGRADE";

export function runLlhttp(c: HttpCase): HttpVerdict {
  const messages: HttpMessage[] = [];
  const parser = new HTTPParser();
  parser.initialize(
    HTTPParser.RESPONSE,
    {},
    LIMITS[c.limits].maxHeaderBytes,
    HTTPParser.kLenientNone,
  );
  let exchange = c.exchanges[0]!;
  let current: HttpMessage | undefined;
  let pendingHeaders: string[] = [];
  let finished = false;
  let upgrade: HttpMessage | undefined;
  let keepAlive = true;
  let refused: string | undefined;
  parser[HTTPParser.kOnHeaders] = (headers: string[]) => {
    if (current === undefined) pendingHeaders.push(...headers);
    else current.trailers.push(...toPairs(headers));
  };
  parser[HTTPParser.kOnHeadersComplete] = (
    major: number,
    minor: number,
    headers: string[] | undefined,
    _method: unknown,
    _url: unknown,
    status: number,
    reason: string | undefined,
    _upgrade: boolean,
    shouldKeepAlive: boolean,
  ): number => {
    const all = toPairs([...pendingHeaders, ...(headers ?? [])]);
    pendingHeaders = [];
    const interim = status >= 100 && status < 200 && status !== 101;
    current = {
      kind: interim ? "informational" : "final",
      status,
      reason: reason ?? "",
      headers: all,
      body: "",
      trailers: [],
    };
    if (!interim) keepAlive = shouldKeepAlive;
    if (status === 101 || (exchange.method === "CONNECT" && status >= 200 && status < 300)) {
      if (status === 101 && !exchange.upgrade) refused = UNEXPECTED_UPGRADE;
      current.kind = "upgrade";
      upgrade = current;
      return 2;
    }
    if (interim || exchange.method === "HEAD" || status === 204 || status === 304) {
      // llhttp computed keep-alive before learning there is no body: without one,
      // only the version and Connection decide (RFC 9112 §9.3).
      // Connection is a list of tokens (RFC 9110 §7.6.1): "close-" is another option, not close.
      const options = all
        .filter(([n]) => n.toLowerCase() === "connection")
        .flatMap(([, v]) => v.toLowerCase().split(","))
        .map((option) => option.replace(/^[ \t]+|[ \t]+$/g, ""));
      if (!interim)
        keepAlive =
          major === 1 && minor >= 1 ? !options.includes("close") : options.includes("keep-alive");
      return 1;
    }
    return 0;
  };
  parser[HTTPParser.kOnBody] = (b: Uint8Array) => {
    if (current !== undefined) current.body += latin1(b);
  };
  parser[HTTPParser.kOnMessageComplete] = () => {
    if (current === undefined) return;
    if (current.kind !== "upgrade") messages.push(current);
    if (current.kind === "final") finished = true;
    current = undefined;
  };
  try {
    for (let i = 0; i < c.exchanges.length; i++) {
      exchange = c.exchanges[i]!;
      finished = false;
      const bytes = exchange.bytes;
      // Byte by byte: the offset where the answer ends tells unsolicited bytes from the next answer.
      for (let at = 0; at < bytes.length; at++) {
        if (finished)
          return {
            messages,
            error: i < c.exchanges.length - 1 && keepAlive ? UNSOLICITED : undefined,
          };
        const result = parser.execute(bytes.subarray(at, at + 1));
        if (refused !== undefined) return { messages, error: refused };
        if (typeof result !== "number") return { messages, error: result.code };
        if (upgrade !== undefined) {
          upgrade.body = latin1(bytes.subarray(at + 1));
          messages.push(upgrade);
          return { messages, error: undefined };
        }
      }
      const lastExchange = i === c.exchanges.length - 1;
      if (!finished) {
        if (!lastExchange || c.eof) {
          const end = parser.finish();
          if (end !== undefined) return { messages, error: end.code };
          if (!finished) return { messages, error: "HPE_NO_RESPONSE" };
        }
        return { messages, error: undefined };
      }
      if (lastExchange || !keepAlive) return { messages, error: undefined };
    }
    return { messages, error: undefined };
  } finally {
    parser.close();
  }
}
