// SOCKS5 proxies over real loopback sockets: names resolved by the proxy,
// user/password authentication, each failure as its own SocksError code,
// TLS to the origin through the tunnel.
import { generateTestCertificates } from "@reqivo/transport/testing";
import { describe, expect, it } from "vitest";
import { ProxyError, SocksError } from "../src/index.ts";
import { raw, session, track } from "./harness.ts";
import { freePort, origin, type SocksOptions, socksProxy } from "./proxy-kit.ts";

describe("SOCKS5", () => {
  it("no auth: names go to the proxy (ATYP domain), addresses as addresses; the tunnel is reused", async () => {
    const site = track(await origin());
    const socks = track(await socksProxy());
    const s = session({ proxy: `socks5://127.0.0.1:${socks.port}` });
    expect(await (await s.get(`http://localhost:${site.port}/x`)).text()).toBe("GET /x HTTP/1.1");
    const again = await s.get(`http://localhost:${site.port}/y`);
    expect(await again.text()).toBe("GET /y HTTP/1.1");
    expect(again.timings.reused).toBe(true);
    await (await s.get(`${site.url}/ip`)).text();
    expect(socks.seen).toEqual([
      { atyp: 3, host: "localhost", port: site.port, username: undefined },
      { atyp: 1, host: "127.0.0.1", port: site.port, username: undefined },
    ]);
    // Origin-form requests inside the tunnel, nothing of the proxy's.
    expect(site.received[0]).toMatch(/^GET \/x HTTP\/1\.1\r\nhost: localhost:\d+\r\n/);
    expect(site.received.join("")).not.toMatch(/proxy-authorization/i);
  });

  it("user and password (RFC 1929) from the URL, percent-decoded", async () => {
    const site = track(await origin());
    const socks = track(await socksProxy({ auth: { username: "ada", password: "p@ss" } }));
    const s = session({ proxy: `socks5h://ada:p%40ss@127.0.0.1:${socks.port}` });
    expect(await (await s.get(`${site.url}/auth`)).text()).toBe("GET /auth HTTP/1.1");
    expect(socks.seen[0]?.username).toBe("ada");
  });

  it("a wrong password: SOCKS_AUTH_FAILED; none when one is needed: SOCKS_NO_ACCEPTABLE_METHOD", async () => {
    const socks = track(await socksProxy({ auth: { username: "ada", password: "pw" } }));
    const wrong = session({ proxy: `socks5h://ada:nope@127.0.0.1:${socks.port}` });
    const error = await wrong.get("http://localhost:9/").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SocksError);
    expect(error).toBeInstanceOf(ProxyError);
    expect((error as SocksError).code).toBe("SOCKS_AUTH_FAILED");
    expect((error as SocksError).message).not.toContain("nope");
    const none = session({ proxy: `socks5h://127.0.0.1:${socks.port}` });
    await expect(none.get("http://localhost:9/")).rejects.toMatchObject({
      code: "SOCKS_NO_ACCEPTABLE_METHOD",
    });
  });

  it("a target that refuses: SOCKS_CONNECTION_REFUSED with the reply code", async () => {
    const socks = track(await socksProxy());
    const s = session({ proxy: `socks5h://127.0.0.1:${socks.port}` });
    const port = await freePort();
    await expect(s.get(`http://127.0.0.1:${port}/`)).rejects.toMatchObject({
      code: "SOCKS_CONNECTION_REFUSED",
      reply: 5,
      proxy: `socks5h://127.0.0.1:${socks.port}`,
    });
  });

  it("every reply code has its own error code", async () => {
    const options: SocksOptions = {};
    const socks = track(await socksProxy(options));
    const s = session({ proxy: `socks5h://127.0.0.1:${socks.port}` });
    const codes: string[] = [];
    for (const reply of [1, 2, 3, 4, 6, 7, 8, 0x42]) {
      options.reply = reply;
      const error = await s.get("http://reply.test/").catch((e: unknown) => e);
      codes.push(`${(error as SocksError).reply}:${(error as SocksError).code}`);
    }
    expect(codes).toEqual([
      "1:SOCKS_GENERAL_FAILURE",
      "2:SOCKS_NOT_ALLOWED",
      "3:SOCKS_NETWORK_UNREACHABLE",
      "4:SOCKS_HOST_UNREACHABLE",
      "6:SOCKS_TTL_EXPIRED",
      "7:SOCKS_COMMAND_NOT_SUPPORTED",
      "8:SOCKS_ADDRESS_TYPE_NOT_SUPPORTED",
      "66:SOCKS_UNKNOWN_REPLY",
    ]);
  });

  it("not a SOCKS5 server, or one that hangs up mid-handshake: SOCKS_PROTOCOL_ERROR", async () => {
    const http = await raw((socket) => socket.end("HTTP/1.1 400 Bad Request\r\n\r\n"));
    const hangUp = await raw((socket) => socket.once("data", () => socket.end(Buffer.of(5))));
    for (const server of [http, hangUp]) {
      const s = session({ proxy: `socks5h://127.0.0.1:${server.port}` });
      await expect(s.get("http://localhost:9/")).rejects.toMatchObject({
        code: "SOCKS_PROTOCOL_ERROR",
      });
    }
  });

  it("the connect timeout covers the handshake", async () => {
    const silent = await raw(() => undefined);
    const s = session({ proxy: `socks5h://127.0.0.1:${silent.port}`, timeout: { connect: 200 } });
    await expect(s.get("http://localhost:9/")).rejects.toMatchObject({ code: "CONNECT_TIMEOUT" });
  });

  it("https: TLS to the origin through the SOCKS tunnel", async () => {
    const certs = await generateTestCertificates();
    const site = track(await origin(certs.server));
    const socks = track(await socksProxy());
    const s = session({ proxy: `socks5h://127.0.0.1:${socks.port}`, tls: { ca: certs.ca } });
    const res = await s.get(`https://localhost:${site.port}/secure`);
    expect(await res.text()).toBe("GET /secure HTTP/1.1");
    expect(socks.seen[0]).toMatchObject({ atyp: 3, host: "localhost", port: site.port });
  });
});
