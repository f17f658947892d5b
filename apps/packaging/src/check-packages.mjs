// Checks what would be published, not the workspace:
//
// 1. `pnpm pack` every public package (workspace:* becomes the version), then
//    publint --strict and @arethetypeswrong/cli on each tarball: ESM, CJS and
//    their types resolve under node10, node16 (from ESM and from CJS) and bundler;
//    relative links in each tarball's Markdown resolve inside it.
// 2. `npm install` the tarballs into a fresh project (each other's dependencies
//    are the local tarballs too: npm's `overrides`), then a request against a
//    local keep-alive server with Node (ESM import and CJS require), Bun
//    (@reqivo/bun) and Deno (@reqivo/deno from npm); every script must exit on
//    its own within EXIT_BUDGET_MS of its last request (idle pooled connections
//    are unref'd).
// 3. JSR: the jsr.json files agree with package.json, the JSR workspace is
//    staged (scripts/package-meta.mjs) and `deno publish --dry-run` passes (type check
//    and no slow types); Deno then imports @reqivo/deno from that workspace and
//    runs a request.
// 4. TypeScript consumers of the installed tarballs (consumer-types.mjs):
//    TypeScript 5.0, 5.x and 7, moduleResolution node16, nodenext and bundler.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { check as checkJsr, stage as stageJsr } from "../../../scripts/package-meta.mjs";
import { checkConsumerTypes } from "./consumer-types.mjs";
import { packedLinkCanaryMisses, packedLinkProblems } from "./packed-links.mjs";
import { bin, mapLimit, root, run } from "./run.mjs";

const EXIT_BUDGET_MS = 2_000;
const failures = [];
const fail = (what, detail = "") => {
  failures.push(what);
  console.error(`✗ ${what}${detail ? `\n${detail.trim()}` : ""}`);
};
const ok = (what) => console.log(`✓ ${what}`);
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)}s`;

const work = mkdtempSync(join(tmpdir(), "reqivo-packaging-"));
const keep = process.env.REQIVO_KEEP_TMP === "1";

/** Public packages: every packages/* not marked private. */
const packages = readdirSync(join(root, "packages"))
  .map((dir) => ({ dir: join(root, "packages", dir) }))
  .filter(({ dir }) => existsSync(join(dir, "package.json")))
  .map(({ dir }) => ({ dir, pkg: JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) }))
  .filter(({ pkg }) => !pkg.private)
  .map(({ dir, pkg }) => ({
    dir,
    name: pkg.name,
    exports: Object.keys(pkg.exports ?? { ".": null }).filter((path) => path !== "./package.json"),
    tarball: join(work, "packs", `${pkg.name.slice(1).replace("/", "-")}-${pkg.version}.tgz`),
  }));

// The server every smoke run talks to: keep-alive, and it never closes idle
// connections first, so only the client side can hold a process up.
const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    res.setHeader("keep-alive", "timeout=60");
    if (req.url === "/echo") {
      res.setHeader("content-type", "application/json");
      res.end(Buffer.concat(chunks));
    } else res.end("hello");
  });
});
server.keepAliveTimeout = 60_000;
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${server.address().port}/`;

// What every smoke script does after importing { get, Session, fetch }.
const body = `
const url = ${JSON.stringify(url)};
const a = await (await get(url + "hello")).text();
const session = new Session({ baseUrl: url });
const b = await (await session.post("echo", { json: { n: 1 } })).json();
const c = await (await fetch(url + "hello")).text();
console.log("result " + JSON.stringify({ a, b, c }));
`;
const expected = `result ${JSON.stringify({ a: "hello", b: { n: 1 }, c: "hello" })}`;

/** Runs a smoke script; it must print the expected result and then exit by itself, promptly. */
async function smoke(label, command, args, cwd) {
  let printedAt;
  const result = await run(command, args, {
    cwd,
    timeout: 30_000,
    onStdout: (out) => {
      if (printedAt === undefined && out.includes("result ")) printedAt = performance.now();
    },
  });
  if (result.code !== 0 || !result.stdout.includes(expected)) {
    fail(`${label}: request`, `exit ${result.code}\n${result.stdout}\n${result.stderr}`);
    return;
  }
  const linger = Math.round(result.exitedAt - printedAt);
  if (linger > EXIT_BUDGET_MS) fail(`${label}: exited ${linger} ms after its last request`);
  else ok(`${label}: request, exit ${linger} ms after it`);
}

async function npmSide() {
  const pnpm = join(root, "node_modules/pnpm/bin/pnpm.cjs");
  const packed = await mapLimit(packages, 3, async ({ dir, name }) => {
    const result = await run(
      process.execPath,
      [pnpm, "pack", "--pack-destination", join(work, "packs")],
      { cwd: dir },
    );
    if (result.code !== 0) fail(`${name}: pnpm pack`, result.stderr + result.stdout);
    return result.code === 0;
  });
  if (packed.includes(false)) return;
  console.log(`packed ${packages.length} packages (${elapsed()})`);

  // The lints and the install-and-run are independent: overlap them.
  await Promise.all([lintTarballs(), installAndRun()]);
}

