// The reviewed divergences: where Reqivo and the reference parser (llhttp in
// strict mode, ws's Receiver) give different verdicts on purpose. Each entry
// names the input's shape, both verdicts and the RFC text behind Reqivo's
// choice; `matches` recognizes it. Anything else the differential fuzzer finds
// is a bug in one of the parsers (or an entry to argue for here, in review).
import { type HttpCase, type HttpVerdict, latin1 } from "./http-case.ts";
import type { WsCase, WsVerdict } from "./ws.ts";

export interface Divergence {
  id: string;
  shape: string;
  reqivo: string;
  oracle: string;
  why: string;
}

interface HttpDivergence extends Divergence {
  matches(input: string, reqivo: HttpVerdict, llhttp: HttpVerdict, c: HttpCase): boolean;
}

const LIMIT_CODES = new Set([
  "HEADERS_TOO_LARGE",
  "TOO_MANY_HEADERS",
  "START_LINE_TOO_LONG",
  "CHUNK_LINE_TOO_LONG",
  "CHUNK_SIZE_TOO_LARGE",
]);

/** A field line continued by an obs-fold (CRLF then SP or HTAB) somewhere in a head. */
const OBS_FOLD = /\r\n[ \t]/;
/** Whether the first obs-fold of the input continues a field other than Content-Length or Transfer-Encoding. */
function firstFoldOutsideFraming(input: string): boolean {
  const fold = OBS_FOLD.exec(input);
  if (fold === null) return false;
  const line = input.slice(input.lastIndexOf("\n", fold.index - 1) + 1, fold.index);
  return !/^(content-length|transfer-encoding) ?:/i.test(line);
}

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
/** A chunk-size line whose extensions follow RFC 9112 §7.1.1 exactly, with BWS somewhere. */
const CHUNK_LINE_WITH_BWS = new RegExp(
  `\\n[0-9A-Fa-f]+(?=[^\\r\\n]*[ \\t])(?:[ \\t]*;[ \\t]*${TOKEN}(?:[ \\t]*=[ \\t]*(?:${TOKEN}|"(?:[^"\\\\\\r\\n]|\\\\.)*"))?)+\\r\\n`,
);

const QUOTED = '"(?:[^"\\\\\\r\\n]|\\\\.)*"';
const PARAMETERS = `(?:[ \\t]*;[ \\t]*${TOKEN}(?:[ \\t]*=[ \\t]*(?:${TOKEN}|${QUOTED}))?)*`;
const CODING = new RegExp(`^${TOKEN}${PARAMETERS}$`);
const EXTENSIONS = new RegExp(`^${PARAMETERS}$`);

/** Some Transfer-Encoding is empty, not a list of codings, names chunked twice or gives chunked a parameter. */
function malformedTransferEncoding(input: string): boolean {
  for (const [, value] of input.matchAll(/transfer-encoding ?:([^\r\n]*)/gi)) {
    const codings = value!
      .split(",")
      // OWS is SP and HTAB only: String#trim would also take an NBSP away.
      .map((c) => c.replace(/^[ \t]+|[ \t]+$/g, ""))
      .filter((c) => c !== "");
    if (codings.length === 0 || codings.some((c) => !CODING.test(c))) return true;
    const chunked = codings.filter((c) => /^chunked\b/i.test(c));
    if (chunked.length > 1 || chunked.some((c) => c.toLowerCase() !== "chunked")) return true;
  }
  return false;
}

/** Some chunk-size line carries extensions outside RFC 9112 §7.1.1's grammar. */
function malformedChunkExtension(input: string): boolean {
  for (const [, extensions] of input.matchAll(/(?:^|\n)[0-9A-Fa-f]+([ \t;][^\r\n]*)\r?\n/g))
    if (!EXTENSIONS.test(extensions!)) return true;
  return false;
}

