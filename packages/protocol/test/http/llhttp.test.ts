// Replays llhttp's own response test cases (vendored in test/fixtures/llhttp)
// against ClientConnection: whole, split in two at every offset, and byte by
// byte. Strict cases must agree with llhttp, except the documented differences
// listed in DIFFERENCES (also in the package README).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ClientConnection, NEED_DATA, ProtocolError } from "../../src/index.ts";
import { fromHex, latin1, splits } from "./drive.ts";

interface LlhttpMessage {
  status: number | null;
  version: string | null;
  reason: string | null;
  headers: [string, string][];
  body: string;
  complete: boolean;
}
interface LlhttpCase {
  name: string;
  meta: { type: string; skipBody?: boolean; noScan?: boolean };
  input_hex: string;
  summary: {
    messages: LlhttpMessage[];
    error: null | { code: number; name: string; reason: string };
  };
}

const cases: LlhttpCase[] = readFileSync(
  new URL("../fixtures/llhttp/response-cases.jsonl", import.meta.url),
  "utf8",
)
  .split("\n")
  .filter((line) => line.trim().length > 0)
  .map((line) => JSON.parse(line));

/**
 * Where RFC 9112 lets a client differ from llhttp, and we do: name → what we do
 * and why. Each is asserted, so the list cannot go stale.
 */
export const DIFFERENCES: Record<string, { rejectWith: string; why: string }> = {
  "RTSP response": {
    rejectWith: "INVALID_VERSION",
    why: "RTSP is not HTTP; an HTTP client must not accept it",
  },
  "ICE response": {
    rejectWith: "INVALID_VERSION",
    why: "ICE is not HTTP; an HTTP client must not accept it",
  },
  "HTTP version 0.9": {
    rejectWith: "INVALID_VERSION",
    why: "HTTP/0.9 has no status line; only HTTP/1.x message syntax is defined by RFC 9112 §2.3",
  },
};

interface Ours {
  messages: LlhttpMessage[];
  error: ProtocolError | undefined;
  upgraded: boolean;
}

/**
 * Feeds the chunks, one response per request. When a keep-alive response ends
 * and more bytes follow, they are read as the answer to a fresh request on a
 * fresh connection (what llhttp's pipelining models); bytes after a response
 * that closed the connection are unsolicited.
 */
function replay(c: LlhttpCase, chunks: Uint8Array[]): Ours {
  const method = c.meta.skipBody ? "HEAD" : "GET";
  const open = () => {
    const conn = new ClientConnection();
    conn.send({
      type: "request",
      method,
      target: "/",
      headers: [
        ["Host", "example.com"],
        ["Connection", "upgrade"],
        ["Upgrade", "h2c"],
      ],
    });
    conn.send({ type: "end" });
    return conn;
  };
  const out: Ours = { messages: [], error: undefined, upgraded: false };
  let conn: ClientConnection | undefined = open();
  let current: LlhttpMessage | undefined;
  const drain = (): boolean => {
    for (let guard = 0; guard < 100_000; guard++) {
      const ev = conn!.nextEvent();
      if (ev === NEED_DATA) return true;
      switch (ev.type) {
        case "informational":
        case "response":
          current = {
            status: ev.status,
            version: ev.version ?? null,
            reason: ev.reason,
            headers: ev.headers,
            body: "",
            complete: ev.type === "informational",
          };
          out.messages.push(current);
          break;
        case "data":
          current!.body += latin1(ev.data);
          break;
        case "upgrade":
          out.messages.push({
            status: ev.status,
            version: ev.version,
            reason: ev.reason,
            headers: ev.headers,
            body: "",
            complete: true,
          });
          out.upgraded = true;
          return false;
        case "end": {
          current!.complete = true;
          if (!conn!.keepAlive) break; // keep reading: any further byte is unsolicited
          const leftover = conn!.trailingData.data.slice();
          conn = undefined;
          if (leftover.length > 0) {
            conn = open();
            conn.receiveData(leftover);
          }
          if (conn === undefined) return true;
          break;
        }
        case "closed":
          return true;
      }
    }
    throw new Error("no progress");
  };
  try {
    for (const chunk of chunks) {
      if (conn === undefined) conn = open();
      conn.receiveData(chunk);
      if (!drain()) break;
    }
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    out.error = error;
  }
  return out;
}

function utf8(latin: string): string {
  return new TextDecoder().decode(Uint8Array.from(latin, (ch) => ch.charCodeAt(0)));
}

function expectAgreement(c: LlhttpCase, ours: Ours): void {
  const theirs = c.summary;
  if (theirs.error === null || theirs.error.name === "PAUSED_UPGRADE") {
    expect(ours.error, `unexpected ${ours.error?.code}: ${ours.error?.message}`).toBeUndefined();
    expect(ours.upgraded).toBe(theirs.error?.name === "PAUSED_UPGRADE");
  } else {
    expect(ours.error, `llhttp rejects (${theirs.error.reason})`).toBeInstanceOf(ProtocolError);
    return;
  }
  const expected = theirs.messages.filter((m) => m.status !== null);
  expect(ours.messages.length).toBe(expected.length);
  expected.forEach((want, i) => {
    const got = ours.messages[i]!;
    expect(got.status).toBe(want.status);
    expect(got.version).toBe(want.version);
    expect(utf8(got.reason ?? "")).toBe(want.reason ?? "");
    // llhttp reports raw value spans; RFC 9110 §5.5 excludes surrounding OWS from the value.
    const wantHeaders = want.headers.map(([n, v]) => [n, v.replace(/^[ \t]+|[ \t]+$/g, "")]);
    expect(got.headers.map(([n, v]) => [n, utf8(v)])).toEqual(wantHeaders);
    expect(utf8(got.body)).toBe(want.body);
    expect(got.complete).toBe(want.complete);
  });
}

const strict = cases.filter((c) => c.meta.type === "response" || c.meta.type === "response-finish");

describe("llhttp response vectors", () => {
  it("has the vendored cases", () => {
    expect(strict.length).toBeGreaterThanOrEqual(75);
  });

  for (const c of strict) {
    const difference = DIFFERENCES[c.name];
    it(`${c.name}${difference ? " (documented difference)" : ""}`, () => {
      const input = fromHex(c.input_hex);
      for (const chunks of splits(input, !c.meta.noScan)) {
        const ours = replay(c, chunks);
        if (difference) {
          expect(ours.error?.code).toBe(difference.rejectWith);
        } else {
          expectAgreement(c, ours);
        }
      }
    });
  }
});
