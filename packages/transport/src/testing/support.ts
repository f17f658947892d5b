// Small helpers the conformance cases share: assertions on top of the
// runner's assert function, timing, and byte utilities.

/**
 * The runner's assertion: throws (or records a failure) when `condition` is false.
 *
 * @example
 * ```ts
 * import type { AssertFunction } from "@reqivo/transport/testing";
 * import { expect } from "vitest";
 * const assert: AssertFunction = (condition, message) => expect(condition, message).toBe(true);
 * ```
 */
export type AssertFunction = (condition: boolean, message: string) => void;

type ErrorClass = abstract new (...args: never[]) => Error;

/** Assertions written once on top of the runner's `assert`. */
export class Check {
  readonly #assert: AssertFunction;

  constructor(assert: AssertFunction) {
    this.#assert = assert;
  }

  ok(condition: boolean, message: string): void {
    this.#assert(condition, message);
  }

  equal<T>(actual: T, expected: T, message: string): void {
    this.#assert(
      Object.is(actual, expected),
      `${message}: expected ${show(expected)}, got ${show(actual)}`,
    );
  }

  /** Awaits `promise`, asserts it rejects with an instance of `type`, and returns the error. */
  async rejects<E extends ErrorClass>(
    promise: Promise<unknown>,
    type: E,
    message: string,
  ): Promise<InstanceType<E>> {
    try {
      await promise;
    } catch (error) {
      this.#assert(
        error instanceof type,
        `${message}: expected ${type.name}, got ${describeError(error)}`,
      );
      return error as InstanceType<E>;
    }
    this.#assert(false, `${message}: expected ${type.name}, but it succeeded`);
    throw new Error("unreachable");
  }
}

function show(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/** Name, code and message of an error, for assertion messages. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return `${error.name}${code === undefined ? "" : ` [${String(code)}]`}: ${error.message}`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves `true` if `promise` settles within `ms`, `false` otherwise. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const settled = promise.then(
    () => true as const,
    () => true as const,
  );
  try {
    return await Promise.race([settled, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `condition` every 10 ms until it holds or `ms` passes. */
export async function eventually(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

export function text(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const total = chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** Anything with a pull `read()`: a client `Connection` or a server `PeerSocket`. */
export interface Readable {
  read(): Promise<Uint8Array | null>;
}

/** Reads until `byteCount` bytes have arrived (or end of stream) and returns them. */
export async function readBytes(source: Readable, byteCount: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let received = 0;
  while (received < byteCount) {
    const chunk = await source.read();
    if (chunk === null) break;
    chunks.push(chunk);
    received += chunk.byteLength;
  }
  return concat(chunks);
}

/** Reads to end of stream, refusing more than `limit` bytes. */
export async function readToEnd(source: Readable, limit = 1 << 20): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (let chunk = await source.read(); chunk !== null; chunk = await source.read()) {
    received += chunk.byteLength;
    if (received > limit) throw new Error(`more than ${limit} bytes before end of stream`);
    chunks.push(chunk);
  }
  return concat(chunks);
}

/**
 * The byte at `offset` of the test stream used by the bulk cases: it depends on
 * the 64 KiB block number too, so reordered or repeated blocks are caught.
 */
export function patternByte(offset: number): number {
  return (Math.floor(offset / 65536) * 13 + (offset % 65536) * 7) & 0xff;
}

/** Fills `block` with the test stream starting at `offset` (a multiple of 65536). */
export function fillPattern(block: Uint8Array, offset: number): void {
  const seed = Math.floor(offset / 65536) * 13;
  for (let i = 0; i < block.length; i++) block[i] = (seed + i * 7) & 0xff;
}

/** Index of the first byte of `chunk` (at stream `offset`) that breaks the pattern, or -1. */
export function patternMismatch(chunk: Uint8Array, offset: number): number {
  for (let i = 0; i < chunk.length; i++) {
    if (chunk[i] !== patternByte(offset + i)) return i;
  }
  return -1;
}
