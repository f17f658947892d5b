// The client through a real SOCKS5 server, Dante's danted (Debian's
// dante-server), when installed: two instances on free loopback ports, one
// without authentication, one that requires RFC 1929 username/password (Dante
// checks those against the system's accounts, which a test cannot add to: only
// the refusals are checked there). A `socks block` rule refuses one port.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateTestCertificates, type TestCertificates } from "@reqivo/transport/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProxyError, SocksError } from "../src/index.ts";
import { serve, session } from "./harness.ts";
import { freePort } from "./proxy-kit.ts";
import {
  expectWebSocketEcho,
  patternBytes,
  type RealServer,
  requireProgram,
  serverDir,
  startServer,
} from "./real-servers.ts";
import { httpsServer } from "./tls-servers.ts";

const danted = requireProgram("danted", "dante-server");

/** Starts danted on `port` with `method` (none or username); connects to `blocked` are refused. */
async function startDante(port: number, method: string, blocked: number): Promise<RealServer> {
  const dir = serverDir("dante");
  const config = join(dir, "danted.conf");
  writeFileSync(
    config,
    `logoutput: ${dir}/danted.log
internal: 127.0.0.1 port = ${port}
external: 127.0.0.1
socksmethod: ${method}
clientmethod: none
user.privileged: root
user.unprivileged: nobody
client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }
socks block { from: 127.0.0.0/8 to: 127.0.0.1/32 port = ${blocked} }
socks pass { from: 127.0.0.0/8 to: 0.0.0.0/0 command: connect }
`,
  );
  return startServer(
    danted as string,
    ["-f", config, "-p", join(dir, "danted.pid"), "-N", "1"],
    dir,
    [port],
  );
}

describe.skipIf(danted === undefined)("through dante (SOCKS5)", () => {
  let open: RealServer;
  let guarded: RealServer;
  let openPort: number;
  let guardedPort: number;
  let blocked: number;
  let certs: TestCertificates;

  beforeAll(async () => {
    certs = await generateTestCertificates();
    [openPort, guardedPort, blocked] = [await freePort(), await freePort(), await freePort()];
    [open, guarded] = await Promise.all([
      startDante(openPort, "none", blocked),
      startDante(guardedPort, "username", blocked),
    ]);
  });

  afterAll(async () => {
    await Promise.all([open?.stop(), guarded?.stop()]);
  });

  it("socks5: and socks5h: to a node:http origin; the tunnel is reused; 1 MiB byte for byte", async () => {
    const big = patternBytes(1024 * 1024);
    const site = await serve((req, res) => res.end(req.url === "/big" ? big : `via ${req.url}`));
    for (const scheme of ["socks5", "socks5h"]) {
      const s = session({ proxy: `${scheme}://127.0.0.1:${openPort}` });
      const res = await s.get(`http://localhost:${site.port}/a`);
      expect(await res.text()).toBe("via /a");
      const again = await s.get(`http://localhost:${site.port}/big`);
      expect(again.timings.reused).toBe(true);
      expect(Buffer.from(await again.bytes()).equals(big)).toBe(true);
      await s.close();
    }
  });

  it("credentials offered to a dante that wants none: it picks no auth, and the request goes through", async () => {
    const site = await serve((req, res) => res.end(`via ${req.url}`));
    const s = session({ proxy: `socks5h://ada:pw@127.0.0.1:${openPort}` });
    expect(await (await s.get(`${site.url}/offered`)).text()).toBe("via /offered");
  });

  it("https: through the tunnel, TLS to the origin inside", async () => {
    const site = await httpsServer(certs.server, (req, res) => res.end(`secure ${req.url}`));
    const s = session({ proxy: `socks5h://127.0.0.1:${openPort}`, tls: { ca: certs.ca } });
    const res = await s.get(`https://localhost:${site.port}/x`);
    expect(await res.text()).toBe("secure /x");
  });

  it("40 requests at once over at most 5 tunnels, and a WebSocket through one", async () => {
    const site = await serve((req, res) => res.end(`n ${req.url}`));
    const s = session({ proxy: `socks5h://127.0.0.1:${openPort}`, pool: { connections: 5 } });
    const texts = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => (await s.get(`${site.url}/${i}`)).text()),
    );
    expect(texts).toEqual(Array.from({ length: 40 }, (_, i) => `n /${i}`));
    await expectWebSocketEcho(s, "through dante");
  });

  it("a target nothing listens on, and one the rules block: their SOCKS replies as SocksError", async () => {
    const s = session({ proxy: `socks5://127.0.0.1:${openPort}` });
    const refused = await s.get(`http://127.0.0.1:${await freePort()}/`).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SocksError);
    expect((refused as SocksError).code).toBe("SOCKS_CONNECTION_REFUSED");
    const ruled = await s.get(`http://127.0.0.1:${blocked}/`).catch((e: unknown) => e);
    expect(ruled).toBeInstanceOf(SocksError);
    expect((ruled as SocksError).code).toBe("SOCKS_NOT_ALLOWED");
  });

  it("username required: none offered is SOCKS_NO_ACCEPTABLE_METHOD, a wrong password SOCKS_AUTH_FAILED", async () => {
    const none = session({ proxy: `socks5h://127.0.0.1:${guardedPort}` });
    const error = await none.get("http://localhost:9/").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProxyError);
    expect((error as SocksError).code).toBe("SOCKS_NO_ACCEPTABLE_METHOD");
    const wrong = session({ proxy: `socks5h://nobody:not-the-password@127.0.0.1:${guardedPort}` });
    const failed = await wrong.get("http://localhost:9/").catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(SocksError);
    expect((failed as SocksError).code).toBe("SOCKS_AUTH_FAILED");
    expect((failed as SocksError).message).not.toContain("not-the-password");
  });
});
