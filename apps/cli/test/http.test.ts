/** The built binary against a local node:http server, output piped. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bodyOf, run, startServer, type TestServer } from "./helpers.ts";

let server: TestServer;
let slowResponses: import("node:http").ServerResponse[] = [];

beforeAll(async () => {
  server = await startServer(async (req, res) => {
    const body = await bodyOf(req);
    const url = new URL(req.url ?? "/", "http://x");
    switch (url.pathname) {
      case "/redirect":
        res.writeHead(302, { location: "/landed?from=redirect" });
        res.end();
        return;
      case "/status": {
        const status = Number(url.searchParams.get("code"));
        res.writeHead(status, { "content-type": "text/plain" });
        res.end(`status ${status}\n`);
        return;
      }
      case "/slow":
        // Never answers: the client's --timeout has to give up.
        slowResponses.push(res);
        return;
      case "/text":
        res.writeHead(200, { "content-type": "text/plain" });
        res.end("just text");
        return;
      default:
        res.writeHead(200, { "content-type": "application/json", "x-served-by": "test" });
        res.end(
          JSON.stringify({
            method: req.method,
            path: url.pathname,
            query: Object.fromEntries(url.searchParams),
            headers: req.headers,
            body: body.toString("utf8"),
          }),
        );
    }
  });
});

afterAll(async () => {
  for (const res of slowResponses) res.destroy();
  slowResponses = [];
  await server.close();
});

interface Echo {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
}

function echoOf(stdout: string): Echo {
  const start = stdout.indexOf("\n\n");
  return JSON.parse(stdout.slice(start + 2)) as Echo;
}

// Every test here is independent of the others: they run concurrently.
describe.concurrent("requests", () => {
  it("GETs by default and prints status line, headers and the body untouched when piped", async () => {
    const r = await run([`${server.origin}/hello`]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout.startsWith("HTTP/1.1 200 OK\n")).toBe(true);
    expect(r.stdout).toMatch(/^x-served-by: test$/m);
    expect(r.stdout).not.toContain("\x1b[");
    const body = r.stdout.slice(r.stdout.indexOf("\n\n") + 2);
    // Plain: the server's bytes as they came, one line, no re-indenting.
    expect(body.startsWith('{"method":"GET","path":"/hello"')).toBe(true);
    expect(body.includes("\n")).toBe(false);
    expect(echoOf(r.stdout).method).toBe("GET");
  });

  it("takes an explicit METHOD, including ones it does not know", async () => {
    const methods = ["PUT", "DELETE", "PATCH", "OPTIONS", "PURGE"];
    const results = await Promise.all(methods.map((m) => run([m, `${server.origin}/m`])));
    results.forEach((r, i) => {
      expect(r.code, r.stderr).toBe(0);
      expect(echoOf(r.stdout).method).toBe(methods[i]);
    });
    const lower = await run(["delete", `${server.origin}/m`]);
    expect(echoOf(lower.stdout).method).toBe("DELETE");
  });

  it("HEAD prints the head only", async () => {
    const r = await run(["HEAD", `${server.origin}/x`]);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith("HTTP/1.1 200 OK\n")).toBe(true);
    expect(r.stdout.endsWith("\n\n")).toBe(true);
  });

  it("builds a JSON object from key=value and key:=json, and POSTs it by default", async () => {
    const r = await run([
      `${server.origin}/items`,
      "name=reqivo",
      "count:=3",
      "ok:=true",
      'tags:=["http","ws"]',
      'nested:={"a":null}',
      "a\\=b=escaped",
    ]);
    expect(r.code).toBe(0);
    const echo = echoOf(r.stdout);
    expect(echo.method).toBe("POST");
    expect(echo.headers["content-type"]).toBe("application/json");
    expect(echo.headers.accept).toBe("application/json, */*;q=0.5");
    expect(JSON.parse(echo.body)).toEqual({
      name: "reqivo",
      count: 3,
      ok: true,
      tags: ["http", "ws"],
      nested: { a: null },
      "a=b": "escaped",
    });
  });

  it("--form sends the fields urlencoded", async () => {
    const r = await run(["--form", `${server.origin}/form`, "name=re qivo", "x=1&2"]);
    expect(r.code).toBe(0);
    const echo = echoOf(r.stdout);
    expect(echo.method).toBe("POST");
    expect(echo.headers["content-type"]).toBe("application/x-www-form-urlencoded; charset=utf-8");
    expect(echo.body).toBe("name=re+qivo&x=1%262");
  });

  it("--form with field@file sends multipart", async () => {
    const { mkdtemp, writeFile } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = await mkdtemp(join(tmpdir(), "reqivo-cli-"));
    await writeFile(join(dir, "note.txt"), "file content here");
    const r = await run([
      "-f",
      `${server.origin}/upload`,
      "title=T",
      `doc@${join(dir, "note.txt")}`,
    ]);
    expect(r.code).toBe(0);
    const echo = echoOf(r.stdout);
    expect(echo.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
    expect(echo.body).toContain('name="title"');
    expect(echo.body).toContain('filename="note.txt"');
    expect(echo.body).toContain("file content here");
    const { rm } = await import("node:fs/promises");
    await rm(dir, { recursive: true, force: true });
  });

  it("sends header:value items and key==value query items", async () => {
    const r = await run([
      `${server.origin}/q?keep=1`,
      "X-Trace:abc 123",
      "Accept:text/plain",
      "page==2",
      "q==a b",
    ]);
    expect(r.code).toBe(0);
    const echo = echoOf(r.stdout);
    expect(echo.method).toBe("GET");
    expect(echo.headers["x-trace"]).toBe("abc 123");
    expect(echo.headers.accept).toBe("text/plain");
    expect(echo.query).toEqual({ keep: "1", page: "2", q: "a b" });
  });

  it("sends piped stdin as the body", async () => {
    const r = await run([`${server.origin}/stdin`, "Content-Type:text/plain"], {
      input: "line one\nline two\n",
    });
    expect(r.code).toBe(0);
    const echo = echoOf(r.stdout);
    expect(echo.method).toBe("POST");
    expect(echo.body).toBe("line one\nline two\n");
    expect(echo.headers["content-type"]).toBe("text/plain");
  });

  it("accepts the :PORT/path shorthand", async () => {
    const r = await run([`:${server.port}/short`, "-b"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).path).toBe("/short");
  });

  it("--body and --headers choose what is printed", async () => {
    const body = await run(["--body", `${server.origin}/text`]);
    expect(body.stdout).toBe("just text");
    const head = await run(["-h", `${server.origin}/text`]);
    expect(head.stdout.startsWith("HTTP/1.1 200 OK\n")).toBe(true);
    expect(head.stdout).not.toContain("just text");
  });

  it("--verbose shows the request head and body, the response head and body, and timings", async () => {
    const r = await run(["-v", `${server.origin}/v`, "X-Hello:1", "a=b"]);
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out.startsWith("POST /v HTTP/1.1\n")).toBe(true);
    expect(out).toContain(`Host: 127.0.0.1:${server.port}\n`);
    expect(out).toContain("X-Hello: 1\n");
    expect(out).toContain("Content-Type: application/json\n");
    expect(out).toContain('Content-Length: 9\n\n{"a":"b"}\n\nHTTP/1.1 200 OK\n');
    expect(out).toMatch(
      /\nElapsed: connect \d+\.\d\d ms, first byte \d+\.\d\d ms, total \d+\.\d\d ms\n$/,
    );
  });
});

