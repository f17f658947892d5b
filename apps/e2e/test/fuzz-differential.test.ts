// The differential fuzzer's bounded CI run (issue 22 §2–4): generated
// responses checked against llhttp in strict mode and for split invariance,
// with fixed seeds. `npx pnpm --filter @reqivo/e2e fuzz:diff` runs it for longer.
import { beforeAll, describe, expect, it } from "vitest";
import { classifyHttp, httpDivergences } from "../src/differential/divergences.ts";
import { fromLatin1, type HttpCase } from "../src/differential/http-case.ts";
import { runLlhttp } from "../src/differential/http-llhttp.ts";
import { runReqivoHttp } from "../src/differential/http-reqivo.ts";
import {
  differentialLoop,
  httpCaseAt,
  type LoopResult,
  type Parser,
  wsCaseAt,
} from "../src/differential/loop.ts";
import { runReqivoWs, runWsReceiver } from "../src/differential/ws.ts";

const SEED = 22_2026;
const one = (response: string, method: "GET" | "HEAD" | "CONNECT" = "GET"): HttpCase => ({
  exchanges: [{ method, upgrade: false, bytes: fromLatin1(response) }],
  limits: "default",
  eof: true,
});

/** A bounded run with the fixed seed (by count; the time cap only guards a slow machine). */
function fixedSeedRun(parser: Parser, cases: number) {
  let run: LoopResult | undefined;
  beforeAll(() => {
    run = differentialLoop({ parser, seed: SEED, until: Date.now() + 8_000, cases, shrink: false });
  });
  const result = () => run as LoopResult;
  return {
    result,
    /** Each finding of this kind with its replay line and input, for a readable failure. */
    of: (kind: string) =>
      result()
        .reports.filter((r) => r.finding.kind === kind)
        .map((r) => `${r.finding.signature}: ${r.replay}\n  ${r.shrunk}`),
  };
}

describe("differential fuzzing of the HTTP/1.1 reader against llhttp (strict)", () => {
  const run = fixedSeedRun("http", 800);

  it("generates and checks cases, and the oracle disagrees somewhere (the list is in use)", () => {
    expect(run.result().cases).toBeGreaterThan(50);
    expect(Object.keys(run.result().listed).length).toBeGreaterThan(3);
  });

  it("no crash, no loop", () => {
    expect(run.of("crash")).toEqual([]);
  });

  it("no divergence from llhttp outside the reviewed list", () => {
    expect(run.of("divergence")).toEqual([]);
  });

  // Every input is also fed byte by byte, after every CR and at seeded cuts: the verdict must not move.
  it("no split-dependent verdict (issue 22 §1, verdicts in byte order)", () => {
    expect(run.of("split")).toEqual([]);
  });

  it("a case replays from its seed and index", () => {
    const a = httpCaseAt(SEED, 17).c;
    const b = httpCaseAt(SEED, 17).c;
    expect(b).toEqual(a);
  });

  it("every listed divergence names both verdicts and an RFC section", () => {
    for (const d of httpDivergences) {
      expect(d.why).toMatch(/RFC \d{4} §/);
      expect(d.reqivo.length * d.oracle.length * d.shape.length).toBeGreaterThan(0);
    }
  });

  it.each([
    [
      "Transfer-Encoding: chunked;",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked;\r\n\r\n0\r\n\r\n",
      "transfer-coding-syntax",
    ],
    [
      "an obs-fold outside framing fields",
      "HTTP/1.1 200 OK\r\nA: b\r\n c\r\nContent-Length: 0\r\n\r\n",
      "obs-fold-unfolded",
    ],
    ["status 099", "HTTP/1.1 099 OK\r\n\r\n", "status-below-100"],
    [
      // fuzz:diff --parser http --seed 1098865724 --case 69401: another field ending in "Content-Length"
      "the same Content-Length twice around an eContent-Length field",
      "HTTP/1.1 500 \r\nContent-Length:17\r\neContent-Length:\r\nContent-Length:17\r\n\r\nbbbbbbbbbbbbbbbbb",
      "same-content-length-repeated",
    ],
  ])("the oracle differs on %s, and the list says why", (_name, response, id) => {
    const c = one(response);
    expect(classifyHttp(c, runReqivoHttp(c), runLlhttp(c))).toBe(id);
  });

  it.each([
    [
      "Content-Length with Transfer-Encoding",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
    ],
    ["a fold inside Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n 3\r\n\r\nabc"],
  ])("both refuse %s", (_name, response) => {
    const c = one(response);
    expect(runReqivoHttp(c).error).toBeDefined();
    expect(runLlhttp(c).error).toBeDefined();
  });
});

