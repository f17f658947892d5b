#!/usr/bin/env node
// Installs the whole toolchain on a machine that has only Node and npm.
// pnpm comes from the npm registry at the version pinned in package.json's
// "packageManager"; deno, bun, turbo and the rest are pinned devDependencies
// of the workspace, so after this step they all sit in node_modules/.bin.
// It also fills npm's cache with the published packages' own dependencies and
// peer dependencies (npm reads even optional peers' metadata): the packaging
// check installs the packed tarballs with npm, offline.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const readJson = (path) => JSON.parse(readFileSync(path, "utf8"));
const rootPackage = readJson(join(root, "package.json"));
const pnpmSpec = rootPackage.packageManager; // e.g. "pnpm@10.34.9"
if (!/^pnpm@\d+\.\d+\.\d+$/.test(pnpmSpec)) {
  throw new Error(`package.json packageManager must pin pnpm exactly, got ${pnpmSpec}`);
}
const windows = process.platform === "win32";
const npx = windows ? "npx.cmd" : "npx";
const npm = windows ? "npm.cmd" : "npm";
const frozen = process.env.CI ? ["--frozen-lockfile"] : [];
execFileSync(npx, ["--yes", pnpmSpec, "install", ...frozen], { stdio: "inherit", shell: windows });

/** (Peer) dependencies of the public packages that are not @reqivo packages themselves. */
const external = {};
for (const dir of readdirSync(join(root, "packages"))) {
  const path = join(root, "packages", dir, "package.json");
  if (!existsSync(path) || readJson(path).private) continue;
  const { dependencies, peerDependencies } = readJson(path);
  for (const [name, range] of Object.entries({ ...peerDependencies, ...dependencies })) {
    if (!name.startsWith("@reqivo/")) external[name] = range;
  }
}
const scratch = mkdtempSync(join(tmpdir(), "reqivo-setup-"));
try {
  writeFileSync(
    join(scratch, "package.json"),
    JSON.stringify({ name: "cache-warm-up", private: true, dependencies: external }),
  );
  execFileSync(
    npm,
    [
      "install",
      "--prefer-offline",
      "--ignore-scripts",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
    ],
    { cwd: scratch, stdio: "inherit", shell: windows },
  );
  console.log(`npm cache now holds ${Object.keys(external).join(", ")} and what they depend on`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
