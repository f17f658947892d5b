#!/usr/bin/env node
// Package metadata derived from package.json, so that versions and exports live
// in one place (package.json "version" and "exports"):
//
// - each JSR package's jsr.json (name, version, license, exports,
//   publish.include):
//     export "."          -> ./src/index.ts
//     export "./a/b"      -> ./src/a/b.ts, or ./src/a/b/index.ts
//     publish.include     -> package.json "files" without "dist"
// - package.json "typesVersions" for packages with subpath exports, so that
//   TypeScript's node10 resolution (which ignores "exports") finds their types:
//     "a/b" -> exports["./a/b"].require.types
//
//   node scripts/package-meta.mjs sync         rewrite jsr.json files and typesVersions
//   node scripts/package-meta.mjs check        fail if any disagree (CI)
//   node scripts/package-meta.mjs stage <dir>  lay out the JSR workspace in <dir>,
//                                              ready for `deno publish` (npm
//                                              dependencies become npm: imports,
//                                              @reqivo/* ones resolve to members)
import { execFileSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * The packages published to JSR, by folder under packages/, dependencies first.
 * (`@reqivo/node` and `@reqivo/bun` are npm-only; `transport-node` and
 * `transport-bun` are npm-only since Deno users have transport-deno.)
 */
export const JSR_PACKAGES = ["protocol", "transport", "client", "transport-deno", "deno"];

function readJson(path) {
  return JSON.parse(readFileSync(path, "utf8"));
}

/** The source file behind a package.json export subpath, by the convention above. */
function sourceFor(dir, subpath) {
  const base = subpath === "." ? "index" : subpath.slice(2);
  for (const candidate of [`src/${base}.ts`, `src/${base}/index.ts`]) {
    if (existsSync(join(dir, candidate))) return `./${candidate}`;
  }
  throw new Error(
    `${dir}: no source for export "${subpath}" (looked for src/${base}.ts and src/${base}/index.ts)`,
  );
}

/** The jsr.json that package.json implies for packages/<name>. */
export function jsrConfig(name) {
  const dir = join(root, "packages", name);
  const pkg = readJson(join(dir, "package.json"));
  const exports = {};
  for (const subpath of Object.keys(pkg.exports ?? { ".": null })) {
    if (subpath === "./package.json") continue;
    exports[subpath] = sourceFor(dir, subpath);
  }
  return {
    $comment: "Generated from package.json by `node scripts/package-meta.mjs sync`; do not edit.",
    name: pkg.name,
    version: pkg.version,
    license: pkg.license,
    exports,
    publish: { include: (pkg.files ?? ["src"]).filter((file) => file !== "dist") },
  };
}

/** Every package folder with a public (not private) package.json. */
function publicPackages() {
  return readdirSync(join(root, "packages")).filter((name) => {
    const path = join(root, "packages", name, "package.json");
    return existsSync(path) && !readJson(path).private;
  });
}

/** The typesVersions that package.json's subpath exports imply (undefined: none needed). */
export function typesVersions(pkg) {
  const map = {};
  for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
    if (subpath === "." || subpath === "./package.json") continue;
    const types = target?.require?.types ?? target?.types;
    if (types === undefined) throw new Error(`${pkg.name}: export "${subpath}" has no types`);
    map[subpath.slice(2)] = [types];
  }
  return Object.keys(map).length === 0 ? undefined : { "*": map };
}

function jsrPath(name) {
  return join(root, "packages", name, "jsr.json");
}

function sync() {
  const written = [];
  for (const name of publicPackages()) {
    const path = join(root, "packages", name, "package.json");
    const pkg = readJson(path);
    const want = typesVersions(pkg);
    if (JSON.stringify(pkg.typesVersions) === JSON.stringify(want)) continue;
    if (want === undefined) delete pkg.typesVersions;
    else pkg.typesVersions = want;
    writeFileSync(path, `${JSON.stringify(pkg, null, 2)}\n`);
    written.push(path);
  }
  for (const name of JSR_PACKAGES) {
    writeFileSync(jsrPath(name), `${JSON.stringify(jsrConfig(name), null, 2)}\n`);
    written.push(jsrPath(name));
  }
  // Biome owns the layout of JSON files in the repository.
  execFileSync(join(root, "node_modules/.bin/biome"), ["format", "--write", ...written], {
    stdio: "ignore",
  });
  console.log(`jsr.json written for ${JSR_PACKAGES.join(", ")}; typesVersions checked`);
}

