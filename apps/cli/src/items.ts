/**
 * Request items, httpie style: the words after the URL say what goes into
 * the request.
 *
 *   Name:value    a header            (`Name:` sends it empty)
 *   key==value    a query parameter
 *   key=value     a data field, string value (JSON object, or a form field with --form)
 *   key:=json     a data field, raw JSON value (JSON mode only)
 *   key@path      a file field (multipart, --form only)
 *
 * The separator that comes first in the word wins, the longer one when two
 * start at the same place; a backslash makes the next character literal
 * (`a\=b=c` is the field `a=b` with value `c`).
 */
import { usage } from "./errors.ts";

export type Item =
  | { kind: "header"; name: string; value: string }
  | { kind: "query"; key: string; value: string }
  | { kind: "data"; key: string; value: string }
  | { kind: "json"; key: string; value: unknown }
  | { kind: "file"; key: string; path: string };

// Longest first: at one position, ":=" beats ":" and "==" beats "=".
const SEPARATORS = [
  [":=", "json"],
  ["==", "query"],
  ["=", "data"],
  [":", "header"],
  ["@", "file"],
] as const;

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function unescapeKey(text: string): string {
  return text.replace(/\\(.)/g, "$1");
}

/** Splits a word at its separator; `null` when it is not an item. */
function split(
  word: string,
): { kind: (typeof SEPARATORS)[number][1]; key: string; value: string } | null {
  for (let i = 0; i < word.length; i++) {
    if (word[i] === "\\") {
      i++;
      continue;
    }
    for (const [separator, kind] of SEPARATORS) {
      if (word.startsWith(separator, i)) {
        return {
          kind,
          key: unescapeKey(word.slice(0, i)),
          value: word.slice(i + separator.length),
        };
      }
    }
  }
  return null;
}

/** Whether a word reads as a request item (used to tell `METHOD URL` from `URL ITEM`). */
export function looksLikeItem(word: string): boolean {
  // scheme://… and host:port[/…] read as URLs, not as headers.
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(word) || /^[^:/]+:\d+(\/|$)/.test(word)) return false;
  const parts = split(word);
  if (parts === null || parts.key === "") return false;
  return parts.kind !== "header" || TOKEN.test(parts.key);
}

/** Parses one request item. */
export function parseItem(word: string): Item {
  const parts = split(word);
  if (parts === null || parts.key === "")
    throw usage(
      `${JSON.stringify(word)} is not a request item (Header:value, key=value, key:=json, key==query, field@file)`,
    );
  const { kind, key, value } = parts;
  switch (kind) {
    case "header":
      if (!TOKEN.test(key)) throw usage(`invalid header name ${JSON.stringify(key)}`);
      return { kind, name: key, value: value.trim() };
    case "json":
      try {
        return { kind, key, value: JSON.parse(value) as unknown };
      } catch {
        throw usage(`${key}:= needs a JSON value, got ${JSON.stringify(value)}`);
      }
    case "file":
      if (value === "") throw usage(`${key}@ needs a file path`);
      return { kind, key, path: value };
    default:
      return { kind, key, value };
  }
}
