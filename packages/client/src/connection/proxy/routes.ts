/**
 * A session's proxies: its own `proxy` option and those of single requests,
 * parsed once each, and the ids that keep connections through different
 * proxies (or the same proxy with other credentials or TLS) apart in the pool.
 */
import {
  type ProxyInput,
  type ProxyRoute,
  type ProxySettings,
  proxyRoute,
  proxySettings,
} from "./config.ts";

// Distinct proxies remembered per session; past this the tables start over (ids are never reused).
const MAX_ENTRIES = 256;

/**
 * The proxy settings of one session.
 *
 * @example
 * ```ts
 * const routes = new ProxyRoutes("http://127.0.0.1:3128");
 * routes.route(new URL("https://example.com/"), 443, undefined, false)?.forward; // false: CONNECT
 * routes.route(new URL("https://example.com/"), 443, false, false);              // undefined: direct
 * ```
 */
export class ProxyRoutes {
  readonly #session: ProxySettings | undefined;
  readonly #ids = new Map<string, string>();
  readonly #byText = new Map<string, ProxySettings | undefined>();
  readonly #byObject = new WeakMap<object, ProxySettings | undefined>();
  #next = 1;

  /** Throws InvalidRequestError for an unusable option. */
  constructor(input: ProxyInput | undefined) {
    this.#session = input === undefined ? undefined : proxySettings(input, this.#identify);
  }

  /** The settings of a request's `proxy` option (`undefined`: the session's). */
  settings(input: ProxyInput | undefined): ProxySettings | undefined {
    if (input === undefined) return this.#session;
    if (input === false) return undefined;
    if (typeof input === "object" && !(input instanceof URL)) {
      if (this.#byObject.has(input)) return this.#byObject.get(input);
      const settings = proxySettings(input, this.#identify);
      this.#byObject.set(input, settings);
      return settings;
    }
    // "env" is read once per session, like a URL string is parsed once.
    const text = String(input);
    if (this.#byText.has(text)) return this.#byText.get(text);
    const settings = proxySettings(input, this.#identify);
    if (this.#byText.size >= MAX_ENTRIES) this.#byText.clear();
    this.#byText.set(text, settings);
    return settings;
  }

  /** The route to `url` on `port` with a request's `proxy` option; `undefined`: direct. */
  route(
    url: URL,
    port: number,
    input: ProxyInput | undefined,
    websocket: boolean,
  ): ProxyRoute | undefined {
    return proxyRoute(this.settings(input), url, port, websocket);
  }

  readonly #identify = (fingerprint: string): string => {
    let id = this.#ids.get(fingerprint);
    if (id === undefined) {
      if (this.#ids.size >= MAX_ENTRIES) this.#ids.clear();
      id = `#${this.#next++}`;
      this.#ids.set(fingerprint, id);
    }
    return id;
  };
}
