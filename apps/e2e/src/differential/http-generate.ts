// A generator of HTTP/1.1 responses from their structure (issue 22 §2): status
// lines of every shape, framing fields in every combination, obs-folds, 1xx
// sequences, bodies by length, chunked and close, sizes around every limit,
// bare CR and LF, extra bytes, several exchanges, early EOF. Text is latin1:
// one char per byte.
import { httpTokens, MUTATION_OPS, mutate } from "../fuzz.ts";
import {
  fromLatin1,
  type HttpCase,
  type HttpExchange,
  LIMITS,
  type LimitProfile,
} from "./http-case.ts";
import type { Rng } from "./random.ts";

type Limits = (typeof LIMITS)[LimitProfile];

const randomBytes = (rng: Rng, n: number) =>
  Array.from({ length: n }, () => String.fromCharCode(rng.byte())).join("");

function lineEnd(rng: Rng): string {
  return rng.chance(0.93) ? "\r\n" : rng.pick(["\n", "\r", "\r\r\n", "\n\r", " \r\n"]);
}

function statusLine(rng: Rng, status: number): string {
  const version = rng.chance(0.85)
    ? rng.pick(["HTTP/1.1", "HTTP/1.1", "HTTP/1.0"])
    : rng.pick([
        "HTTP/1.2",
        "HTTP/2.0",
        "HTTP/0.9",
        "http/1.1",
        "HTTP/1.10",
        "HTTP/1",
        "HTTP/1.1 ",
        "ICE/1.0",
      ]);
  let code = String(status).padStart(3, "0");
  if (rng.chance(0.04))
    code = rng.pick([code.slice(1), `${code}0`, `${code[0]}x${code[2]}`, ` ${code}`, ""]);
  const reason = rng.chance(0.8)
    ? rng.pick(["OK", "Continue", "", "Whatever", "Not Found", "Early Hints"])
    : randomBytes(rng, rng.int(8));
  if (rng.chance(0.05)) return `${version} ${code}`;
  return `${version}${rng.chance(0.03) ? "\t" : " "}${code} ${reason}`;
}

const ORDINARY = [
  "Content-Type: text/plain; charset=utf-8",
  "Date: Sun, 06 Dec 2026 20:00:00 GMT",
  "Server: fuzz",
  "Vary: Accept-Encoding",
  "Set-Cookie: a=b; Path=/",
  "Link: </style.css>; rel=preload",
  "X-Empty:",
  "X-Spaces:    padded   ",
  "Cache-Control: no-cache",
];

function contentLength(rng: Rng, n: number): string[] {
  switch (rng.int(12)) {
    case 0:
      return [`Content-Length: ${n}`, `Content-Length: ${n}`];
    case 1:
      return [`Content-Length: ${n}`, `Content-Length: ${n + 1}`];
    case 2:
      return [`Content-Length: ${n}, ${n}`];
    case 3:
      return [`Content-Length: ${rng.pick(["+", "-", "0x", " \xa0"])}${n}`];
    case 4:
      return [
        `Content-Length:${rng.pick(["", "  ", "\t"])}${n}${rng.pick(["", "  ", "\t", " x"])}`,
      ];
    case 5:
      return [`Content-Length: ${"0".repeat(1 + rng.int(20))}${n}`];
    case 6:
      return [
        `Content-Length: ${rng.pick(["99999999999999999999", "9007199254740993", "1e3", "", "999999999999999"])}`,
      ];
    case 7:
      return [
        `${rng.pick(["content-length", "CONTENT-LENGTH", "conteNT-LenGtH", "Content-Length "])}: ${n}`,
      ];
    default:
      return [`Content-Length: ${n}`];
  }
}

function transferEncoding(rng: Rng): string[] {
  const coding = rng.pick([
    "chunked",
    "chunked",
    "gzip, chunked",
    "chunked, gzip",
    "CHUNKED",
    "chunked;",
    "chunked ;a=b",
    "chunked;q=1",
    ", chunked",
    "chunked,",
    "chunked, chunked",
    "identity",
    "gzip",
    "",
    "chunked\x00",
    '"chunked"',
  ]);
  if (rng.chance(0.1)) return ["Transfer-Encoding: gzip", `Transfer-Encoding: ${coding}`];
  return [
    `${rng.pick(["Transfer-Encoding", "transfer-encoding", "Transfer-Encoding "])}: ${coding}`,
  ];
}

