/** --download and --session, through the built binary. */

import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, run, startServer, type TestServer } from "./helpers.ts";

const PAYLOAD = randomBytes(300 * 1024 + 17);
let server: TestServer;
let work: string;
const cookiesSeen: (string | undefined)[] = [];
const authSeen: (string | undefined)[] = [];

const md5 = (text: string) => createHash("md5").update(text).digest("hex");

/** Checks an RFC 7616 Digest answer for ann:pw on realm "test", nonce "n0nce". */
function digestOk(header: string, method: string): boolean {
  const params = Object.fromEntries(
    [...header.slice(7).matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]+))/g)].map((m) => [
      m[1],
      m[2] ?? m[3],
    ]),
  ) as Record<string, string>;
  const ha1 = md5(`ann:test:pw`);
  const ha2 = md5(`${method}:${params.uri}`);
  const expected = md5(`${ha1}:n0nce:${params.nc}:${params.cnonce}:auth:${ha2}`);
  return params.username === "ann" && params.response === expected;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "reqivo-cli-"));
  server = await startServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/files/payload.bin") {
      res.writeHead(200, {
        "content-type": "application/octet-stream",
        "content-length": PAYLOAD.length,
      });
      // In pieces, so the body arrives in several reads.
      let at = 0;
      const next = () => {
        if (at >= PAYLOAD.length) return void res.end();
        const piece = PAYLOAD.subarray(at, at + 64 * 1024);
        at += piece.length;
        if (res.write(piece)) setImmediate(next);
        else res.once("drain", next);
      };
      next();
      return;
    }
    if (url.pathname === "/truncated") {
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": 1000 });
      res.write(PAYLOAD.subarray(0, 100), () => res.socket?.destroy());
      return;
    }
    if (url.pathname === "/stall") {
      // Part of the body, then nothing until the test interrupts the client.
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": 1 << 20 });
      res.write(PAYLOAD.subarray(0, 10_000));
      return;
    }
    if (url.pathname === "/export") {
      res.writeHead(200, {
        "content-disposition": `attachment; filename="../report 2026.csv"`,
        "content-type": "text/csv",
      });
      res.end("a,b\n1,2\n");
      return;
    }
    if (url.pathname === "/chunked") {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      res.write(PAYLOAD.subarray(0, 1000));
      res.end(PAYLOAD.subarray(1000, 5000));
      return;
    }
    if (url.pathname === "/missing") {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("no such file\n");
      return;
    }
    if (url.pathname === "/login") {
      res.writeHead(200, {
        "set-cookie": ["sid=s3cr3t; Path=/; HttpOnly", "theme=dark; Max-Age=3600"],
        "content-type": "text/plain",
      });
      res.end("logged in\n");
      return;
    }
    if (url.pathname === "/logout") {
      res.writeHead(200, { "set-cookie": "sid=; Max-Age=0; Path=/" });
      res.end("bye\n");
      return;
    }
    if (url.pathname === "/set-and-go") {
      res.writeHead(302, { location: "/me", "set-cookie": "hop=1; Path=/" });
      res.end();
      return;
    }
    if (url.pathname === "/digest") {
      const header = req.headers.authorization ?? "";
      if (!header.startsWith("Digest ") || !digestOk(header, req.method ?? "GET")) {
        res.writeHead(401, {
          "www-authenticate": 'Digest realm="test", nonce="n0nce", qop="auth", algorithm=MD5',
        });
        res.end("who are you?\n");
        return;
      }
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("digest ok\n");
      return;
    }
    cookiesSeen.push(req.headers.cookie);
    authSeen.push(req.headers.authorization);
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(`cookie=${req.headers.cookie ?? ""}\n`);
  });
});

afterAll(async () => {
  await server.close();
  await rm(work, { recursive: true, force: true });
});

