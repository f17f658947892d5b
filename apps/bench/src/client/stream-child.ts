// One streamed download in a fresh process, so that its peak RSS is the
// download's alone. Run by client-download.bench.ts, under Node, Deno or Bun:
//   stream-child.ts <contender> <url> <bytes>
// Warms up with a 32 MiB download, collects garbage, takes the RSS, then
// downloads <bytes>, consuming each piece as it arrives (nothing is kept), and
// prints one JSON line: bytes, ms, rssStart, sampledPeak (RSS polled every
// 5 ms), peak (the larger of that and the kernel's high-water mark), all in
// bytes, and atPeak: process.memoryUsage()'s heap and external fields at the
// sampled peak minus their values at the start (where the growth sits).
// With REQIVO_STREAM_TIMELINE=1 it also writes every sample to stderr
// ("T <ms> rss+<MiB> ext+<MiB> heap+<MiB>", growth since the start), to line up
// with a runtime's GC trace (results/2026-12-07-deno-rss.md).
// Contenders are loaded on demand, so Deno and Bun load no Node client.
import { readFileSync } from "node:fs";
import process from "node:process";

const [name, url, sizeText] = process.argv.slice(2);
const size = Number(sizeText);
const warmUrl = url!.replace(/\/stream\/\d+$/, `/stream/${32 * 1024 * 1024}`);

type Download = (target: string) => Promise<number>;

interface RequestSession {
  get(url: string): Promise<
    AsyncIterable<Uint8Array> & {
      readInto(t: Uint8Array): Promise<number | null>;
      body: ReadableStream<Uint8Array>;
    }
  >;
  close(): Promise<void>;
}

/** How a Reqivo contender reads the body: `for await`, `response.body`'s reader, or `readInto`. */
type ReadMode = "iterate" | "body" | "readInto";

/** The mode a contender's name asks for: "…readInto)", "…body stream)", else iteration. */
function readMode(contender: string): ReadMode {
  if (contender.endsWith("readInto)")) return "readInto";
  if (contender.endsWith("body stream)")) return "body";
  return "iterate";
}

/** Counts the bytes of a web stream, read with its default reader. */
async function streamLength(body: ReadableStream<Uint8Array>): Promise<number> {
  const reader = body.getReader();
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return bytes;
    bytes += value.length;
  }
}

/**
 * Reqivo: a Session of `entry` (the runtime package or the client with the
 * Node transport), the body read piece by piece (`for await`, or the reader
 * of `response.body`), or through `readInto` and one reused 64 KiB buffer.
 */
async function reqivo(
  makeSession: () => Promise<RequestSession>,
  mode: ReadMode,
): Promise<Download> {
  return async (target) => {
    const session = await makeSession();
    let bytes = 0;
    const res = await session.get(target);
    if (mode === "body") {
      bytes = await streamLength(res.body);
    } else if (mode === "readInto") {
      const buffer = new Uint8Array(64 * 1024);
      for (let n = await res.readInto(buffer); n !== null; n = await res.readInto(buffer))
        bytes += n;
    } else {
      for await (const chunk of res) bytes += chunk.length;
    }
    await session.close();
    return bytes;
  };
}

/** The runtime's own fetch, body read with a stream reader. */
const viaFetch: Download = async (target) => streamLength((await fetch(target)).body!);

async function contender(): Promise<Download> {
  switch (name) {
    case "reqivo":
    case "reqivo (body stream)":
    case "reqivo (readInto)":
      return reqivo(async () => {
        const { Session } = await import("@reqivo/client");
        const { createTransport } = await import("@reqivo/transport-node");
        return new Session({ transport: createTransport() });
      }, readMode(name));
    case "reqivo (deno transport)":
    case "reqivo (deno transport, body stream)":
    case "reqivo (deno transport, readInto)":
      return reqivo(async () => new (await import("@reqivo/deno")).Session(), readMode(name));
    case "reqivo (bun transport)":
    case "reqivo (bun transport, body stream)":
    case "reqivo (bun transport, readInto)":
      return reqivo(async () => new (await import("@reqivo/bun")).Session(), readMode(name));
    case "node fetch":
    case "deno fetch":
    case "bun fetch":
      return viaFetch;
    case "undici request": {
      const { request } = await import("undici");
      return async (target) => {
        const res = await request(target);
        let bytes = 0;
        for await (const chunk of res.body) bytes += (chunk as Buffer).length;
        return bytes;
      };
    }
    case "node:http": {
      const { nodeHttpBodyLength } = await import("./node-http-body.ts");
      return (target) => nodeHttpBodyLength(target);
    }
    default:
      throw new Error(`unknown contender ${name}`);
  }
}

/** A full collection: Node and Deno with --expose-gc give `gc`, Bun has Bun.gc. */
function collect(): void {
  const g = globalThis as { gc?: () => void; Bun?: { gc(force: boolean): void } };
  if (g.Bun !== undefined) g.Bun.gc(true);
  else g.gc?.();
}

/** The kernel's peak RSS of this process in bytes (VmHWM), or 0 where unavailable. */
function kernelPeak(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync("/proc/self/status", "utf8"));
    return match === null ? 0 : Number(match[1]) * 1024;
  } catch {
    return 0;
  }
}

const download = await contender();
await download(warmUrl);
collect();
collect();
const rssStart = process.memoryUsage.rss();
const usageStart = process.memoryUsage();
let sampledPeak = rssStart;
/** The memoryUsage() fields at the sampled peak, minus those at the start: heap vs external. */
let atPeak = { heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
const sample = (): void => {
  const rss = process.memoryUsage.rss();
  if (rss <= sampledPeak) return;
  sampledPeak = rss;
  const u = process.memoryUsage();
  atPeak = {
    heapTotal: u.heapTotal - usageStart.heapTotal,
    heapUsed: u.heapUsed - usageStart.heapUsed,
    external: u.external - usageStart.external,
    arrayBuffers: (u.arrayBuffers ?? 0) - (usageStart.arrayBuffers ?? 0),
  };
};
/** Every sample, for REQIVO_STREAM_TIMELINE=1: when, and RSS / external / heap growth (MiB). */
const timeline: string[] | null = process.env.REQIVO_STREAM_TIMELINE === "1" ? [] : null;
const toMiB = (b: number) => (b / 2 ** 20).toFixed(1);
const timer = setInterval(() => {
  if (timeline !== null) {
    const u = process.memoryUsage();
    timeline.push(
      `T ${performance.now().toFixed(0)} rss+${toMiB(u.rss - rssStart)} ext+${toMiB(u.external - usageStart.external)} heap+${toMiB(u.heapUsed - usageStart.heapUsed)}`,
    );
  }
  sample();
}, 5);
const start = performance.now();
const bytes = await download(url!);
const ms = performance.now() - start;
clearInterval(timer);
sample();
if (bytes !== size) throw new Error(`${name}: got ${bytes} bytes, want ${size}`);
if (timeline !== null) process.stderr.write(`START ${start.toFixed(0)}\n${timeline.join("\n")}\n`);
process.stdout.write(
  `${JSON.stringify({ bytes, ms, rssStart, peak: Math.max(sampledPeak, kernelPeak()), sampledPeak, atPeak })}\n`,
);
process.exit(0);
