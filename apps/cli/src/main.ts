/**
 * One run of the reqivo command: parse, build the request, send it on a
 * @reqivo/node Session, print (or download) the answer, keep the session.
 */
import { type AuthOptions, type Response, Session, type SessionOptions } from "@reqivo/node";
import { type Args, normalizeUrl, parseCommandLine } from "./args.ts";
import { runDownload } from "./download-run.ts";
import { CliError, describe, EXIT, exitForStatus, usage } from "./errors.ts";
import { HELP, VERSION } from "./help.ts";
import { sessionNetworkOptions } from "./network.ts";
import { type Sink, styleFor } from "./output.ts";
import { readLocalFile } from "./read-file.ts";
import { SessionFile, type StoredAuth } from "./session-file.ts";
import {
  BINARY_NOTE,
  isJson,
  isJsonType,
  requestHead,
  responseHead,
  type Style,
  styleJson,
  textOf,
} from "./style.ts";
import { runWebSocket } from "./ws.ts";

/** The process's streams and environment (a seam for tests). */
export interface Io {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: Sink;
  stderr: Sink;
  env: NodeJS.ProcessEnv;
}

type HeaderPair = [string, string];

/** What goes on the wire, and how to show it. */
interface Prepared {
  method: string;
  url: URL;
  headers: HeaderPair[];
  body: string | Uint8Array | URLSearchParams | FormData | undefined;
  /** The body as --verbose shows it. */
  shownBody: string | Uint8Array | undefined;
  contentLength: number | undefined;
  /** --auth, or what the session file kept for this origin. */
  auth: StoredAuth | undefined;
}

function hasHeader(headers: readonly HeaderPair[], name: string): boolean {
  const lower = name.toLowerCase();
  return headers.some(([n]) => n.toLowerCase() === lower);
}

/** Sets a header, replacing any of the same name. */
function setHeader(headers: HeaderPair[], name: string, value: string): void {
  const lower = name.toLowerCase();
  for (let i = headers.length - 1; i >= 0; i--)
    if (headers[i]![0].toLowerCase() === lower) headers.splice(i, 1);
  headers.push([name, value]);
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const pieces: Buffer[] = [];
  for await (const piece of stream)
    pieces.push(typeof piece === "string" ? Buffer.from(piece) : Buffer.from(piece));
  return Buffer.concat(pieces);
}

/** Turns the arguments (and stdin) into the request. */
async function prepare(args: Args, io: Io, session: SessionFile | undefined): Promise<Prepared> {
  const url = normalizeUrl(args.url!);
  const items = args.items;
  for (const item of items)
    if (item.kind === "query") url.searchParams.append(item.key, item.value);

  const headers: HeaderPair[] = [
    ["User-Agent", `reqivo/${VERSION}`],
    ["Accept", "*/*"],
  ];
  const kept = session?.origin(url);
  for (const [name, value] of Object.entries(kept?.headers ?? {})) setHeader(headers, name, value);
  const given = items.flatMap((i) =>
    i.kind === "header" ? [[i.name, i.value] as HeaderPair] : [],
  );
  // Headers from the command line replace defaults and kept ones of the same name; repeats are kept.
  for (let i = headers.length - 1; i >= 0; i--)
    if (hasHeader(given, headers[i]![0])) headers.splice(i, 1);
  headers.push(...given);

  const fields = items.filter((i) => i.kind === "data" || i.kind === "json" || i.kind === "file");
  let body: Prepared["body"];
  let shownBody: Prepared["shownBody"];
  let contentType: string | undefined;
  if (args.form) {
    const json = fields.find((i) => i.kind === "json");
    if (json !== undefined) throw usage(`${json.key}:= (raw JSON) cannot be sent as a form`);
    if (fields.some((i) => i.kind === "file")) {
      const form = new FormData();
      const names: string[] = [];
      for (const item of fields) {
        if (item.kind === "data") form.append(item.key, item.value);
        else if (item.kind === "file") {
          const bytes = await readLocalFile(item.path);
          const name = item.path.split(/[\\/]/).pop() ?? item.path;
          form.append(item.key, new Blob([bytes]), name);
          names.push(`${item.key}@${name} (${bytes.length} bytes)`);
        }
      }
      body = form;
      shownBody = `(multipart form data: ${fields.length} fields${names.length ? `; files ${names.join(", ")}` : ""})`;
    } else if (fields.length > 0) {
      const params = new URLSearchParams();
      for (const item of fields) if (item.kind === "data") params.append(item.key, item.value);
      body = params.toString();
      contentType = "application/x-www-form-urlencoded; charset=utf-8";
    }
  } else if (fields.length > 0) {
    const file = fields.find((i) => i.kind === "file");
    if (file !== undefined)
      throw usage(`${file.key}@${file.kind === "file" ? file.path : ""}: file fields need --form`);
    const object: Record<string, unknown> = {};
    for (const item of fields)
      if (item.kind === "data" || item.kind === "json") object[item.key] = item.value;
    body = JSON.stringify(object);
    contentType = "application/json";
    if (!hasHeader(given, "accept")) setHeader(headers, "Accept", "application/json, */*;q=0.5");
  } else if (!args.ignoreStdin && io.stdin.isTTY !== true) {
    const bytes = await readAll(io.stdin);
    if (bytes.length > 0) body = bytes;
  }
  if (contentType !== undefined && !hasHeader(given, "content-type"))
    setHeader(headers, "Content-Type", contentType);
  if (typeof body === "string" || body instanceof Uint8Array) shownBody = body;

  const method = args.method ?? (body === undefined ? "GET" : "POST");
  const contentLength =
    typeof body === "string"
      ? Buffer.byteLength(body)
      : body instanceof Uint8Array
        ? body.length
        : undefined;
  return { method, url, headers, body, shownBody, contentLength, auth: args.auth ?? kept?.auth };
}

