// The Node transport under Bun's node:net / node:tls compatibility (`bun test
// test-bun/`, the test:bun script): the same kit, a second runtime.
import assert from "node:assert";
import { conformanceCases } from "@reqivo/transport/testing";
import { createNodeHarness } from "@reqivo/transport/testing/node-harness";
import { createTransport } from "../src/index.ts";

// bun:test, declared here so that this file needs no @types/bun.
const { test } = (await import("bun:test" as string)) as {
  test(name: string, fn: () => Promise<void>, timeoutMs?: number): void;
};

const cases = conformanceCases({
  transport: createTransport(),
  harness: createNodeHarness(),
  // Reads land in buffers of the transport's own (see the README's support table).
  unsupported: ["readInto"],
  assert: (condition, message) => assert.ok(condition, message),
});

for (const c of cases) test(c.name, c.run, c.timeoutMs);
