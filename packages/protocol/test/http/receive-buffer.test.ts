import { describe, expect, it } from "vitest";
import { ReceiveBuffer } from "../../src/http/receive-buffer.ts";

describe("ReceiveBuffer.releaseConsumed", () => {
  it("lets go of a chunk read to its end, and the next chunk is adopted as before", () => {
    const buffer = new ReceiveBuffer();
    const chunk = new Uint8Array([1, 2, 3]);
    buffer.append(chunk);
    expect(buffer.takeAll()).toEqual(new Uint8Array([1, 2, 3]));
    buffer.releaseConsumed();
    expect(buffer.bytes).not.toBe(chunk);
    expect(buffer.length).toBe(0);
    const next = new Uint8Array([4]);
    buffer.append(next);
    expect(buffer.bytes).toBe(next);
    expect(buffer.takeAll()).toEqual(new Uint8Array([4]));
  });

  it("keeps bytes not yet consumed", () => {
    const buffer = new ReceiveBuffer();
    const chunk = new Uint8Array([1, 2, 3]);
    buffer.append(chunk);
    buffer.take(1);
    buffer.releaseConsumed();
    expect(buffer.bytes).toBe(chunk);
    expect(buffer.takeAll()).toEqual(new Uint8Array([2, 3]));
  });
});
