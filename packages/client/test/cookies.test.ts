import { describe, expect, it } from "vitest";
import { serve, session } from "./harness.ts";

describe("cookie jar", () => {
  it("stores Set-Cookie and sends cookies back by path, and forgets expired ones", async () => {
    const server = await serve((req, res) => {
      if (req.url === "/login") {
        res.setHeader("set-cookie", [
          "sid=abc; Path=/; HttpOnly",
          "scoped=1; Path=/admin",
          "gone=1; Max-Age=0",
        ]);
      }
      if (req.url === "/logout")
        res.setHeader("set-cookie", "sid=; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
      res.end(req.headers.cookie ?? "");
    });
    const s = session();
    expect(await (await s.get(`${server.url}/login`)).text()).toBe("");
    expect(await (await s.get(`${server.url}/`)).text()).toBe("sid=abc");
    expect(await (await s.get(`${server.url}/admin/x`)).text()).toBe("scoped=1; sid=abc");
    await (await s.get(`${server.url}/logout`)).dump();
    expect(await (await s.get(`${server.url}/admin`)).text()).toBe("scoped=1");
    expect(await s.cookies?.get(`${server.url}/admin`)).toEqual({ scoped: "1" });
  });

  it("stores cookies from every redirect hop before following it", async () => {
    const server = await serve((req, res) => {
      if (req.url === "/login") {
        res.statusCode = 302;
        res.setHeader("location", "/step");
        res.setHeader("set-cookie", "sid=1");
      } else if (req.url === "/step") {
        res.statusCode = 303;
        res.setHeader("location", "/home");
        res.setHeader("set-cookie", "step=2");
      }
      res.end(req.headers.cookie ?? "");
    });
    const res = await session().post(`${server.url}/login`, { body: "x" });
    expect(await res.text()).toBe("sid=1; step=2");
    expect(res.history.map((h) => h.status)).toEqual([302, 303]);
  });

  it("scopes cookies per host across a cross-origin redirect, and drops a caller Cookie header there", async () => {
    const seen: Record<string, string | undefined> = {};
    const server = await serve((req, res) => {
      const host = req.headers.host!.split(":")[0]!;
      seen[`${host}${req.url}`] = req.headers.cookie;
      if (req.url === "/set") res.setHeader("set-cookie", `from=${host}`);
      if (req.url === "/go") {
        res.statusCode = 302;
        res.setHeader("location", `http://localhost:${server.port}/landing`);
      }
      res.end();
    });
    const s = session();
    await (await s.get(`${server.url}/set`)).dump();
    await (await s.get(`${server.localhost}/set`)).dump();
    await (await s.get(`${server.url}/go`, { headers: { cookie: "mine=1" } })).dump();
    expect(seen["127.0.0.1/go"]).toBe("mine=1; from=127.0.0.1");
    expect(seen["localhost/landing"]).toBe("from=localhost");
  });

  it("merges the jar with a caller Cookie header, the caller winning per name", async () => {
    const server = await serve((req, res) => {
      if (req.url === "/set") res.setHeader("set-cookie", ["a=jar", "b=jar"]);
      res.end(req.headers.cookie ?? "");
    });
    const s = session();
    await (await s.get(`${server.url}/set`)).dump();
    const res = await s.get(`${server.url}/`, { headers: { Cookie: "a=mine; c=3" } });
    expect(await res.text()).toBe("a=mine; c=3; b=jar");
  });

  it("never stores or sends Secure and __Host- cookies over plain HTTP", async () => {
    const server = await serve((req, res) => {
      if (req.url === "/set")
        res.setHeader("set-cookie", ["s=1; Secure", "__Host-h=1; Path=/", "plain=1"]);
      res.end(req.headers.cookie ?? "");
    });
    const s = session();
    await (await s.get(`${server.url}/set`)).dump();
    expect(await (await s.get(`${server.url}/`)).text()).toBe("plain=1");
    // A Secure cookie imported for this host stays off plain HTTP too.
    const snapshot = s.cookies!.toJSON();
    snapshot.cookies.push({
      key: "imported",
      value: "1",
      domain: "127.0.0.1",
      path: "/",
      secure: true,
      hostOnly: true,
    });
    const restored = session({ cookies: snapshot });
    expect(await (await restored.get(`${server.url}/`)).text()).toBe("plain=1");
  });

  it("exports the jar as JSON and starts a new session from it; cookies: false turns it off", async () => {
    const server = await serve((req, res) => {
      if (req.url === "/set") res.setHeader("set-cookie", "sid=42; Max-Age=3600");
      res.end(req.headers.cookie ?? "");
    });
    const first = session();
    await (await first.get(`${server.url}/set`)).dump();
    const saved = JSON.parse(JSON.stringify(first.cookies!.toJSON()));
    const second = session({ cookies: saved });
    expect(await (await second.get(`${server.url}/`)).text()).toBe("sid=42");
    const off = session({ cookies: false });
    expect(off.cookies).toBeUndefined();
    await (await off.get(`${server.url}/set`)).dump();
    expect(await (await off.get(`${server.url}/`)).text()).toBe("");
  });
});
