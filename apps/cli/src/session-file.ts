/**
 * --session NAME: what a run learns (cookies) and what it was told (headers,
 * --auth) is kept in a JSON file and applied to the next run with the same
 * NAME. Files live in $XDG_CONFIG_HOME/reqivo/sessions/NAME.json
 * (~/.config/… when XDG_CONFIG_HOME is unset; %APPDATA% on Windows); a NAME
 * with a slash is a path. Headers and auth are stored per origin and only
 * sent back to that origin. Cookies are the client's cookie jar, exported
 * with `session.cookies.toJSON()` and given back as the `cookies` option, so
 * the jar's rules (domain, path, Secure, expiry, public suffixes) apply.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { CliError } from "./errors.ts";

/** Credentials as given to --auth (and kept in the file). */
export type StoredAuth =
  | { type: "basic" | "digest"; username: string; password: string }
  | { type: "bearer"; token: string };

/** What is kept for one origin. */
export interface OriginState {
  headers: Record<string, string>;
  auth?: StoredAuth;
}

/** The file's shape. */
export interface SessionData {
  reqivo: { session: 1 };
  origins: Record<string, OriginState>;
  /** The client's cookie jar snapshot (tough-cookie's serialization), or null before any. */
  cookieJar: unknown;
}

/** Headers not worth keeping: they describe one request, not the session. */
const NOT_KEPT = /^(content-|if-|host$|cookie$|authorization$|transfer-encoding$|expect$)/i;

/** Where a session NAME lives. */
export function sessionPath(name: string, env: NodeJS.ProcessEnv = process.env): string {
  if (name.includes("/") || name.includes("\\")) return resolve(name);
  const base =
    env.XDG_CONFIG_HOME ||
    (process.platform === "win32" && env.APPDATA ? env.APPDATA : join(homedir(), ".config"));
  return join(base, "reqivo", "sessions", `${name}.json`);
}

/** A loaded session: read, changed by a run, then saved. */
export class SessionFile {
  readonly path: string;
  /** The jar snapshot to start the client's Session from (`undefined`: a fresh jar). */
  readonly cookieJar: unknown;
  readonly #origins: Record<string, OriginState>;

  private constructor(path: string, origins: Record<string, OriginState>, cookieJar: unknown) {
    this.path = path;
    this.#origins = origins;
    this.cookieJar = cookieJar;
  }

  /** Reads the session (an empty one when the file does not exist yet). */
  static async open(name: string, env: NodeJS.ProcessEnv = process.env): Promise<SessionFile> {
    const path = sessionPath(name, env);
    let text: string | undefined;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    if (text === undefined) return new SessionFile(path, {}, undefined);
    let data: Partial<SessionData>;
    try {
      data = JSON.parse(text) as Partial<SessionData>;
    } catch {
      throw new CliError("SESSION_FILE", `${path} is not valid JSON`);
    }
    if (typeof data !== "object" || data === null || Array.isArray(data))
      throw new CliError("SESSION_FILE", `${path} is not a reqivo session file`);
    const origins =
      typeof data.origins === "object" && data.origins !== null && !Array.isArray(data.origins)
        ? data.origins
        : {};
    const jar = data.cookieJar;
    const usable = Array.isArray((jar as { cookies?: unknown } | null | undefined)?.cookies);
    return new SessionFile(path, origins, usable ? jar : undefined);
  }

  /** What was kept for the origin of `url`. */
  origin(url: URL): OriginState {
    return this.#origins[url.origin] ?? { headers: {} };
  }

  /** Keeps this run's headers (those worth keeping) and auth for the origin of `url`. */
  remember(
    url: URL,
    headers: readonly (readonly [string, string])[],
    auth: StoredAuth | undefined,
  ): void {
    const state = this.origin(url);
    const kept = { ...state.headers };
    for (const [name, value] of headers) {
      if (NOT_KEPT.test(name)) continue;
      for (const existing of Object.keys(kept))
        if (existing.toLowerCase() === name.toLowerCase()) delete kept[existing];
      kept[name] = value;
    }
    const next: OriginState = { headers: kept };
    const keptAuth = auth ?? state.auth;
    if (keptAuth !== undefined) next.auth = keptAuth;
    this.#origins[url.origin] = next;
  }

  /** Writes the file (mode 0600: it may hold passwords and cookies), atomically. */
  async save(cookieJar: unknown): Promise<void> {
    const data: SessionData = {
      reqivo: { session: 1 },
      origins: this.#origins,
      cookieJar: cookieJar ?? null,
    };
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
    await rename(temporary, this.path);
  }
}
