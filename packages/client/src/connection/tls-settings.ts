/**
 * A session's TLS settings: the options callers write (per session and per
 * request), their validation, the pool-key part that keeps connections made
 * with different settings apart, and the one warning a session gives when
 * certificate verification is turned off.
 */
import type { TlsOptions } from "@reqivo/transport";
import { resolveConnectOptions } from "@reqivo/transport/kit";
import { InvalidRequestError } from "../errors.ts";

/**
 * TLS settings of a session (`SessionOptions.tls`) or one request
 * (`RequestOptions.tls`, merged over the session's field by field). They are
 * the transport's `TlsOptions` (from `@reqivo/transport`) less `alpnProtocols`, which the client
 * chooses itself.
 *
 * @example
 * ```ts
 * import type { ClientTlsOptions } from "@reqivo/client";
 * const tls: ClientTlsOptions = {
 *   ca: "-----BEGIN CERTIFICATE-----\n…",             // trust only this CA
 *   pins: ["sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="], // SPKI SHA-256
 *   minVersion: "TLSv1.3",
 *   servername: "api.internal",                      // SNI and the name checked
 * };
 * ```
 */
export type ClientTlsOptions = Omit<TlsOptions, "alpnProtocols">;

/** TLS settings as a connection is opened with them, and their part of the pool key. */
export interface TlsProfile {
  readonly options: ClientTlsOptions | undefined;
  /** `""` for the transport's defaults, else `tls<n>`: equal settings, equal key. */
  readonly key: string;
}

const DEFAULTS: TlsProfile = { options: undefined, key: "" };
// Distinct settings remembered per session; past this the table starts over (ids are never reused).
const MAX_PROFILES = 256;

/**
 * The TLS profiles of one session. Settings are compared by content, so two
 * requests with equal settings share connections and two with different CAs,
 * pins or client certificates never do. Keys are short ids, not the settings
 * themselves: pool keys show up in `session.poolStats()`, and private keys
 * must not.
 */
export class TlsProfiles {
  readonly #session: TlsProfile;
  readonly #ids = new Map<string, string>();
  // Per-request settings objects, usually reused by the caller: looked up by identity first.
  readonly #merged = new WeakMap<object, TlsProfile>();
  #next = 1;
  #warned = false;

  /** Throws InvalidRequestError for settings the transport would refuse. */
  constructor(session: ClientTlsOptions | undefined) {
    this.#session = session === undefined ? DEFAULTS : this.#profile(session);
  }

  /** The session's own settings. */
  get session(): TlsProfile {
    return this.#session;
  }

  /** The session's settings with a request's `tls` merged over them. */
  forRequest(tls: ClientTlsOptions | undefined): TlsProfile {
    if (tls === undefined) return this.#session;
    if (typeof tls !== "object" || tls === null)
      throw new InvalidRequestError("the tls option must be an object");
    let profile = this.#merged.get(tls);
    if (profile === undefined) {
      profile = this.#profile({ ...this.#session.options, ...tls });
      this.#merged.set(tls, profile);
    }
    return profile;
  }

  #profile(options: ClientTlsOptions): TlsProfile {
    check(options);
    if (options.rejectUnauthorized === false && !this.#warned) {
      this.#warned = true;
      warnInsecure();
    }
    const canonical = canonicalize(options);
    if (canonical === "[]") return DEFAULTS;
    let id = this.#ids.get(canonical);
    if (id === undefined) {
      if (this.#ids.size >= MAX_PROFILES) this.#ids.clear();
      id = `tls${this.#next++}`;
      this.#ids.set(canonical, id);
    }
    return { options, key: id };
  }
}

/** The settings as one string, independent of key order; `undefined` fields left out. */
function canonicalize(options: ClientTlsOptions): string {
  const record = options as Record<string, unknown>;
  const fields = Object.keys(record)
    .filter((name) => record[name] !== undefined)
    .sort()
    .map((name) => [name, record[name]]);
  return JSON.stringify(fields);
}

// An SNI name is an ASCII host name (IDNs in their xn-- form): no spaces or control characters.
const SERVERNAME = /^[\x21-\x7e]+$/;

/** Lets the transport's own checks speak early, as the client's typed error. */
function check(options: ClientTlsOptions): void {
  const { servername } = options;
  if (servername !== undefined && (typeof servername !== "string" || !SERVERNAME.test(servername)))
    throw new InvalidRequestError("tls.servername must be a host name in ASCII");
  try {
    resolveConnectOptions({ host: "localhost", port: 443, tls: options });
  } catch (cause) {
    throw new InvalidRequestError(`invalid tls option: ${(cause as Error).message}`, { cause });
  }
}

/** Code of the warning a session gives when `tls.rejectUnauthorized` is `false`. */
const INSECURE_CODE = "REQIVO_TLS_INSECURE";

function warnInsecure(): void {
  const message =
    "TLS certificate verification is off (tls.rejectUnauthorized: false): " +
    "anyone on the path can read and change this session's HTTPS traffic. Use it in tests only.";
  const process = (
    globalThis as {
      process?: {
        emitWarning?: (warning: string, options: { type: string; code: string }) => void;
      };
    }
  ).process;
  if (typeof process?.emitWarning === "function") {
    process.emitWarning(message, { type: "SecurityWarning", code: INSECURE_CODE });
  } else {
    console.warn(`(${INSECURE_CODE}) ${message}`);
  }
}
