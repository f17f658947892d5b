#!/usr/bin/env node
// Installs the whole toolchain on a machine that has only Node and npm.
// pnpm comes from the npm registry at the version pinned in package.json's
// "packageManager"; deno, bun, turbo and the rest are pinned devDependencies
// of the workspace, so after this step they all sit in node_modules/.bin.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const rootPackage = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const pnpmSpec = rootPackage.packageManager; // e.g. "pnpm@10.34.9"
if (!/^pnpm@\d+\.\d+\.\d+$/.test(pnpmSpec)) {
  throw new Error(`package.json packageManager must pin pnpm exactly, got ${pnpmSpec}`);
}
const npx = process.platform === "win32" ? "npx.cmd" : "npx";
const frozen = process.env.CI ? ["--frozen-lockfile"] : [];
execFileSync(npx, ["--yes", pnpmSpec, "install", ...frozen], { stdio: "inherit" });
