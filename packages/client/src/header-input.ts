/**
 * Headers and query parameters as callers give them, and the helpers that
 * flatten and merge them. A leaf module: both layers of the client (the
 * request layer and connection/) use it, and it imports neither.
 */
import type { HeaderList, Headers as ProtocolHeaders } from "@reqivo/protocol";
import { InvalidRequestError } from "./errors.ts";

/** Headers as an object, `[name, value]` pairs, a WHATWG `Headers` or a protocol `Headers` view. */
export type HeadersInput =
  | Record<string, string | number | readonly string[] | undefined>
  | Iterable<readonly [string, string]>
  | ProtocolHeaders;

/** Query parameters appended to the URL. */
export type QueryInput =
  | URLSearchParams
  | Record<string, string | number | boolean | readonly (string | number | boolean)[] | undefined>
  | Iterable<readonly [string, string]>;

/** Flattens any {@link HeadersInput} into pairs (validation happens in the protocol core). */
export function headerPairs(input: HeadersInput | undefined): HeaderList {
  if (input === undefined) return [];
  const out: HeaderList = [];
  if (typeof (input as Iterable<unknown>)[Symbol.iterator] === "function") {
    for (const pair of input as Iterable<readonly [string, string]>) {
      if (!Array.isArray(pair) || pair.length !== 2)
        throw new InvalidRequestError("headers must be [name, value] pairs");
      out.push([String(pair[0]), String(pair[1])]);
    }
    return out;
  }
  for (const [name, value] of Object.entries(input as Record<string, unknown>)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) out.push([name, String(v)]);
    else out.push([name, String(value)]);
  }
  return out;
}

/**
 * Merges header lists: names in `override` replace those in `base`
 * (case-insensitive). When one list is empty the other is returned as it
 * is: header lists are replaced, never changed in place.
 *
 * @example
 * ```ts
 * mergeHeaders([["x-a", "1"], ["x-b", "1"]], [["X-A", "2"]]); // [["x-b", "1"], ["X-A", "2"]]
 * ```
 */
export function mergeHeaders(base: HeaderList, override: HeaderList): HeaderList {
  if (base.length === 0) return override;
  if (override.length === 0) return base;
  const replaced = new Set(override.map(([name]) => name.toLowerCase()));
  return [...base.filter(([name]) => !replaced.has(name.toLowerCase())), ...override];
}

/** Whether any pair has this (lower-case) name. */
export function hasHeader(headers: HeaderList, lowerName: string): boolean {
  // A counted loop, not `some` with a destructuring callback: it runs on
  // every request (Host, Accept-Encoding) and this form measured cheaper
  // (apps/bench `scripts/instructions.sh client`, keep-alive GET: 51,543 →
  // 51,455 instructions per request; results/2026-12-07-h1-costs.md).
  const length = lowerName.length;
  for (let i = 0; i < headers.length; i++) {
    const name = headers[i]![0];
    if (name.length === length && name.toLowerCase() === lowerName) return true;
  }
  return false;
}

/** Appends query parameters to a URL. */
export function applyQuery(url: URL, query: QueryInput | undefined): void {
  if (query === undefined) return;
  const entries =
    query instanceof URLSearchParams ||
    typeof (query as Iterable<unknown>)[Symbol.iterator] === "function"
      ? [...(query as Iterable<readonly [string, string]>)]
      : Object.entries(query).flatMap(([k, v]) =>
          v === undefined
            ? []
            : Array.isArray(v)
              ? v.map((x) => [k, String(x)] as const)
              : [[k, String(v)] as const],
        );
  for (const [key, value] of entries) url.searchParams.append(key, value);
}
