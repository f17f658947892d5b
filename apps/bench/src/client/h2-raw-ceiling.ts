// The raw HTTP/2 ceiling of client-http2.bench.ts: what the server and the
// machine allow over TLS, with as little client work as HTTP/2 permits.
// Per connection: the preface, SETTINGS (stream windows at their maximum, no
// push) and one WINDOW_UPDATE that opens the connection window; every
// request is a pre-built HEADERS frame (HPACK: static-table indexes and
// literals never added to the table) with only its stream id written in.
// Responses are not decoded: the reader walks frame headers, skips header
// blocks and DATA, counts a response when a frame carries END_STREAM,
// answers SETTINGS and PING, and gives back connection window in big steps.
// The requests that replace the responses of one read go out in one write.
// At the end the DATA bytes received must equal responses × body size.
import * as tls from "node:tls";
import type { Sample } from "./contenders.ts";
import type { H2Contender, H2Scenario } from "./h2-contenders.ts";

const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");
const MAX_WINDOW = 2 ** 31 - 1;
const DEFAULT_WINDOW = 65_535;
const TYPE_DATA = 0;
const TYPE_HEADERS = 1;
const TYPE_SETTINGS = 4;
const TYPE_PING = 6;
const TYPE_GOAWAY = 7;
const FLAG_END_STREAM = 0x1;
const FLAG_ACK = 0x1;

function frame(type: number, flags: number, streamId: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(streamId, 5);
  return Buffer.concat([head, payload]);
}

/** Our SETTINGS (INITIAL_WINDOW_SIZE at its maximum, ENABLE_PUSH 0) and the connection window opened. */
const OPENING = Buffer.concat([
  PREFACE,
  frame(TYPE_SETTINGS, 0, 0, Buffer.from([0, 4, 0x7f, 0xff, 0xff, 0xff, 0, 2, 0, 0, 0, 0])),
  windowUpdate(MAX_WINDOW - DEFAULT_WINDOW),
]);

function windowUpdate(increment: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(increment, 0);
  return frame(8, 0, 0, payload);
}

/** A HEADERS frame (END_STREAM | END_HEADERS) for GET `path`; its stream id at offset 5. */
function requestFrame(authority: string, path: string): Buffer {
  // A literal field without indexing, its name from the static table (RFC 7541 §6.2.2).
  const literal = (nameIndex: number, value: string) => {
    const bytes = Buffer.from(value, "latin1");
    if (bytes.length > 126) throw new Error("raw h2 ceiling: header value too long");
    return Buffer.concat([Buffer.from([nameIndex, bytes.length]), bytes]);
  };
  const block = Buffer.concat([
    Buffer.from([0x82, 0x87]), // :method GET, :scheme https (static table 2 and 7)
    literal(4, path), // :path
    literal(1, authority), // :authority
  ]);
  return frame(TYPE_HEADERS, 0x5, 1, block);
}

/** One TLS connection speaking the minimum of HTTP/2. */
class RawConnection {
  readonly #socket: tls.TLSSocket;
  #nextStream = 1;
  /** Bytes of a frame header split across reads. */
  #partial: Buffer | null = null;
  /** Payload bytes of the current frame still to come, and the frame's type if we need them. */
  #skip = 0;
  #keep: { type: number; flags: number; bytes: Buffer[]; length: number } | null = null;
  #unacknowledged = 0;
  dataBytes = 0;
  onResponses: (count: number) => void = () => undefined;
  onError: (error: Error) => void = () => undefined;