/** Replaces one space (or the end) of a field line by an obs-fold. */
function fold(rng: Rng, line: string): string {
  const at = line.indexOf(":") + 1 + rng.int(Math.max(1, line.length - line.indexOf(":")));
  return `${line.slice(0, at)}\r\n${rng.pick([" ", "\t", "  "])}${line.slice(at)}`;
}

interface Head {
  lines: string[];
  /** The body as the generator meant it (the parsers decide what it really is). */
  body: "none" | "chunked" | "close" | number;
}

function fields(rng: Rng, status: number, interim: boolean): Head {
  const lines: string[] = [];
  for (let i = rng.int(4); i > 0; i--) lines.push(rng.pick(ORDINARY));
  if (rng.chance(0.03))
    lines.push(`${randomBytes(rng, 1 + rng.int(4))}: ${randomBytes(rng, rng.int(6))}`);
  if (rng.chance(0.05)) lines.push(`X-Byte: a${randomBytes(rng, 1)}b`);
  let body: Head["body"] = interim || status === 204 || status === 304 ? "none" : "close";
  const n = rng.chance(0.2) ? 0 : rng.int(40);
  const framing = rng.int(10);
  if (framing < 4) {
    lines.push(...contentLength(rng, n));
    body = n;
  } else if (framing < 7) {
    lines.push(...transferEncoding(rng));
    body = "chunked";
  } else if (framing === 7) {
    const both = [...transferEncoding(rng), ...contentLength(rng, n)];
    lines.push(...(rng.chance(0.5) ? both : both.reverse()));
    body = "chunked";
  }
  if (rng.chance(0.15))
    lines.push(
      rng.pick([
        "Connection: close",
        "Connection: keep-alive",
        "Connection: CLOSE",
        "Connection: upgrade",
      ]),
    );
  if (status === 101 || rng.chance(0.03)) lines.push("Upgrade: websocket", "Connection: Upgrade");
  for (let i = lines.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [lines[i], lines[j]] = [lines[j]!, lines[i]!];
  }
  if (rng.chance(0.15) && lines.length > 0) {
    // A fold inside a framing field (refused) or elsewhere (unfolded).
    const framingAt = lines.findIndex((l) => /^(content-length|transfer-encoding)/i.test(l));
    const at = framingAt >= 0 && rng.chance(0.6) ? framingAt : rng.int(lines.length);
    lines[at] = fold(rng, lines[at]!);
  }
  return { lines, body };
}

/** A field that brings a head (or trailer section) to `target` bytes as Reqivo counts them. */
function padTo(target: number, used: number): string {
  return `X-Pad: ${"a".repeat(Math.max(0, target - used - "X-Pad: \r\n".length))}`;
}

/** How far from a limit to aim: just under, at, just over, or far over. */
function nearLimit(rng: Rng, limit: number): number {
  return rng.chance(0.7) ? limit + rng.int(7) - 3 : limit + 1 + rng.int(limit);
}

function serializeHead(rng: Rng, start: string, lines: string[], limits: Limits): string {
  const ends = lines.map(() => lineEnd(rng));
  if (rng.chance(0.15)) {
    // Over (or near) the head limit, possibly with a malformed byte past it.
    const used = start.length + 2 + lines.reduce((n, l) => n + l.length + 2, 0) + 2;
    const at = rng.int(lines.length + 1);
    lines.splice(at, 0, padTo(nearLimit(rng, limits.maxHeaderBytes), used));
    ends.splice(at, 0, rng.chance(0.8) ? "\r\n" : "\n");
  }
  if (rng.chance(0.05))
    for (let i = nearLimit(rng, limits.maxHeaderCount) - lines.length; i > 0; i--) {
      lines.push(`X-N: ${i}`);
      ends.push("\r\n");
    }
  if (rng.chance(0.05))
    start += "x".repeat(Math.max(0, nearLimit(rng, limits.maxStartLineBytes) - start.length - 2));
  return `${start}${lineEnd(rng)}${lines.map((l, i) => l + ends[i]).join("")}${rng.chance(0.97) ? "\r\n" : lineEnd(rng)}`;
}

