/**
 * `Sec-WebSocket-Extensions` grammar (RFC 6455 §9.1): a comma list of
 * extensions, each `name; param[=value]; …`, values a token or quoted-string.
 */

import { LocalProtocolError, RemoteProtocolError } from "../errors.ts";
import { isToken, splitList, trimOws } from "../syntax.ts";

/**
 * One extension with its parameters, as offered or accepted. A parameter
 * without a value maps to `true`.
 *
 * @example
 * ```ts
 * import type { ExtensionItem } from "@reqivo/protocol";
 * const item: ExtensionItem = { name: "permessage-deflate", params: new Map([["client_max_window_bits", true]]) };
 * ```
 */
export interface ExtensionItem {
  name: string;
  params: Map<string, string | true>;
}

function unquote(value: string): string | null {
  if (!value.startsWith('"')) return isToken(value) ? value : null;
  if (value.length < 2 || !value.endsWith('"')) return null;
  const inner = value.slice(1, -1).replace(/\\(.)/g, "$1");
  // RFC 6455 §9.1: a quoted value must still be a token once unquoted.
  return isToken(inner) ? inner : null;
}

/**
 * Parses a `Sec-WebSocket-Extensions` value. Names and parameter names are
 * lower-cased. Throws `RemoteProtocolError("HANDSHAKE_EXTENSION")` on bad
 * syntax or a repeated parameter.
 *
 * @example
 * ```ts
 * import { parseExtensions } from "@reqivo/protocol";
 * parseExtensions("permessage-deflate; server_max_window_bits=10")[0].params.get("server_max_window_bits"); // "10"
 * ```
 */
export function parseExtensions(value: string): ExtensionItem[] {
  const out: ExtensionItem[] = [];
  for (const element of splitList(value)) {
    const [rawName, ...rawParams] = element.split(";").map(trimOws);
    if (rawName === undefined || !isToken(rawName)) {
      throw bad(`invalid extension name in ${JSON.stringify(element)}`);
    }
    const params = new Map<string, string | true>();
    for (const raw of rawParams) {
      const eq = raw.indexOf("=");
      const name = trimOws(eq < 0 ? raw : raw.slice(0, eq));
      if (!isToken(name)) throw bad(`invalid extension parameter ${JSON.stringify(raw)}`);
      if (params.has(name)) throw bad(`repeated extension parameter ${name}`);
      if (eq < 0) {
        params.set(name, true);
        continue;
      }
      const parsed = unquote(trimOws(raw.slice(eq + 1)));
      if (parsed === null) throw bad(`invalid value for extension parameter ${name}`);
      params.set(name, parsed);
    }
    out.push({ name: rawName, params });
  }
  return out;
}

/**
 * Formats one extension for the request header.
 *
 * @example
 * ```ts
 * import { formatExtension } from "@reqivo/protocol";
 * formatExtension({ name: "permessage-deflate", params: new Map([["client_max_window_bits", true]]) });
 * // "permessage-deflate; client_max_window_bits"
 * ```
 */
export function formatExtension(item: ExtensionItem): string {
  if (!isToken(item.name)) {
    throw new LocalProtocolError("INVALID_EXTENSION", `invalid extension name ${item.name}`);
  }
  let out = item.name;
  for (const [name, value] of item.params) {
    if (!isToken(name) || (value !== true && !isToken(value))) {
      throw new LocalProtocolError("INVALID_EXTENSION", `invalid extension parameter ${name}`);
    }
    out += value === true ? `; ${name}` : `; ${name}=${value}`;
  }
  return out;
}

function bad(message: string): RemoteProtocolError {
  return new RemoteProtocolError("HANDSHAKE_EXTENSION", message);
}
