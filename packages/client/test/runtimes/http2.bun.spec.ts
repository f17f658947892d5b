// `bun test` entry: the HTTP/2 cases over @reqivo/transport-bun against
// node:http2 in a Node child process.
// @ts-expect-error bun:test types are not installed (Bun provides the module at run time)
import { test } from "bun:test";
import { createTransport } from "@reqivo/transport-bun";
import { http2Cases } from "./http2.cases.ts";

for (const [name, run] of Object.entries(http2Cases(() => createTransport()))) {
  test(`http2 (bun): ${name}`, run);
}
