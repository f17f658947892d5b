/**
 * Terminal features under a real pseudo-terminal: colours, JSON
 * re-indenting, and the download progress bar. Skipped, with the reason,
 * where no pseudo-terminal can be had.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findPty, run, startServer, stripAnsi, type TestServer } from "./helpers.ts";

const pty = findPty();
if (pty.run === undefined) console.warn(`terminal tests skipped: ${pty.reason}`);

const DOC = { name: "reqivo", count: 3, ok: true, none: null, tags: ["a"] };
const PAYLOAD = Buffer.alloc(200 * 1024, 7);
let server: TestServer;

beforeAll(async () => {
  server = await startServer((req, res) => {
    if (req.url === "/file") {
      res.writeHead(200, { "content-length": PAYLOAD.length });
      res.end(PAYLOAD);
      return;
    }
    if (req.url === "/binary") {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      res.end(Buffer.from([0, 1, 2, 255]));
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(DOC));
  });
});

afterAll(async () => {
  await server.close();
});

describe.skipIf(pty.run === undefined)(
  `under a pseudo-terminal (${"via" in pty ? pty.via : "none"})`,
  () => {
    const term = pty.run!;

    it("colours the head and re-indents and colours JSON", async () => {
      const r = await term([`${server.origin}/doc`]);
      expect(r.code).toBe(0);
      // Status line: version in blue, a 2xx in bold green; header names in cyan.
      expect(r.output).toContain("\x1b[34mHTTP/1.1\x1b[0m \x1b[1m\x1b[32m200 OK\x1b[0m\n");
      expect(r.output).toContain("\x1b[36mcontent-type\x1b[0m");
      // JSON keys bold blue, strings green, numbers yellow, literals magenta.
      expect(r.output).toContain('\x1b[34m\x1b[1m"name"\x1b[0m: \x1b[32m"reqivo"\x1b[0m');
      expect(r.output).toContain("\x1b[33m3\x1b[0m");
      expect(r.output).toContain("\x1b[35mtrue\x1b[0m");
      const plain = stripAnsi(r.output);
      expect(plain).toContain(
        '{\n  "name": "reqivo",\n  "count": 3,\n  "ok": true,\n  "none": null,\n  "tags": [\n    "a"\n  ]\n}\n',
      );
    });

    it("--pretty=none on a terminal prints plain; --pretty=format indents without colour", async () => {
      const none = await term(["--pretty=none", "-b", `${server.origin}/doc`]);
      expect(none.output).not.toContain("\x1b[");
      expect(none.output).toContain(JSON.stringify(DOC));
      const format = await term(["--pretty=format", "-b", `${server.origin}/doc`]);
      expect(format.output).not.toContain("\x1b[");
      expect(format.output).toContain('{\n  "name": "reqivo",');
    });

    it("NO_COLOR turns colours off but keeps formatting", async () => {
      const r = await term(["-b", `${server.origin}/doc`], { env: { NO_COLOR: "1" } });
      expect(r.output).not.toContain("\x1b[");
      expect(r.output).toContain('{\n  "name": "reqivo",');
    });

    it("does not dump binary bodies into the terminal", async () => {
      const r = await term(["-b", `${server.origin}/binary`]);
      expect(r.output).toContain("NOTE: binary data not shown in terminal");
    });

    it("draws a progress bar on stderr while downloading", async () => {
      const dir = await mkdtemp(join(tmpdir(), "reqivo-cli-pty-"));
      const r = await term(["-d", `${server.origin}/file`], { cwd: dir });
      expect(r.code).toBe(0);
      // The final frame: 100 %, a full bar, bytes of total, rate, elapsed.
      expect(r.output).toMatch(
        /\r\x1b\[2K100% \[=+\] 200\.00 KiB \/ 200\.00 KiB {2}[\d.]+ (B|KiB|MiB|GiB)\/s {2}in \d\d:\d\d\n/,
      );
      expect(r.output).toMatch(/Done\. 200\.00 KiB in/);
      expect(Buffer.compare(await readFile(join(dir, "file")), PAYLOAD)).toBe(0);
      await rm(dir, { recursive: true, force: true });
    });
  },
);

it("the same output is plain when piped", async () => {
  const r = await run([`${server.origin}/doc`]);
  expect(r.stdout).not.toContain("\x1b[");
  expect(r.stdout.endsWith(JSON.stringify(DOC))).toBe(true);
});
