/**
 * How a session resolves host names (`SessionOptions.dns`): a caller's hook or
 * a fixed table of names, an optional cache in front of the hook or of the
 * runtime's resolver, and the happy-eyeballs delay. What comes out is a
 * `ConnectOptions.lookup` per host: the transport still connects to the name,
 * so TLS sends SNI for it and checks the certificate against it.
 */
import {
  DnsError,
  type LookupAddress,
  type LookupFunction,
  type Transport,
} from "@reqivo/transport";
import { isIpAddress } from "@reqivo/transport/kit";
import { InvalidRequestError } from "../../errors.ts";
import { checkedAnswer, DnsCache, type DnsCacheOptions } from "./cache.ts";

/**
 * Name resolution of a session.
 *
 * @example
 * ```ts
 * import { Session } from "@reqivo/client";
 * import { createTransport } from "@reqivo/transport-node";
 *
 * // Pin a name to an address (TLS still checks the certificate for the name):
 * const pinned = new Session({
 *   transport: createTransport(),
 *   dns: { lookup: { "api.example.com": ["10.0.0.7", "fd00::7"] } },
 * });
 * // Cache the runtime's answers for 30 s (or their own TTL where the runtime tells it):
 * const cached = new Session({ transport: createTransport(), dns: { cache: { ttl: 30_000 } } });
 * ```
 */
export interface DnsOptions {
  /**
   * Resolves names instead of the runtime: a function (called with the host
   * name, resolving to addresses in order of preference), or a table from
   * host name to one or more IP addresses, where names not in the table
   * resolve as usual. Not used for IP-literal hosts or Unix sockets.
   */
  lookup?: LookupFunction | Readonly<Record<string, string | readonly string[]>>;
  /**
   * Cache answers of the `lookup` function, or of the transport's resolver
   * when there is none (a transport without `lookup` then resolves each
   * connect itself, uncached). `true` for the defaults. Default `false`.
   */
  cache?: boolean | DnsCacheOptions;
  /**
   * Milliseconds between connection attempts to a name's addresses (RFC 8305
   * "Connection Attempt Delay"). Default: the transport's (250 ms).
   */
  happyEyeballsDelay?: number;
}

/** A session's name resolution, settled from its {@link DnsOptions}. */
export class SessionDns {
  readonly happyEyeballsDelay: number | undefined;
  readonly #table = new Map<string, LookupFunction>();
  readonly #resolver: LookupFunction | undefined;
  readonly #cache: DnsCache | undefined;

  /** Throws InvalidRequestError for options that make no sense. */
  constructor(options: DnsOptions, transport: Transport) {
    if (typeof options !== "object" || options === null)
      throw new InvalidRequestError("the dns option must be an object");
    const { lookup, cache, happyEyeballsDelay } = options;
    if (happyEyeballsDelay !== undefined) {
      if (typeof happyEyeballsDelay !== "number" || !(happyEyeballsDelay >= 0)) {
        throw new InvalidRequestError("dns.happyEyeballsDelay must be a number of ms >= 0");
      }
    }
    this.happyEyeballsDelay = happyEyeballsDelay;
    let hook: LookupFunction | undefined;
    if (typeof lookup === "function") hook = lookup;
    else if (typeof lookup === "object" && lookup !== null) this.#fillTable(lookup);
    else if (lookup !== undefined)
      throw new InvalidRequestError("dns.lookup must be a function or a table of addresses");
    const source = hook ?? transport.lookup?.bind(transport);
    if (cache !== undefined && cache !== false && source !== undefined) {
      try {
        this.#cache = new DnsCache(source, cache === true ? {} : cache);
      } catch (cause) {
        throw new InvalidRequestError((cause as Error).message, { cause });
      }
      this.#resolver = this.#cache.lookup;
    } else if (hook !== undefined) {
      this.#resolver = checkedHook(hook);
    }
  }

  /** The lookup a connect to `hostname` uses; `undefined`: the transport resolves it itself. */
  lookupFor(hostname: string): LookupFunction | undefined {
    // URL hosts are lower case already; IPv6 literals keep their brackets there.
    if (isIpAddress(hostname)) return undefined;
    return this.#table.get(hostname.toLowerCase()) ?? this.#resolver;
  }

  /** The cache, when there is one (for tests and diagnostics). */
  get cache(): DnsCache | undefined {
    return this.#cache;
  }

  #fillTable(table: Readonly<Record<string, string | readonly string[]>>): void {
    for (const [name, value] of Object.entries(table)) {
      const list = typeof value === "string" ? [value] : value;
      if (!Array.isArray(list) || list.length === 0)
        throw new InvalidRequestError(`dns.lookup["${name}"] needs at least one IP address`);
      const addresses: LookupAddress[] = list.map((address: unknown) => {
        if (typeof address !== "string" || !isIpAddress(address))
          throw new InvalidRequestError(
            `dns.lookup["${name}"]: ${String(address)} is no IP address`,
          );
        const bare = address.startsWith("[") ? address.slice(1, -1) : address;
        return { address: bare, family: bare.includes(":") ? 6 : 4 };
      });
      const answer = Promise.resolve(addresses);
      this.#table.set(name.toLowerCase(), () => answer);
    }
  }
}

/** A caller's hook, its answer checked and its failures made DnsErrors (an abort stays an abort). */
function checkedHook(hook: LookupFunction): LookupFunction {
  return async (hostname, options) => {
    try {
      return checkedAnswer(hostname, await hook(hostname, options));
    } catch (cause) {
      if (cause instanceof DnsError || options.signal?.aborted) throw cause;
      throw new DnsError(hostname, { cause });
    }
  };
}
