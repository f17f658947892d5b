/**
 * Terminal styling: ANSI colours for heads and JSON, and the JSON
 * re-indenter. Formatting works on JSON tokens (after JSON.parse has said the
 * text is valid), so numbers keep their exact digits and keys their order and
 * repeats.
 */
/** How a piece of output is shown. */
export interface Style {
  colors: boolean;
  format: boolean;
}

const SGR = {
  reset: "\x1b[0m",
  bold: "\x1b[1m",
  dim: "\x1b[2m",
  red: "\x1b[31m",
  green: "\x1b[32m",
  yellow: "\x1b[33m",
  blue: "\x1b[34m",
  magenta: "\x1b[35m",
  cyan: "\x1b[36m",
  brightBlack: "\x1b[90m",
} as const;

/** Wraps text in SGR codes when colours are on. */
export function paint(on: boolean, codes: string, text: string): string {
  return on && text !== "" ? `${codes}${text}${SGR.reset}` : text;
}

export const C = SGR;

function statusColor(status: number): string {
  if (status >= 500) return SGR.red;
  if (status >= 400) return SGR.yellow;
  if (status >= 300) return SGR.cyan;
  if (status >= 200) return SGR.green;
  return SGR.blue;
}

function headerLines(headers: Iterable<readonly [string, string]>, colors: boolean): string {
  let out = "";
  for (const [name, value] of headers)
    out += `${paint(colors, SGR.cyan, name)}${paint(colors, SGR.brightBlack, ":")} ${value}\n`;
  return out;
}

/** `HTTP/1.1 200 OK` and the header lines. */
export function responseHead(
  status: number,
  reason: string,
  headers: Iterable<readonly [string, string]>,
  colors: boolean,
): string {
  const color = statusColor(status);
  const line = `${paint(colors, SGR.blue, "HTTP/1.1")} ${paint(colors, SGR.bold + color, `${status} ${reason}`.trimEnd())}\n`;
  return line + headerLines(headers, colors);
}

/** `GET /path HTTP/1.1` and the header lines. */
export function requestHead(
  method: string,
  target: string,
  headers: Iterable<readonly [string, string]>,
  colors: boolean,
): string {
  const line = `${paint(colors, SGR.bold + SGR.green, method)} ${paint(colors, SGR.cyan, target)} ${paint(colors, SGR.blue, "HTTP/1.1")}\n`;
  return line + headerLines(headers, colors);
}

const JSON_TOKEN =
  /\s+|"(?:[^"\\\u0000-\u001f]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null|[{}[\],:]/y;

function tokens(text: string): string[] | null {
  const out: string[] = [];
  JSON_TOKEN.lastIndex = 0;
  while (JSON_TOKEN.lastIndex < text.length) {
    const at = JSON_TOKEN.lastIndex;
    const match = JSON_TOKEN.exec(text);
    if (match === null || JSON_TOKEN.lastIndex === at) return null;
    out.push(match[0]);
  }
  return out;
}

/** Whether text is a JSON document. */
export function isJson(text: string): boolean {
  const trimmed = text.trim();
  if (trimmed === "") return false;
  try {
    JSON.parse(trimmed);
    return true;
  } catch {
    return false;
  }
}

function colorToken(token: string, isKey: boolean, colors: boolean): string {
  if (!colors) return token;
  const first = token[0];
  if (first === '"') return paint(true, isKey ? SGR.blue + SGR.bold : SGR.green, token);
  if (token === "true" || token === "false") return paint(true, SGR.magenta, token);
  if (token === "null") return paint(true, SGR.magenta + SGR.bold, token);
  if (first === "-" || (first !== undefined && first >= "0" && first <= "9"))
    return paint(true, SGR.yellow, token);
  return token;
}

/**
 * Re-indents (format) and/or colours (colors) a JSON document. Returns the
 * input unchanged when it is not JSON.
 */
export function styleJson(text: string, style: Style, indent = 2): string {
  if (!isJson(text)) return text;
  const list = tokens(text.trim());
  if (list === null) return text;
  const significant = list.filter((t) => !/^\s/.test(t));
  if (!style.format) {
    // Colours only: keep the original layout.
    return list
      .map((t, i) => (/^\s/.test(t) ? t : colorToken(t, isKeyAt(list, i), style.colors)))
      .join("");
  }
  let out = "";
  let depth = 0;
  const pad = (n: number) => `\n${" ".repeat(n * indent)}`;
  for (let i = 0; i < significant.length; i++) {
    const t = significant[i]!;
    const next = significant[i + 1];
    if (t === "{" || t === "[") {
      const close = t === "{" ? "}" : "]";
      if (next === close) {
        out += t + close;
        i++;
        continue;
      }
      depth++;
      out += t + pad(depth);
    } else if (t === "}" || t === "]") {
      depth--;
      out += pad(depth) + t;
    } else if (t === ",") {
      out += `,${pad(depth)}`;
    } else if (t === ":") {
      out += ": ";
    } else {
      out += colorToken(t, next === ":", style.colors);
    }
  }
  return out;
}

function isKeyAt(list: string[], index: number): boolean {
  for (let i = index + 1; i < list.length; i++) {
    if (/^\s/.test(list[i]!)) continue;
    return list[i] === ":";
  }
  return false;
}

/** Whether a Content-Type names JSON. */
export function isJsonType(contentType: string | null): boolean {
  if (contentType === null) return false;
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  return type === "application/json" || type.endsWith("+json") || type === "text/json";
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** The body as text, or `null` when it looks binary (a NUL byte, or not UTF-8). */
export function textOf(bytes: Uint8Array): string | null {
  if (bytes.includes(0)) return null;
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

export const BINARY_NOTE =
  "+-----------------------------------------+\n" +
  "| NOTE: binary data not shown in terminal |\n" +
  "+-----------------------------------------+\n";