function chunkSizeLine(rng: Rng, size: number, limits: Limits): string {
  let hex = size.toString(16);
  if (rng.chance(0.1)) hex = hex.toUpperCase();
  if (rng.chance(0.1)) hex = "0".repeat(1 + rng.int(20)) + hex;
  let ext = "";
  if (rng.chance(0.25))
    ext = rng.pick([
      ";a",
      ";a=b",
      ';a="q\\"x"',
      "; a=b",
      " ;a=b",
      ";a=",
      ";",
      ';a="unterminated',
      ";a=b;c=d",
    ]);
  if (rng.chance(0.04)) ext += ` ${rng.pick(["", "x"])}`;
  if (rng.chance(0.05))
    ext += `;e=${"e".repeat(Math.max(0, nearLimit(rng, limits.maxChunkLineBytes) - hex.length - ext.length - 5))}`;
  return hex + ext + lineEnd(rng);
}

function chunkedBody(rng: Rng, limits: Limits): string {
  let out = "";
  for (let i = rng.int(3); i > 0; i--) {
    if (rng.chance(0.05)) {
      out += `${rng.pick(["1fffffffffffff", "20000000000000", "fffffffffffffffff", "7fffffffffffffff"])}\r\nabc`;
      return out;
    }
    const size = 1 + rng.int(20);
    out +=
      chunkSizeLine(rng, size, limits) +
      "d".repeat(size + (rng.chance(0.05) ? 1 : 0)) +
      lineEnd(rng);
  }
  out += chunkSizeLine(rng, 0, limits);
  if (rng.chance(0.3)) {
    const trailers = [rng.pick(["X-Checksum: abc", "Expires: 0", "X-T: 1"])];
    if (rng.chance(0.3)) trailers.push(padTo(nearLimit(rng, limits.maxHeaderBytes), 20));
    if (rng.chance(0.1)) trailers.push(`X-${randomBytes(rng, 2)}: 1`);
    out += trailers.map((t) => t + lineEnd(rng)).join("");
  }
  return out + lineEnd(rng);
}

function response(rng: Rng, exchange: Omit<HttpExchange, "bytes">, limits: Limits): string {
  let out = "";
  if (rng.chance(0.25))
    for (let i = 1 + rng.int(2); i > 0; i--) {
      const status = rng.pick([100, 102, 103, 100 + rng.int(100)]);
      const head = fields(rng, status, true);
      out += serializeHead(rng, statusLine(rng, status), head.lines, limits);
    }
  const status = rng.chance(0.8)
    ? rng.pick([200, 200, 200, 204, 304, 404, 500, 301])
    : rng.chance(0.5)
      ? rng.pick([101, 101, 199, 999, 600])
      : rng.int(1000);
  const head = fields(rng, status, false);
  out += serializeHead(rng, statusLine(rng, status), head.lines, limits);
  if (exchange.method === "HEAD" && rng.chance(0.7)) return out;
  if (head.body === "chunked") out += chunkedBody(rng, limits);
  else if (typeof head.body === "number")
    out += "b".repeat(Math.max(0, head.body + (rng.chance(0.1) ? rng.int(3) - 1 : 0)));
  else if (head.body === "close") out += randomBytes(rng, rng.int(12));
  if (rng.chance(0.1))
    out += rng.pick([
      "\r\n",
      "x",
      "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
      randomBytes(rng, 4),
    ]);
  return out;
}

/** One generated case: 1–3 exchanges, each answered by a structured response. */
export function generateHttpCase(rng: Rng): HttpCase {
  const profile: LimitProfile = rng.chance(0.75) ? "small" : "default";
  const limits = LIMITS[profile];
  const count = rng.chance(0.3) ? 2 + rng.int(2) : 1;
  const exchanges: HttpExchange[] = [];
  for (let i = 0; i < count; i++) {
    const method = rng.chance(0.8) ? "GET" : rng.chance(0.6) ? "HEAD" : "CONNECT";
    const upgrade = method === "GET" && rng.chance(0.1);
    let bytes = fromLatin1(response(rng, { method, upgrade }, limits));
    if (rng.chance(0.1)) bytes = bytes.subarray(0, rng.int(bytes.length + 1)); // early EOF
    if (rng.chance(0.1))
      bytes = mutate(
        bytes,
        {
          op: rng.int(MUTATION_OPS),
          at: rng.int(1 << 30),
          value: rng.int(1 << 30),
          length: rng.int(64),
        },
        httpTokens,
        bytes,
      );
    exchanges.push({ method, upgrade, bytes });
  }
  return { exchanges, limits: profile, eof: true };
}
