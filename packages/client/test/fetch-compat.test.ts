// fetch() compatibility cases (test/runtimes/fetch.cases.ts) over @reqivo/transport-node.
import { createTransport } from "@reqivo/transport-node";
import { describe, it } from "vitest";
import { fetchCases } from "./runtimes/fetch.cases.ts";

describe("fetch() as the Fetch standard and the runtimes' fetch behave", () => {
  for (const [name, run] of Object.entries(fetchCases(() => createTransport()))) it(name, run);
});
