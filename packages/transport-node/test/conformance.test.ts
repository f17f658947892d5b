import { conformanceCases } from "@reqivo/transport/testing";
import { createNodeHarness } from "@reqivo/transport/testing/node-harness";
import { expect, test } from "vitest";
import { createTransport } from "../src/index.ts";

const cases = conformanceCases({
  transport: createTransport(),
  harness: createNodeHarness(),
  // Reads land in buffers of the transport's own (see the README's support table).
  unsupported: ["readInto"],
  assert: (condition, message) => expect(condition, message).toBe(true),
});

for (const c of cases) test(c.name, c.run, c.timeoutMs);
