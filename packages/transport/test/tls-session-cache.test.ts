// The shared TLS session cache, without sockets: what makes two connections
// share sessions, the one-use hand-out with a last resort, the bounds, and
// the size check.
import { describe, expect, test } from "vitest";
import type { ConnectOptions } from "../src/index.ts";
import { createTlsSessionCache, resolveConnectOptions } from "../src/kit.ts";

/** Not a hash, so that the test sees the identity the key is made from. */
const digest = (identity: string) => `digest(${identity})`;
const cache = (maxKeys?: number) =>
  createTlsSessionCache<string>({ ...(maxKeys !== undefined && { maxKeys }), digest })!;
const origin: ConnectOptions = { host: "a.test", port: 443, tls: { ca: "CA" } };
const keyOf = (options: ConnectOptions) => cache().keyOf(resolveConnectOptions(options));

describe("TlsSessionCache", () => {
  test("the key covers every option a session must match, through the digest", () => {
    const base = keyOf(origin);
    expect(base).toMatch(/^digest\(\[.*"CA".*\]\)$/);
    const variants: ConnectOptions[] = [
      { ...origin, host: "b.test" },
      { ...origin, port: 8443 },
      { ...origin, tls: { ca: "CA", servername: "c.test" } },
      { ...origin, tls: { ca: "other CA" } },
      { ...origin, tls: { ca: "CA", cert: "CERT", key: "KEY" } },
      { ...origin, tls: { ca: "CA", rejectUnauthorized: false } },
      { ...origin, tls: { ca: "CA", alpnProtocols: ["http/1.1"] } },
      { ...origin, tls: { ca: "CA", minVersion: "TLSv1.3" } },
      { path: "/run/a.sock", tls: { ca: "CA", servername: "a.test" } },
    ];
    const keys = new Set([base, ...variants.map(keyOf)]);
    expect(keys.size).toBe(variants.length + 1);
    expect(keyOf({ ...origin })).toBe(base);
  });

  test("a pinned target has no key: it never resumes, so its pins meet a full handshake's certificate", () => {
    const pin = "sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    expect(keyOf({ ...origin, tls: { ca: "CA", pins: [pin] } })).toBeNull();
    expect(keyOf({ ...origin, tls: { ca: "CA", pins: [] } })).not.toBeNull();
  });

  test("hands out the newest session once while others remain, the last one every time", () => {
    const sessions = cache();
    sessions.add("k", "s1");
    sessions.add("k", "s2");
    expect(sessions.take("k")).toBe("s2");
    expect(sessions.take("k")).toBe("s1");
    expect(sessions.take("k")).toBe("s1");
    expect(sessions.take("other")).toBeUndefined();
  });

  test("keeps four sessions per key, the oldest dropped first", () => {
    const sessions = cache();
    for (let i = 1; i <= 6; i++) sessions.add("k", `s${i}`);
    const taken = [1, 2, 3, 4, 5].map(() => sessions.take("k"));
    expect(taken).toEqual(["s6", "s5", "s4", "s3", "s3"]);
  });

  test("keeps maxKeys origins, the least recently used dropped first; evict forgets one", () => {
    const sessions = cache(2);
    sessions.add("a", "sa");
    sessions.add("b", "sb");
    sessions.take("a");
    sessions.add("c", "sc");
    expect(sessions.take("b")).toBeUndefined();
    expect(sessions.take("a")).toBe("sa");
    sessions.evict("a");
    expect(sessions.take("a")).toBeUndefined();
    expect(sessions.take("c")).toBe("sc");
  });

  test("maxKeys 0 turns resumption off; anything but an integer >= 0 is a TypeError", () => {
    expect(createTlsSessionCache({ maxKeys: 0, digest })).toBeNull();
    expect(createTlsSessionCache({ digest })).not.toBeNull();
    for (const maxKeys of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => createTlsSessionCache({ maxKeys, digest })).toThrow(TypeError);
    }
  });
});
