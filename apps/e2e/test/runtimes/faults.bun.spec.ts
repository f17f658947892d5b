// `bun test` entry: the fault suite over @reqivo/transport-bun. Bun reports no
// active resources, so leaks are checked on the server side (open sockets) only.
import { createTransport } from "@reqivo/transport-bun";
import { faultCases } from "../../src/fault-cases.ts";
import { runFaultCase } from "../../src/fault-runner.ts";
import { protocolCases } from "../../src/protocol-cases.ts";

// bun:test, declared here so that this file needs no @types/bun.
const { test } = (await import("bun:test" as string)) as {
  test: {
    (name: string, fn: () => Promise<void> | void, timeoutMs?: number): void;
    skip(name: string, fn: () => Promise<void> | void): void;
  };
};

for (const c of faultCases) {
  const run = () => runFaultCase(c, "bun", createTransport());
  if (c.skip?.bun !== undefined) test.skip(`hostile server: ${c.name}`, run);
  else test(`hostile server: ${c.name}`, run, 30_000);
}
for (const [name, run] of Object.entries(protocolCases)) test(name, run, 30_000);
