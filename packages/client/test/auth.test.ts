import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { readBody, serve, session } from "./harness.ts";

const basic = (user: string, pass: string) =>
  `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;

/** An RFC 7616 server: checks the answer to its challenge with node:crypto. */
function digestServer(
  algorithm: "MD5" | "SHA-256",
  log: Record<string, string>[],
  user = { name: "ada", password: "pa ss", charset: "" },
) {
  const realm = "reqivo@test";
  const nonce = randomBytes(12).toString("hex");
  const opaque = randomBytes(6).toString("hex");
  const h = (text: string) =>
    createHash(algorithm === "MD5" ? "md5" : "sha256")
      .update(text)
      .digest("hex");
  return async (req: IncomingMessage, res: ServerResponse) => {
    const body = (await readBody(req)).toString();
    // node:http reads header bytes as latin1; the UTF-8 a client sent is recovered from them.
    const header = Buffer.from(req.headers.authorization ?? "", "latin1").toString("utf8");
    const params: Record<string, string> = {};
    for (const m of header.matchAll(/(\w+\*?)=(?:"([^"]*)"|([^\s,]+))/g))
      params[m[1]!] = m[2] ?? m[3]!;
    if (header.startsWith("Digest ")) log.push(params);
    const ha1 = h(`${user.name}:${realm}:${user.password}`);
    const username =
      params["username*"] === undefined
        ? params.username
        : decodeURIComponent(params["username*"].replace(/^UTF-8''/i, ""));
    const ha2 = h(`${req.method}:${req.url}`);
    const expected = h(`${ha1}:${nonce}:${params.nc}:${params.cnonce}:auth:${ha2}`);
    const valid =
      params.response === expected &&
      params.uri === req.url &&
      params.opaque === opaque &&
      params.qop === "auth" &&
      username === user.name;
    if (!valid) {
      res.statusCode = 401;
      res.setHeader("www-authenticate", [
        'Basic realm="fallback"',
        `Digest realm="${realm}", qop="auth,auth-int", algorithm=${algorithm}, nonce="${nonce}", opaque="${opaque}"${user.charset}`,
      ]);
      return res.end("denied");
    }
    res.end(`welcome ${body}`);
  };
}

describe("auth", () => {
  it("sends basic and bearer up front, per session and per request", async () => {
    const server = await serve((req, res) => res.end(req.headers.authorization ?? "none"));
    const s = session({ auth: { basic: { username: "ada", password: "pä:ss" } } });
    expect(await (await s.get(server.url)).text()).toBe(
      `Basic ${Buffer.from("ada:pä:ss", "utf8").toString("base64")}`,
    );
    expect(await (await s.get(server.url, { auth: { bearer: "t0k" } })).text()).toBe("Bearer t0k");
    expect(await (await s.get(server.url, { auth: null })).text()).toBe("none");
    expect(await (await s.get(server.url, { headers: { authorization: "Custom x" } })).text()).toBe(
      "Custom x",
    );
  });

  it("takes user:pass@ from the URL as basic and removes it from the URL, target and Host", async () => {
    const server = await serve((req, res) =>
      res.end(
        JSON.stringify({ auth: req.headers.authorization, host: req.headers.host, url: req.url }),
      ),
    );
    const res = await session().get(`http://ada:s%20cret@127.0.0.1:${server.port}/p?q=1`);
    expect(await res.json()).toEqual({
      auth: basic("ada", "s cret"),
      host: `127.0.0.1:${server.port}`,
      url: "/p?q=1",
    });
    expect(res.url).toBe(`http://127.0.0.1:${server.port}/p?q=1`);
  });

  it("never forwards credentials to another origin on redirects", async () => {
    const seen: Record<string, string | undefined> = {};
    const server = await serve((req, res) => {
      seen[`${req.headers.host!.split(":")[0]}${req.url}`] = req.headers.authorization;
      if (req.url === "/out") {
        res.statusCode = 302;
        res.setHeader("location", `http://localhost:${server.port}/elsewhere`);
      } else if (req.url === "/elsewhere") {
        res.statusCode = 307;
        res.setHeader("location", `http://127.0.0.1:${server.port}/back`);
      } else if (req.url === "/same") {
        res.statusCode = 301;
        res.setHeader("location", "/kept");
      }
      res.end();
    });
    const s = session({ auth: { bearer: "secret" } });
    await (await s.get(`${server.url}/same`)).dump();
    expect(seen["127.0.0.1/kept"]).toBe("Bearer secret");
    await (await s.get(`http://u:p@127.0.0.1:${server.port}/out`)).dump();
    expect(seen["127.0.0.1/out"]).toBe(basic("u", "p"));
    expect(seen["localhost/elsewhere"]).toBeUndefined();
    // Once the chain left the origin, coming back does not bring the credentials back.
    expect(seen["127.0.0.1/back"]).toBeUndefined();
  });

  for (const algorithm of ["SHA-256", "MD5"] as const) {
    it(`answers a ${algorithm} digest challenge once, replaying the body, then answers up front`, async () => {
      const log: Record<string, string>[] = [];
      const server = await serve(digestServer(algorithm, log));
      const s = session({ auth: { digest: { username: "ada", password: "pa ss" } } });
      const res = await s.post(`${server.url}/private?x=1`, { body: "payload" });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe("welcome payload");
      expect(log).toHaveLength(1);
      expect(log[0]).toMatchObject({ nc: "00000001", qop: "auth", algorithm });
      expect(log[0]!.cnonce).toMatch(/^[0-9a-f]{32}$/);
      // The next request answers the remembered challenge with the next nonce count.
      const again = await s.get(`${server.url}/again`);
      expect(await again.text()).toBe("welcome ");
      expect(log[1]).toMatchObject({ nc: "00000002" });
      expect(log[1]!.cnonce).not.toBe(log[0]!.cnonce);
    });
  }

  it("sends a non-ASCII digest user name as UTF-8: raw in the quoted string, or username* when the server announced charset=UTF-8", async () => {
    for (const name of ["jörg", "用户"]) {
      for (const charset of ["", ", charset=UTF-8"]) {
        const log: Record<string, string>[] = [];
        const user = { name, password: "pässwörd", charset };
        const server = await serve(digestServer("SHA-256", log, user));
        const s = session({ auth: { digest: { username: name, password: user.password } } });
        const res = await s.get(server.url);
        expect([name, charset, res.status]).toEqual([name, charset, 200]);
        await res.dump();
        if (charset === "") expect(log[0]!.username).toBe(name);
        else expect(log[0]!["username*"]).toBe(`UTF-8''${encodeURIComponent(name)}`);
      }
    }
  });

  it("refuses a digest user name with control characters before sending anything", async () => {
    let requests = 0;
    const server = await serve((_req, res) => {
      requests++;
      res.end();
    });
    const s = session();
    await expect(
      s.get(server.url, { auth: { digest: { username: "ada\r\nX-Injected: 1", password: "p" } } }),
    ).rejects.toMatchObject({ name: "InvalidRequestError", code: "INVALID_REQUEST" });
    expect(requests).toBe(0);
  });

  it("returns the 401 when the challenge cannot be answered", async () => {
    const log: Record<string, string>[] = [];
    const server = await serve(digestServer("SHA-256", log));
    const wrong = session({ auth: { digest: { username: "ada", password: "wrong" } } });
    const denied = await wrong.get(server.url);
    expect(denied.status).toBe(401);
    expect(await denied.text()).toBe("denied");
    expect(log).toHaveLength(1); // answered once, not again
    const streamed = session({ auth: { digest: { username: "ada", password: "pa ss" } } });
    const body = (async function* () {
      yield "once";
    })();
    const unanswered = await streamed.post(server.url, { body });
    expect(unanswered.status).toBe(401);
    await unanswered.dump();
  });
});

