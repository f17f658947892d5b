import { createHash, randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  computeAcceptKey,
  decodeBase64,
  encodeBase64,
  encodeFrame,
  isValidUtf8,
  MaskKeyPool,
  Opcode,
  sha1,
  Utf8Validator,
} from "../../src/index.ts";
import { counterRandom, parseFrames, toHex, utf8 } from "./helpers.ts";

describe("sha1", () => {
  it("matches FIPS 180 vectors", () => {
    expect(toHex(sha1(utf8("")))).toBe("da39a3ee5e6b4b0d3255bfef95601890afd80709");
    expect(toHex(sha1(utf8("abc")))).toBe("a9993e364706816aba3e25717850c26c9cd0d89d");
    expect(toHex(sha1(utf8("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")))).toBe(
      "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
    );
  });

  it("agrees with node:crypto at every length around block edges", () => {
    for (let n = 0; n < 200; n++) {
      const data = randomBytes(n);
      expect(toHex(sha1(data))).toBe(createHash("sha1").update(data).digest("hex"));
    }
  });
});

describe("base64", () => {
  it("matches RFC 4648 §10", () => {
    const cases = ["", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"];
    cases.forEach((b64, n) => {
      expect(encodeBase64(utf8("foobar".slice(0, n)))).toBe(b64);
      expect(Buffer.from(decodeBase64(b64)!).toString()).toBe("foobar".slice(0, n));
    });
  });

  it("round-trips random bytes like Buffer", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const b64 = encodeBase64(bytes);
        expect(b64).toBe(Buffer.from(bytes).toString("base64"));
        expect(decodeBase64(b64)).toEqual(bytes);
      }),
    );
  });

  it("refuses non-canonical input", () => {
    for (const bad of ["Zg", "Zh==", "Z===", "Zm9v!", "=Zm9", "Zg=a"])
      expect(decodeBase64(bad)).toBeNull();
  });
});

