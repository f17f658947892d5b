// In-memory cost of the (not yet exported) Sans-I/O HTTP/2 client connection
// in packages/protocol/src/http2/connection, no sockets, no contender yet:
// batches of 100 requests (sendHeaders + dataToSend), then the responses
// (HEADERS with :status, content-type, content-length; DATA up to END_STREAM)
// fed from 64 KiB chunks, every DATA event acknowledged. The server's octets
// are written once, before timing.
//
//   cd apps/bench && npx tsx src/http2-connection.bench.ts     (or: npx pnpm bench http2-connection)
//
// Sources are imported directly (tsx's module transform is in the figures).
// Each cell: a warm-up, then 5 rounds; the median is shown with [min–max].
import { performance } from "node:perf_hooks";
import { concatBytes } from "../../../packages/protocol/src/bytes.ts";
import { Http2ClientConnection } from "../../../packages/protocol/src/http2/connection/connection.ts";
import { FrameWriter } from "../../../packages/protocol/src/http2/frames/writer.ts";
import { HpackEncoder } from "../../../packages/protocol/src/http2/hpack/encoder.ts";

const REQUEST: [string, string][] = [
  [":method", "GET"],
  [":scheme", "https"],
  [":authority", "example.com"],
  [":path", "/"],
  ["accept", "*/*"],
];
const BATCH = 100;
const CHUNK = 64 * 1024;

/** The server's octets for `count` responses, and where each batch of responses ends. */
function serverOctets(count: number, bodySize: number): { wire: Uint8Array; batchEnds: number[] } {
  const writer = new FrameWriter();
  const encoder = new HpackEncoder();
  const body = new Uint8Array(bodySize);
  const parts = [writer.settings([[0x3, BATCH]]), writer.windowUpdate(0, 2 ** 30)];
  let length = parts[0]!.length + parts[1]!.length;
  const batchEnds: number[] = [];
  const push = (frame: Uint8Array) => {
    parts.push(frame);
    length += frame.length;
  };
  for (let i = 0; i < count; i++) {
    if (i > 0 && i % BATCH === 0) batchEnds.push(length);
    const id = 2 * i + 1;
    const head: [string, string][] = [
      [":status", "200"],
      ["content-type", "text/plain"],
      ["content-length", String(bodySize)],
    ];
    push(writer.headers(id, encoder.encode(head)));
    for (let at = 0; at < bodySize; at += 16_384) {
      const end = at + 16_384 >= bodySize;
      push(writer.data(id, body.subarray(at, at + 16_384), { endStream: end }));
    }
  }
  batchEnds.push(length);
  return { wire: concatBytes(parts), batchEnds };
}

function exchange(count: number, { wire, batchEnds }: ReturnType<typeof serverOctets>): number {
  const client = new Http2ClientConnection({
    initialWindowSize: 1 << 20,
    connectionWindowSize: 1 << 30,
  });
  let ended = 0;
  let offset = 0;
  for (let i = 0; i < count; i += BATCH) {
    for (let j = i; j < Math.min(count, i + BATCH); j++) {
      client.sendHeaders(undefined, REQUEST, { endStream: true });
    }
    client.dataToSend();
    const end = batchEnds[i / BATCH]!;
    while (offset < end) {
      const next = Math.min(end, offset + CHUNK);
      for (const event of client.receiveData(wire.subarray(offset, next))) {
        if (event.type === "data")
          client.acknowledgeReceivedData(event.streamId, event.data.length);
        else if (event.type === "stream_end") ended++;
        else if (event.type === "connection_error") throw event.error;
      }
      offset = next;
      client.dataToSend();
    }
  }
  if (ended !== count) throw new Error(`${ended} of ${count} responses ended`);
  return count;
}

function measure(run: () => number): [number, number, number] {
  run();
  const rates: number[] = [];
  for (let round = 0; round < 5; round++) {
    const start = performance.now();
    const units = run();
    rates.push(units / ((performance.now() - start) / 1000));
  }
  rates.sort((a, b) => a - b);
  return [rates[2]!, rates[0]!, rates[4]!];
}

console.log("| case | exchanges/s | body MB/s |\n|---|---|---|");
for (const [count, bodySize] of [
  [20_000, 16],
  [2_000, 65_536],
] as const) {
  const octets = serverOctets(count, bodySize);
  const [median, min, max] = measure(() => exchange(count, octets));
  const mb = (median * bodySize) / 1e6;
  console.log(
    `| ${count} GETs, ${bodySize} B bodies | ${median.toFixed(0)} [${min.toFixed(0)}–${max.toFixed(0)}] | ${mb.toFixed(1)} |`,
  );
}
