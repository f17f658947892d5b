// The fault suite on Node, over @reqivo/transport-node.
import { createTransport } from "@reqivo/transport-node";
import { describe, it } from "vitest";
import { faultCases } from "../src/fault-cases.ts";
import { runFaultCase } from "../src/fault-runner.ts";

describe("hostile servers (Node)", () => {
  for (const c of faultCases) {
    const skipped = c.skip?.node;
    it.skipIf(skipped !== undefined)(c.name, () => runFaultCase(c, "node", createTransport()));
  }
});
