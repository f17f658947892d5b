import { describe, expect, it } from "vitest";
import {
  LocalProtocolError,
  ProtocolError,
  REQIVO_ERROR_BRAND,
  RemoteProtocolError,
} from "../src/index.ts";

describe("protocol errors", () => {
  it("carry a stable code and origin", () => {
    const remote = new RemoteProtocolError("INVALID_STATUS_LINE", "bad");
    expect(remote.code).toBe("INVALID_STATUS_LINE");
    expect(remote.origin).toBe("remote");
    expect(remote).toBeInstanceOf(ProtocolError);
    expect(remote).toBeInstanceOf(Error);
    expect(remote).not.toBeInstanceOf(LocalProtocolError);
    const local = new LocalProtocolError("INVALID_HEADER_VALUE", "bad", { cause: remote });
    expect(local.origin).toBe("local");
    expect(local.cause).toBe(remote);
    expect(local).not.toBeInstanceOf(RemoteProtocolError);
  });

  it("instanceof survives a second copy of the class (brand check)", () => {
    // An object built by another copy of the package carries the same Symbol.for brands.
    const foreign = {
      [Symbol.for("reqivo.error")]: true,
      [Symbol.for("reqivo.error.ProtocolError")]: true,
      [Symbol.for("reqivo.error.RemoteProtocolError")]: true,
      code: "X",
    };
    expect(foreign instanceof ProtocolError).toBe(true);
    expect(foreign instanceof RemoteProtocolError).toBe(true);
    expect(foreign instanceof LocalProtocolError).toBe(false);
    expect({ code: "X" } instanceof ProtocolError).toBe(false);
    expect(new RemoteProtocolError("A", "b")[REQIVO_ERROR_BRAND]).toBe(true);
  });

  it("keeps the WebSocket close code", () => {
    expect(new RemoteProtocolError("INVALID_UTF8", "x", { closeCode: 1007 }).closeCode).toBe(1007);
  });
});
