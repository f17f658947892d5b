// Transport.lookup on Deno: the system resolver (getaddrinfo, through
// node:dns), the one Deno.connect itself uses, so /etc/hosts and the name
// service configuration apply. It reports no TTL.
import type { LookupFunction } from "@reqivo/transport";
import { lookupAddresses } from "@reqivo/transport/kit";
import { runtime } from "./deno-types.ts";
import { nodeDns } from "./node-types.ts";

const getaddrinfo: LookupFunction = async (hostname) =>
  (await (await nodeDns()).lookup(hostname, { all: true })).map(({ address, family }) => ({
    address,
    family: family === 6 ? 6 : 4,
  }));

/**
 * Resolves `hostname` with the system resolver; rejects with `DnsError` when
 * it does not resolve and with `AbortedError` when `signal` aborts first
 * (getaddrinfo itself cannot be stopped).
 */
export const systemLookup: LookupFunction = (hostname, { signal }) =>
  lookupAddresses(getaddrinfo, hostname, signal ?? null, runtime);