/** --auth as the client's `auth` option (it scopes credentials to the origin and answers Digest challenges). */
function authOption(auth: StoredAuth | undefined): AuthOptions | undefined {
  if (auth === undefined) return undefined;
  if (auth.type === "bearer") return { bearer: auth.token };
  const credentials = { username: auth.username, password: auth.password };
  return auth.type === "digest" ? { digest: credentials } : { basic: credentials };
}

/** The Authorization header sent up front (Basic, Bearer), for --verbose; Digest waits for a challenge. */
function upFront(auth: StoredAuth | undefined): string | undefined {
  if (auth === undefined || auth.type === "digest") return undefined;
  if (auth.type === "bearer") return `Bearer ${auth.token}`;
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`, "utf8").toString("base64")}`;
}

/** Shows a body: styled text, or the binary note on a terminal, or raw bytes. */
function showBody(
  bytes: Uint8Array,
  contentType: string | null,
  style: Style,
  tty: boolean,
): string | Uint8Array {
  if (!style.colors && !style.format && !tty) return bytes;
  const text = textOf(bytes);
  if (text === null) return tty ? BINARY_NOTE : bytes;
  let shown = text;
  if (isJsonType(contentType) || ((style.format || style.colors) && isJson(text)))
    shown = styleJson(text, style);
  return shown.endsWith("\n") || shown === "" ? shown : `${shown}\n`;
}

function ms(value: number | undefined): string {
  return value === undefined ? "-" : `${value.toFixed(2)} ms`;
}

/** Prints the request head (and body) for --verbose / --print=HB. */
async function printRequest(
  prepared: Prepared,
  cookie: string,
  print: string,
  out: Sink,
  style: Style,
): Promise<void> {
  if (print.includes("H")) {
    const shown: HeaderPair[] = [["Host", prepared.url.host], ...prepared.headers];
    const authorization = upFront(prepared.auth);
    if (authorization !== undefined && !hasHeader(shown, "authorization"))
      shown.push(["Authorization", authorization]);
    if (cookie !== "") {
      const at = shown.findIndex(([n]) => n.toLowerCase() === "cookie");
      if (at >= 0) shown[at] = [shown[at]![0], `${shown[at]![1]}; ${cookie}`];
      else shown.push(["Cookie", cookie]);
    }
    if (prepared.contentLength !== undefined)
      shown.push(["Content-Length", String(prepared.contentLength)]);
    const target = `${prepared.url.pathname}${prepared.url.search}`;
    await out.write(`${requestHead(prepared.method, target, shown, style.colors)}\n`);
  }
  if (print.includes("B") && prepared.shownBody !== undefined) {
    const contentType =
      prepared.headers.find(([n]) => n.toLowerCase() === "content-type")?.[1] ?? null;
    const shown =
      typeof prepared.shownBody === "string"
        ? showBody(new TextEncoder().encode(prepared.shownBody), contentType, style, out.isTTY)
        : showBody(prepared.shownBody, contentType, style, out.isTTY);
    await out.write(shown);
    const last =
      typeof shown === "string"
        ? shown.at(-1)
        : shown.length > 0
          ? String.fromCharCode(shown[shown.length - 1]!)
          : "\n";
    await out.write(last === "\n" ? "\n" : "\n\n");
  }
}

