// The client against a real-world proxy, tinyproxy (a Debian package), when
// it is on PATH: started on a free loopback port with a generated config,
// Basic auth on. CI machines do not have it; the block is then skipped with
// a message saying so.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateTestCertificates, type TestCertificates } from "@reqivo/transport/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProxyError } from "../src/index.ts";
import { session, track } from "./harness.ts";
import { freePort, origin } from "./proxy-kit.ts";
import { accepts } from "./real-servers.ts";

const available = spawnSync("tinyproxy", ["-v"], { stdio: "ignore" }).status === 0;
if (!available)
  console.warn(
    "tinyproxy is not on PATH: the tinyproxy cases are skipped (apt-get install tinyproxy)",
  );

describe.skipIf(!available)("against tinyproxy", () => {
  let child: ChildProcess | undefined;
  let dir: string;
  let port: number;
  let certs: TestCertificates;

  beforeAll(async () => {
    certs = await generateTestCertificates();
    port = await freePort();
    dir = mkdtempSync(join(tmpdir(), "reqivo-tinyproxy-"));
    const config = join(dir, "tinyproxy.conf");
    writeFileSync(
      config,
      [
        `Port ${port}`,
        "Listen 127.0.0.1",
        "Timeout 30",
        "MaxClients 20",
        "Allow 127.0.0.1",
        "BasicAuth ada pw",
        "DisableViaHeader Yes",
        "LogLevel Critical",
        "",
      ].join("\n"),
    );
    child = spawn("tinyproxy", ["-d", "-c", config], { stdio: "ignore" });
    for (let attempt = 0; attempt < 100 && !(await accepts(port)); attempt++)
      await new Promise((resolve) => setTimeout(resolve, 50));
  });

  afterAll(async () => {
    if (child !== undefined && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once("exit", resolve));
      child.kill();
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("forwards an http: request with Basic credentials; the origin never sees them", async () => {
    const site = track(await origin());
    const s = session({ proxy: `http://ada:pw@127.0.0.1:${port}` });
    const res = await s.get(`${site.url}/via-tinyproxy?q=1`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("GET /via-tinyproxy?q=1 HTTP/1.1");
    expect(site.received.join("")).not.toMatch(/proxy-authorization/i);
  });

  it("tunnels https: through CONNECT, TLS to the origin inside", async () => {
    const site = track(await origin(certs.server));
    const s = session({ proxy: `http://ada:pw@127.0.0.1:${port}`, tls: { ca: certs.ca } });
    const res = await s.get(`https://localhost:${site.port}/secure`);
    expect(await res.text()).toBe("GET /secure HTTP/1.1");
    expect(site.received.join("")).not.toMatch(/proxy-authorization/i);
  });

  it("without credentials: ProxyError PROXY_AUTH_REQUIRED for CONNECT, a 407 response when forwarding", async () => {
    const site = track(await origin());
    const s = session({ proxy: `http://127.0.0.1:${port}` });
    const error = await s.get("https://localhost:9/").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProxyError);
    expect((error as ProxyError).code).toBe("PROXY_AUTH_REQUIRED");
    expect((error as ProxyError).headers?.get("proxy-authenticate")).toMatch(/^Basic/i);
    const forwarded = await s.get(`${site.url}/`);
    expect(forwarded.status).toBe(407);
    await forwarded.dump();
  });
});
