// `deno test` entry: the HTTP/2 cases over @reqivo/transport-deno against
// node:http2 in a Node child process (needs --allow-run=node), and against
// Deno.serve with TLS, which speaks h2.
import { createTransport } from "@reqivo/transport-deno";
import { serve, serveTls } from "./deno-serve.ts";
import { http2Cases, http2RuntimeServerCases } from "./http2.cases.ts";

declare const Deno: { test(name: string, fn: () => Promise<void>): void };

const transport = () => createTransport();
for (const [name, run] of Object.entries(http2Cases(transport))) {
  Deno.test(`http2 (deno): ${name}`, run);
}
for (const [name, run] of Object.entries(
  http2RuntimeServerCases(serve, serveTls, transport, { tls: "2", h2c: true }),
)) {
  Deno.test(`http2 (deno): ${name}`, run);
}
