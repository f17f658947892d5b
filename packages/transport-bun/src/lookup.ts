// Transport.lookup on Bun: `Bun.dns.lookup` (c-ares on Linux, which reports
// TTLs; the system resolver elsewhere, which does not).
import type { LookupFunction } from "@reqivo/transport";
import { lookupAddresses } from "@reqivo/transport/kit";
import { bunApi, runtime } from "./bun-types.ts";

const bunDns: LookupFunction = async (hostname) =>
  (await bunApi().dns.lookup(hostname)).map(({ address, family, ttl }) => ({
    address,
    family: family === 6 ? 6 : 4,
    // Bun reports 0 where the resolver gives no TTL: unknown, not "do not cache".
    ...(ttl > 0 && { ttl }),
  }));

/**
 * Resolves `hostname` with `Bun.dns.lookup`; rejects with `DnsError` when it
 * does not resolve and with `AbortedError` when `signal` aborts first (the
 * query itself cannot be stopped).
 */
export const bunLookup: LookupFunction = (hostname, { signal }) =>
  lookupAddresses(bunDns, hostname, signal ?? null, runtime);
