import { describe, expect, test } from "vitest";
import { type HeaderPair, Headers } from "../../src/http/headers.ts";

const wire: HeaderPair[] = [
  ["Content-Type", "text/plain"],
  ["Set-Cookie", "a=1; Path=/"],
  ["connection", "keep-alive, Upgrade"],
  ["set-cookie", "b=2, c=3"],
  ["X-Empty", ""],
];
/** The same fields behind 20 fillers: lists over 16 pairs are looked up through an index. */
const long: HeaderPair[] = [
  ...Array.from({ length: 20 }, (_, i): HeaderPair => [`x-filler-${i}`, String(i)]),
  ...wire,
];

describe.each([
  ["a short list (searched in place)", wire],
  ["a long list (indexed)", long],
])("Headers over %s", (_, pairs) => {
  const headers = new Headers(pairs);

  test("get is case-insensitive and joins repeats with a comma", () => {
    expect(headers.get("content-type")).toBe("text/plain");
    expect(headers.get("CONTENT-TYPE")).toBe("text/plain");
    expect(headers.get("Set-Cookie")).toBe("a=1; Path=/, b=2, c=3");
    expect(headers.get("x-empty")).toBe("");
    expect(headers.get("content-length")).toBeNull();
    // Same length as a present name, different letters.
    expect(headers.get("content-tyPX")).toBeNull();
  });

  test("getAll and getSetCookie keep each value, in wire order", () => {
    expect(headers.getAll("SET-COOKIE")).toEqual(["a=1; Path=/", "b=2, c=3"]);
    expect(headers.getSetCookie()).toEqual(["a=1; Path=/", "b=2, c=3"]);
    expect(headers.getAll("absent")).toEqual([]);
    // A copy: changing it leaves the headers alone.
    headers.getAll("set-cookie").push("d=4");
    expect(headers.getSetCookie()).toHaveLength(2);
  });

  test("has tells present from absent whatever the case", () => {
    expect(headers.has("Connection")).toBe(true);
    expect(headers.has("x-empty")).toBe(true);
    expect(headers.has("upgrade")).toBe(false);
  });

  test("tokens splits, trims and lower-cases the elements", () => {
    expect(headers.tokens("connection")).toEqual(["keep-alive", "upgrade"]);
    expect(headers.tokens("absent")).toEqual([]);
  });

  test("iteration keeps the wire's order and case", () => {
    expect([...headers]).toEqual(pairs);
    expect(headers.size).toBe(pairs.length);
  });
});