describe.concurrent("redirects and status", () => {
  it("does not follow redirects by default", async () => {
    const r = await run([`${server.origin}/redirect`]);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith("HTTP/1.1 302 Found\n")).toBe(true);
    expect(r.stdout).toMatch(/^location: \/landed\?from=redirect$/m);
  });

  it("--follow follows them", async () => {
    const r = await run(["--follow", `${server.origin}/redirect`]);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith("HTTP/1.1 200 OK\n")).toBe(true);
    expect(echoOf(r.stdout)).toMatchObject({ path: "/landed", query: { from: "redirect" } });
  });

  it("--follow --max-redirects=0 fails with exit 6", async () => {
    const r = await run(["-F", "--max-redirects=0", `${server.origin}/redirect`]);
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/^reqivo: error TOO_MANY_REDIRECTS: .+\n$/);
  });

  it("--check-status: 3xx not followed exits 3, 4xx exits 4, 5xx exits 5, 2xx exits 0", async () => {
    const [redirect, notFound, broken, fine] = await Promise.all([
      run(["--check-status", `${server.origin}/redirect`]),
      run(["--check-status", `${server.origin}/status?code=404`]),
      run(["--check-status", `${server.origin}/status?code=503`]),
      run(["--check-status", `${server.origin}/status?code=200`]),
    ]);
    expect(redirect.code).toBe(3);
    expect(redirect.stderr).toMatch(/^reqivo: error HTTP_REDIRECT: 302 Found to \/landed/);
    expect(notFound.code).toBe(4);
    expect(notFound.stdout).toContain("status 404");
    expect(notFound.stderr).toBe(
      `reqivo: error HTTP_ERROR: 404 Not Found from GET ${server.origin}/status?code=404\n`,
    );
    expect(broken.code).toBe(5);
    expect(broken.stderr).toMatch(/^reqivo: error HTTP_ERROR: 503 Service Unavailable/);
    expect(fine.code).toBe(0);
  });

  it("without --check-status a 4xx exits 0 with a warning when piped", async () => {
    const r = await run([`${server.origin}/status?code=404`]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("reqivo: warning: HTTP 404 Not Found\n");
  });
});

describe.concurrent("errors", () => {
  it("--timeout: one error line and exit 2", async () => {
    const r = await run(["--timeout=0.3", `${server.origin}/slow`]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^reqivo: error HEADERS_TIMEOUT: [^\n]+\n$/);
  });

  it("connection refused: one error line and exit 1", async () => {
    const spare = await startServer(() => undefined);
    const { origin } = spare;
    await spare.close();
    const r = await run([`${origin}/`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^reqivo: error CONNECTION_REFUSED: [^\n]+\n$/);
  });

  it("usage errors exit 64", async () => {
    const cases = [
      [],
      ["--pretty=loud", "x"],
      ["--nope", "x"],
      ["--timeout=soon", "x"],
      ["x", "not-an-item"],
      ["x", "n:={bad"],
      ["-f", "x", "n:=1"],
      ["x", "doc@file.txt"],
      ["--auth=nocolon", "x"],
      ["ftp://example.org/"],
    ];
    const results = await Promise.all(cases.map((args) => run(args)));
    results.forEach((r, i) => {
      const label = cases[i]!.join(" ");
      expect(r.code, label).toBe(64);
      expect(r.stderr, label).toMatch(/^reqivo: error USAGE: [^\n]+\n$/);
    });
  });

  it("--help and --version", async () => {
    const help = await run(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage:");
    expect(help.stdout).toContain("--download");
    const version = await run(["--version"]);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
