// `deno test` entry: the HTTP/2 cases over @reqivo/transport-deno against
// node:http2 in a Node child process (needs --allow-run=node).
import { createTransport } from "@reqivo/transport-deno";
import { http2Cases } from "./http2.cases.ts";

declare const Deno: { test(name: string, fn: () => Promise<void>): void };

for (const [name, run] of Object.entries(http2Cases(() => createTransport()))) {
  Deno.test(`http2 (deno): ${name}`, run);
}