  constructor(socket: tls.TLSSocket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.write(OPENING);
    socket.on("data", (chunk: Buffer) => this.#read(chunk));
    socket.on("error", (error) => this.onError(error));
  }

  static open(port: number, ca: string): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ host: "127.0.0.1", port, ca, ALPNProtocols: ["h2"] }, () => {
        if (socket.alpnProtocol !== "h2") reject(new Error("raw h2 ceiling: no h2 by ALPN"));
        else resolve(new RawConnection(socket));
      });
      socket.once("error", reject);
    });
  }

  /** Writes `count` requests from `template` in one write. */
  send(template: Buffer, count: number): void {
    const out = Buffer.allocUnsafe(template.length * count);
    for (let i = 0; i < count; i++) {
      template.copy(out, i * template.length);
      out.writeUInt32BE(this.#nextStream, i * template.length + 5);
      this.#nextStream += 2;
    }
    this.#socket.write(out);
  }

  close(): void {
    this.#socket.destroy();
  }

  #read(chunk: Buffer): void {
    let at = 0;
    let ended = 0;
    if (this.#partial !== null) {
      chunk = Buffer.concat([this.#partial, chunk]);
      this.#partial = null;
    }
    while (at < chunk.length) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, chunk.length - at);
        if (this.#keep !== null) {
          this.#keep.bytes.push(chunk.subarray(at, at + n));
          this.#keep.length += n;
        }
        this.#skip -= n;
        at += n;
        if (this.#skip === 0 && this.#keep !== null) {
          this.#control(this.#keep.type, this.#keep.flags, Buffer.concat(this.#keep.bytes));
          this.#keep = null;
        }
        continue;
      }
      if (chunk.length - at < 9) {
        this.#partial = Buffer.from(chunk.subarray(at));
        break;
      }
      const length = chunk.readUIntBE(at, 3);
      const type = chunk[at + 3]!;
      const flags = chunk[at + 4]!;
      at += 9;
      if (type === TYPE_DATA) {
        this.dataBytes += length;
        this.#unacknowledged += length;
      }
      if ((type === TYPE_DATA || type === TYPE_HEADERS) && (flags & FLAG_END_STREAM) !== 0) ended++;
      this.#skip = length;
      if (type === TYPE_SETTINGS || type === TYPE_PING || type === TYPE_GOAWAY) {
        this.#keep = { type, flags, bytes: [], length: 0 };
        if (length === 0) {
          this.#control(type, flags, Buffer.alloc(0));
          this.#keep = null;
        }
      }
    }
    // The connection window back in big steps: a WINDOW_UPDATE per 256 MiB received.
    if (this.#unacknowledged >= 2 ** 28) {
      this.#socket.write(windowUpdate(this.#unacknowledged));
      this.#unacknowledged = 0;
    }
    if (ended > 0) this.onResponses(ended);
  }

  #control(type: number, flags: number, payload: Buffer): void {
    if (type === TYPE_SETTINGS && (flags & FLAG_ACK) === 0)
      this.#socket.write(frame(TYPE_SETTINGS, FLAG_ACK, 0, Buffer.alloc(0)));
    else if (type === TYPE_PING && (flags & FLAG_ACK) === 0)
      this.#socket.write(frame(TYPE_PING, FLAG_ACK, 0, payload));
    else if (type === TYPE_GOAWAY) this.onError(new Error("raw h2 ceiling: GOAWAY from server"));
  }
}

/** The raw ceiling as a contender: `connections` TLS connections, the in-flight requests spread over them. */
export function rawH2Ceiling(port: number, ca: string): H2Contender {
  const pools = new Map<number, Promise<RawConnection[]>>();
  const authority = `127.0.0.1:${port}`;
  return {
    name: "raw h2 ceiling",
    async sample(s: H2Scenario, durationMs: number, maxRequests: number): Promise<Sample> {
      let pool = pools.get(s.connections);
      if (pool === undefined) {
        pool = Promise.all(
          Array.from({ length: s.connections }, () => RawConnection.open(port, ca)),
        );
        pools.set(s.connections, pool);
      }
      const connections = await pool;
      const template = requestFrame(authority, s.path);
      const start = performance.now();
      const deadline = start + durationMs;
      let started = 0;
      let completed = 0;
      const dataBefore = connections.reduce((sum, c) => sum + c.dataBytes, 0);
      await new Promise<void>((resolve, reject) => {
        let outstanding = 0;
        const launch = (c: RawConnection, count: number) => {
          const n = Math.min(count, maxRequests - started);
          if (n <= 0) return;
          started += n;
          outstanding += n;
          c.send(template, n);
        };
        connections.forEach((c, i) => {
          c.onError = reject;
          c.onResponses = (count) => {
            completed += count;
            outstanding -= count;
            if (performance.now() < deadline) launch(c, count);
            if (outstanding === 0) resolve();
          };
          // 100 in flight spread over the connections (the first ones take the remainder).
          const share =
            Math.floor(s.inFlight / connections.length) +
            (i < s.inFlight % connections.length ? 1 : 0);
          launch(c, share);
        });
        if (outstanding === 0) resolve();
      });
      const elapsedMs = performance.now() - start;
      const data = connections.reduce((sum, c) => sum + c.dataBytes, 0) - dataBefore;
      if (data !== completed * s.expectedBody)
        throw new Error(
          `raw h2 ceiling/${s.id}: ${data} DATA bytes for ${completed} responses of ${s.expectedBody}`,
        );
      return { requests: completed, elapsedMs };
    },
    async close() {
      for (const pool of pools.values()) for (const c of await pool) c.close();
    },
  };
}
