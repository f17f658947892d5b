// `deno test` entry: the Response.readInto cases over @reqivo/transport-deno against Deno.serve.
import { createTransport } from "@reqivo/transport-deno";
import { bodyCases } from "./body.cases.ts";
import { serve } from "./deno-serve.ts";

declare const Deno: { test(name: string, fn: () => Promise<void>): void };

for (const [name, run] of Object.entries(bodyCases(serve, () => createTransport()))) {
  Deno.test(`body (deno): ${name}`, run);
}
