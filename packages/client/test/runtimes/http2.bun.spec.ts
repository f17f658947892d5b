// `bun test` entry: the HTTP/2 cases over @reqivo/transport-bun against
// node:http2 in a Node child process, and against Bun.serve with TLS, which
// speaks HTTP/1.1 only: the client falls back to it.
// @ts-expect-error bun:test types are not installed (Bun provides the module at run time)
import { test } from "bun:test";
import { createTransport } from "@reqivo/transport-bun";
import { serve, serveTls } from "./bun-serve.ts";
import { http2Cases, http2RuntimeServerCases } from "./http2.cases.ts";

const transport = () => createTransport();
// Above each case's own 15 s bound (bun's default is 5 s; a case starts a Node process).
const TIMEOUT_MS = 20_000;
for (const [name, run] of Object.entries(http2Cases(transport))) {
  test(`http2 (bun): ${name}`, run, TIMEOUT_MS);
}
for (const [name, run] of Object.entries(
  http2RuntimeServerCases(serve, serveTls, transport, { tls: "1.1", h2c: false }),
)) {
  test(`http2 (bun): ${name}`, run, TIMEOUT_MS);
}
