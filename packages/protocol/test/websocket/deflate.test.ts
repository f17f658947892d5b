// permessage-deflate through the connection, with a codec built on node:zlib
// (test-only: the core itself stays free of dependencies).
import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  type PerMessageDeflateCodec,
  RemoteProtocolError,
  WebSocketConnection,
} from "../../src/index.ts";
import { cat, drain, hex, parseFrames, serverFrame, utf8 } from "./helpers.ts";

interface ZlibInternals {
  _handle: {
    writeSync(
      flush: number,
      input: Uint8Array,
      inOff: number,
      inLen: number,
      out: Uint8Array,
      outOff: number,
      outLen: number,
    ): void;
    onerror: (message: string) => void;
  };
  _writeState: Uint32Array;
}

// zlib's public sync API closes the stream after one call, which would lose the
// LZ77 context; drive the handle directly so the context survives (test only).
function runZlib(
  stream: zlib.DeflateRaw | zlib.InflateRaw,
  input: Uint8Array,
  maxOut: number,
): Buffer | null {
  const { _handle: handle, _writeState: state } = stream as unknown as ZlibInternals;
  let error: Error | null = null;
  handle.onerror = (message) => {
    error = new Error(message);
  };
  const chunks: Buffer[] = [];
  let total = 0;
  let inOff = 0;
  let inLen = input.length;
  for (;;) {
    const out = Buffer.allocUnsafe(16384);
    handle.writeSync(zlib.constants.Z_SYNC_FLUSH, input, inOff, inLen, out, 0, out.length);
    if (error) throw error;
    const have = out.length - state[0]!;
    total += have;
    if (total > maxOut) return null;
    if (have > 0) chunks.push(out.subarray(0, have));
    inOff += inLen - state[1]!;
    inLen = state[1]!;
    if (state[0] !== 0) return Buffer.concat(chunks);
  }
}

/** A codec on node:zlib with context takeover and bounded inflation. */
function nodeCodec({
  noContext = false,
  windowBits = 15,
} = {}): PerMessageDeflateCodec & { inflated: number } {
  let deflater: zlib.DeflateRaw | null = null;
  let inflater: zlib.InflateRaw | null = null;
  const codec = {
    inflated: 0,
    compress(data: Uint8Array): Uint8Array {
      if (deflater === null || noContext) deflater = zlib.createDeflateRaw({ windowBits });
      return runZlib(deflater, data, Number.POSITIVE_INFINITY)!;
    },
    decompress(data: Uint8Array, maxLength: number): Uint8Array | null {
      if (inflater === null || noContext) inflater = zlib.createInflateRaw();
      const out = runZlib(inflater, data, maxLength);
      codec.inflated += out?.length ?? 0;
      return out === null ? null : new Uint8Array(out.buffer, out.byteOffset, out.length);
    },
  };
  return codec;
}

function pair(options: { maxMessageSize?: number } = {}) {
  const client = new WebSocketConnection({
    role: "client",
    perMessageDeflate: nodeCodec(),
    ...options,
  });
  const server = new WebSocketConnection({
    role: "server",
    perMessageDeflate: nodeCodec(),
    ...options,
  });
  return { client, server };
}

