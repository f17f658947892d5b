import * as zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { parseContentEncoding } from "../src/decompress.ts";
import { createFetch, DecompressionError } from "../src/index.ts";
import { serve, session } from "./harness.ts";

const text = "reqivo ".repeat(2000);
const hasZstd =
  typeof (zlib as { createZstdDecompress?: unknown }).createZstdDecompress === "function";

describe("Content-Encoding parsing", () => {
  it("trims SP and HTAB only: an NBSP makes another (unknown) coding, not gzip", () => {
    expect(parseContentEncoding(" GZIP,\tbr ,identity")).toEqual(["gzip", "br"]);
    expect(parseContentEncoding("gzip\u00a0")).toEqual(["gzip\u00a0"]);
  });
});

function encode(coding: string, data: Buffer): Buffer {
  if (coding === "gzip") return zlib.gzipSync(data);
  if (coding === "deflate") return zlib.deflateSync(data);
  if (coding === "deflate-raw") return zlib.deflateRawSync(data);
  if (coding === "br") return zlib.brotliCompressSync(data);
  throw new Error(coding);
}

describe("decompression", () => {
  it("advertises what it can decode and decodes gzip, deflate (zlib and raw) and br", async () => {
    const server = await serve((req, res) => {
      const coding = req.url!.slice(1);
      res.setHeader("content-encoding", coding === "deflate-raw" ? "deflate" : coding);
      res.setHeader("x-accept-encoding", req.headers["accept-encoding"] ?? "");
      res.end(encode(coding, Buffer.from(text)));
    });
    const s = session();
    for (const coding of ["gzip", "deflate", "deflate-raw", "br"]) {
      const res = await s.get(`${server.url}/${coding}`);
      expect(res.headers.get("x-accept-encoding")).toBe(
        hasZstd ? "gzip, deflate, br, zstd" : "gzip, deflate, br",
      );
      // Headers stay as received: Content-Length counts the encoded bytes.
      expect(Number(res.headers.get("content-length"))).toBeLessThan(text.length);
      expect(await res.text()).toBe(text);
    }
  });

  it("decodes stacked codings in reverse order, and refuses more than the limit", async () => {
    const server = await serve((req, res) => {
      const codings = req.url === "/two" ? ["deflate", "gzip"] : ["gzip", "gzip", "gzip"];
      let body: Buffer = Buffer.from(text);
      for (const coding of codings) body = encode(coding, body);
      res.setHeader("content-encoding", codings.join(", "));
      res.end(body);
    });
    const s = session();
    expect(await (await s.get(`${server.url}/two`)).text()).toBe(text);
    const error = await s.get(`${server.url}/three`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DecompressionError);
    expect((error as DecompressionError).code).toBe("TOO_MANY_ENCODINGS");
  });

  it("stops a gzip bomb at the decoded-size cap with a typed error", async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(96 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(200 * 1024);
    const server = await serve((_req, res) => {
      res.setHeader("content-encoding", "gzip");
      res.end(bomb);
    });
    const s = session();
    const small = await s.get(server.url, { decompress: { maxSize: 1024 * 1024 } });
    const error = await small.bytes().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DecompressionError);
    expect((error as DecompressionError).code).toBe("DECOMPRESSED_TOO_LARGE");
    // The default cap (64 MiB) catches it too, while the stream is read.
    let seen = 0;
    const failure = await (async () => {
      for await (const piece of await s.get(server.url)) seen += piece.length;
    })().catch((e: unknown) => e);
    expect((failure as DecompressionError).code).toBe("DECOMPRESSED_TOO_LARGE");
    expect(seen).toBeLessThanOrEqual(64 * 1024 * 1024);
  });

  it("hands out decoded pieces as they arrive instead of buffering the body", async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const server = await serve((_req, res) => {
      res.setHeader("content-encoding", "gzip");
      const gzip = zlib.createGzip();
      gzip.pipe(res);
      gzip.write("first piece;");
      gzip.flush(() => void released.then(() => gzip.end("second piece")));
    });
    const res = await session().get(server.url);
    const iterator = res[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(new TextDecoder().decode(first.value)).toBe("first piece;");
    release();
    let rest = "";
    for (let next = await iterator.next(); !next.done; next = await iterator.next())
      rest += new TextDecoder().decode(next.value);
    expect(rest).toBe("second piece");
  });

  it("leaves bodies alone when asked, for unknown codings, HEAD and 204; corrupt data fails typed", async () => {
    const gz = zlib.gzipSync(Buffer.from(text));
    const server = await serve((req, res) => {
      res.setHeader("x-accept-encoding", req.headers["accept-encoding"] ?? "none");
      if (req.url === "/unknown") {
        res.setHeader("content-encoding", "compress");
        return res.end("raw");
      }
      if (req.url === "/empty") {
        res.statusCode = 204;
        res.setHeader("content-encoding", "gzip");
        return res.end();
      }
      if (req.url === "/corrupt") {
        res.setHeader("content-encoding", "gzip");
        return res.end("definitely not gzip");
      }
      res.setHeader("content-encoding", "gzip");
      res.end(gz);
    });
    const s = session();
    const raw = await s.get(server.url, { decompress: false });
    expect(raw.headers.get("x-accept-encoding")).toBe("none");
    expect(Buffer.from(await raw.bytes()).equals(gz)).toBe(true);
    expect(await (await s.get(`${server.url}/unknown`)).text()).toBe("raw");
    expect((await s.head(server.url)).status).toBe(200);
    expect(await (await s.get(`${server.url}/empty`)).text()).toBe("");
    const corrupt = await (await s.get(`${server.url}/corrupt`)).text().catch((e: unknown) => e);
    expect((corrupt as DecompressionError).code).toBe("DECOMPRESSION_FAILED");
    const custom = await s.get(server.url, { headers: { "accept-encoding": "gzip" } });
    expect(custom.headers.get("x-accept-encoding")).toBe("gzip");
    expect(await custom.text()).toBe(text);
  });

  it("fetch() returns the decoded body", async () => {
    const server = await serve((_req, res) => {
      res.setHeader("content-encoding", "br");
      res.end(zlib.brotliCompressSync(Buffer.from(text)));
    });
    const res = await createFetch(session())(server.url);
    expect(await res.text()).toBe(text);
  });
});
