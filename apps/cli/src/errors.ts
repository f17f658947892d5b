/**
 * What can go wrong, as one line and an exit status. Every failure ends as
 * `reqivo: error CODE: message` on stderr; the exit status tells scripts the
 * kind of failure without parsing that line.
 */

/** Exit statuses (documented in the README and in --help). */
export const EXIT = {
  ok: 0,
  /** Network, protocol, file or any other error. */
  error: 1,
  /** A --timeout ran out (connect, response head, or a gap in the body). */
  timeout: 2,
  /** --check-status and a 3xx answer that was not followed. */
  http3xx: 3,
  /** --check-status (or --download) and a 4xx answer. */
  http4xx: 4,
  /** --check-status (or --download) and a 5xx answer. */
  http5xx: 5,
  /** More redirects than --max-redirects, or a redirect loop. */
  redirects: 6,
  /** Bad command line (sysexits EX_USAGE). */
  usage: 64,
} as const;

/** An error the CLI reports as `reqivo: error CODE: message`. */
export class CliError extends Error {
  readonly code: string;
  readonly exitCode: number;
  constructor(code: string, message: string, exitCode: number = EXIT.error) {
    super(message);
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** A usage error: bad option, bad item, bad URL. */
export function usage(message: string): CliError {
  return new CliError("USAGE", message, EXIT.usage);
}

/** The exit status for an HTTP status under --check-status (0 when it is not an error). */
export function exitForStatus(status: number, followed: boolean): number {
  if (status >= 500) return EXIT.http5xx;
  if (status >= 400) return EXIT.http4xx;
  if (status >= 300 && !followed) return EXIT.http3xx;
  return EXIT.ok;
}

const TIMEOUT_CODES = new Set([
  "CONNECT_TIMEOUT",
  "HEADERS_TIMEOUT",
  "BODY_TIMEOUT",
  "DEADLINE_EXCEEDED",
]);
const REDIRECT_CODES = new Set(["TOO_MANY_REDIRECTS", "REDIRECT_LOOP"]);

/** Turns anything thrown into a code, a one-line message and an exit status. */
export function describe(error: unknown): { code: string; message: string; exitCode: number } {
  if (error instanceof CliError)
    return { code: error.code, message: oneLine(error.message), exitCode: error.exitCode };
  const raw = (error as { code?: unknown } | null)?.code;
  const code = typeof raw === "string" && raw !== "" ? raw : "INTERNAL";
  const message = oneLine(error instanceof Error ? error.message : String(error));
  let exitCode: number = EXIT.error;
  if (TIMEOUT_CODES.has(code)) exitCode = EXIT.timeout;
  else if (REDIRECT_CODES.has(code)) exitCode = EXIT.redirects;
  else if (code === "INVALID_REQUEST" || code.startsWith("ERR_PARSE_ARGS")) exitCode = EXIT.usage;
  return { code, message, exitCode };
}

function oneLine(text: string): string {
  const flat = text.replace(/\s*[\r\n]+\s*/g, " ").trim();
  return flat === "" ? "unknown error" : flat;
}
