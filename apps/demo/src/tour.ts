// The tour itself, written once and run on Node, Deno and Bun: each runtime's
// entry file passes in its own Session class (from @reqivo/node, -deno, -bun).
import type { Session as ClientSession, SessionOptions } from "@reqivo/client";

type SessionClass = new (options?: Omit<SessionOptions, "transport">) => ClientSession;

const line = (text = "") => console.log(text);
const step = (title: string) => console.log(`\n• ${title}`);

export async function runTour(
  runtime: string,
  Session: SessionClass,
  baseUrl: string,
): Promise<void> {
  line(`Reqivo on ${runtime}, against ${baseUrl}`);
  await using session = new Session({ baseUrl });

  step("GET, keep-alive reuse and timings");
  for (let i = 0; i < 3; i++) {
    const res = await session.get("/hello");
    const text = (await res.text()).trim();
    const t = res.timings;
    line(
      `  ${res.status} ${res.statusText} "${text}"  reused=${t.reused} first byte ${t.firstByte.toFixed(1)} ms`,
    );
  }

  step("chunked stream, read as it arrives, with trailers");
  const stream = await session.get("/stream");
  for await (const piece of stream)
    line(`  piece: ${JSON.stringify(new TextDecoder().decode(piece))}`);
  line(`  trailers: x-ticks=${stream.trailers?.get("x-ticks")}`);

  step("a redirect chain");
  const redirected = await session.get("/redirect/3");
  line(
    `  ${redirected.status} ${redirected.url} after ${redirected.history.map((h) => h.status).join(" → ")}`,
  );
  line(`  body: ${(await redirected.text()).trim()}`);

  step("103 Early Hints, then the answer");
  const hinted = await session.get("/early-hints", {
    onInformational: (status, headers) => line(`  interim ${status}: link ${headers.get("link")}`),
  });
  line(`  ${hinted.status}: ${(await hinted.text()).trim()}`);

  step("cookies set by the server come back on the next request");
  const login = await session.get("/login");
  line(`  set-cookie: ${login.headers.getSetCookie().join(" | ")}`);
  await login.dump();
  line(`  ${(await (await session.get("/whoami")).text()).trim()}`);

  step("POST JSON, streamed upload");
  const posted = await session.post("/echo", { json: { hello: runtime } });
  line(`  ${posted.status} ${await posted.text()}`);
  async function* pieces() {
    yield "streamed ";
    yield "in ";
    yield "pieces";
  }
  const uploaded = await session.post("/echo", { body: pieces() });
  line(`  ${uploaded.status} ${await uploaded.text()}`);

  step("header injection is refused before any byte is written");
  try {
    await session.get("/hello", { headers: { "x-evil": "a\r\nInjected: 1" } });
    line("  NOT refused (bug)");
  } catch (error) {
    line(`  refused: ${(error as { code?: string }).code}`);
  }

  step("WebSocket echo");
  const ws = await session.websocket(`${baseUrl.replace(/^http/, "ws")}/ws`);
  await ws.send(`hello from ${runtime}`);
  const reply = await ws[Symbol.asyncIterator]().next();
  line(
    `  echoed: ${JSON.stringify(reply.value)}  (protocol "${ws.protocol}", extensions "${ws.extensions}")`,
  );
  await ws.close(1000, "bye");

  step("a made-up host name pinned to an address, and a proxy");
  const port = new URL(baseUrl).port;
  await using pinned = new Session({ dns: { lookup: { "demo.reqivo.test": "127.0.0.1" } } });
  const named = await pinned.get(`http://demo.reqivo.test:${port}/hello`);
  line(`  demo.reqivo.test → 127.0.0.1: ${named.status} "${(await named.text()).trim()}"`);
  await using proxied = new Session({ proxy: `http://demo:secret@127.0.0.1:${port}` });
  const forwarded = await proxied.get(`${baseUrl}/via`);
  line(`  forwarded: ${(await forwarded.text()).trim()}`);
  const tunnelled = await proxied.websocket(`${baseUrl.replace(/^http/, "ws")}/ws`);
  await tunnelled.send("through a CONNECT tunnel");
  const echo = await tunnelled[Symbol.asyncIterator]().next();
  line(`  WebSocket via CONNECT echoed: ${JSON.stringify(echo.value)}`);
  await tunnelled.close(1000, "bye");
}
