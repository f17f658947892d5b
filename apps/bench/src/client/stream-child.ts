// One streamed download in a fresh Node process, so that its peak RSS is the
// download's alone. Run by client-download.bench.ts:
//   stream-child.ts <contender> <url> <bytes>
// Warms up with a 32 MiB download, collects garbage, takes the RSS, then
// downloads <bytes>, consuming each piece as it arrives (nothing is kept), and
// prints one JSON line: bytes, ms, rssStart, peak (sampled every 5 ms and the
// kernel's maxRSS at the end; the larger counts), all in bytes.
import * as http from "node:http";
import { Session } from "@reqivo/client";
import { createTransport } from "@reqivo/transport-node";
import { request as undiciRequest } from "undici";

const [name, url, sizeText] = process.argv.slice(2);
const size = Number(sizeText);
const warmUrl = url!.replace(/\/stream\/\d+$/, `/stream/${32 * 1024 * 1024}`);

async function download(target: string): Promise<number> {
  let bytes = 0;
  if (name === "reqivo") {
    const session = new Session({ transport: createTransport() });
    const res = await session.get(target);
    for await (const chunk of res) bytes += chunk.length;
    await session.close();
  } else if (name === "undici request") {
    const res = await undiciRequest(target);
    for await (const chunk of res.body) bytes += (chunk as Buffer).length;
  } else if (name === "node fetch") {
    const res = await fetch(target);
    const reader = res.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
    }
  } else if (name === "node:http") {
    bytes = await new Promise<number>((resolve, reject) => {
      http
        .get(target, (res) => {
          let n = 0;
          res.on("data", (chunk: Buffer) => {
            n += chunk.length;
          });
          res.on("end", () => resolve(n));
          res.on("error", reject);
        })
        .on("error", reject);
    });
  } else throw new Error(`unknown contender ${name}`);
  return bytes;
}

const gc = (globalThis as { gc?: () => void }).gc;
await download(warmUrl);
gc?.();
gc?.();
const rssStart = process.memoryUsage.rss();
let peak = rssStart;
const timer = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage.rss());
}, 5);
const start = performance.now();
const bytes = await download(url!);
const ms = performance.now() - start;
clearInterval(timer);
peak = Math.max(peak, process.memoryUsage.rss());
const maxRss = process.resourceUsage().maxRSS * 1024;
if (bytes !== size) throw new Error(`${name}: got ${bytes} bytes, want ${size}`);
process.stdout.write(
  `${JSON.stringify({ bytes, ms, rssStart, peak: Math.max(peak, maxRss), sampledPeak: peak })}\n`,
);
