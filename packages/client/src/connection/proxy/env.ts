/**
 * Proxy settings from environment variables, as curl, Go and most HTTP
 * tools read them: `http_proxy`, `https_proxy`, `all_proxy`, `no_proxy`, in
 * lower or upper case (lower case wins when both are set).
 */
import { InvalidRequestError } from "../../errors.ts";

/**
 * Environment variables, as `process.env` holds them.
 *
 * @example
 * ```ts
 * import type { ProxyEnv } from "@reqivo/client";
 * const env: ProxyEnv = { HTTPS_PROXY: "http://proxy.internal:3128", NO_PROXY: ".internal" };
 * ```
 */
export type ProxyEnv = Readonly<Record<string, string | undefined>>;

/** What the environment asks for; `undefined` where nothing (or an empty value) is set. */
export interface EnvProxySettings {
  readonly http: string | undefined;
  readonly https: string | undefined;
  readonly all: string | undefined;
  readonly noProxy: string | undefined;
}

const NAMES = [
  "http_proxy",
  "HTTP_PROXY",
  "https_proxy",
  "HTTPS_PROXY",
  "all_proxy",
  "ALL_PROXY",
  "no_proxy",
  "NO_PROXY",
  "REQUEST_METHOD",
] as const;

interface RuntimeGlobals {
  process?: { env?: Record<string, string | undefined> };
  Deno?: { env?: { get(name: string): string | undefined } };
}

/**
 * The variables this module reads, from the runtime's environment
 * (`process.env`, else `Deno.env`). Throws InvalidRequestError when the
 * runtime refuses (Deno without `--allow-env`).
 *
 * @example
 * ```ts
 * const env = runtimeEnv(); // { HTTPS_PROXY: "…", … } — only the proxy variables
 * ```
 */
export function runtimeEnv(): ProxyEnv {
  const globals = globalThis as RuntimeGlobals;
  const out: Record<string, string | undefined> = {};
  try {
    const env = globals.process?.env;
    const deno = globals.Deno?.env;
    for (const name of NAMES) out[name] = env !== undefined ? env[name] : deno?.get(name);
  } catch (cause) {
    throw new InvalidRequestError("proxy: 'env' cannot read the environment (permission?)", {
      cause,
    });
  }
  return out;
}

/** The lower-case variable when set (even empty: that turns the proxy off), else the upper-case one. */
function pick(lower: string | undefined, upper: string | undefined): string | undefined {
  const trimmed = (lower ?? upper)?.trim();
  return trimmed === undefined || trimmed === "" ? undefined : trimmed;
}

/**
 * The proxy settings `env` asks for. Upper-case `HTTP_PROXY` is ignored when
 * `REQUEST_METHOD` is set: in a CGI program it is the client's `Proxy:`
 * request header, not configuration ("httpoxy").
 *
 * @example
 * ```ts
 * envProxySettings({ HTTPS_PROXY: "http://p:3128", no_proxy: "localhost" });
 * // { http: undefined, https: "http://p:3128", all: undefined, noProxy: "localhost" }
 * ```
 */
export function envProxySettings(env: ProxyEnv): EnvProxySettings {
  const cgi = env.REQUEST_METHOD !== undefined;
  return {
    http: pick(env.http_proxy, cgi ? undefined : env.HTTP_PROXY),
    https: pick(env.https_proxy, env.HTTPS_PROXY),
    all: pick(env.all_proxy, env.ALL_PROXY),
    noProxy: pick(env.no_proxy, env.NO_PROXY),
  };
}
