// Session name resolution end to end on Node: a lookup hook and a table of
// addresses reaching local servers, TLS still checked against the name, the
// cache in front of the hook or the transport's resolver, typed failures, and
// happy eyeballs past a dead first address.
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  DnsError,
  type LookupAddress,
  type LookupFunction,
  TlsNameMismatchError,
  type Transport,
} from "@reqivo/transport";
import { createTransport } from "@reqivo/transport-node";
import { describe, expect, it } from "vitest";
import { InvalidRequestError } from "../src/index.ts";
import { serve, session } from "./harness.ts";
import { certs, httpsServer } from "./tls-servers.ts";
import { echo, wsServer } from "./websocket-servers.ts";

const LOOPBACK: LookupAddress[] = [{ address: "127.0.0.1", family: 4 }];

/** A hook that answers every name with `answer` and records the names asked. */
function recording(answer: readonly LookupAddress[] = LOOPBACK) {
  const calls: string[] = [];
  const lookup: LookupFunction = async (hostname) => {
    calls.push(hostname);
    return answer;
  };
  return { calls, lookup };
}

/** Answers with the Host header, and closes the connection: every request connects (and resolves) anew. */
function closing(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader("connection", "close");
  res.end(`host=${req.headers.host}`);
}

describe("DNS", () => {
  it("a lookup hook sends a name to a local server; Host keeps the name", async () => {
    const server = await serve(closing);
    const hook = recording();
    const s = session({ dns: { lookup: hook.lookup } });
    const res = await s.get(`http://api.reqivo.test:${server.port}/`);
    expect(await res.text()).toBe(`host=api.reqivo.test:${server.port}`);
    expect(hook.calls).toEqual(["api.reqivo.test"]);
    // IP literals are never looked up.
    await (await s.get(`${server.url}/`)).dump();
    expect(hook.calls).toHaveLength(1);
  });

  it("a table pins names to addresses; other names resolve as usual", async () => {
    const server = await serve(closing);
    const s = session({ dns: { lookup: { "API.reqivo.test": ["127.0.0.1"], "v6.test": "::1" } } });
    expect(await (await s.get(`http://api.reqivo.test:${server.port}/`)).text()).toBe(
      `host=api.reqivo.test:${server.port}`,
    );
    expect(await (await s.get(`http://localhost:${server.port}/`)).text()).toBe(
      `host=localhost:${server.port}`,
    );
  });

  it("HTTPS to a pinned name verifies the certificate against the name, not the address", async () => {
    const { ca, named } = await certs();
    const server = await httpsServer(named);
    const s = session({
      tls: { ca },
      dns: { lookup: { "sni.test": "127.0.0.1", "other.test": "127.0.0.1" } },
    });
    expect(await (await s.get(`https://sni.test:${server.port}/x`)).text()).toBe("ok /x");
    await expect(s.get(`https://other.test:${server.port}/`)).rejects.toBeInstanceOf(
      TlsNameMismatchError,
    );
  });

  // Expiry itself is checked on a fake clock in dns-cache.test.ts: a real
  // short TTL here would make the test depend on the machine's load.
  it("the cache calls the hook once for many connects within the TTL", async () => {
    const server = await serve(closing);
    const hook = recording();
    const s = session({ dns: { lookup: hook.lookup, cache: { ttl: 60_000 } } });
    const url = `http://cached.test:${server.port}/`;
    for (let i = 0; i < 4; i++) await (await s.get(url)).dump();
    expect(server.accepted).toBe(4);
    expect(hook.calls).toEqual(["cached.test"]);
  });

  it("without a cache the hook is asked on every connect; concurrent connects share one cached lookup", async () => {
    const server = await serve(closing);
    const plain = recording();
    const s = session({ dns: { lookup: plain.lookup } });
    for (let i = 0; i < 2; i++) await (await s.get(`http://p.test:${server.port}/`)).dump();
    expect(plain.calls).toHaveLength(2);
    const shared = recording();
    const c = session({ dns: { lookup: shared.lookup, cache: true } });
    const responses = await Promise.all(
      [1, 2, 3].map(() => c.get(`http://shared.test:${server.port}/`)),
    );
    for (const res of responses) await res.dump();
    expect(shared.calls).toEqual(["shared.test"]);
  });

  it("caches the transport's own resolver when no hook is given", async () => {
    const server = await serve(closing);
    const node = createTransport();
    let calls = 0;
    const transport: Transport = {
      name: "counting",
      connect: (options) => node.connect(options),
      lookup: (hostname, options) => {
        calls++;
        return node.lookup!(hostname, options);
      },
    };
    const s = session({ transport, dns: { cache: true } });
    for (let i = 0; i < 3; i++) {
      expect(await (await s.get(`http://localhost:${server.port}/`)).text()).toBe(
        `host=localhost:${server.port}`,
      );
    }
    expect(calls).toBe(1);
  });

  it("lookup failures are typed DnsErrors, and are not cached", async () => {
    const server = await serve(closing);
    let fail = true;
    const s = session({
      dns: {
        cache: true,
        lookup: async (hostname) => {
          if (fail) throw new Error(`no such host ${hostname}`);
          return LOOPBACK;
        },
      },
    });
    const url = `http://flaky.test:${server.port}/`;
    const error = await s.get(url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DnsError);
    expect((error as DnsError).code).toBe("DNS_FAILURE");
    expect((error as DnsError).hostname).toBe("flaky.test");
    const empty = session({ dns: { lookup: async () => [] } });
    await expect(empty.get(url)).rejects.toBeInstanceOf(DnsError);
    fail = false;
    expect(await (await s.get(url)).text()).toBe(`host=flaky.test:${server.port}`);
  });

  it("happy eyeballs: a dead first address is passed over for a live second one", async () => {
    const server = await serve(closing);
    // The server listens on 127.0.0.1 only: 127.0.0.2 refuses.
    const hook = recording([
      { address: "127.0.0.2", family: 4 },
      { address: "127.0.0.1", family: 4 },
    ]);
    const s = session({ dns: { lookup: hook.lookup, happyEyeballsDelay: 20 } });
    expect(await (await s.get(`http://two.test:${server.port}/`)).text()).toBe(
      `host=two.test:${server.port}`,
    );
    expect(server.accepted).toBe(1);
  });

  it("WebSockets resolve through the session's DNS too", async () => {
    const server = await wsServer();
    echo(server.wss);
    const hook = recording();
    try {
      const port = new URL(server.url).port;
      const ws = await session({ dns: { lookup: hook.lookup } }).websocket(`ws://ws.test:${port}/`);
      await ws.send("via dns");
      expect((await ws[Symbol.asyncIterator]().next()).value).toBe("via dns");
      await ws.close();
      expect(hook.calls).toEqual(["ws.test"]);
    } finally {
      await server.close();
    }
  });

  it("refuses malformed DNS options with InvalidRequestError", () => {
    expect(() => session({ dns: { lookup: { "a.test": "not-an-ip" } } })).toThrow(
      InvalidRequestError,
    );
    expect(() => session({ dns: { lookup: { "a.test": [] } } })).toThrow(InvalidRequestError);
    expect(() => session({ dns: { cache: { ttl: -5 } } })).toThrow(InvalidRequestError);
    expect(() => session({ dns: { happyEyeballsDelay: -1 } })).toThrow(InvalidRequestError);
    expect(() => session({ dns: { lookup: 42 as never } })).toThrow(InvalidRequestError);
  });
});
