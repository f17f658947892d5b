// `deno test` entry: the DNS cases over @reqivo/transport-deno against Deno.serve.
import { createTransport } from "@reqivo/transport-deno";
import { serve } from "./deno-serve.ts";
import { dnsCases } from "./dns.cases.ts";

declare const Deno: { test(name: string, fn: () => Promise<void>): void };

for (const [name, run] of Object.entries(dnsCases(serve, () => createTransport()))) {
  Deno.test(`dns (deno): ${name}`, run);
}
