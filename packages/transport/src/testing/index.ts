/**
 * The conformance kit: plain async cases that every transport runs in its
 * own runtime. A runner (vitest, `Deno.test`, `bun:test`) registers each case
 * with its own `test` function; the kit needs only a transport, a server
 * harness and an assert function.
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
 */
import type { Transport } from "../contract.ts";
import { abortCases } from "./cases/abort.ts";
import { alpnCases } from "./cases/alpn.ts";
import { basicCases } from "./cases/basic.ts";
import { failureCases } from "./cases/failures.ts";
import { happyEyeballsCases } from "./cases/happy-eyeballs.ts";
import { lookupCases } from "./cases/lookup.ts";
import { pinCases } from "./cases/pins.ts";
import { resumptionCases } from "./cases/resumption.ts";
import { streamCases } from "./cases/stream.ts";
import { tlsCases } from "./cases/tls.ts";
import { tunnelCases } from "./cases/tunnel.ts";
import { generateTestCertificates, type TestCertificates } from "./certs.ts";
import type { CaseContext, CaseDefinition, OptionalFeature } from "./context.ts";
import type { TestHarness } from "./harness.ts";
import { type AssertFunction, Check } from "./support.ts";

export type { CertificateAndKey, TestCertificates } from "./certs.ts";
export { generateTestCertificates } from "./certs.ts";
export { type ClientHelloSummary, parseClientHello } from "./client-hello.ts";
export { echo, type OptionalFeature } from "./context.ts";
export type {
  PeerSocket,
  TestHarness,
  TestListenOptions,
  TestServer,
  TestTlsServerOptions,
} from "./harness.ts";
export type { AssertFunction } from "./support.ts";

/**
 * What {@link conformanceCases} needs.
 *
 * @example
 * ```ts
 * import type { ConformanceOptions } from "@reqivo/transport/testing";
 * declare const options: ConformanceOptions;
 * options.unsupported; // e.g. ["tls.rejectUnauthorized=false"]
 * ```
 */
export interface ConformanceOptions {
  /** The transport under test. */
  readonly transport: Transport;
  /** Starts the servers the cases talk to. */
  readonly harness: TestHarness;
  /** The runner's assertion. Default: throw an `Error` with the message. */
  readonly assert?: AssertFunction;
  /** Options this transport cannot honour; the kit expects `UnsupportedError` for them. */
  readonly unsupported?: readonly OptionalFeature[];
  /** Bytes each way in the bulk case. Default 64 MiB. */
  readonly bulkBytes?: number;
}

/**
 * One case, ready to register: `run` takes no argument and rejects on failure.
 *
 * @example
 * ```ts
 * import type { ConformanceCase } from "@reqivo/transport/testing";
 * declare const cases: ConformanceCase[];
 * for (const c of cases) Deno.test({ name: c.name, fn: c.run });
 * ```
 */
export interface ConformanceCase {
  readonly name: string;
  /** A generous upper bound for the runner's per-test timeout. */
  readonly timeoutMs: number;
  run(): Promise<void>;
}

/**
 * The conformance cases for one transport, each bound to the options.
 * Certificates are generated once, on first use, and shared by the cases.
 *
 * @example
 * ```ts
 * import { conformanceCases } from "@reqivo/transport/testing";
 * import { createNodeHarness } from "@reqivo/transport/testing/node-harness";
 * import { createTransport } from "@reqivo/transport-node";
 * for (const c of conformanceCases({ transport: createTransport(), harness: createNodeHarness() })) {
 *   await c.run(); // or register it with your test runner
 * }
 * ```
 */
export function conformanceCases(options: ConformanceOptions): ConformanceCase[] {
  const unsupported = new Set(options.unsupported ?? []);
  let certificates: Promise<TestCertificates> | undefined;
  const context: CaseContext = {
    transport: options.transport,
    harness: options.harness,
    check: new Check(options.assert ?? defaultAssert),
    bulkBytes: options.bulkBytes ?? 64 * 1024 * 1024,
    supports: (feature: OptionalFeature) => !unsupported.has(feature),
    certificates: () => {
      certificates ??= generateTestCertificates();
      return certificates;
    },
  };
  const all: CaseDefinition[] = [
    ...basicCases,
    ...tlsCases,
    ...alpnCases,
    ...failureCases,
    ...abortCases,
    ...streamCases,
    ...lookupCases,
    ...happyEyeballsCases,
    ...tunnelCases,
    ...pinCases,
    ...resumptionCases,
  ];
  return all.map((definition) => {
    const timeoutMs = definition.timeoutMs ?? 15_000;
    return {
      name: definition.name,
      timeoutMs,
      // Some runners (Deno.test) have no per-test timeout: a hung case fails
      // on its own, a little before the runner's limit where there is one.
      run: () => withDeadline(definition.run(context), timeoutMs - 1_000, definition.name),
    };
  });
}

async function withDeadline(work: Promise<void>, ms: number, name: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`"${name}" did not finish in ${ms} ms`)), ms);
  });
  try {
    await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function defaultAssert(condition: boolean, message: string): void {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}
