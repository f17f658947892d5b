// One contender of the Bun instruction count (scripts/bun-instructions.sh):
// N keep-alive GETs one after another on one connection, then exit.
//   bun runtime-sequential.ts <port> <contender> <N> [path]
// contender: reqivo (@reqivo/bun's Session), transport (transport-bun's
// connection alone: a pre-built GET, bytes counted up to the response's
// size, no parsing), raw (a plain Bun.connect socket, the same; raw-ceiling.ts).
import { createTransport } from "@reqivo/bun";
import { rawCeilingRunner } from "./raw-ceiling.ts";

const [portText, id, countText, pathText] = process.argv.slice(2);
const port = Number(portText);
const count = Math.max(1, Math.min(1_000_000, Number(countText) || 1000));
const path = pathText ?? "/64k";

/** The response's size: its head up to the blank line plus Content-Length. */
function responseSize(bytes: Uint8Array): number | null {
  const text = new TextDecoder("latin1").decode(bytes);
  const headEnd = text.indexOf("\r\n\r\n");
  const length = /content-length: *(\d+)/i.exec(text);
  return headEnd === -1 || length === null ? null : headEnd + 4 + Number(length[1]);
}

if (id === "reqivo") {
  const { Session } = await import("@reqivo/bun");
  // IN_FLIGHT=n CONNECTIONS=m: n requests at once over at most m connections
  // (the runtime bench's 100 over 50), so that the count includes what
  // overlapping requests cost (pool waits, garbage that outlives a request).
  const inFlight = Math.max(1, Number(process.env.IN_FLIGHT ?? 1) || 1);
  const connections = Math.max(1, Number(process.env.CONNECTIONS ?? 1) || 1);
  const session = new Session({ pool: { connections } });
  const url = `http://127.0.0.1:${port}${path}`;
  let started = 0;
  const worker = async () => {
    while (started < count) {
      started++;
      await (await session.get(url)).bytes();
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, worker));
  await session.close();
} else if (id === "transport") {
  const conn = await createTransport().connect({ host: "127.0.0.1", port });
  const request = new TextEncoder().encode(
    `GET ${path} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\n\r\n`,
  );
  let size: number | null = null;
  for (let i = 0; i < count; i++) {
    await conn.write(request);
    let got = 0;
    for (let reads = 0; size === null || got < size; reads++) {
      const chunk = await conn.read();
      if (chunk === null || reads > 100_000)
        throw new Error("transport: response did not complete");
      size ??= responseSize(chunk);
      got += chunk.length;
    }
  }
  conn.close();
} else if (id === "raw") {
  const raw = await rawCeilingRunner(port, path, 1);
  for (let i = 0; i < count; i++) await raw.one();
  await raw.close();
} else {
  throw new Error(`runtime-sequential: no contender ${id}`);
}
console.log(`${id}: ${count} requests`);
process.exit(0);
