// One streamed download in a fresh process, so that its peak RSS is the
// download's alone. Run by client-download.bench.ts, under Node, Deno or Bun:
//   stream-child.ts <contender> <url> <bytes>
// Warms up with a 32 MiB download, collects garbage, takes the RSS, then
// downloads <bytes>, consuming each piece as it arrives (nothing is kept), and
// prints one JSON line: bytes, ms, rssStart, sampledPeak (RSS polled every
// 5 ms) and peak (the larger of that and the kernel's high-water mark), all
// in bytes. Contenders are loaded on demand, so Deno and Bun load no Node client.
import { readFileSync } from "node:fs";
import process from "node:process";

const [name, url, sizeText] = process.argv.slice(2);
const size = Number(sizeText);
const warmUrl = url!.replace(/\/stream\/\d+$/, `/stream/${32 * 1024 * 1024}`);

type Download = (target: string) => Promise<number>;

interface RequestSession {
  get(
    url: string,
  ): Promise<AsyncIterable<Uint8Array> & { readInto(t: Uint8Array): Promise<number | null> }>;
  close(): Promise<void>;
}

/**
 * Reqivo: a Session of `entry` (the runtime package or the client with the
 * Node transport), the body read piece by piece, or with `into` through
 * `readInto` and one reused 64 KiB buffer.
 */
async function reqivo(makeSession: () => Promise<RequestSession>, into = false): Promise<Download> {
  return async (target) => {
    const session = await makeSession();
    let bytes = 0;
    const res = await session.get(target);
    if (into) {
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
const viaFetch: Download = async (target) => {
  const res = await fetch(target);
  const reader = res.body!.getReader();
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return bytes;
    bytes += value.length;
  }
};

async function contender(): Promise<Download> {
  switch (name) {
    case "reqivo":
    case "reqivo (readInto)":
      return reqivo(async () => {
        const { Session } = await import("@reqivo/client");
        const { createTransport } = await import("@reqivo/transport-node");
        return new Session({ transport: createTransport() });
      }, name.endsWith("readInto)"));
    case "reqivo (deno transport)":
    case "reqivo (deno transport, readInto)":
      return reqivo(
        async () => new (await import("@reqivo/deno")).Session(),
        name.endsWith("readInto)"),
      );
    case "reqivo (bun transport)":
    case "reqivo (bun transport, readInto)":
      return reqivo(
        async () => new (await import("@reqivo/bun")).Session(),
        name.endsWith("readInto)"),
      );
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
let sampledPeak = rssStart;
const timer = setInterval(() => {
  sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss());
}, 5);
const start = performance.now();
const bytes = await download(url!);
const ms = performance.now() - start;
clearInterval(timer);
sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss());
if (bytes !== size) throw new Error(`${name}: got ${bytes} bytes, want ${size}`);
process.stdout.write(
  `${JSON.stringify({ bytes, ms, rssStart, peak: Math.max(sampledPeak, kernelPeak()), sampledPeak })}\n`,
);
process.exit(0);