describe("computeAcceptKey", () => {
  it("computes the RFC 6455 §1.3 example", () => {
    expect(computeAcceptKey("dGhlIHNhbXBsZSBub25jZQ==")).toBe("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  });
});

describe("Utf8Validator", () => {
  it("agrees with a fatal TextDecoder on random bytes, fed in random splits", () => {
    const decoder = new TextDecoder("utf-8", { fatal: true });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.nat(40), (bytes, cut) => {
        let valid = true;
        try {
          decoder.decode(bytes);
        } catch {
          valid = false;
        }
        const v = new Utf8Validator();
        const at = Math.min(cut, bytes.length);
        const ok = v.push(bytes, 0, at) && v.push(bytes, at) && v.complete;
        expect(ok).toBe(valid);
        expect(isValidUtf8(bytes)).toBe(valid);
      }),
      { numRuns: 2000 },
    );
  });

  it("fails on the first impossible byte, not at the end", () => {
    const v = new Utf8Validator();
    expect(v.push(Uint8Array.of(0xf4))).toBe(true);
    expect(v.push(Uint8Array.of(0x90))).toBe(false); // above U+10FFFF
    const s = new Utf8Validator();
    expect(s.push(Uint8Array.of(0xed, 0xa0))).toBe(false); // surrogate
    expect(new Utf8Validator().push(Uint8Array.of(0xc0))).toBe(false); // overlong lead
  });
});

describe("encodeFrame", () => {
  it("uses 7, 16 and 64-bit lengths at the boundaries", () => {
    for (const [n, headerHex] of [
      [0, "8200"],
      [125, "827d"],
      [126, "827e007e"],
      [65535, "827effff"],
      [65536, "827f0000000000010000"],
    ] as const) {
      const frame = encodeFrame(Opcode.BINARY, new Uint8Array(n));
      expect(toHex(frame.subarray(0, headerHex.length / 2))).toBe(headerHex);
      expect(frame.length).toBe(headerHex.length / 2 + n);
    }
  });

  it("masks with fresh keys and never touches the input", () => {
    const pool = new MaskKeyPool(counterRandom(7));
    for (const n of [0, 1, 5, 63, 64, 65, 1000, 70000]) {
      const payload = Uint8Array.from({ length: n }, (_, i) => (i * 31) & 255);
      const copy = payload.slice();
      const a = encodeFrame(Opcode.BINARY, payload, { mask: pool });
      const b = encodeFrame(Opcode.BINARY, payload, { mask: pool });
      expect(payload).toEqual(copy);
      const [fa] = parseFrames(a);
      const [fb] = parseFrames(b);
      expect(fa!.masked).toBe(true);
      expect(fa!.payload).toEqual(payload);
      expect(fb!.payload).toEqual(payload);
      const keyAt = a.length - n - 4;
      expect(toHex(a.subarray(keyAt, keyAt + 4))).not.toBe(toHex(b.subarray(keyAt, keyAt + 4)));
    }
  });

  it("cuts small frames from one shared buffer, each keeping its own bytes", () => {
    const pool = new MaskKeyPool(counterRandom(5));
    const frames = [0, 16, 59, 60, 61, 62, 63, 64, 200, 1000].map((n) => ({
      n,
      payload: Uint8Array.from({ length: n }, (_, i) => (i * 7 + n) & 255),
    }));
    const encoded = frames.map(({ payload }) =>
      encodeFrame(Opcode.BINARY, payload, { mask: pool }),
    );
    // Off V8's heap in a shared slab (two if this run filled one), not an
    // allocation (or an on-heap array) per frame.
    expect(new Set(encoded.map((frame) => frame.buffer)).size).toBeLessThanOrEqual(2);
    for (const [i, { n, payload }] of frames.entries()) {
      const frame = encoded[i]!;
      expect(frame.buffer.byteLength).toBeGreaterThan(frame.length);
      const [parsed] = parseFrames(frame);
      expect(parsed!.payload).toEqual(payload);
      // Payloads masked a word at a time start on a word boundary of the buffer.
      if (n >= 64) expect((frame.byteOffset + frame.length - n) % 4).toBe(0);
    }
    // A frame too large for the slab is an allocation of its own.
    const large = encodeFrame(Opcode.BINARY, new Uint8Array(2000), { mask: pool });
    expect(large.buffer).not.toBe(encoded[0]!.buffer);
  });

  it("writes the same bytes as a plain reference encoder, key after key from the pool", () => {
    // The reference: header, then the pool's next 4 random bytes, then payload[i] ^ key[i % 4].
    const stream = counterRandom(11);
    const keys = new Uint8Array(4096);
    stream(keys); // the bytes the pool hands out, in order (it fills 1024 at a time)
    const pool = new MaskKeyPool(counterRandom(11));
    let used = 0;
    for (const n of [0, 1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 63, 64, 65, 125, 126, 200, 1000, 1100]) {
      for (const opcode of [Opcode.BINARY, Opcode.TEXT, Opcode.PING]) {
        if (opcode === Opcode.PING && n > 125) continue;
        const payload = Uint8Array.from({ length: n }, (_, i) => (i * 13 + n) & 255);
        const frame = encodeFrame(opcode, payload, { mask: pool });
        const key = keys.subarray(used, used + 4);
        used += 4;
        const head =
          n < 126 ? [0x80 | opcode, 0x80 | n] : [0x80 | opcode, 0x80 | 126, n >> 8, n & 255];
        const want = Uint8Array.from([...head, ...key, ...payload.map((b, i) => b ^ key[i & 3]!)]);
        expect(toHex(frame)).toBe(toHex(want));
      }
    }
  });

  it("refills its key pool with fresh random bytes, never handing a byte out twice", () => {
    // A source whose every 4-byte group is distinct: a repeated key would show.
    let counter = 0;
    let fills = 0;
    const distinct = (buffer: Uint8Array) => {
      fills++;
      const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      for (let i = 0; i + 4 <= buffer.length; i += 4) view.setUint32(i, counter++);
    };
    const pool = new MaskKeyPool(distinct);
    const seen = new Set<string>();
    const frames = 700; // the pool holds 256 keys: two refills
    for (let i = 0; i < frames; i++) {
      const frame = encodeFrame(Opcode.BINARY, new Uint8Array(16), { mask: pool });
      const [parsed] = parseFrames(frame);
      expect(parsed!.payload).toEqual(new Uint8Array(16));
      seen.add(toHex(frame.subarray(2, 6)));
    }
    expect(seen.size).toBe(frames);
    expect(fills).toBe(3);
  });

  it("masks payloads at every alignment of the input view", () => {
    const pool = new MaskKeyPool(counterRandom(3));
    const backing = randomBytes(300);
    for (let offset = 0; offset < 4; offset++) {
      const payload = new Uint8Array(backing.buffer, backing.byteOffset + offset, 200 + offset);
      const [frame] = parseFrames(
        encodeFrame(Opcode.TEXT, payload, { mask: pool, fin: false, rsv1: true }),
      );
      expect(frame).toMatchObject({ fin: false, rsv: 4, opcode: 1 });
      expect(Buffer.from(frame!.payload).equals(payload)).toBe(true);
    }
  });
});
