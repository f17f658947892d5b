// The proxy option without sockets: parsing, the environment's variables,
// NO_PROXY rules, routes and pool identities.
import { describe, expect, it } from "vitest";
import { type ProxySettings, proxyRoute, proxySettings } from "../src/connection/proxy/config.ts";
import { envProxySettings } from "../src/connection/proxy/env.ts";
import { bypassesProxy, parseNoProxy } from "../src/connection/proxy/no-proxy.ts";
import { ProxyRoutes } from "../src/connection/proxy/routes.ts";
import { InvalidRequestError, SocksError } from "../src/index.ts";

let ids = 0;
const identify = () => `#${++ids}`;
const settings = (input: Parameters<typeof proxySettings>[0]) =>
  proxySettings(input, identify) as ProxySettings;

describe("NO_PROXY rules", () => {
  const rules =
    "localhost, .internal ,*.corp.test example.com:8080\t10.0.0.0/8,192.168.1.7 [::1]:9000 fd00::/8 ::2";
  const table: [string, number, boolean][] = [
    ["localhost", 80, true],
    ["LOCALHOST", 443, true],
    ["localhost.", 80, true],
    ["sub.localhost", 80, true],
    ["notlocalhost", 80, false],
    ["internal", 80, true],
    ["a.b.internal", 443, true],
    ["xinternal", 80, false],
    ["corp.test", 80, true],
    ["api.corp.test", 80, true],
    ["example.com", 8080, true],
    ["www.example.com", 8080, true],
    ["example.com", 80, false],
    ["10.1.2.3", 80, true],
    ["10.255.255.255", 1, true],
    ["11.0.0.1", 80, false],
    ["192.168.1.7", 80, true],
    ["192.168.1.8", 80, false],
    ["[::1]", 9000, true],
    ["[::1]", 9001, false],
    ["[fd12:3456::1]", 443, true],
    ["[fe80::1]", 443, false],
    ["[::2]", 80, true],
    ["[::ffff:10.0.0.1]", 80, true],
    ["[::ffff:b00:1]", 80, false],
    ["example.org", 80, false],
  ];
  const noProxy = parseNoProxy(rules);

  it("parses every entry of a mixed list", () => {
    expect(noProxy.invalid).toEqual([]);
    expect(noProxy.rules).toHaveLength(9);
  });

  for (const [host, port, bypass] of table) {
    it(`${host}:${port} ${bypass ? "bypasses" : "uses"} the proxy`, () => {
      expect(bypassesProxy(noProxy, host, port)).toBe(bypass);
    });
  }

  it("`*` bypasses everything; an empty list nothing", () => {
    expect(bypassesProxy(parseNoProxy("*"), "anything.test", 1)).toBe(true);
    expect(bypassesProxy(parseNoProxy(" , "), "anything.test", 1)).toBe(false);
  });

  it("names, not addresses, match name rules (no DNS for NO_PROXY)", () => {
    expect(bypassesProxy(parseNoProxy("127.0.0.0/8"), "localhost", 80)).toBe(false);
    expect(bypassesProxy(parseNoProxy("localhost"), "127.0.0.1", 80)).toBe(false);
  });

  it("NO_PROXY=127.0.0.1 bypasses http://[::ffff:127.0.0.1]:P/ (the URL's mapped IPv6 form)", () => {
    const settings = proxySettings(
      { env: { http_proxy: "http://proxy.test:3128", NO_PROXY: "127.0.0.1" } },
      identify,
    );
    const url = new URL("http://[::ffff:127.0.0.1]:8080/");
    expect(url.hostname).toBe("[::ffff:7f00:1]");
    expect(proxyRoute(settings, url, 8080, false)).toBeUndefined();
    expect(
      proxyRoute(settings, new URL("http://[::ffff:127.0.0.2]:8080/"), 8080, false),
    ).toBeDefined();
  });

  it("an IPv4 entry matches the host's IPv4-mapped IPv6 forms, bracketed or not", () => {
    const noProxy = parseNoProxy("127.0.0.1");
    for (const host of ["[::ffff:7f00:1]", "[::FFFF:127.0.0.1]", "::ffff:7f00:1"])
      expect(bypassesProxy(noProxy, host, 80)).toBe(true);
    expect(bypassesProxy(noProxy, "[::ffff:7f00:2]", 80)).toBe(false);
    expect(bypassesProxy(noProxy, "[::7f00:1]", 80)).toBe(false);
  });

  it("an IPv4-mapped entry matches the IPv4 host and its mapped form", () => {
    for (const entry of ["::ffff:127.0.0.1", "[::ffff:7f00:1]", "[::ffff:127.0.0.1]:80"]) {
      const noProxy = parseNoProxy(entry);
      expect(noProxy.invalid).toEqual([]);
      expect(bypassesProxy(noProxy, "127.0.0.1", 80)).toBe(true);
      expect(bypassesProxy(noProxy, "[::ffff:7f00:1]", 80)).toBe(true);
      expect(bypassesProxy(noProxy, "127.0.0.2", 80)).toBe(false);
    }
  });

  it("CIDR ranges match mapped addresses; a mapped range is the IPv4 range it holds", () => {
    const v4Range = parseNoProxy("127.0.0.0/8");
    expect(bypassesProxy(v4Range, "[::ffff:7f01:203]", 80)).toBe(true);
    expect(bypassesProxy(v4Range, "[::ffff:800:1]", 80)).toBe(false);
    const mappedRange = parseNoProxy("::ffff:10.0.0.0/104");
    expect(bypassesProxy(mappedRange, "10.9.8.7", 80)).toBe(true);
    expect(bypassesProxy(mappedRange, "[::ffff:a09:807]", 80)).toBe(true);
    expect(bypassesProxy(mappedRange, "11.0.0.1", 80)).toBe(false);
    expect(bypassesProxy(parseNoProxy("::ffff:0:0/96"), "203.0.113.5", 80)).toBe(true);
  });

  it("IPv4 entries in short, hex and octal forms are read as URLs read them", () => {
    for (const entry of [
      "127.1",
      "0x7f.0.0.1",
      "0177.0.0.01",
      "0x7f000001",
      "2130706433",
      "127.0.0.1.",
    ]) {
      expect(new URL(`http://${entry}/`).hostname).toBe("127.0.0.1");
      expect(bypassesProxy(parseNoProxy(entry), "127.0.0.1", 80)).toBe(true);
    }
    expect(bypassesProxy(parseNoProxy("10.1/16"), "10.0.200.1", 80)).toBe(true);
    expect(bypassesProxy(parseNoProxy("127.1"), "127.0.0.2", 80)).toBe(false);
  });

  it("a host given in short or hex IPv4 form is normalised before matching", () => {
    const noProxy = parseNoProxy("127.0.0.1");
    expect(bypassesProxy(noProxy, "0x7f.1", 80)).toBe(true);
    expect(bypassesProxy(noProxy, "127.0.0.1.", 80)).toBe(true);
    expect(bypassesProxy(noProxy, "0x7f.2", 80)).toBe(false);
  });

  it("trailing dots and case do not matter on either side", () => {
    expect(bypassesProxy(parseNoProxy("LocalHost."), "localhost", 80)).toBe(true);
    expect(bypassesProxy(parseNoProxy("localhost"), "LOCALHOST.", 80)).toBe(true);
    expect(bypassesProxy(parseNoProxy(".Example.COM."), "api.example.com.", 80)).toBe(true);
    expect(bypassesProxy(parseNoProxy("[::FFFF:7F00:1]"), "127.0.0.1", 80)).toBe(true);
  });

  it("reports entries that make no sense", () => {
    expect(parseNoProxy("10.0.0.0/33,host:0,a..b,[::1]:x,ok.test").invalid).toEqual([
      "10.0.0.0/33",
      "host:0",
      "a..b",
      "[::1]:x",
    ]);
  });
});