describe("differential fuzzing of the WebSocket frame reader against ws's Receiver", () => {
  const run = fixedSeedRun("ws", 3000);

  it("generates and checks cases", () => {
    expect(run.result().cases).toBeGreaterThan(500);
  });

  it("no crash, no loop", () => {
    expect(run.of("crash")).toEqual([]);
  });

  it("no divergence from ws outside the reviewed list", () => {
    expect(run.of("divergence")).toEqual([]);
  });

  it("no split-dependent verdict", () => {
    expect(run.of("split")).toEqual([]);
  });

  it("a case replays from its seed and index", () => {
    expect(wsCaseAt(SEED, 5).c).toEqual(wsCaseAt(SEED, 5).c);
  });

  it("both readers agree on a fragmented text message with a ping between fragments, and on a bad close code", () => {
    const frames = Uint8Array.from([
      0x01, 2, 0x68, 0xc3, 0x89, 1, 0x7a, 0x80, 1, 0xa9, 0x88, 2, 0x03, 0xed,
    ]);
    const c = { bytes: frames, maxMessage: 256 };
    expect(runReqivoWs(c)).toEqual(runWsReceiver(c));
    expect(runReqivoWs(c)).toEqual({ events: ["ping z", 'text "hé"'], closeCode: 1002 });
  });
});

// Found by `fuzz:diff` and fixed in packages/protocol (replay lines in the titles);
// kept as regression vectors. Each asserts the behaviour the RFC asks for.
describe("findings of the differential fuzzer, fixed in @reqivo/protocol", () => {
  it("a Content-Length with a 0xA0 byte around the digits is refused, as llhttp does (RFC 9110 §8.6: 1*DIGIT; fuzz:diff --parser http --seed 7 --case 404)", () => {
    for (const value of ["\xa05", "5\xa0"])
      expect(
        runReqivoHttp(one(`HTTP/1.1 200 OK\r\nContent-Length: ${value}\r\n\r\nhello`)).error,
      ).toBe("INVALID_CONTENT_LENGTH");
  });

  it("whitespace after a chunk extension's value is refused, as llhttp does (RFC 9112 §7.1.1 allows BWS only around ';' and '=')", () => {
    const c = one(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b \r\nhello\r\n0\r\n\r\n",
    );
    expect(runReqivoHttp(c).error).toBeDefined();
  });

  it("a 101 to a CONNECT that offered no Upgrade is UNEXPECTED_UPGRADE (RFC 9110 §7.8; fuzz:diff --parser http --seed 7 --case 1313)", () => {
    expect(runReqivoHttp(one("HTTP/1.1 101 Switching Protocols\r\n\r\n", "CONNECT")).error).toBe(
      "UNEXPECTED_UPGRADE",
    );
  });

  it("a close frame announcing a 1-byte payload fails (1002) at its length byte, as ws does (issue 22 §1; fuzz:diff --parser ws --seed 7 --case 14791)", () => {
    expect(runReqivoWs({ bytes: Uint8Array.from([0x88, 0x01]), maxMessage: 256 }).closeCode).toBe(
      1002,
    );
  });
});

// Found by `fuzz:diff` in the oracle's harness, not in a parser.
describe("findings of the differential fuzzer, fixed in the harness", () => {
  it('"Connection: close-" is another option, not close: a stray byte after a 204 on the kept connection is unsolicited for both (fuzz:diff --parser http --seed 666552212 --case 192037)', () => {
    const c: HttpCase = {
      exchanges: [
        {
          method: "GET",
          upgrade: false,
          bytes: fromLatin1("HTTP/1.1 204 \r\nConnection:CLOSE-\r\n\r\n\n"),
        },
        { method: "GET", upgrade: false, bytes: fromLatin1("") },
      ],
      limits: "small",
      eof: true,
    };
    expect(runReqivoHttp(c).error).toBe("UNSOLICITED_DATA");
    expect(runLlhttp(c).error).toBe("UNSOLICITED_DATA");
    // With the close token itself, the connection ends after the 204 and nothing is owed.
    const closing = structuredClone(c);
    closing.exchanges[0]!.bytes = fromLatin1("HTTP/1.1 204 \r\nConnection: close\r\n\r\n");
    expect(runReqivoHttp(closing).error).toBeUndefined();
    expect(runLlhttp(closing).error).toBeUndefined();
  });
});