export const httpDivergences: readonly HttpDivergence[] = [
  {
    id: "limits",
    shape: "a head, start line, header count, chunk-size line or chunk size at or past a limit",
    reqivo:
      "its limit's error (HEADERS_TOO_LARGE, TOO_MANY_HEADERS, START_LINE_TOO_LONG, CHUNK_LINE_TOO_LONG, CHUNK_SIZE_TOO_LARGE), or any verdict when llhttp overflows",
    oracle:
      "accepts, or HPE_HEADER_OVERFLOW at a different byte count (it counts field bytes without line ends and has no start-line, count or chunk-line limit)",
    why: "RFC 9110 §5.4 and RFC 9112 §2.3 leave size limits to the recipient; Reqivo's are documented in its README, and which limit a parser hits first is not a syntax question",
    matches: (_input, reqivo, llhttp) =>
      LIMIT_CODES.has(reqivo.error ?? "") || llhttp.error === "HPE_HEADER_OVERFLOW",
  },
  {
    id: "obs-fold-unfolded",
    shape:
      "an obs-fold in a field other than Content-Length and Transfer-Encoding, after the first field",
    reqivo: "unfolds it to one space and reads on",
    oracle: "HPE_INVALID_HEADER_TOKEN (strict mode refuses every fold)",
    why: "RFC 9112 §5.2: a user agent that receives an obs-fold in a response MUST replace each obs-fold with one or more SP before interpreting the value; refusing is for servers and proxies",
    matches: (input, _reqivo, llhttp) =>
      llhttp.error === "HPE_INVALID_HEADER_TOKEN" && firstFoldOutsideFraming(input),
  },
  {
    id: "higher-minor-version",
    shape: "a status line with HTTP/1.2 … HTTP/1.9",
    reqivo: "reads it as HTTP/1.1",
    oracle: "HPE_INVALID_VERSION",
    why: "RFC 9110 §2.5: a recipient SHOULD process a message with a higher minor version as if it were the highest minor version it conforms to",
    matches: (input, _reqivo, llhttp) =>
      llhttp.error === "HPE_INVALID_VERSION" && /HTTP\/1\.[2-9][ \t]/.test(input),
  },
  {
    id: "bodiless-framing-ignored",
    shape:
      "a malformed or conflicting Content-Length or Transfer-Encoding in a 1xx, 204 or 304 head, an answer to HEAD, or a 2xx to CONNECT",
    reqivo: "ignores the framing fields (no body follows)",
    oracle:
      "HPE_INVALID_CONTENT_LENGTH, HPE_UNEXPECTED_CONTENT_LENGTH or HPE_INVALID_TRANSFER_ENCODING",
    why: "RFC 9112 §6.3 ¶2 rules 1–2: such a response ends at the empty line after its fields regardless of the fields present, and a client MUST ignore Content-Length and Transfer-Encoding in a 2xx to CONNECT",
    matches: (input, _reqivo, llhttp, c) =>
      /^HPE_(INVALID_CONTENT_LENGTH|UNEXPECTED_CONTENT_LENGTH|INVALID_TRANSFER_ENCODING)$/.test(
        llhttp.error ?? "",
      ) &&
      (c.exchanges.some((e) => e.method !== "GET") ||
        input
          .split(/\r?\n\r?\n/)
          .some(
            (head) =>
              /HTTP\/[\d.]+ (1\d\d|204|304)/.test(head) &&
              /content-length|transfer-encoding/i.test(head),
          )),
  },
  {
    id: "interim-keeps-connection",
    shape: "an HTTP/1.0 or `Connection: close` 1xx followed by the final response",
    reqivo: "reads the final response",
    oracle: 'HPE_CLOSED_CONNECTION ("data after Connection: close")',
    why: "RFC 9110 §15.2: a client MUST be able to parse one or more 1xx responses received before a final response; the final response is what decides persistence (RFC 9112 §9.3)",
    matches: (input, _reqivo, llhttp) =>
      llhttp.error === "HPE_CLOSED_CONNECTION" && /HTTP\/[\d.]+ 1\d\d/.test(input),
  },
  {
    id: "http10-transfer-encoding-closes",
    shape:
      "an HTTP/1.0 response framed by Transfer-Encoding (even with `Connection: keep-alive`), then another exchange",
    reqivo: "reads that response, then ends the connection",
    oracle: "keeps the connection and reads the next response",
    why: "RFC 9112 §6.1: a client that receives an HTTP/1.0 message with Transfer-Encoding MUST treat its framing as faulty and close the connection after processing it",
    // llhttp either reads more messages or fails on bytes after the ones Reqivo read.
    matches: (input, reqivo, llhttp) =>
      reqivo.error === undefined &&
      (reqivo.messages.length < llhttp.messages.length ||
        (llhttp.error !== undefined && reqivo.messages.length === llhttp.messages.length)) &&
      JSON.stringify(reqivo.messages) ===
        JSON.stringify(llhttp.messages.slice(0, reqivo.messages.length)) &&
      input
        .split(/\r?\n\r?\n/)
        .some((head) => /^HTTP\/1\.0 /m.test(head) && /transfer-encoding ?:/i.test(head)),
  },
  {
    id: "status-below-100",
    shape: "a status code 000–099",
    reqivo: "INVALID_STATUS_CODE",
    oracle: "accepts",
    why: "RFC 9110 §15: the first digit of a status code is its class, 1 to 5 are defined; no class starts with 0 (Reqivo reads 100–999, README)",
    matches: (input, reqivo) =>
      reqivo.error === "INVALID_STATUS_CODE" && /HTTP\/[\d.]+ 0\d\d/.test(input),
  },
  {
    id: "reason-control-bytes",
    shape: "a control byte (not HTAB) in the reason phrase",
    reqivo: "INVALID_STATUS_LINE",
    oracle: "accepts",
    why: "RFC 9112 §4: reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ); a control byte is not part of it",
    matches: (input, reqivo) =>
      reqivo.error === "INVALID_STATUS_LINE" &&
      /HTTP\/[\d.]+ \d{3} [^\r\n]*[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(input),
  },
  {
    id: "status-line-cr-cr",
    shape: "a status line ended by CR CR (`HTTP/1.1 600 \\r\\r…`)",
    reqivo: "INVALID_STATUS_LINE or INVALID_LINE_ENDING (a bare CR)",
    oracle: "accepts, reading the second CR as the line's end",
    why: "RFC 9112 §2.2: a bare CR is invalid outside a line end (a recipient MUST consider it invalid or replace it with SP); CR CR is not CRLF",
    matches: (input, reqivo) =>
      (reqivo.error === "INVALID_STATUS_LINE" || reqivo.error === "INVALID_LINE_ENDING") &&
      /HTTP\/[\d.]+ \d{3}[^\r\n]*\r\r/.test(input),
  },
  {
    id: "not-http-1x",
    shape: "a status line with HTTP/0.9, HTTP/2.0 or another non-1.x version",
    reqivo: "INVALID_VERSION",
    oracle: "accepts some of them",
    why: 'RFC 9112 §2.3: HTTP/1.1 messages carry HTTP-version = HTTP-name "/" DIGIT "." DIGIT with major version 1; anything else is not an HTTP/1.x response',
    matches: (input, reqivo) =>
      reqivo.error === "INVALID_VERSION" && /(HTTP\/(0\.9|[02-9]\.\d)|ICE\/|RTSP\/)/.test(input),
  },
  {
    id: "transfer-coding-syntax",
    shape:
      'Transfer-Encoding naming chunked with a parameter or twice, or not a list of tokens (`chunked;`, `chunked ;a=b`, `chunked, chunked`, `"chunked"`, a NUL, an empty value)',
    reqivo: "INVALID_TRANSFER_ENCODING",
    oracle: "reads the body until close (chunked is not the final coding to it)",
    why: "RFC 9112 §7 defines chunked with no parameter, §6.1 forbids applying it twice, and §6.3 ¶2 rule 4 makes a non-chunked final coding read-until-close: a malformed chunked is refused rather than read a second way (the request-smuggling signature, RFC 9112 §11.2)",
    matches: (input, reqivo) =>
      reqivo.error === "INVALID_TRANSFER_ENCODING" && malformedTransferEncoding(input),
  },
  {
    id: "same-content-length-repeated",
    shape: "Content-Length repeated, as a list or as several fields, with the same value each time",
    reqivo: "reads the one length",
    oracle: "HPE_INVALID_CONTENT_LENGTH or HPE_UNEXPECTED_CONTENT_LENGTH",
    why: "RFC 9110 §8.6: when a Content-Length has a list of identical decimal values, a recipient MAY either reject it or replace it with a single instance of the value",
    matches: (input, _reqivo, llhttp) => {
      if (!/^HPE_(INVALID|UNEXPECTED)_CONTENT_LENGTH$/.test(llhttp.error ?? "")) return false;
      return input.split(/\r?\n\r?\n/).some((head) => {
        // Field names start a line: "eContent-Length" is another field.
        const values = [...head.matchAll(/(?:^|\n)content-length ?:([^\r\n]*)/gi)].flatMap((m) =>
          m[1]!.split(",").map((v) => v.replace(/^[ \t]+|[ \t]+$/g, "")),
        );
        return values.length > 1 && values.every((v) => v === values[0]);
      });
    },
  },
  {
    id: "empty-list-elements",
    shape: "Transfer-Encoding with an empty list element (`chunked,`, `, chunked`)",
    reqivo: "reads it as the list without the empty element (chunked when chunked is last)",
    oracle: "reads until close (chunked is not final to it) or refuses",
    why: "RFC 9110 §5.6.1: a recipient MUST accept and ignore empty list elements, so `chunked,` ends with chunked",
    matches: (input) => /transfer-encoding ?:[^\r\n]*(,[ \t]*(\r|\n|,)|:[ \t]*,)/i.test(input),
  },
  {
    id: "chunk-extension-bws",
    shape: "whitespace around the `;` or `=` of a chunk extension (`8; a=b`)",
    reqivo: "accepts",
    oracle: "HPE_STRICT or HPE_INVALID_CHUNK_SIZE",
    why: 'RFC 9112 §7.1.1: chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ); BWS is whitespace a recipient MUST parse (RFC 9110 §5.6.3)',
    matches: (input, _reqivo, llhttp) =>
      (llhttp.error === "HPE_STRICT" || llhttp.error === "HPE_INVALID_CHUNK_SIZE") &&
      CHUNK_LINE_WITH_BWS.test(input),
  },
  {
    id: "content-length-ows",
    shape:
      "a Content-Length with a tab (or spaces) between the colon or the digits and the line end",
    reqivo: "reads the length",
    oracle: "HPE_INVALID_CONTENT_LENGTH",
    why: 'RFC 9112 §5: field-line = field-name ":" OWS field-value OWS; the whitespace around a value is not part of it',
    matches: (input, _reqivo, llhttp) =>
      llhttp.error === "HPE_INVALID_CONTENT_LENGTH" &&
      /content-length ?:[ \t]*\d+[ \t]*\t[ \t]*\r?\n|content-length ?:[ \t]*\t[ \t]*\d+[ \t]*\r?\n/i.test(
        input,
      ),
  },
  {
    id: "content-length-over-15-digits",
    shape: "a Content-Length of 16 or more digits (leading zeros count)",
    reqivo: "INVALID_CONTENT_LENGTH",
    oracle: "accepts up to 2^64 - 1",
    why: "RFC 9110 §8.6: a recipient MUST anticipate large numerals and prevent integer-conversion errors; Reqivo refuses what it cannot represent exactly as a number (README)",
    matches: (input, reqivo) =>
      reqivo.error === "INVALID_CONTENT_LENGTH" && /content-length ?:[ \t]*\d{16}/i.test(input),
  },
  {
    id: "chunk-extension-syntax",
    shape:
      "a chunk extension with an empty name (`;;e`, `5;`) or value (`;a=`), or an unterminated quoted string",
    reqivo: "INVALID_CHUNK_EXTENSION",
    oracle: "accepts",
    why: 'RFC 9112 §7.1.1: chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ) with a token for a name and a token or quoted-string for a value, none of them empty or unterminated',
    matches: (input, reqivo) =>
      reqivo.error === "INVALID_CHUNK_EXTENSION" && malformedChunkExtension(input),
  },
];

export function classifyHttp(
  c: HttpCase,
  reqivo: HttpVerdict,
  llhttp: HttpVerdict,
): string | undefined {
  const input = c.exchanges.map((e) => latin1(e.bytes)).join("");
  return httpDivergences.find((d) => d.matches(input, reqivo, llhttp, c))?.id;
}

interface WsDivergence extends Divergence {
  matches(c: WsCase, reqivo: WsVerdict, ws: WsVerdict): boolean;
}

const isPrefix = (a: readonly string[], b: readonly string[]) => a.every((e, i) => e === b[i]);

/** Some frame header announces a 64-bit length with its most significant bit set. */
function hasLengthMsbSet(bytes: Uint8Array): boolean {
  for (let i = 1; i + 1 < bytes.length; i++)
    if ((bytes[i]! & 0x7f) === 127 && bytes[i + 1]! >= 0x80) return true;
  return false;
}

export const wsDivergences: readonly WsDivergence[] = [
  {
    id: "utf8-fail-fast",
    shape: "invalid UTF-8 in a text frame (or a fragment of one) before the message ends",
    reqivo:
      "1007 at the first byte that cannot start or continue a code point, before later frames",
    oracle:
      "validates whole messages: reads on (events, another error, or nothing yet) and fails at the message end",
    why: "RFC 6455 §8.1: an endpoint that finds the byte stream is not valid UTF-8 MUST fail the connection; failing at the first invalid byte is the byte-order verdict (issue 22 §1) and Autobahn's fail-fast cases 6.4.x",
    matches: (_c, reqivo, ws) => reqivo.closeCode === 1007 && isPrefix(reqivo.events, ws.events),
  },
  {
    id: "verdict-before-frame-complete",
    shape:
      "a stream that ends inside a frame whose bytes so far already break the protocol (reserved bits or opcode in the first byte, a length over the limit, a bad close length or code)",
    reqivo: "fails at the first offending byte (1002 or 1009)",
    oracle: "no verdict yet: the Receiver waits for the rest of the frame header or payload",
    why: 'RFC 6455 §5.2 makes such a frame invalid whatever follows ("MUST _Fail the WebSocket Connection_"); judging bytes in arrival order is issue 22 §1',
    matches: (_c, reqivo, ws) =>
      reqivo.closeCode !== undefined &&
      ws.closeCode === undefined &&
      ws.waiting === true &&
      isPrefix(reqivo.events, ws.events),
  },
  {
    id: "length-msb-set",
    shape: "a 64-bit payload length with its most significant bit set",
    reqivo: "1002",
    oracle: "1009 (it checks the 2^53 bound first)",
    why: "RFC 6455 §5.2: in the 64-bit form the most significant bit MUST be 0, so the frame is malformed (1002) before it is too big",
    matches: (c, reqivo, ws) =>
      reqivo.closeCode === 1002 && ws.closeCode === 1009 && hasLengthMsbSet(c.bytes),
  },
];

export function classifyWs(c: WsCase, reqivo: WsVerdict, ws: WsVerdict): string | undefined {
  return wsDivergences.find((d) => d.matches(c, reqivo, ws))?.id;
}