describe("environment variables", () => {
  it("lower case wins, an empty lower-case value turns the proxy off", () => {
    expect(
      envProxySettings({ http_proxy: "http://lower:1", HTTP_PROXY: "http://upper:2" }).http,
    ).toBe("http://lower:1");
    expect(envProxySettings({ HTTPS_PROXY: "http://upper:2" }).https).toBe("http://upper:2");
    expect(envProxySettings({ https_proxy: "", HTTPS_PROXY: "http://upper:2" }).https).toBe(
      undefined,
    );
    expect(envProxySettings({ NO_PROXY: " a.test " }).noProxy).toBe("a.test");
  });

  it("ignores upper-case HTTP_PROXY in a CGI program (httpoxy), not the lower-case one", () => {
    const cgi = { REQUEST_METHOD: "GET", HTTP_PROXY: "http://attacker:1" };
    expect(envProxySettings(cgi).http).toBe(undefined);
    expect(envProxySettings({ ...cgi, http_proxy: "http://mine:1" }).http).toBe("http://mine:1");
  });

  it("ALL_PROXY covers the scheme without its own variable; NO_PROXY applies", () => {
    const s = settings({
      env: {
        ALL_PROXY: "socks5h://127.0.0.1:1080",
        https_proxy: "proxy.test:3128",
        no_proxy: ".internal",
      },
    });
    expect(s.http?.href).toBe("socks5h://127.0.0.1:1080");
    // No scheme means an HTTP proxy.
    expect(s.https?.href).toBe("http://proxy.test:3128");
    expect(proxyRoute(s, new URL("https://api.internal/"), 443, false)).toBe(undefined);
    expect(proxyRoute(s, new URL("https://api.example/"), 443, false)?.endpoint).toBe(s.https);
  });

  it("tls and headers given with env apply to its HTTP(S) proxies, not to a SOCKS5 one", () => {
    const s = settings({
      env: { ALL_PROXY: "socks5h://127.0.0.1:1080", HTTPS_PROXY: "https://p.test" },
      tls: { minVersion: "TLSv1.3" },
      headers: { "x-team": "a" },
    });
    expect(s.http?.protocol).toBe("socks5h:");
    expect(s.http?.headers).toEqual([]);
    expect(s.https?.tls).toEqual({ minVersion: "TLSv1.3" });
    expect(s.https?.headers).toEqual([["x-team", "a"]]);
  });

  it("no variable set: no proxy at all", () => {
    expect(proxySettings({ env: { PATH: "/bin" } }, identify)).toBe(undefined);
  });

  it("a bad URL in a variable names the variable, never the value (it may hold a password)", () => {
    const error = (() => {
      try {
        settings({ env: { HTTPS_PROXY: "http://ada:s3cret@[bad/" } });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error?.message).toContain("HTTPS_PROXY");
    expect(error?.message).not.toContain("s3cret");
  });
});

describe("proxy option", () => {
  it("turns URL credentials into Basic Proxy-Authorization (percent-decoded) or SOCKS5 credentials", () => {
    const http = settings("http://ad%40a:p%3Aw@127.0.0.1:3128").http;
    expect(http?.authorization).toBe(`Basic ${btoa("ad@a:p:w")}`);
    expect(http?.href).toBe("http://127.0.0.1:3128");
    const socks = settings("socks5://ada:pw@127.0.0.1").http;
    expect(socks?.credentials).toEqual({ username: "ada", password: "pw" });
    expect(socks?.authorization).toBe(undefined);
    expect(socks?.port).toBe(1080);
    expect(settings("https://proxy.test").https?.port).toBe(443);
  });

  it("a Proxy-Authorization in headers wins over URL credentials and is not sent as a plain header", () => {
    const endpoint = settings({
      url: "http://ada:pw@127.0.0.1:3128",
      headers: { "Proxy-Authorization": "Bearer t0k", "x-team": "a" },
    }).http;
    expect(endpoint?.authorization).toBe("Bearer t0k");
    expect(endpoint?.headers).toEqual([["x-team", "a"]]);
  });

  it("refuses unusable settings with InvalidRequestError", () => {
    const bad: unknown[] = [
      "socks4://127.0.0.1:1080",
      "socks://127.0.0.1:1080",
      "ftp://127.0.0.1",
      "http://",
      { url: "http://p:1", env: {} },
      {},
      { url: "http://p:1", headers: { "x-evil": "a\r\nhost: b" } },
      { url: "http://p:1", headers: { host: "other" } },
      { url: "http://p:1", noProxy: "10.0.0.0/99" },
      { url: "socks5://p:1", headers: { "x-a": "1" } },
      { url: "https://p:1", tls: { cert: "only a cert" } },
      `socks5://${"u".repeat(256)}:pw@p:1`,
      42,
    ];
    for (const input of bad) {
      expect(() => settings(input as never), JSON.stringify(input)).toThrow(InvalidRequestError);
    }
    expect(settings(false)).toBe(undefined);
  });

  it("routes: http: forwarded, https: tunnelled, WebSockets and SOCKS always tunnelled", () => {
    const http = settings("http://127.0.0.1:3128");
    const socks = settings("socks5h://127.0.0.1:1080");
    const plain = new URL("http://a.test/");
    const secure = new URL("https://a.test/");
    expect(proxyRoute(http, plain, 80, false)?.forward).toBe(true);
    expect(proxyRoute(http, secure, 443, false)?.forward).toBe(false);
    expect(proxyRoute(http, plain, 80, true)?.forward).toBe(false);
    expect(proxyRoute(socks, plain, 80, false)?.forward).toBe(false);
  });

  it("pool identities: equal settings share an id, other credentials, TLS or headers do not", () => {
    const routes = new ProxyRoutes("http://ada:pw@127.0.0.1:3128");
    const key = (input?: Parameters<ProxyRoutes["settings"]>[0]) =>
      routes.settings(input)?.http?.key;
    expect(key()).toBe(key("http://ada:pw@127.0.0.1:3128"));
    expect(key()).toBe(key(new URL("http://ada:pw@127.0.0.1:3128")));
    expect(key()).not.toBe(key("http://ada:other@127.0.0.1:3128"));
    expect(key()).not.toBe(key("http://127.0.0.1:3128"));
    expect(key("https://127.0.0.1:3128")).not.toBe(
      key({ url: "https://127.0.0.1:3128", tls: { rejectUnauthorized: false } }),
    );
    expect(key()).not.toBe(key({ url: "http://ada:pw@127.0.0.1:3128", headers: { "x-a": "1" } }));
    // The id stands for the secret: the key itself never holds it.
    expect(key()).not.toContain("pw");
    expect(routes.settings(false)).toBe(undefined);
  });
});

describe("SocksError", () => {
  it("has one code per RFC 1928 reply", () => {
    const codes = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((reply) => SocksError.fromReply(reply, "s").code);
    expect(codes).toEqual([
      "SOCKS_GENERAL_FAILURE",
      "SOCKS_NOT_ALLOWED",
      "SOCKS_NETWORK_UNREACHABLE",
      "SOCKS_HOST_UNREACHABLE",
      "SOCKS_CONNECTION_REFUSED",
      "SOCKS_TTL_EXPIRED",
      "SOCKS_COMMAND_NOT_SUPPORTED",
      "SOCKS_ADDRESS_TYPE_NOT_SUPPORTED",
      "SOCKS_UNKNOWN_REPLY",
    ]);
  });
});
