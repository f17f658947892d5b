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
  unsupported: [
    "tls.rejectUnauthorized=false",
    "tls.minVersion=TLSv1.3",
    "info.tlsVersion",
    "tls.cancelHandshakeClosesSocket",
  ],
});

for (const c of cases) Deno.test({ name: c.name, fn: c.run });
