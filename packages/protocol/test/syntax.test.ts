import { describe, expect, it } from "vitest";
import { isFieldValue } from "../src/index.ts";

describe("isFieldValue: the one rule for values written into a head", () => {
  it("with obsText false and trimmed false, refuses exactly what multipart part types always refused", () => {
    // The client's multipart part-type check used to be this pattern; the shared rule must not loosen it.
    const multipartBefore = /^[\t\x20-\x7e]*$/;
    const rule = { obsText: false, trimmed: false };
    for (let c = 0; c <= 0xffff; c++) {
      const char = String.fromCharCode(c);
      for (const value of [char, `text/${char}plain`, ` ${char}`]) {
        expect(isFieldValue(value, rule), JSON.stringify(value)).toBe(multipartBefore.test(value));
      }
    }
  });

  it("by default accepts obs-text and refuses padding, as request heads need", () => {
    expect(isFieldValue("caf\u00e9")).toBe(true);
    expect(isFieldValue("caf\u00e9", { obsText: false })).toBe(false);
    expect(isFieldValue(" a")).toBe(false);
    expect(isFieldValue("a\t")).toBe(false);
    expect(isFieldValue(" a", { trimmed: false })).toBe(true);
    expect(isFieldValue("a\u0100")).toBe(false);
    expect(isFieldValue("a\r\nb", { obsText: false, trimmed: false })).toBe(false);
  });
});
