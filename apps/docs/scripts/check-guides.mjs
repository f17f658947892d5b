// Checks the guides (and home.md): relative links must point at files that
// exist, and every ```ts block must type-check against the workspace packages, so an example cannot name an export that does not exist
// or call it with the wrong shape. Each block is written to its own module
// under .guide-check/ and compiled with tsc (no emit).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, ".guide-check");
rmSync(out, { recursive: true, force: true });
mkdirSync(out);

const sources = [
  "home.md",
  ...readdirSync(join(root, "guides"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => `guides/${name}`),
];
const files = [];
const brokenLinks = [];
for (const source of sources) {
  const text = readFileSync(join(root, source), "utf8");
  // Relative links between pages must name a file that exists (TypeDoc rewrites them).
  for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
    if (/^[a-z]+:/i.test(target)) continue;
    if (!existsSync(join(root, dirname(source), target))) brokenLinks.push(`${source}: ${target}`);
  }
  const blocks = [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)];
  blocks.forEach((match, index) => {
    const name = `${source.replace(/[/.]/g, "_")}_${index + 1}.ts`;
    // `export {}` keeps every block a module of its own (top-level await, no clashes).
    writeFileSync(join(out, name), `${match[1]}\nexport {};\n`);
    files.push(name);
  });
}
if (brokenLinks.length > 0) {
  console.error(`broken relative links:\n  ${brokenLinks.join("\n  ")}`);
  process.exit(1);
}
writeFileSync(
  join(out, "tsconfig.json"),
  JSON.stringify({
    extends: "../../../tsconfig.base.json",
    compilerOptions: {
      lib: ["ES2023", "ESNext.Disposable", "DOM", "DOM.Iterable", "DOM.AsyncIterable"],
      types: ["node"],
      noUnusedLocals: false,
    },
    files,
  }),
);
const tsc = spawnSync("tsc", ["-p", join(out, "tsconfig.json")], {
  stdio: "inherit",
  shell: process.platform === "win32",
});
if (tsc.status !== 0) {
  console.error(`guide examples failed to type-check (files in ${out})`);
  process.exit(1);
}
console.log(`${files.length} guide examples type-check`);