async function lintTarballs() {
  const misses = await packedLinkCanaryMisses(work);
  if (misses.length > 0)
    fail("packed-link check: the canary's bad links went unseen", misses.join("\n"));
  await mapLimit(packages, 2, async ({ name, tarball }) => {
    const lint = await run(bin("publint"), ["run", "--strict", tarball]);
    if (lint.code !== 0) fail(`${name}: publint`, lint.stdout + lint.stderr);
    const types = await run(bin("attw"), [tarball, "--format", "ascii"]);
    if (types.code !== 0) fail(`${name}: attw`, types.stdout + types.stderr);
    const links = await packedLinkProblems(tarball);
    if (links.length > 0) fail(`${name}: links in the packed Markdown`, links.join("\n"));
    if (lint.code === 0 && types.code === 0 && links.length === 0) {
      ok(`${name}: publint, attw (node10, node16, bundler), README links resolve in the tarball`);
    }
  });
  console.log(`publint and attw done (${elapsed()})`);
}

async function installAndRun() {
  const app = join(work, "app");
  const deps = Object.fromEntries(packages.map(({ name, tarball }) => [name, `file:${tarball}`]));
  writeFileSync(
    join(app, "package.json"),
    JSON.stringify({ name: "smoke", private: true, dependencies: deps, overrides: deps }),
  );
  const install = await run(
    "npm",
    [
      "install",
      "--prefer-offline",
      "--no-audit",
      "--no-fund",
      "--no-update-notifier",
      "--ignore-scripts",
      "--loglevel=error",
    ],
    { cwd: app, timeout: 180_000 },
  );
  if (install.code !== 0) {
    fail("npm install of the tarballs", install.stdout + install.stderr);
    return;
  }
  ok(`npm install of the ${packages.length} tarballs into a fresh project (${install.ms} ms)`);

  const esm = `import { fetch, get, Session } from "@reqivo/node";\n${body}`;
  const cjs = `const { fetch, get, Session } = require("@reqivo/node");\n(async () => {${body}})();`;
  const bun = `import { fetch, get, Session } from "@reqivo/bun";\n${body}`;
  const deno = `import { fetch, get, Session } from "@reqivo/deno";\n${body}`;
  writeFileSync(join(app, "esm.mjs"), esm);
  writeFileSync(join(app, "cjs.cjs"), cjs);
  writeFileSync(join(app, "bun.mjs"), bun);
  writeFileSync(join(app, "deno.mjs"), deno);
  await Promise.all([
    typeCheck(app),
    smoke("node ESM import @reqivo/node (tarball)", process.execPath, ["esm.mjs"], app),
    smoke("node CJS require @reqivo/node (tarball)", process.execPath, ["cjs.cjs"], app),
    smoke("bun @reqivo/bun (tarball)", bin("bun"), ["bun.mjs"], app),
    smoke(
      "deno @reqivo/deno (npm tarball)",
      bin("deno"),
      ["run", "--quiet", "--no-config", "--node-modules-dir=manual", "--allow-net", "deno.mjs"],
      app,
    ),
  ]);
}

async function typeCheck(app) {
  const programs = await checkConsumerTypes(app, packages);
  const passed = new Map();
  for (const { version, what, ok: passing, output } of programs) {
    if (passing) passed.set(version, (passed.get(version) ?? 0) + 1);
    else fail(`TypeScript ${version}, ${what}`, output.split("\n").slice(0, 30).join("\n"));
  }
  for (const [version, count] of passed) {
    ok(
      `TypeScript ${version}: ${count} programs (Node and runtime-neutral consumers under node16, nodenext from ESM and CJS, bundler; the canary fails as it must)`,
    );
  }
  console.log(`consumer type checks done (${elapsed()})`);
}

async function jsrSide() {
  const problems = checkJsr();
  if (problems.length > 0) {
    fail(
      "jsr.json and typesVersions agree with package.json",
      `${problems.join("\n")}\nrun: node scripts/package-meta.mjs sync`,
    );
    return;
  }
  ok("jsr.json files and typesVersions agree with package.json");
  const workspace = stageJsr(join(work, "jsr"));
  const dryRun = await run(bin("deno"), ["publish", "--dry-run", "--allow-dirty"], {
    cwd: workspace,
    timeout: 180_000,
    env: { DENO_NO_UPDATE_CHECK: "1" },
  });
  if (dryRun.code !== 0) {
    fail(
      `deno publish --dry-run (JSR workspace): exit ${dryRun.code} after ${dryRun.ms} ms`,
      dryRun.stdout + dryRun.stderr,
    );
    return;
  }
  ok(`deno publish --dry-run: every JSR package, no slow types (${dryRun.ms} ms)`);
  writeFileSync(
    join(workspace, "smoke.ts"),
    `import { fetch, get, Session } from "@reqivo/deno";\n${body}`,
  );
  await smoke(
    "deno @reqivo/deno (JSR workspace)",
    bin("deno"),
    ["run", "--quiet", "--allow-net", "smoke.ts"],
    workspace,
  );
}

try {
  // Two independent pipelines; each is mostly waiting on child processes.
  mkdirSync(join(work, "packs"), { recursive: true });
  mkdirSync(join(work, "app"), { recursive: true });
  await Promise.all([npmSide(), jsrSide()]);
} finally {
  server.close();
  server.closeAllConnections();
  if (!keep) rmSync(work, { recursive: true, force: true });
}
console.log(`packaging checks: ${failures.length} failed (${elapsed()})`);
if (failures.length > 0) process.exit(1);
