// One WebSocket echo contender for a fixed number of messages, then exit:
// what scripts/ws-per-message.mjs runs under callgrind or strace, or alone
// with its own counts.
//   ws-count-child <server port> <reqivo|ws|floor> <size> <warm-up> <messages> <phases> [counts]
// (floor: node:net with no WebSocket code, netFloorEchoer in ws-echoers.ts)
// After the warm-up echoes, a mark, then <phases> times: <messages> echoes
// and a mark. A mark is os.getPriority(): callgrind (--dump-before=
// uv_os_getpriority) ends a dump there, and strace sees a getpriority call,
// so each measured phase's instructions or syscalls can be told apart.
// With `counts` the child prints, per phase, the promises created (an
// async_hooks init hook) and the heap bytes allocated (young-generation growth;
// run with a young generation large enough that no scavenge falls in a phase:
// a phase with a collection is reported as such) per message.
import { createHook } from "node:async_hooks";
import { Session } from "node:inspector";
import { getPriority } from "node:os";
import { PerformanceObserver } from "node:perf_hooks";
import { getHeapSpaceStatistics } from "node:v8";
import { type Echoer, netFloorEchoer, reqivoEchoer, wsEchoer } from "./ws-echoers.ts";

const [portText, name, sizeText, warmText, messagesText, phasesText, mode] = process.argv.slice(2);
const port = Number(portText);
const size = Number(sizeText);
const warmUp = Number(warmText);
const messages = Number(messagesText);
const phases = Number(phasesText);
if (!(port > 0) || !(size > 0) || !(warmUp > 0) || !(messages > 0) || !(phases > 0)) {
  console.error(
    "usage: ws-count-child <port> <reqivo|ws|floor> <size> <warm-up> <messages> <phases> [counts]",
  );
  process.exit(2);
}
const url = `ws://127.0.0.1:${port}/`;
const echoer: Echoer =
  name === "reqivo"
    ? await reqivoEchoer(url)
    : name === "ws"
      ? await wsEchoer(url)
      : name === "floor"
        ? await netFloorEchoer(url)
        : process.exit(2);
const message = new Uint8Array(size).fill(0x77);

async function echoes(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const n = await echoer.echo(message);
    if (n !== size) throw new Error(`${name}: echo of ${n} bytes, want ${size}`);
  }
}

/** A node of the sampling heap profile (the fields used here). */
interface SampleNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SampleNode[];
}

/**
 * `heap`: the allocation sites of one phase, sampled every 32 bytes with
 * collected objects kept in the profile, printed as bytes per message.
 */
async function sampleAllocations(): Promise<void> {
  const session = new Session();
  session.connect();
  const post = <T = unknown>(method: string, params?: object) =>
    new Promise<T>((resolve, reject) =>
      session.post(method, params, (error, result) =>
        error ? reject(error) : resolve(result as T),
      ),
    );
  await post("HeapProfiler.enable");
  await post("HeapProfiler.startSampling", {
    samplingInterval: 32,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  await echoes(messages);
  const { profile } = await post<{ profile: { head: SampleNode } }>("HeapProfiler.stopSampling");
  session.disconnect();
  const sites = new Map<string, number>();
  const walk = (node: SampleNode) => {
    const f = node.callFrame;
    const here = `${f.functionName || "(anonymous)"} ${f.url.split("/").slice(-2).join("/")}:${f.lineNumber + 1}`;
    if (node.selfSize > 0) sites.set(here, (sites.get(here) ?? 0) + node.selfSize);
    for (const child of node.children) walk(child);
  };
  walk(profile.head);
  const total = [...sites.values()].reduce((a, b) => a + b, 0);
  console.log(`${name} ${size} B: ${(total / messages).toFixed(0)} sampled bytes/message`);
  for (const [site, bytes] of [...sites].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    console.log(`  ${(bytes / messages).toFixed(0).padStart(6)}  ${site}`);
  }
}

const youngUsed = () =>
  getHeapSpaceStatistics().find((s) => s.space_name === "new_space")!.space_used_size;

await echoes(warmUp);
getPriority(); // mark: start-up and warm-up end here
let promises = 0;
let collections = 0;
const counting = mode === "counts";
const hook = createHook({
  init(_id, type) {
    if (type === "PROMISE") promises++;
  },
});
const gcs = new PerformanceObserver((list) => {
  collections += list.getEntries().length;
});
if (counting) gcs.observe({ entryTypes: ["gc"] });
for (let phase = 0; phase < phases; phase++) {
  if (counting) {
    // Let the observer report earlier collections before this phase starts.
    await new Promise((resolve) => setTimeout(resolve, 10));
    const before = collections;
    const used = youngUsed();
    await echoes(messages);
    const bytes = youngUsed() - used;
    await new Promise((resolve) => setTimeout(resolve, 10));
    const gc = collections > before ? " (a collection fell in this phase: not valid)" : "";
    // Promises in a pass of their own: the hook itself allocates.
    promises = 0;
    hook.enable();
    await echoes(messages);
    hook.disable();
    console.log(
      `${name} ${size} B phase ${phase + 1}: ${(bytes / messages).toFixed(0)} heap bytes/message${gc}, ${(promises / messages).toFixed(2)} promises/message`,
    );
  } else if (mode === "heap" && phase === 0) {
    await sampleAllocations();
  } else {
    await echoes(messages);
  }
  getPriority(); // mark: this phase ends here
}
gcs.disconnect();
await echoer.close();
process.exit(0);
