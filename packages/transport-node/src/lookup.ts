// Name resolution: the caller's `lookup` hook or the runtime's resolver
// (dns.lookup, which follows the system's configuration: hosts file, NSS),
// under the abort signal and the connect timeout.
import * as dns from "node:dns";
import { DnsError, type LookupAddress, type LookupFunction } from "@reqivo/transport";
import { guardConnect, lookupAddresses, type ResolvedConnectOptions } from "@reqivo/transport/kit";

/** Node's timers in the shape `@reqivo/transport` takes them. */
export const nodeTimers = {
  setTimeout: (callback: () => void, ms: number): unknown => setTimeout(callback, ms),
  clearTimeout: (handle: unknown): void => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * The runtime's resolver as a {@link LookupFunction}: every address
 * `dns.lookup` returns, in its order. Rejects with `DnsError`, or
 * `AbortedError` when the signal fires first.
 */
export const nodeLookup: LookupFunction = (hostname, options) => {
  const signal = options.signal ?? null;
  const answer = dns.promises.lookup(hostname, { all: true }).then(
    (entries) =>
      entries.map(
        ({ address, family }): LookupAddress => ({
          address,
          family: family === 6 ? 6 : 4,
        }),
      ),
    (error: unknown) => {
      throw new DnsError(hostname, { cause: error });
    },
  );
  // getaddrinfo cannot be cancelled: give up on the answer, not the query.
  return guardConnect<readonly LookupAddress[]>(answer, {
    signal,
    connectTimeout: null,
    timers: nodeTimers,
    cancel() {},
    discard() {},
  });
};

/**
 * Resolves `target.host` with the hook or the runtime's resolver. Rejects
 * with `DnsError` when nothing usable comes back (a failure, no address,
 * something that is not an IP literal), and with `AbortedError` or
 * `ConnectTimeoutError` when the signal or the timeout comes first.
 */
export function resolveHost(target: ResolvedConnectOptions): Promise<LookupAddress[]> {
  const { signal, connectTimeout } = target;
  const answer = lookupAddresses(target.lookup ?? nodeLookup, target.host!, signal, nodeTimers);
  // The first step of a connect: the whole timeout is still left.
  return guardConnect(answer, {
    signal,
    connectTimeout,
    timers: nodeTimers,
    cancel() {},
    discard() {},
  });
}
