/**
 * The command line: options through node:util parseArgs, then the
 * positionals — an optional METHOD, the URL, and request items.
 */
import { parseArgs } from "node:util";
import { usage } from "./errors.ts";
import { type Item, looksLikeItem, parseItem } from "./items.ts";
import { NETWORK_OPTIONS, type NetworkArgs, parseNetworkOptions } from "./network.ts";
import type { StoredAuth } from "./session-file.ts";

export type Pretty = "all" | "colors" | "format" | "none";

/** Everything the command line asked for. */
export interface Args {
  help: boolean;
  version: boolean;
  method: string | undefined;
  url: string | undefined;
  items: Item[];
  form: boolean;
  pretty: Pretty | undefined;
  /** Letters of H B h b m; `undefined` means the default. */
  print: string | undefined;
  verbose: boolean;
  download: boolean;
  output: string | undefined;
  session: string | undefined;
  auth: StoredAuth | undefined;
  follow: boolean;
  maxRedirects: number;
  /** Milliseconds. */
  timeout: number | undefined;
  checkStatus: boolean;
  ignoreStdin: boolean;
  ws: string | undefined;
  /** Proxy, TLS, Unix socket, --resolve. */
  network: NetworkArgs;
}

const OPTIONS = {
  help: { type: "boolean" },
  version: { type: "boolean" },
  json: { type: "boolean", short: "j" },
  form: { type: "boolean", short: "f" },
  pretty: { type: "string" },
  print: { type: "string", short: "p" },
  headers: { type: "boolean", short: "h" },
  body: { type: "boolean", short: "b" },
  verbose: { type: "boolean", short: "v" },
  download: { type: "boolean", short: "d" },
  output: { type: "string", short: "o" },
  session: { type: "string" },
  auth: { type: "string", short: "a" },
  "auth-type": { type: "string", short: "A" },
  follow: { type: "boolean", short: "F" },
  "max-redirects": { type: "string" },
  timeout: { type: "string" },
  "check-status": { type: "boolean" },
  "ignore-stdin": { type: "boolean", short: "I" },
  ws: { type: "string" },
  ...NETWORK_OPTIONS,
} as const;

const KNOWN_METHODS = new Set([
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "OPTIONS",
  "TRACE",
  "CONNECT",
]);

/** Whether the first positional is a method rather than the URL. */
function isMethod(word: string, next: string | undefined): boolean {
  if (next === undefined || !/^[A-Za-z]+$/.test(word)) return false;
  if (KNOWN_METHODS.has(word.toUpperCase())) return true;
  // An unknown token counts as a method when it is upper case (PURGE) and the next word is not an item.
  return word === word.toUpperCase() && !looksLikeItem(next);
}

/** `:3000/x` → `http://localhost:3000/x`; no scheme → `http://`. */
export function normalizeUrl(input: string, schemes: readonly string[] = ["http", "https"]): URL {
  let text = input;
  if (/^:\d*(\/|$)/.test(text)) text = `localhost${text}`;
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text)) text = `${schemes[0]}://${text}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usage(`invalid URL ${JSON.stringify(input)}`);
  }
  if (!schemes.includes(url.protocol.slice(0, -1)))
    throw usage(`unsupported URL scheme ${url.protocol} (expected ${schemes.join(" or ")})`);
  return url;
}

function positiveNumber(name: string, text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value <= 0)
    throw usage(`--${name} needs a positive number, got ${JSON.stringify(text)}`);
  return value;
}

/** Parses argv (without node and the script). */
export function parseCommandLine(argv: readonly string[]): Args {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw usage(`${(error as Error).message.split("\n")[0]} (see reqivo --help)`);
  }
  const { values, positionals } = parsed;

  const pretty = values.pretty;
  if (pretty !== undefined && !["all", "colors", "format", "none"].includes(pretty))
    throw usage(`--pretty must be all, colors, format or none, got ${JSON.stringify(pretty)}`);

  let print = values.print;
  if (print !== undefined && !/^[HBhbm]+$/.test(print))
    throw usage(`--print takes letters from HBhbm, got ${JSON.stringify(print)}`);
  if (print === undefined && (values.headers || values.body))
    print = `${values.headers ? "h" : ""}${values.body ? "b" : ""}`;

  const authType = values["auth-type"] ?? "basic";
  if (authType !== "basic" && authType !== "digest" && authType !== "bearer")
    throw usage(`unknown --auth-type ${JSON.stringify(authType)} (basic, digest or bearer)`);
  let auth: Args["auth"];
  if (values.auth !== undefined) {
    if (authType === "bearer") {
      auth = { type: "bearer", token: values.auth };
    } else {
      const colon = values.auth.indexOf(":");
      if (colon < 0) throw usage("--auth takes USER:PASSWORD");
      const username = values.auth.slice(0, colon);
      if (username === "") throw usage("--auth needs a user name before the colon");
      auth = { type: authType, username, password: values.auth.slice(colon + 1) };
    }
  } else if (values["auth-type"] !== undefined) {
    throw usage("--auth-type goes with --auth");
  }

  let maxRedirects = 30;
  if (values["max-redirects"] !== undefined) {
    maxRedirects = Number(values["max-redirects"]);
    if (!Number.isInteger(maxRedirects) || maxRedirects < 0)
      throw usage("--max-redirects needs a whole number ≥ 0");
  }
  const timeout =
    values.timeout === undefined
      ? undefined
      : Math.ceil(positiveNumber("timeout", values.timeout) * 1000);

  if (values.json && values.form) throw usage("--json and --form cannot be used together");

  const args: Args = {
    help: values.help ?? false,
    version: values.version ?? false,
    method: undefined,
    url: undefined,
    items: [],
    form: values.form ?? false,
    pretty: pretty as Pretty | undefined,
    print,
    verbose: values.verbose ?? false,
    download: values.download ?? false,
    output: values.output,
    session: values.session,
    auth,
    follow: values.follow ?? false,
    maxRedirects,
    timeout,
    checkStatus: values["check-status"] ?? false,
    ignoreStdin: values["ignore-stdin"] ?? false,
    ws: values.ws,
    network: parseNetworkOptions(values),
  };
  if (args.help || args.version) return args;

  if (args.ws !== undefined) {
    // Only headers go with --ws: the handshake has no body and its URL carries the query.
    args.items = positionals.map(parseItem);
    const other = args.items.find((i) => i.kind !== "header");
    if (other !== undefined) throw usage("--ws takes Header:value items only");
    return args;
  }

  const words = [...positionals];
  if (words.length === 0) throw usage("a URL is needed (see reqivo --help)");
  if (isMethod(words[0]!, words[1])) args.method = words.shift()!.toUpperCase();
  args.url = words.shift();
  args.items = words.map(parseItem);
  if (args.session !== undefined && !/^[\w.-]+$/.test(args.session) && !args.session.includes("/"))
    throw usage("--session takes a NAME (letters, digits, . _ -) or a path to a .json file");
  if (args.output !== undefined && !args.download)
    throw usage("--output/-o goes with --download/-d");
  return args;
}
