import { createTransport } from "@reqivo/transport-node";
import { describe, expect, it } from "vitest";
import { createFetch, MockTransport, Session } from "../src/index.ts";
import { keep, track } from "./harness.ts";
import { httpServer } from "./servers.ts";

describe("fetch()", () => {
  it("behaves like WHATWG fetch and returns the runtime's own Response", async () => {
    const server = await httpServer(async (req, res) => {
      if (req.url === "/go") {
        res.statusCode = 302;
        res.setHeader("location", "/json");
        return res.end();
      }
      const parts: Buffer[] = [];
      for await (const p of req) parts.push(p as Buffer);
      res.setHeader("content-type", "application/json");
      res.setHeader("set-cookie", ["a=1", "b=2"]);
      res.end(JSON.stringify({ method: req.method, body: Buffer.concat(parts).toString() }));
    });
    track(server);
    const session = new Session({ transport: createTransport() });
    keep(session);
    const fetch = createFetch(session);
    const res = await fetch(`${server.url}/go`, {
      method: "POST",
      body: "hi",
      headers: { "x-a": "1" },
    });
    expect(res).toBeInstanceOf(globalThis.Response);
    expect(res.status).toBe(200);
    expect(res.redirected).toBe(true);
    expect(res.url).toBe(`${server.url}/json`);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(await res.json()).toEqual({ method: "GET", body: "" });

    const posted = await fetch(new Request(`${server.url}/json`, { method: "PUT", body: "data" }));
    expect(await posted.json()).toEqual({ method: "PUT", body: "data" });
    await expect(fetch(`${server.url}/json`, { method: "GET", body: "x" })).rejects.toBeInstanceOf(
      TypeError,
    );
    await expect(fetch("not a url")).rejects.toBeInstanceOf(TypeError);
    const manual = await fetch(`${server.url}/go`, { redirect: "manual" });
    expect(manual.status).toBe(302);
    await manual.body?.cancel();
  });
});

describe("MockTransport", () => {
  it("serves requests from a function through the real protocol code", async () => {
    const transport = new MockTransport((req) => {
      if (req.target === "/stream")
        return { headers: { "content-type": "text/plain" }, body: ["a", "b", "c"] };
      if (req.target === "/raw")
        return { raw: "HTTP/1.1 418 I'm a teapot\r\nContent-Length: 3\r\n\r\ntea" };
      return {
        status: 201,
        headers: [["x-method", req.method]],
        body: `${req.method} ${req.target} ${new TextDecoder().decode(req.body)}`,
      };
    });
    const session = new Session({ transport, baseUrl: "http://api.test" });
    keep(session);
    const created = await session.post("/items", { json: { a: 1 } });
    expect(created.status).toBe(201);
    expect(created.headers.get("x-method")).toBe("POST");
    expect(await created.text()).toBe('POST /items {"a":1}');
    expect(await (await session.get("/stream")).text()).toBe("abc");
    const teapot = await session.get("/raw");
    expect([teapot.status, teapot.statusText, await teapot.text()]).toEqual([
      418,
      "I'm a teapot",
      "tea",
    ]);
    expect(transport.requests.map((r) => r.target)).toEqual(["/items", "/stream", "/raw"]);
    expect(transport.requests[0]?.headers.get("content-type")).toBe("application/json");
    expect(transport.requests.map((r) => r.connection)).toEqual([1, 1, 1]);
  });
});