/** Problems: jsr.json files or typesVersions that are missing or disagree with package.json. */
export function check() {
  const problems = [];
  for (const name of publicPackages()) {
    const pkg = readJson(join(root, "packages", name, "package.json"));
    if (JSON.stringify(pkg.typesVersions) !== JSON.stringify(typesVersions(pkg))) {
      problems.push(`packages/${name}/package.json: typesVersions disagrees with its exports`);
    }
  }
  for (const name of JSR_PACKAGES) {
    const want = JSON.stringify(jsrConfig(name));
    const path = jsrPath(name);
    if (!existsSync(path)) problems.push(`packages/${name}/jsr.json is missing`);
    else if (JSON.stringify(readJson(path)) !== want) {
      problems.push(`packages/${name}/jsr.json disagrees with its package.json`);
    }
  }
  return problems;
}

/**
 * Lays out the JSR workspace in `out`: one member per JSR package with its
 * published files and a deno.json (jsr.json plus `imports` for its npm
 * dependencies), and a root deno.json listing the members.
 */
export function stage(out) {
  mkdirSync(out, { recursive: true });
  const names = new Set(JSR_PACKAGES.map((name) => jsrConfig(name).name));
  // npm dependencies resolve from the packages the set-up already installed
  // (nodeModulesDir "manual"), so staging and checking need no network.
  const nodeModules = join(out, "node_modules");
  // Deno's type check of `node:` imports reads @types/node.
  linkInstalled("@types/node", join(root, "node_modules", "@types", "node"), nodeModules);
  for (const name of JSR_PACKAGES) {
    const dir = join(root, "packages", name);
    const pkg = readJson(join(dir, "package.json"));
    const config = jsrConfig(name);
    delete config.$comment;
    const imports = {};
    const deps = { ...pkg.peerDependencies, ...pkg.dependencies };
    for (const [dep, range] of Object.entries(deps)) {
      if (dep.startsWith("@reqivo/")) {
        if (!names.has(dep)) throw new Error(`${pkg.name} (JSR) depends on ${dep}, not on JSR`);
        continue; // a workspace member
      }
      imports[dep] = `npm:${dep}@${range}`;
      linkInstalled(dep, join(dir, "node_modules", dep), nodeModules);
    }
    const member = join(out, name);
    for (const file of config.publish.include) {
      cpSync(join(dir, file), join(member, file), { recursive: true });
    }
    writeFileSync(join(member, "deno.json"), JSON.stringify({ ...config, imports }, null, 2));
  }
  const workspace = {
    workspace: JSR_PACKAGES.map((name) => `./${name}`),
    lock: false,
    nodeModulesDir: "manual",
  };
  writeFileSync(join(out, "deno.json"), JSON.stringify(workspace, null, 2));
  return out;
}

/** Links an installed npm package (and, once, its pnpm siblings) into `nodeModules`. */
export function linkInstalled(dep, installed, nodeModules) {
  const target = join(nodeModules, dep);
  if (existsSync(target)) return;
  if (!existsSync(installed)) {
    throw new Error(`${installed} is missing: run the set-up (npm run setup) first`);
  }
  mkdirSync(dirname(target), { recursive: true });
  symlinkSync(realpathSync(installed), target, "dir");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [command, arg] = process.argv.slice(2);
  if (command === "sync") sync();
  else if (command === "check") {
    const problems = check();
    for (const problem of problems) console.error(problem);
    if (problems.length > 0) {
      console.error("run `node scripts/package-meta.mjs sync`");
      process.exit(1);
    }
    console.log("jsr.json files and typesVersions agree with package.json");
  } else if (command === "stage" && arg) console.log(stage(resolve(arg)));
  else {
    console.error("usage: node scripts/package-meta.mjs sync | check | stage <dir>");
    process.exit(2);
  }
}
