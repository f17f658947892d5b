// `deno test` entry: the fault suite over @reqivo/transport-deno. Deno's own
// resource and op sanitizers run on every case, on top of the suite's checks.
import { createTransport } from "@reqivo/transport-deno";
import { faultCases } from "../../src/fault-cases.ts";
import { runFaultCase } from "../../src/fault-runner.ts";
import { protocolCases } from "../../src/protocol-cases.ts";

declare const Deno: {
  test(definition: { name: string; ignore?: boolean; fn: () => Promise<void> | void }): void;
};

for (const c of faultCases) {
  Deno.test({
    name: `hostile server: ${c.name}`,
    ignore: c.skip?.deno !== undefined,
    fn: () => runFaultCase(c, "deno", createTransport()),
  });
}
for (const [name, run] of Object.entries(protocolCases)) Deno.test({ name, fn: run });