/** A compressed server frame made by hand: deflate, drop 00 00 ff ff, set RSV1. */
function compressedFrame(opcode: number, payload: Uint8Array, fin = true): Uint8Array {
  const raw = zlib.deflateRawSync(payload, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  return serverFrame(opcode, raw.subarray(0, raw.length - 4), { fin, rsv: 4 });
}

function failure(conn: WebSocketConnection, bytes: Uint8Array) {
  conn.receiveData(bytes);
  try {
    drain(conn);
  } catch (e) {
    expect(e).toBeInstanceOf(RemoteProtocolError);
    return {
      code: (e as RemoteProtocolError).code,
      closeCode: (e as RemoteProtocolError).closeCode,
    };
  }
  throw new Error("no protocol error");
}

describe("permessage-deflate", () => {
  it("round-trips messages both ways, keeping the context between messages", () => {
    const { client, server } = pair();
    const text = "the quick brown fox jumps over the lazy dog ".repeat(20);
    const first = client.send({ type: "text", data: text });
    const second = client.send({ type: "text", data: text });
    expect(parseFrames(first)[0]!.rsv).toBe(4);
    expect(second.length).toBeLessThan(first.length); // context takeover at work
    server.receiveData(first);
    server.receiveData(second);
    expect(drain(server)).toEqual([
      { type: "text", data: text },
      { type: "text", data: text },
    ]);
    client.receiveData(server.send({ type: "binary", data: utf8(text) }));
    client.receiveData(server.send({ type: "binary", data: new Uint8Array() }));
    expect(drain(client)).toEqual([
      { type: "binary", data: utf8(text) },
      { type: "binary", data: new Uint8Array() },
    ]);
  });

  it("compress: false and fragments go out uncompressed", () => {
    const { client } = pair();
    const frames = parseFrames(
      cat([
        client.send({ type: "text", data: "x", compress: false }),
        client.send({ type: "text", data: "a", fin: false }),
        client.send({ type: "text", data: "b" }),
      ]),
    );
    expect(frames.map((f) => f.rsv)).toEqual([0, 0, 0]);
  });

  it("accepts a compressed message split over fragments, RSV1 on the first only", () => {
    const raw = zlib.deflateRawSync(utf8("hello hello hello"), {
      finishFlush: zlib.constants.Z_SYNC_FLUSH,
    });
    const body = raw.subarray(0, raw.length - 4);
    const conn = pair().client;
    conn.receiveData(serverFrame(1, body.subarray(0, 3), { fin: false, rsv: 4 }));
    conn.receiveData(serverFrame(9, "p"));
    conn.receiveData(serverFrame(0, body.subarray(3)));
    conn.receiveData(serverFrame(1, "plain"));
    expect(drain(conn)).toEqual([
      { type: "ping", data: utf8("p") },
      { type: "text", data: "hello hello hello" },
      { type: "text", data: "plain" },
    ]);
  });

  it("refuses RSV1 on continuations and control frames", () => {
    expect(
      failure(
        pair().client,
        cat([serverFrame(1, "a", { fin: false }), serverFrame(0, "b", { rsv: 4 })]),
      ),
    ).toEqual({
      code: "RESERVED_BITS",
      closeCode: 1002,
    });
    expect(failure(pair().client, serverFrame(9, "", { rsv: 4 }))).toMatchObject({
      code: "RESERVED_BITS",
    });
  });

  it("stops a decompression bomb at maxMessageSize (1009)", () => {
    const codec = nodeCodec();
    const conn = new WebSocketConnection({
      role: "client",
      perMessageDeflate: codec,
      maxMessageSize: 1 << 20,
    });
    const bomb = compressedFrame(2, new Uint8Array(64 << 20)); // 64 MiB of zeros, ~64 KiB on the wire
    expect(bomb.length).toBeLessThan(100_000);
    expect(failure(conn, bomb)).toEqual({ code: "MESSAGE_TOO_BIG", closeCode: 1009 });
    expect(codec.inflated).toBe(0);
  });

  it("fails corrupt data with 1007, and invalid UTF-8 after inflation with 1007", () => {
    expect(failure(pair().client, serverFrame(2, hex("ffffffff"), { rsv: 4 }))).toEqual({
      code: "INFLATE_FAILED",
      closeCode: 1007,
    });
    expect(failure(pair().client, compressedFrame(1, hex("c0af")))).toEqual({
      code: "INVALID_UTF8",
      closeCode: 1007,
    });
  });

  it("works with no context takeover and small windows", () => {
    const client = new WebSocketConnection({
      role: "client",
      perMessageDeflate: nodeCodec({ noContext: true, windowBits: 9 }),
    });
    const server = new WebSocketConnection({
      role: "server",
      perMessageDeflate: nodeCodec({ noContext: true }),
    });
    for (let i = 0; i < 3; i++)
      server.receiveData(client.send({ type: "text", data: `message ${i} `.repeat(50) }));
    expect(drain(server).map((e) => (e as { data: string }).data.length)).toEqual([500, 500, 500]);
  });
});
