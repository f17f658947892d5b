// `deno test` entry: the fetch() compatibility cases over @reqivo/transport-deno.
import { createTransport } from "@reqivo/transport-deno";
import { fetchCases } from "./fetch.cases.ts";

declare const Deno: { test(name: string, fn: () => Promise<void>): void };

for (const [name, run] of Object.entries(fetchCases(() => createTransport()))) {
  Deno.test(`fetch (deno): ${name}`, run);
}
