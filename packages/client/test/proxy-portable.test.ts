// The proxy cases Deno and Bun run (test/runtimes/proxy.cases.ts), on Node.
import { createTransport } from "@reqivo/transport-node";
import { describe, it } from "vitest";
import { proxyCases } from "./runtimes/proxy.cases.ts";

describe("proxy cases shared with Deno and Bun (Node)", () => {
  for (const [name, run] of Object.entries(proxyCases(createTransport))) it(name, run);
});
