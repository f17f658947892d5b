// The Node transport's resolver and what it does with a hook's answer.
import { DnsError, type LookupFunction } from "@reqivo/transport";
import { describe, expect, test } from "vitest";
import { createTransport } from "../src/index.ts";

const transport = createTransport();

describe("lookup", () => {
  test("a hook answer that is not an IP address is a DnsError, and nothing is dialled", async () => {
    const bogus: LookupFunction = async () => [{ address: "not-an-ip", family: 4 }];
    const error = await transport
      .connect({ host: "reqivo.test", port: 9, lookup: bogus })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DnsError);
    expect((error as DnsError).cause).toBeInstanceOf(TypeError);
  });

  test("a hook that returns something other than a list is a DnsError", async () => {
    const broken = (async () => null) as unknown as LookupFunction;
    const error = await transport
      .connect({ host: "reqivo.test", port: 9, lookup: broken })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DnsError);
  });

  test("transport.lookup honours an aborted signal", async () => {
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    const error = await transport.lookup!("localhost", { signal: controller.signal }).catch(
      (e: unknown) => e,
    );
    expect((error as { code?: string }).code).toBe("ABORTED");
  });
});
