/** The pure pieces, imported from src: items, cookies, JSON styling, file names, the progress line. */
import { describe, expect, it } from "vitest";
import { normalizeUrl, parseCommandLine } from "../src/args.ts";
import { ProgressBar, suggestedFilename } from "../src/download.ts";
import { parseItem } from "../src/items.ts";
import { sessionNetworkOptions } from "../src/network.ts";
import { styleJson } from "../src/style.ts";

describe("items", () => {
  it("splits at the first separator, the longer one winning at one position", () => {
    expect(parseItem("X-A:b=c")).toEqual({ kind: "header", name: "X-A", value: "b=c" });
    expect(parseItem("a=b:c")).toEqual({ kind: "data", key: "a", value: "b:c" });
    expect(parseItem("n:=1")).toEqual({ kind: "json", key: "n", value: 1 });
    expect(parseItem("q==x=y")).toEqual({ kind: "query", key: "q", value: "x=y" });
    expect(parseItem("f@a/b.txt")).toEqual({ kind: "file", key: "f", path: "a/b.txt" });
    expect(parseItem("a\\:b=1")).toEqual({ kind: "data", key: "a:b", value: "1" });
    expect(parseItem("email=a@b.c")).toEqual({ kind: "data", key: "email", value: "a@b.c" });
  });

  it("tells METHOD URL from URL ITEM", () => {
    expect(parseCommandLine(["localhost", "a=b"])).toMatchObject({
      method: undefined,
      url: "localhost",
    });
    expect(parseCommandLine(["get", "localhost"])).toMatchObject({
      method: "GET",
      url: "localhost",
    });
    expect(parseCommandLine(["PURGE", "localhost:8080/x"])).toMatchObject({ method: "PURGE" });
    expect(parseCommandLine(["example.org"])).toMatchObject({
      method: undefined,
      url: "example.org",
    });
  });

  it("normalizes URLs", () => {
    expect(normalizeUrl(":3000/x").href).toBe("http://localhost:3000/x");
    expect(normalizeUrl("example.org").href).toBe("http://example.org/");
    expect(normalizeUrl("https://example.org/a").href).toBe("https://example.org/a");
  });
});

describe("JSON styling", () => {
  it("re-indents token by token, keeping number lexemes", () => {
    const text = '{"big":12345678901234567890,"x":[],"y":{},"z":[1.50,"a\\"b"]}';
    expect(styleJson(text, { format: true, colors: false })).toBe(
      '{\n  "big": 12345678901234567890,\n  "x": [],\n  "y": {},\n  "z": [\n    1.50,\n    "a\\"b"\n  ]\n}',
    );
    expect(styleJson("not json {", { format: true, colors: true })).toBe("not json {");
  });
});

describe("downloads", () => {
  it("picks a safe file name", () => {
    const url = new URL("http://h/files/a%20b.tar.gz?x=1");
    expect(suggestedFilename(url, null)).toBe("a b.tar.gz");
    expect(suggestedFilename(url, 'attachment; filename="../../etc/passwd"')).toBe("passwd");
    expect(suggestedFilename(url, "attachment; filename*=UTF-8''na%C3%AFve.txt")).toBe("naïve.txt");
    expect(suggestedFilename(new URL("http://h/"), null)).toBe("index.html");
  });

  it("draws percent, bar, bytes, rate and ETA", () => {
    let clock = 0;
    const frames: string[] = [];
    const bar = new ProgressBar({ write: (t) => frames.push(t), columns: 100 }, 4096, {
      now: () => clock,
    });
    clock = 1000;
    bar.add(1024);
    expect(frames[0]).toBe(
      `\r\x1b[2K 25% [${"=".repeat(9)}>${" ".repeat(30)}] 1.00 KiB / 4.00 KiB  1.00 KiB/s  ETA 00:03`,
    );
    const open = new ProgressBar({ write: () => true }, undefined, { now: () => clock });
    clock = 3000;
    open.add(2048);
    expect(open.line(true)).toBe("2.00 KiB  1.00 KiB/s  done");
  });
});

describe("networking options", () => {
  it("--resolve: names lower-cased, repeats gathered, IPv6 bare or bracketed", async () => {
    const { network } = parseCommandLine([
      "--resolve",
      "API.test:10.0.0.7",
      "--resolve",
      "api.test:[fd00::7]",
      "--resolve",
      "db.test:::1",
      "--resolve",
      "__proto__:127.0.0.1",
      "x.test",
    ]);
    const options = await sessionNetworkOptions(network);
    const table = options.dns?.lookup as Record<string, string[]>;
    expect(Object.entries(table)).toEqual([
      ["api.test", ["10.0.0.7", "fd00::7"]],
      ["db.test", ["::1"]],
      ["__proto__", ["127.0.0.1"]],
    ]);
  });

  it("--no-proxy wins over --proxy; TLS settings only when asked for", async () => {
    const direct = parseCommandLine(["--proxy", "http://p:3128", "--no-proxy", "x.test"]);
    expect(await sessionNetworkOptions(direct.network)).toEqual({ proxy: false });
    expect(await sessionNetworkOptions(parseCommandLine(["x.test"]).network)).toEqual({});
    const tls = parseCommandLine([
      "--tls-min",
      "1.3",
      "-k",
      "--pin",
      "sha256/a",
      "--pin",
      "sha256/b",
      "x.test",
    ]);
    expect(await sessionNetworkOptions(tls.network)).toEqual({
      tls: { minVersion: "TLSv1.3", rejectUnauthorized: false, pins: ["sha256/a", "sha256/b"] },
    });
  });
});
