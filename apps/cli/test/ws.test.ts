/** --ws against a `ws` server: stdin lines go out, messages come back printed. */
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { run } from "./helpers.ts";

let wss: WebSocketServer;
let origin: string;

beforeAll(async () => {
  wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
  origin = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  wss.on("connection", (socket, req) => {
    socket.send(JSON.stringify({ room: req.headers["x-room"] ?? null, path: req.url }));
    socket.on("message", (data, isBinary) => {
      const text = data.toString();
      if (isBinary) return;
      if (text === "bye") socket.close(1000, "see you");
      else if (text === "bin") socket.send(Buffer.from([1, 2, 3]));
      else socket.send(`echo: ${text}`);
    });
  });
});

afterAll(async () => {
  for (const client of wss.clients) client.terminate();
  await new Promise<void>((resolve) => wss.close(() => resolve()));
});

describe("--ws", () => {
  it("sends each stdin line and prints each message; end of input closes cleanly", async () => {
    const r = await run(["--ws", `${origin}/chat`, "X-Room:42"], { input: "one\ntwo\nbin\n" });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      '{"room":"42","path":"/chat"}\necho: one\necho: two\n[binary message: 3 bytes]\n',
    );
    expect(r.stderr).toBe(
      `Connected to ${origin}/chat; each line is sent, end of input closes.\nClosed: 1000\n`,
    );
  });

  it("ends when the server closes", async () => {
    const r = await run(["--ws", origin.replace("ws://", "")], {
      input: "hi\nbye\nnever sent\n",
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('{"room":null,"path":"/"}\necho: hi\n');
    expect(r.stderr).toMatch(/Closed: 1000 see you\n$/);
  });

  it("a failed handshake is one error line", async () => {
    const http = await import("node:http");
    const server = http.createServer((_req, res) => res.end("not a websocket"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const r = await run(["--ws", `ws://127.0.0.1:${port}/`], { input: "" });
    server.close();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^reqivo: error [A-Z_]+: [^\n]*200[^\n]*\n$/);
  });
});
