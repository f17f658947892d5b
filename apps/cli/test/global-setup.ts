/**
 * The tests run the built binary. Turbo builds it before `test`; a bare
 * `vitest run` builds it here when dist/cli.js is missing.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export default function setup(): void {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  if (existsSync(join(root, "dist", "cli.js"))) return;
  const require = createRequire(join(root, "package.json"));
  const manifest = require.resolve("tsup/package.json");
  const bin = (JSON.parse(readFileSync(manifest, "utf8")) as { bin: Record<string, string> }).bin
    .tsup!;
  execFileSync(process.execPath, [join(dirname(manifest), bin)], { cwd: root, stdio: "inherit" });
}
