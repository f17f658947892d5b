// Deno's floor for a streamed download that hands out a fresh buffer per
// read, without Reqivo: Deno.connect, one GET, each conn.read() into a new
// Uint8Array of <size> octets (or, with "reuse", into one buffer). Same
// warm-up, GC and RSS sampling as stream-child.ts. Used to tell Reqivo's own
// memory from the runtime's (results/2026-12-07-stream-1g.md). <churn> > 0
// also allocates an Array of that length per read, JS heap garbage like a
// client's per-read objects (1400: ~11 KiB, about Reqivo's per 64 KiB read), so
// that scavenges come as often as in Reqivo (results/2026-12-07-deno-rss.md):
//   deno run -A --v8-flags=--expose-gc src/client/deno-raw-read.ts <port> <size> [fresh|reuse] [bytes] [churn]
declare const Deno: {
  args: string[];
  connect(options: { hostname: string; port: number }): Promise<{
    read(buffer: Uint8Array): Promise<number | null>;
    write(bytes: Uint8Array): Promise<number>;
    close(): void;
  }>;
  memoryUsage(): { rss: number; heapTotal: number; external: number };
};
declare const gc: () => void;

const [port, sizeText, mode = "fresh", bytesText = String(2 ** 30), churnText = "0"] = Deno.args;
const size = Number(sizeText);
const churn = Number(churnText);
/** Where each read's heap garbage goes (kept reachable until the next read). */
let lastGarbage: unknown[] = [];

async function download(bytes: number): Promise<number> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
  const head = `GET /stream/${bytes} HTTP/1.1\r\nhost: bench\r\nconnection: close\r\n\r\n`;
  await conn.write(new TextEncoder().encode(head));
  const reused = new Uint8Array(size);
  let total = 0;
  for (;;) {
    const count = await conn.read(mode === "reuse" ? reused : new Uint8Array(size));
    if (churn > 0) lastGarbage = new Array(churn);
    if (count === null) break;
    total += count;
  }
  conn.close();
  return total;
}

await download(32 * 1024 * 1024);
gc();
gc();
const start = Deno.memoryUsage();
let peak = start.rss;
let externalAtPeak = 0;
const timer = setInterval(() => {
  const now = Deno.memoryUsage();
  if (now.rss <= peak) return;
  peak = now.rss;
  externalAtPeak = now.external - start.external;
}, 5);
const began = performance.now();
const received = await download(Number(bytesText));
const ms = performance.now() - began;
clearInterval(timer);
const mib = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
console.log(
  JSON.stringify({
    size,
    mode,
    churn,
    garbage: lastGarbage.length,
    received,
    ms: Math.round(ms),
    growthMiB: mib(peak - start.rss),
    externalAtPeakMiB: mib(externalAtPeak),
  }),
);