// Independent of each other (distinct files and directories): run concurrently.
describe.concurrent("--download", () => {
  it("writes the body to -o FILE byte for byte, with the head and a summary on stderr", async () => {
    const file = join(work, "out.bin");
    const r = await run(["--download", "-o", file, `${server.origin}/files/payload.bin`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr.startsWith("HTTP/1.1 200 OK\n")).toBe(true);
    expect(r.stderr).toContain(`Downloading 300.02 KiB to "${file}"\n`);
    expect(r.stderr).toMatch(/Done\. 300\.02 KiB in \d\d:\d\d \([^)]+\/s\) → .+out\.bin\n$/);
    // No progress bar when stderr is not a terminal.
    expect(r.stderr).not.toContain("\r");
    expect(Buffer.compare(await readFile(file), PAYLOAD)).toBe(0);
  });

  it("names the file from the URL, without overwriting, or from Content-Disposition", async () => {
    const dir = await mkdtemp(join(work, "dl-"));
    await writeFile(join(dir, "payload.bin"), "already here");
    const first = await run(["-d", `${server.origin}/files/payload.bin`], { cwd: dir });
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('to "payload-1.bin"');
    expect(await readFile(join(dir, "payload.bin"), "utf8")).toBe("already here");
    expect(Buffer.compare(await readFile(join(dir, "payload-1.bin")), PAYLOAD)).toBe(0);

    const named = await run(["-d", `${server.origin}/export`], { cwd: dir });
    expect(named.code).toBe(0);
    // The server's "../" is dropped: downloads stay in the current directory.
    expect(await readFile(join(dir, "report 2026.csv"), "utf8")).toBe("a,b\n1,2\n");
  });

  it("handles a body without Content-Length", async () => {
    const file = join(work, "chunked.bin");
    const r = await run(["-d", "-o", file, `${server.origin}/chunked`]);
    expect(r.code).toBe(0);
    expect(Buffer.compare(await readFile(file), PAYLOAD.subarray(0, 5000))).toBe(0);
  });

  it("a body cut short of its Content-Length is INCOMPLETE_DOWNLOAD and leaves no file", async () => {
    const dir = await mkdtemp(join(work, "dl-"));
    const r = await run(["-d", "-o", join(dir, "cut.bin"), `${server.origin}/truncated`]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/reqivo: error INCOMPLETE_DOWNLOAD/);
    expect(await readdir(dir)).toEqual([]);
  });

  it("Ctrl-C during a download removes the partial file and exits 130", async () => {
    const dir = await mkdtemp(join(work, "dl-"));
    const file = join(dir, "stalled.bin");
    const child = spawn(process.execPath, [CLI, "-d", "-o", file, `${server.origin}/stall`], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      // The file exists once the CLI says where it is downloading to.
      if (stderr.includes("Downloading") && existsSync(file)) child.kill("SIGINT");
    });
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    clearTimeout(killer);
    expect(stderr).toContain("Downloading");
    expect(code).toBe(130);
    expect(existsSync(file)).toBe(false);
  });

  it("an error status shows the answer, saves nothing and exits 4", async () => {
    const dir = await mkdtemp(join(work, "dl-"));
    const r = await run(["-d", `${server.origin}/missing`], { cwd: dir });
    expect(r.code).toBe(4);
    expect(r.stdout).toContain("no such file");
    expect(r.stderr).toMatch(/^reqivo: error HTTP_ERROR: 404 Not Found/);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe("--session", () => {
  it("keeps cookies, headers and auth in a 0600 JSON file and sends them on the next run", async () => {
    const config = await mkdtemp(join(work, "xdg-"));
    const env = { XDG_CONFIG_HOME: config };
    const login = await run(
      ["--session=dev", "-a", "ann:pw", `${server.origin}/login`, "X-Team:core"],
      { env },
    );
    expect(login.code).toBe(0);
    const path = join(config, "reqivo", "sessions", "dev.json");
    const saved = JSON.parse(await readFile(path, "utf8"));
    // The client's cookie jar, as session.cookies.toJSON() exports it.
    expect(saved.cookieJar.cookies.map((c: { key: string }) => c.key).sort()).toEqual([
      "sid",
      "theme",
    ]);
    expect(saved.origins[server.origin].headers).toEqual({ "X-Team": "core" });
    expect(saved.origins[server.origin].auth).toMatchObject({ username: "ann", password: "pw" });
    if (process.platform !== "win32") expect((await stat(path)).mode & 0o777).toBe(0o600);

    cookiesSeen.length = 0;
    authSeen.length = 0;
    const again = await run(["--session=dev", "-b", `${server.origin}/me`], { env });
    expect(again.code).toBe(0);
    expect(cookiesSeen[0]?.split("; ").sort()).toEqual(["sid=s3cr3t", "theme=dark"]);
    expect(authSeen[0]).toBe(`Basic ${Buffer.from("ann:pw").toString("base64")}`);

    // The server deletes a cookie; the next run no longer sends it.
    await run(["--session=dev", `${server.origin}/logout`], { env });
    cookiesSeen.length = 0;
    await run(["--session=dev", `${server.origin}/me`], { env });
    expect(cookiesSeen[0]).toBe("theme=dark");

    // Without --session nothing is sent.
    cookiesSeen.length = 0;
    await run([`${server.origin}/me`], { env });
    expect(cookiesSeen[0]).toBeUndefined();
  });

  it("a NAME with a slash is a file path; a broken file is one error line", async () => {
    const file = join(work, "my-session.json");
    const r = await run([`--session=${file}`, `${server.origin}/login`]);
    expect(r.code).toBe(0);
    expect(JSON.parse(await readFile(file, "utf8")).cookieJar.cookies).toHaveLength(2);
    await writeFile(file, "{ not json");
    const broken = await run([`--session=${file}`, `${server.origin}/login`]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/^reqivo: error SESSION_FILE: .+ is not valid JSON\n$/);
  });

  it("--verbose shows the cookies and credentials that go out", async () => {
    const config = await mkdtemp(join(work, "xdg-"));
    const env = { XDG_CONFIG_HOME: config };
    await run(["--session=v", `${server.origin}/login`], { env });
    const r = await run(["--session=v", "-v", "-a", "u:p", `${server.origin}/me`], { env });
    expect(r.stdout).toContain(`Authorization: Basic ${Buffer.from("u:p").toString("base64")}\n`);
    expect(r.stdout).toMatch(/^Cookie: (sid=s3cr3t; theme=dark|theme=dark; sid=s3cr3t)$/m);
  });
});

describe("cookies and auth in one run", () => {
  it("--follow sends on a cookie set by the redirect", async () => {
    cookiesSeen.length = 0;
    const r = await run(["--follow", "-b", `${server.origin}/set-and-go`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("cookie=hop=1\n");
  });

  it("--auth-type digest answers the challenge", async () => {
    const ok = await run(["-A", "digest", "-a", "ann:pw", "-b", `${server.origin}/digest`]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe("digest ok\n");
    const wrong = await run([
      "--check-status",
      "-A",
      "digest",
      "-a",
      "ann:nope",
      `${server.origin}/digest`,
    ]);
    expect(wrong.code).toBe(4);
    expect(wrong.stdout.startsWith("HTTP/1.1 401 Unauthorized\n")).toBe(true);
  });

  it("--auth-type bearer sends the token", async () => {
    authSeen.length = 0;
    await run(["-A", "bearer", "-a", "t0k3n", `${server.origin}/me`]);
    expect(authSeen[0]).toBe("Bearer t0k3n");
  });
});