/** Prints the response: redirects followed (with --verbose), head, body, timings. */
export async function printResponse(
  response: Response,
  print: string,
  out: Sink,
  style: Style,
): Promise<void> {
  if (print.includes("h")) {
    if (print.includes("H"))
      for (const hop of response.history)
        await out.write(`${responseHead(hop.status, "", hop.headers, style.colors)}\n`);
    await out.write(
      `${responseHead(response.status, response.statusText, response.headers, style.colors)}\n`,
    );
  }
  if (print.includes("b")) {
    if (!style.colors && !style.format && !out.isTTY) {
      for await (const piece of response) await out.write(piece);
    } else {
      const bytes = await response.bytes();
      await out.write(showBody(bytes, response.headers.get("content-type"), style, out.isTTY));
    }
  } else {
    await response.dump();
  }
  if (print.includes("m")) {
    const t = response.timings;
    const line = `Elapsed: connect ${ms(t.connect)}${t.reused ? " (reused)" : ""}, first byte ${ms(t.firstByte)}, total ${ms(t.total)}`;
    await out.write(
      `${print.includes("b") ? "\n" : ""}${style.colors ? `\x1b[2m${line}\x1b[0m` : line}\n`,
    );
  }
}

/** Runs the command; resolves with the exit status. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  try {
    const args = parseCommandLine(argv);
    if (args.help) {
      await io.stdout.write(HELP);
      return EXIT.ok;
    }
    if (args.version) {
      await io.stdout.write(`${VERSION}\n`);
      return EXIT.ok;
    }
    if (args.ws !== undefined) {
      return await runWebSocket(args, io);
    }
    return await runHttp(args, io);
  } catch (error) {
    const { code, message, exitCode } = describe(error);
    await io.stderr.write(`reqivo: error ${code}: ${message}\n`).catch(() => undefined);
    return exitCode;
  }
}

async function runHttp(args: Args, io: Io): Promise<number> {
  const sessionFile = args.session === undefined ? undefined : await SessionFile.open(args.session);
  const prepared = await prepare(args, io, sessionFile);
  const outStyle = styleFor(args.pretty, io.stdout.isTTY, io.env);
  const print = args.print ?? (args.verbose ? "HBhbm" : args.download ? "h" : "hb");

  const session = new Session({
    ...(await sessionNetworkOptions(args.network)),
    ...(args.timeout === undefined
      ? {}
      : { timeout: { connect: args.timeout, headers: args.timeout, body: args.timeout } }),
    redirect: args.follow ? { mode: "follow", max: args.maxRedirects } : "manual",
    // A jar for every run (cookies set along a redirect chain are sent on), kept with --session.
    cookies: (sessionFile?.cookieJar as SessionOptions["cookies"]) ?? true,
  });
  try {
    const cookie = print.includes("H") ? ((await session.cookies?.header(prepared.url)) ?? "") : "";
    await printRequest(prepared, cookie, print, io.stdout, outStyle);
    const auth = authOption(prepared.auth);
    const response = await session.request(prepared.url, {
      method: prepared.method,
      headers: prepared.headers,
      ...(prepared.body === undefined ? {} : { body: prepared.body }),
      ...(auth === undefined ? {} : { auth }),
    });
    if (sessionFile !== undefined) {
      const given = args.items.flatMap((i) =>
        i.kind === "header" ? [[i.name, i.value] as HeaderPair] : [],
      );
      sessionFile.remember(prepared.url, given, args.auth);
    }

    let exitCode: number = EXIT.ok;
    const statusExit = exitForStatus(response.status, args.follow);
    if (args.download && response.status >= 200 && response.status < 300) {
      await runDownload(response, args, io, print);
    } else {
      // A failed download shows what the server said instead of saving it.
      const shown = args.download ? `${print.replace(/[hbm]/g, "")}hb` : print;
      await printResponse(response, shown, io.stdout, outStyle);
      if (args.download || (args.checkStatus && statusExit !== EXIT.ok)) {
        exitCode = statusExit === EXIT.ok ? EXIT.error : statusExit;
      } else if (response.status >= 400 && !io.stdout.isTTY) {
        await io.stderr.write(`reqivo: warning: HTTP ${response.status} ${response.statusText}\n`);
      }
    }
    await sessionFile?.save(session.cookies?.toJSON());
    if (exitCode !== EXIT.ok) {
      const location = response.headers.get("location");
      const what =
        response.status >= 300 && response.status < 400
          ? `${response.status} ${response.statusText}${location ? ` to ${location}` : ""} (not followed: use --follow)`
          : `${response.status} ${response.statusText} from ${prepared.method} ${response.url}`;
      throw new CliError(response.status >= 400 ? "HTTP_ERROR" : "HTTP_REDIRECT", what, exitCode);
    }
    return EXIT.ok;
  } finally {
    await session.close();
  }
}
