// OriginTargets remembers the origin asked for last and compares the next
// URL's href with it: a URL whose href merely starts with that origin's text
// (a longer port or host, userinfo) must still get its own target.
import { describe, expect, it } from "vitest";
import { OriginTargets } from "../src/connection/origin-targets.ts";

function targets(): OriginTargets {
  return new OriginTargets({
    tls: { options: undefined, key: "" },
    socketPath: undefined,
    dns: undefined,
    proxy: undefined,
    http2: undefined,
  });
}

describe("OriginTargets.of", () => {
  it("gives each origin its own target, whatever was asked for just before", () => {
    const of = targets();
    const keyOf = (href: string) => of.of(new URL(href)).key;
    expect(keyOf("http://a.test:8/x")).toBe("http://a.test:8");
    expect(keyOf("http://a.test:80/x")).toBe("http://a.test:80");
    expect(keyOf("http://a.test:8080/")).toBe("http://a.test:8080");
    expect(keyOf("http://a.test:8080/y")).toBe("http://a.test:8080");
    expect(keyOf("http://a.test.example/")).toBe("http://a.test.example:80");
    expect(keyOf("http://a.test/")).toBe("http://a.test:80");
    expect(keyOf("https://a.test/")).toBe("https://a.test:443");
    expect(keyOf("http://[::1]:8/")).toBe("http://[::1]:8");
    expect(keyOf("http://[::1]:81/")).toBe("http://[::1]:81");
  });

  it("hands out the same target for the same origin, with or without userinfo, path or query", () => {
    const of = targets();
    const first = of.of(new URL("http://127.0.0.1:9000/a?b=1"));
    expect(of.of(new URL("http://127.0.0.1:9000/c"))).toBe(first);
    const withUser = of.of(new URL("http://user:pw@127.0.0.1:9000/"));
    expect(withUser.key).toBe(first.key);
    expect(of.of(new URL("http://127.0.0.1:9001/")).port).toBe(9001);
    expect(of.of(new URL("http://127.0.0.1:9000/")).key).toBe(first.key);
  });
});
