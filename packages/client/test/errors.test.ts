// The client's error brands: fixed `Symbol.for` strings, whatever the classes
// are called at run time. A minifier renames classes (their `name`); another
// copy or version of the package recognises an error by its brand only.
import { afterEach, describe, expect, it } from "vitest";
import {
  AbortError,
  BodyTimeoutError,
  DeadlineExceededError,
  DecompressionError,
  HeadersTimeoutError,
  HttpError,
  InvalidRequestError,
  ProxyError,
  RedirectError,
  RedirectLoopError,
  ReqivoError,
  type Response,
  SessionClosedError,
  SocksError,
  TimeoutError,
  TooManyRedirectsError,
  WebSocketError,
} from "../src/index.ts";

const response = { status: 500, statusText: "Internal Server Error", url: "http://a/" };

/** One instance of every class, with the brand strings earlier versions gave it, spelled out. */
const cases: [Error, string[]][] = [
  [new ReqivoError("BODY_USED", "x"), ["reqivo.error.ReqivoError"]],
  [new HeadersTimeoutError(1), ["reqivo.error.HeadersTimeoutError", "reqivo.error.TimeoutError"]],
  [new BodyTimeoutError(1), ["reqivo.error.BodyTimeoutError", "reqivo.error.TimeoutError"]],
  [
    new DeadlineExceededError(1),
    ["reqivo.error.DeadlineExceededError", "reqivo.error.TimeoutError"],
  ],
  [new AbortError("why"), ["reqivo.error.AbortError"]],
  [new TooManyRedirectsError(2), ["reqivo.error.TooManyRedirectsError"]],
  [new RedirectLoopError("http://a/"), ["reqivo.error.RedirectLoopError"]],
  [new RedirectError("no"), ["reqivo.error.RedirectError"]],
  [new HttpError(response as Response), ["reqivo.error.HttpError"]],
  [new SessionClosedError(), ["reqivo.error.SessionClosedError"]],
  [new InvalidRequestError("bad"), ["reqivo.error.InvalidRequestError"]],
  [new DecompressionError("DECOMPRESSION_FAILED", "bad"), ["reqivo.error.DecompressionError"]],
  [new ProxyError("PROXY_TUNNEL_FAILED", "no", { proxy: "p" }), ["reqivo.error.ProxyError"]],
  [SocksError.fromReply(5, "p"), ["reqivo.error.SocksError", "reqivo.error.ProxyError"]],
  [new WebSocketError("HANDSHAKE_FAILED", "no"), ["reqivo.error.WebSocketError"]],
];

/** What a minifier does to a class: a short name in place of its own. */
const renamed: { target: object; name: string }[] = [];
function minify(errorClass: object, name: string): void {
  renamed.push({ target: errorClass, name: (errorClass as { name: string }).name });
  Object.defineProperty(errorClass, "name", { value: name, configurable: true });
}

afterEach(() => {
  for (const { target, name } of renamed.splice(0)) {
    Object.defineProperty(target, "name", { value: name, configurable: true });
  }
});

function brands(error: Error): string[] {
  return Object.getOwnPropertySymbols(error)
    .map((symbol) => Symbol.keyFor(symbol))
    .filter((key): key is string => key !== undefined && key !== "reqivo.error")
    .sort();
}

describe("error brands", () => {
  it("every class carries the brand strings earlier versions gave it, and is named after them", () => {
    for (const [error, expected] of cases) {
      expect(brands(error)).toEqual(expect.arrayContaining(expected));
      expect((error as unknown as Record<symbol, unknown>)[Symbol.for("reqivo.error")]).toBe(true);
      expect(error.name).toBe(expected[0]!.slice("reqivo.error.".length));
    }
  });

  it("classes renamed as a minifier does keep their brands, names and instanceof", () => {
    for (const [errorClass, short] of [
      [HttpError, "a"],
      [TimeoutError, "b"],
      [HeadersTimeoutError, "c"],
      [ProxyError, "d"],
      [SocksError, "e"],
      [ReqivoError, "f"],
    ] as const) {
      minify(errorClass, short);
    }
    const timeout = new HeadersTimeoutError(1);
    expect(HeadersTimeoutError.name).toBe("c");
    expect(timeout.name).toBe("HeadersTimeoutError");
    expect(brands(timeout)).toEqual([
      "reqivo.error.HeadersTimeoutError",
      "reqivo.error.ReqivoError",
      "reqivo.error.TimeoutError",
    ]);
    expect(timeout).toBeInstanceOf(TimeoutError);
    expect(timeout).toBeInstanceOf(ReqivoError);
    expect(timeout).not.toBeInstanceOf(HttpError);
    const socks = SocksError.fromReply(1, "p");
    expect(socks.name).toBe("SocksError");
    expect(socks).toBeInstanceOf(ProxyError);
    expect(new HttpError(response as Response)).toBeInstanceOf(HttpError);
  });

  it("an error of another copy or version, known by its brand strings only, is recognised", () => {
    const fromElsewhere = Object.assign(Object.create(Error.prototype) as Error, {
      [Symbol.for("reqivo.error")]: true,
      [Symbol.for("reqivo.error.TimeoutError")]: true,
      [Symbol.for("reqivo.error.BodyTimeoutError")]: true,
    });
    expect(fromElsewhere).toBeInstanceOf(ReqivoError);
    expect(fromElsewhere).toBeInstanceOf(TimeoutError);
    expect(fromElsewhere).toBeInstanceOf(BodyTimeoutError);
    expect(fromElsewhere).not.toBeInstanceOf(HeadersTimeoutError);
    expect(new Error("plain")).not.toBeInstanceOf(ReqivoError);
  });

  it("a caller's subclass, from a class expression of another name, is checked by its prototype", () => {
    const Mine = class Renamed extends HttpError {};
    const mine = new Mine(response as Response);
    expect(mine.name).toBe("Renamed");
    expect(mine).toBeInstanceOf(Mine);
    expect(mine).toBeInstanceOf(HttpError);
    expect(mine).toBeInstanceOf(ReqivoError);
    expect(brands(mine)).toEqual(["reqivo.error.HttpError", "reqivo.error.ReqivoError"]);
    expect(new HttpError(response as Response)).not.toBeInstanceOf(Mine);
  });
});
