// Relative links in the Markdown files of a packed tarball must resolve inside
// that tarball: a reader of the README on a registry page or in node_modules
// has nothing else (a sibling package's README, the repository's docs/).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { unresolvedLinks } from "../../../scripts/check-links.mjs";
import { run } from "./run.mjs";

/** Problems with the relative links of every .md file in `tarball`. */
export async function packedLinkProblems(tarball) {
  const listing = await run("tar", ["-tzf", tarball]);
  if (listing.code !== 0) return [`tar -tzf ${tarball}: ${listing.stderr}`];
  // Entries are "package/<path>"; folders exist as prefixes of file paths.
  const files = listing.stdout
    .split("\n")
    .filter((entry) => entry.startsWith("package/"))
    .map((entry) => entry.slice("package/".length));
  const paths = new Set(files);
  for (const file of files) {
    for (let at = file.indexOf("/"); at !== -1; at = file.indexOf("/", at + 1)) {
      paths.add(file.slice(0, at));
    }
  }
  const problems = [];
  for (const file of files.filter((path) => path.toLowerCase().endsWith(".md"))) {
    const text = await run("tar", ["-xzOf", tarball, `package/${file}`]);
    if (text.code !== 0) problems.push(`tar -xzOf ${tarball} ${file}: ${text.stderr}`);
    else
      problems.push(
        ...unresolvedLinks(file, text.stdout, (path) => paths.has(path), "the package"),
      );
  }
  return problems;
}

/**
 * Packs a README with a link out of the package and one to a missing file into
 * `dir`/canary.tgz; resolves with what the check misses of those two ([] is right).
 */
export async function packedLinkCanaryMisses(dir) {
  mkdirSync(join(dir, "canary/package"), { recursive: true });
  const links = ["../client/README.md", "src/missing.ts"];
  const readme = `# canary\n\n${links.map((link) => `[a link](${link})`).join("\n")}\n`;
  writeFileSync(join(dir, "canary/package/README.md"), readme);
  const tarball = join(dir, "canary.tgz");
  const packed = await run("tar", ["-czf", tarball, "-C", join(dir, "canary"), "package"]);
  if (packed.code !== 0) return [`tar -czf: ${packed.stderr}`];
  const problems = await packedLinkProblems(tarball);
  return links.filter((link) => !problems.some((problem) => problem.includes(link)));
}
