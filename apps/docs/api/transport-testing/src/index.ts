/**
 * The conformance kit for transport authors: `conformanceCases()` returns plain
 * `{ name, timeoutMs, run }` cases that a runner (vitest, `Deno.test`,
 * `bun:test`) registers with its own `test` function. The servers come from a
 * {@link TestHarness}; `@reqivo/transport/testing/node-harness` provides one
 * on `node:net`/`node:tls`, which Node, Deno and Bun all implement.
 *
 * See the guide "Writing a transport" for a complete runner.
 *
 * @example
 * ```ts
 * import { test, expect } from "vitest";
 * import { conformanceCases } from "@reqivo/transport/testing";
 * import { createNodeHarness } from "@reqivo/transport/testing/node-harness";
 * import { createTransport } from "@reqivo/transport-node";
 *
 * const cases = conformanceCases({
 *   transport: createTransport(),
 *   harness: createNodeHarness(),
 *   assert: (ok, message) => expect(ok, message).toBe(true),
 * });
 * for (const c of cases) test(c.name, c.run, c.timeoutMs);
 * ```
 *
 * @module
 */
export * from "@reqivo/transport/testing";
export * from "@reqivo/transport/testing/node-harness";