describe("credentials stay on the origin they were set for", () => {
  const credentialEcho = (req: IncomingMessage, res: ServerResponse) =>
    res.end(
      JSON.stringify({
        host: req.headers.host,
        authorization: req.headers.authorization,
        apiKey: req.headers["x-api-key"],
        other: req.headers["x-other"],
      }),
    );

  it("sends a baseUrl session's auth and credential headers only to the base origin", async () => {
    const server = await serve(credentialEcho);
    const s = session({
      baseUrl: `${server.url}/v1/`,
      auth: { bearer: "session-secret" },
      headers: { "x-api-key": "k3y", "x-other": "kept" },
    });
    const here = await (await s.get("items")).json();
    expect(here).toMatchObject({ authorization: "Bearer session-secret", apiKey: "k3y" });
    const port = server.port;
    for (const elsewhere of [
      `//localhost:${port}/x`,
      `/\\localhost:${port}/x`,
      `http://localhost:${port}/x`,
    ]) {
      const seen = await (await s.get(elsewhere)).json();
      expect([elsewhere, seen]).toEqual([elsewhere, { host: `localhost:${port}`, other: "kept" }]);
    }
    // Credentials the caller gives for the request itself go where the caller sends them.
    const given = (await (
      await s.get(`http://localhost:${port}/x`, { auth: { bearer: "mine" } })
    ).json()) as { authorization?: string };
    expect(given.authorization).toBe("Bearer mine");
  });

  it("with stayOnBaseOrigin refuses other origins before sending, and redirects that leave it", async () => {
    let requests = 0;
    const server = await serve((req, res) => {
      requests++;
      if (req.url === "/away") {
        res.statusCode = 302;
        res.setHeader("location", `http://localhost:${server.port}/x`);
      }
      res.end();
    });
    const s = session({ baseUrl: server.url, stayOnBaseOrigin: true });
    await expect(s.get(`//localhost:${server.port}/x`)).rejects.toMatchObject({
      name: "InvalidRequestError",
      code: "INVALID_REQUEST",
    });
    expect(requests).toBe(0);
    await (await s.get("/here")).dump();
    await expect(s.get("/away")).rejects.toMatchObject({ name: "RedirectError" });
    expect(requests).toBe(2);
    expect(() => session({ stayOnBaseOrigin: true })).toThrow(/baseUrl/);
  });

  it("drops common API-key headers on a cross-origin redirect, or the list the caller gives", async () => {
    const server = await serve((req, res) => {
      if (req.url === "/out") {
        res.statusCode = 307;
        res.setHeader("location", `http://localhost:${server.port}/landed`);
        return res.end();
      }
      credentialEcho(req, res);
    });
    const headers = { "x-api-key": "k3y", "x-other": "custom" };
    const s = session();
    const byDefault = await (await s.get(`${server.url}/out`, { headers })).json();
    expect(byDefault).toEqual({ host: `localhost:${server.port}`, other: "custom" });
    const ownList = await (
      await s.get(`${server.url}/out`, { headers, redirect: { sensitiveHeaders: ["X-Other"] } })
    ).json();
    expect(ownList).toEqual({ host: `localhost:${server.port}`, apiKey: "k3y" });
    // A same-origin redirect keeps them all.
    const same = await (await s.get(`http://localhost:${server.port}/out`, { headers })).json();
    expect(same).toMatchObject({ apiKey: "k3y", other: "custom" });
  });
});
