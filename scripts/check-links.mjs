#!/usr/bin/env node
// Fails when a relative link in a tracked Markdown file does not resolve to a
// file or folder of the repository (a link outside it, or to nothing, is what
// a clone or a reader of the published README would find broken).
// Usage: node scripts/check-links.mjs
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
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

/** Problems with the links of `file` (a path relative to the repository root). */
export function brokenLinks(file) {
  const problems = [];
  const text = readFileSync(join(root, file), "utf8");
  for (const target of relativeLinks(text)) {
    const path = decodeURIComponent(target.split("#")[0].split("?")[0]);
    if (path === "") continue;
    const absolute = resolve(root, dirname(file), path);
    const inside = relative(root, absolute);
    if (inside.startsWith("..")) problems.push(`${file}: ${target} points outside the repository`);
    else if (!existsSync(absolute)) problems.push(`${file}: ${target} does not exist`);
  }
  return problems;
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
