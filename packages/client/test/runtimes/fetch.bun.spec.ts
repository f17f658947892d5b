// `bun test` entry: the fetch() compatibility cases over @reqivo/transport-bun.
// @ts-expect-error bun:test types are not installed (Bun provides the module at run time)
import { test } from "bun:test";
import { createTransport } from "@reqivo/transport-bun";
import { fetchCases } from "./fetch.cases.ts";

for (const [name, run] of Object.entries(fetchCases(() => createTransport()))) {
  test(`fetch (bun): ${name}`, run);
}
