// `bun test` entry: the DNS cases over @reqivo/transport-bun against Bun.serve.
// @ts-expect-error bun:test types are not installed (Bun provides the module at run time)
import { test } from "bun:test";
import { createTransport } from "@reqivo/transport-bun";
import { serve } from "./bun-serve.ts";
import { dnsCases } from "./dns.cases.ts";

for (const [name, run] of Object.entries(dnsCases(serve, () => createTransport()))) {
  test(`dns (bun): ${name}`, run);
}
