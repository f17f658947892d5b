// `bun test` entry: the Response.readInto cases over @reqivo/transport-bun against Bun.serve.
// @ts-expect-error bun:test types are not installed (Bun provides the module at run time)
import { test } from "bun:test";
import { createTransport } from "@reqivo/transport-bun";
import { bodyCases } from "./body.cases.ts";
import { serve } from "./bun-serve.ts";

for (const [name, run] of Object.entries(bodyCases(serve, () => createTransport()))) {
  test(`body (bun): ${name}`, run);
}
