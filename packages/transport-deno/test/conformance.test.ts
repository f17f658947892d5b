// Runs the conformance kit under `deno test` (see the test:deno script).
import assert from "node:assert";
import { conformanceCases } from "@reqivo/transport/testing";
import { createNodeHarness } from "@reqivo/transport/testing/node-harness";
import { createTransport } from "../src/index.ts";

declare const Deno: {
  test(definition: {
    name: string;
    fn: () => Promise<void>;
    sanitizeResources?: boolean;
    sanitizeOps?: boolean;
  }): void;
};

const cases = conformanceCases({
  transport: createTransport(),
  harness: createNodeHarness(),
  assert: (condition, message) => assert.ok(condition, message),
  // See the README's support table for why.
  unsupported: [
    "info.tlsVersion",
    "tls.cancelHandshakeClosesSocket",
    "tls.sessionResumption",
    "readNow",
  ],
});

for (const c of cases) Deno.test({ name: c.name, fn: c.run });
