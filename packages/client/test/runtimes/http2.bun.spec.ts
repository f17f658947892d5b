// `bun test` entry: the HTTP/2 cases over @reqivo/transport-bun against
// node:http2 in a Node child process, and against Bun.serve with TLS, which
// speaks HTTP/1.1 only: the client falls back to it.
// @ts-expect-error bun:test types are not installed (Bun provides the module at run time)
import { test } from "bun:test";
import { createTransport } from "@reqivo/transport-bun";
import { serveTls } from "./bun-serve.ts";
import { http2Cases, http2RuntimeServerCases } from "./http2.cases.ts";

const transport = () => createTransport();
for (const [name, run] of Object.entries(http2Cases(transport))) {
  test(`http2 (bun): ${name}`, run);
}
for (const [name, run] of Object.entries(http2RuntimeServerCases(serveTls, transport, "1.1"))) {
  test(`http2 (bun): ${name}`, run);
}
