// Asking a resolver (a `lookup` hook, or a transport's wrapped runtime
// resolver) for a name, with what every transport needs around it: the
// abort signal honoured even by a resolver that ignores it, failures and
// empty answers as DnsError, and the answer checked to be IP literals before
// anything is dialled.
import type { AbortSignalLike, LookupAddress, LookupFunction } from "./contract.ts";
import { DnsError, TransportError } from "./errors.ts";
import { guardConnect, type Timers } from "./settle.ts";

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
// Loose on purpose (the OS has the last word), but never a name or brackets.
const IPV6 = /^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[0-9A-Za-z._-]+)?$/;

/**
 * Calls `lookup` for `hostname` and returns its answer checked: at least one
 * entry, each an IP literal, `family` set from the address, `ttl` kept when
 * it is a number >= 0. Rejects with `DnsError` (the function's own error as
 * `cause`) when it fails, finds nothing or returns something else, and with
 * `AbortedError` as soon as `signal` aborts, even if the function ignores it.
 * A `TransportError` the function throws passes through.
 *
 * @example
 * ```ts
 * import { lookupAddresses } from "@reqivo/transport/kit";
 * const addresses = await lookupAddresses(
 *   async () => [{ address: "::1", family: 6 }],
 *   "api.test",
 *   null,
 *   globalThis,
 * );
 * addresses[0]?.family; // 6
 * ```
 */
export function lookupAddresses(
  lookup: LookupFunction,
  hostname: string,
  signal: AbortSignalLike | null,
  timers: Timers,
): Promise<LookupAddress[]> {
  const answer = Promise.resolve()
    .then(() => lookup(hostname, signal === null ? {} : { signal }))
    .then(
      (entries) => checkedAnswer(hostname, entries),
      (error: unknown) => {
        throw error instanceof TransportError ? error : new DnsError(hostname, { cause: error });
      },
    );
  // A query cannot always be cancelled: on abort, give up on the answer.
  return guardConnect(answer, {
    signal,
    connectTimeout: null,
    timers,
    cancel() {},
    discard() {},
  });
}

function checkedAnswer(hostname: string, entries: unknown): LookupAddress[] {
  if (!Array.isArray(entries)) {
    throw new DnsError(hostname, { cause: new TypeError("lookup did not return a list") });
  }
  if (entries.length === 0) throw new DnsError(hostname);
  return entries.map((entry: unknown): LookupAddress => {
    const { address, ttl } = (entry ?? {}) as { address?: unknown; ttl?: unknown };
    if (typeof address !== "string" || !(IPV4.test(address) || IPV6.test(address))) {
      const what = typeof address === "string" ? JSON.stringify(address) : typeof address;
      throw new DnsError(hostname, {
        cause: new TypeError(`lookup returned ${what}, not an IP address`),
      });
    }
    return {
      address,
      family: IPV4.test(address) ? 4 : 6,
      ...(typeof ttl === "number" && ttl >= 0 && { ttl }),
    };
  });
}
