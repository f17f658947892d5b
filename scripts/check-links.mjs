#!/usr/bin/env node
// Fails when a relative link in a tracked Markdown file does not resolve to a
// file or folder of the repository (a link outside it, or to nothing, is what
// a clone or a reader of the published README would find broken).
// Usage: node scripts/check-links.mjs
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, posix, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Relative targets of Markdown links and images in `text`, code spans and fences left out. */
export function relativeLinks(text) {
  const withoutCode = text.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
  const targets = [];
  for (const match of withoutCode.matchAll(
    /!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g,
  )) {
    const target = match[1];
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("#")) continue;
    targets.push(target);
  }
  return targets;
}

/**
 * Problems with the relative links of `text`, the Markdown file at `file` (a
 * "/"-separated path inside `tree`, e.g. "the repository"); `exists(path)` says
 * whether a path of that tree is a file or folder.
 */
export function unresolvedLinks(file, text, exists, tree = "the repository") {
  const problems = [];
  for (const target of relativeLinks(text)) {
    const path = decodeURIComponent(target.split("#")[0].split("?")[0]);
    if (path === "") continue;
    const inside = posix.normalize(posix.join(posix.dirname(file), path)).replace(/\/$/, "");
    if (inside === ".." || inside.startsWith("../")) {
      problems.push(`${file}: ${target} points outside ${tree}`);
    } else if (!exists(inside)) problems.push(`${file}: ${target} does not exist`);
  }
  return problems;
}

/** Problems with the links of `file` (a path relative to the repository root). */
export function brokenLinks(file) {
  const text = readFileSync(join(root, file), "utf8");
  return unresolvedLinks(file, text, (path) => existsSync(join(root, path)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = execFileSync("git", ["ls-files", "*.md"], { cwd: root, encoding: "utf8" })
    .split("\n")
    .filter((file) => file !== "" && !file.includes("/fixtures/"));
  const problems = files.flatMap(brokenLinks);
  for (const problem of problems) console.error(problem);
  console.log(`links: ${files.length} Markdown files, ${problems.length} broken`);
  if (problems.length > 0) process.exit(1);
}
