// The C helpers of the keep-alive benches (apps/bench/native/*.c): the
// canned-response server and the native raw ceiling. Built on first use with
// the machine's C compiler (`cc -O2`, else gcc or clang) into apps/bench/.cache
// (git-ignored), named by a hash of the source so an edit rebuilds; without a
// compiler the callers fall back to their Node versions.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { dirname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";

export type NativeTool = "canned-server" | "raw-ceiling";

/**
 * apps/bench: the nearest folder above this module that holds native/. Looked
 * up rather than fixed, because this module also runs bundled into
 * node_modules/.cache (the children of the instruction-count scripts).
 */
function benchRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 8; up++) {
    if (existsSync(join(dir, "native", "canned-server.c"))) return dir;
    dir = dirname(dir);
  }
  throw new Error(`native/canned-server.c not found above ${fileURLToPath(import.meta.url)}`);
}

const ROOT = benchRoot();
const SOURCE_DIR = join(ROOT, "native") + sep;
export const CACHE_DIR = join(ROOT, ".cache") + sep;
const COMPILERS = [process.env.CC, "cc", "gcc", "clang"].filter(
  (c): c is string => c !== undefined && c !== "",
);

/** The first C compiler that runs, or null; looked up once. */
let compiler: string | null | undefined;
export function cCompiler(): string | null {
  if (compiler === undefined) {
    compiler =
      COMPILERS.find((cc) => spawnSync(cc, ["--version"], { stdio: "ignore" }).status === 0) ??
      null;
  }
  return compiler;
}

const built = new Map<NativeTool, string | null>();

/**
 * The path of the built `tool`, compiling it if its cached binary is missing;
 * null when no C compiler was found. A failed compile (a compiler that is
 * there but cannot build the source) throws: that is a bug to fix, not a
 * reason to fall back quietly.
 */
export function nativeTool(tool: NativeTool): string | null {
  const known = built.get(tool);
  if (known !== undefined) return known;
  const cc = cCompiler();
  if (cc === null) {
    built.set(tool, null);
    return null;
  }
  const source = `${SOURCE_DIR}${tool}.c`;
  const hash = createHash("sha256").update(readFileSync(source)).digest("hex").slice(0, 12);
  const binary = `${CACHE_DIR}${tool}-${hash}`;
  if (!existsSync(binary)) {
    mkdirSync(CACHE_DIR, { recursive: true });
    // Built under a name of its own, then renamed: processes starting together
    // (contender children) never run a half-written binary.
    const temporary = `${binary}.${process.pid}.tmp`;
    const result = spawnSync(cc, ["-O2", "-Wall", "-o", temporary, source], { encoding: "utf8" });
    if (result.status !== 0)
      throw new Error(`${cc} -O2 ${source} failed:\n${result.stderr}${result.stdout}`);
    renameSync(temporary, binary);
  }
  built.set(tool, binary);
  return binary;
}
