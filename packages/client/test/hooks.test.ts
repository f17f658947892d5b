import { describe, expect, it } from "vitest";
import { InvalidRequestError, type Progress, type ReqivoError } from "../src/index.ts";
import { readBody, serve, session } from "./harness.ts";

describe("hooks", () => {
  it("beforeRequest changes url, headers and body; session hooks run before request hooks", async () => {
    const server = await serve(async (req, res) => {
      res.end(`${req.method} ${req.url} ${req.headers["x-order"]} ${await readBody(req)}`);
    });
    const s = session({
      hooks: { beforeRequest: [(req) => req.headers.set("x-order", "session")] },
    });
    const res = await s.post(`${server.url}/original`, {
      body: "original",
      hooks: {
        beforeRequest: [
          (req) => {
            req.url = new URL("/changed?by=hook", req.url);
            req.headers.set("x-order", `${req.headers.get("x-order")},request`);
            req.body = "replaced";
          },
        ],
      },
    });
    expect(await res.text()).toBe("POST /changed?by=hook session,request replaced");
  });

  it("beforeRedirect sees each hop and may change it; afterResponse may replace the response", async () => {
    const server = await serve((req, res) => {
      if (req.url === "/start") {
        res.statusCode = 302;
        res.setHeader("location", "/next");
        return res.end();
      }
      res.end(`${req.url} ${req.headers["x-hop"] ?? "-"}`);
    });
    const hops: string[] = [];
    const s = session();
    const res = await s.get(`${server.url}/start`, {
      hooks: {
        beforeRedirect: [
          (r) => {
            hops.push(`${r.response.status} ${r.from.pathname} -> ${r.url.pathname}`);
            r.headers.set("x-hop", "marked");
          },
        ],
        afterResponse: [
          async (response, ctx) =>
            response.status === 200 && ctx.url.pathname === "/next"
              ? s.get(`${server.url}/replacement`)
              : undefined,
        ],
      },
    });
    expect(hops).toEqual(["302 /start -> /next"]);
    expect(await res.text()).toBe("/replacement -");
  });

  it("onError transforms the error", async () => {
    const s = session();
    const error = await s
      .get("http://127.0.0.1:1/", {
        hooks: {
          onError: [(e, ctx) => new InvalidRequestError(`wrapped ${ctx.url?.port}`, { cause: e })],
        },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message).toBe("wrapped 1");
    expect(((error as Error).cause as ReqivoError).code).toBe("CONNECTION_REFUSED");
  });
});

describe("progress", () => {
  it("reports upload progress up to the body length", async () => {
    const server = await serve(async (req, res) => res.end(String((await readBody(req)).length)));
    const events: Progress[] = [];
    const body = new Uint8Array(300 * 1024);
    const res = await session().post(server.url, {
      body: new Blob([body, body]),
      onUploadProgress: (p) => events.push(p),
    });
    expect(await res.text()).toBe(String(600 * 1024));
    expect(events.length).toBeGreaterThan(1);
    expect(events.at(-1)).toEqual({ transferred: 600 * 1024, total: 600 * 1024 });
    for (let i = 1; i < events.length; i++)
      expect(events[i]!.transferred).toBeGreaterThan(events[i - 1]!.transferred);
  });

  it("reports download progress in wire bytes with Content-Length as total", async () => {
    const { gzipSync } = await import("node:zlib");
    const payload = gzipSync(Buffer.from("x".repeat(1_000_000)));
    const server = await serve((req, res) => {
      if (req.url === "/gz") res.setHeader("content-encoding", "gzip");
      res.end(req.url === "/gz" ? payload : Buffer.alloc(500_000));
    });
    const s = session();
    const plain: Progress[] = [];
    const res = await s.get(`${server.url}/plain`, { onDownloadProgress: (p) => plain.push(p) });
    expect((await res.bytes()).length).toBe(500_000);
    expect(plain.at(-1)).toEqual({ transferred: 500_000, total: 500_000 });
    const zipped: Progress[] = [];
    const gz = await s.get(`${server.url}/gz`, { onDownloadProgress: (p) => zipped.push(p) });
    expect((await gz.text()).length).toBe(1_000_000);
    expect(zipped.at(-1)).toEqual({ transferred: payload.length, total: payload.length });
  });
});
