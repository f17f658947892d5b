import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import {
  RedirectError,
  RedirectLoopError,
  type Response,
  TooManyRedirectsError,
} from "../src/index.ts";
import { followRedirect } from "../src/redirect.ts";
import { serve, session } from "./harness.ts";

async function report(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const parts: Buffer[] = [];
  for await (const p of req) parts.push(p as Buffer);
  res.setHeader("content-type", "application/json");
  res.end(
    JSON.stringify({
      method: req.method,
      url: req.url,
      headers: req.headers,
      body: Buffer.concat(parts).toString(),
    }),
  );
}

function redirect(res: ServerResponse, status: number, location: string): void {
  res.statusCode = status;
  res.setHeader("location", location);
  res.end("moved");
}

describe("redirects", () => {
  it("reads a Location sent as raw UTF-8 bytes as UTF-8 (nginx sends them so)", async () => {
    const server = await serve((req, res) => {
      // node:http writes this header as its UTF-8 bytes, as nginx does.
      if (req.url === "/utf8") return redirect(res, 302, "/fïlé.txt");
      void report(req, res);
    });
    const utf8 = await session().get(`${server.url}/utf8`);
    expect(((await utf8.json()) as { url: string }).url).toBe("/f%C3%AFl%C3%A9.txt");
  });

  it("keeps a Location whose bytes are not UTF-8 as latin1", () => {
    // 0xE9 alone is not UTF-8; the header arrives decoded as latin1 "é".
    const next = followRedirect(new URL("http://a/x"), 302, "/caf\u00e9", "GET", [], null, []);
    expect(next.url.pathname).toBe("/caf%C3%A9");
    const utf8 = followRedirect(
      new URL("http://a/x"),
      302,
      "/caf\u00c3\u00a9",
      "GET",
      [],
      null,
      [],
    );
    expect(utf8.url.pathname).toBe("/caf%C3%A9");
  });

  it("follows a chain and records its history", async () => {
    const server = await serve((req, res) => {
      if (req.url === "/a") return redirect(res, 301, "/b");
      if (req.url === "/b") return redirect(res, 302, "/c?x=1");
      void report(req, res);
    });
    const res = await session().get(`${server.url}/a`);
    expect(res.status).toBe(200);
    expect(res.url).toBe(`${server.url}/c?x=1`);
    expect(res.redirected).toBe(true);
    expect(res.history.map((h) => [h.url, h.status])).toEqual([
      [`${server.url}/a`, 301],
      [`${server.url}/b`, 302],
    ]);
    expect(((await res.json()) as { url: string }).url).toBe("/c?x=1");
    // Every hop's connection went back to the pool: one socket served them all.
    expect(server.accepted).toBe(1);
  });

  it("each hop's response keeps the history as it was when it came", async () => {
    const server = await serve((req, res) => {
      if (req.url === "/a") return redirect(res, 301, "/b");
      if (req.url === "/b") return redirect(res, 302, "/c");
      void report(req, res);
    });
    const hops: Response[] = [];
    const res = await session().get(`${server.url}/a`, {
      hooks: { beforeRedirect: [({ response }) => void hops.push(response)] },
    });
    expect(hops.map((hop) => hop.history.map((h) => h.status))).toEqual([[], [301]]);
    expect(res.history.map((h) => h.status)).toEqual([301, 302]);
    await res.text();
  });

  it("rewrites methods per the Fetch standard and drops Content-* on the switch to GET", async () => {
    const server = await serve((req, res) => {
      const status = Number(req.url?.slice(1));
      if (status >= 300) return redirect(res, status, "/done");
      void report(req, res);
    });
    const s = session();
    const cases: [number, string, string][] = [
      [301, "POST", "GET"],
      [302, "POST", "GET"],
      [303, "POST", "GET"],
      [303, "PUT", "GET"],
      [303, "HEAD", "HEAD"],
      [301, "PUT", "PUT"],
      [307, "POST", "POST"],
      [308, "PUT", "PUT"],
    ];
    for (const [status, method, expected] of cases) {
      const body = method === "HEAD" ? undefined : "payload";
      const res = await s.request(`${server.url}/${status}`, {
        method,
        body,
        headers: { "content-language": "en" },
      });
      if (method === "HEAD") {
        expect(res.url).toBe(`${server.url}/done`);
        continue;
      }
      const seen = (await res.json()) as {
        method: string;
        body: string;
        headers: Record<string, string>;
      };
      expect([status, method, seen.method]).toEqual([status, method, expected]);
      if (expected === "GET") {
        expect(seen.body).toBe("");
        expect(seen.headers["content-type"]).toBeUndefined();
        expect(seen.headers["content-language"]).toBeUndefined();
      } else {
        expect(seen.body).toBe("payload");
        expect(seen.headers["content-language"]).toBe("en");
      }
    }
  });

  it("never carries credentials or conditions to another origin", async () => {
    const other = await serve((req, res) => void report(req, res));
    const origin = await serve((req, res) => {
      if (req.url === "/same") return redirect(res, 302, "/final");
      if (req.url === "/cross") return redirect(res, 302, `${other.url}/final`);
      void report(req, res);
    });
    const headers = {
      authorization: "Bearer secret",
      cookie: "sid=1",
      "proxy-authorization": "Basic x",
      "if-none-match": '"v1"',
      "x-custom": "kept",
    };
    const s = session();
    const same = (await (await s.get(`${origin.url}/same`, { headers })).json()) as {
      headers: Record<string, string>;
    };
    expect(same.headers.authorization).toBe("Bearer secret");
    expect(same.headers.cookie).toBe("sid=1");
    const cross = (await (await s.get(`${origin.url}/cross`, { headers })).json()) as {
      headers: Record<string, string>;
    };
    expect(cross.headers.authorization).toBeUndefined();
    expect(cross.headers.cookie).toBeUndefined();
    expect(cross.headers["proxy-authorization"]).toBeUndefined();
    expect(cross.headers["if-none-match"]).toBeUndefined();
    expect(cross.headers["x-custom"]).toBe("kept");
    expect(cross.headers.host).toBe(`127.0.0.1:${other.port}`);

    // A Host the caller set names the first server: the next origin gets its own.
    const withHost = { ...headers, host: `127.0.0.1:${origin.port}` };
    const hosted = (await (await s.get(`${origin.url}/cross`, { headers: withHost })).json()) as {
      headers: Record<string, string>;
    };
    expect(hosted.headers.host).toBe(`127.0.0.1:${other.port}`);
  });

  it("stops at the limit, detects loops, and honours manual and error modes", async () => {
    const server = await serve((req, res) => {
      const n = Number(req.url?.slice(1));
      if (req.url === "/loop") return redirect(res, 302, "/loop2");
      if (req.url === "/loop2") return redirect(res, 302, "/loop");
      redirect(res, 302, `/${n + 1}`);
    });
    const s = session();
    await expect(s.get(`${server.url}/0`, { redirect: { max: 3 } })).rejects.toBeInstanceOf(
      TooManyRedirectsError,
    );
    await expect(s.get(`${server.url}/loop`)).rejects.toBeInstanceOf(RedirectLoopError);
    const manual = await s.get(`${server.url}/0`, { redirect: "manual" });
    expect(manual.status).toBe(302);
    expect(manual.headers.get("location")).toBe("/1");
    await manual.dump();
    await expect(s.get(`${server.url}/0`, { redirect: "error" })).rejects.toBeInstanceOf(
      RedirectError,
    );
  });

  it("refuses to replay a streamed body on 307/308 and to leave HTTP", async () => {
    const server = await serve((req, res) => {
      if (req.url === "/ftp") return redirect(res, 302, "ftp://example.com/");
      req.resume();
      redirect(res, 307, "/again");
    });
    const s = session();
    async function* stream() {
      yield "once";
    }
    await expect(s.post(`${server.url}/307`, { body: stream() })).rejects.toBeInstanceOf(
      RedirectError,
    );
    await expect(s.get(`${server.url}/ftp`)).rejects.toMatchObject({ code: "REDIRECT" });
  });
});
