#!/usr/bin/env node
// Runs a checkout of ky's or ofetch's own Node test suite twice — with the
// runtime's fetch, then with Reqivo's fetch as `globalThis.fetch` — and prints
// both pass counts. Not part of `pnpm test`: it needs the suite's sources and
// their installed dependencies (see README.md beside this file).
//
//   node apps/compat/run-suite.mjs <checkout> [--node <node binary>] [--only runtime|reqivo]
//     [--concurrency <test files at once, ky only; default 1>]
//
// ky's suite has timing-based tests (retry delays, total timeouts): on a busy
// machine they fail with either fetch, so files run one at a time by default.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const checkout = args.find((a, i) => !a.startsWith("--") && !args[i - 1]?.startsWith("--"));
const option = (name) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? undefined : args[i + 1];
};
if (checkout === undefined) {
  console.error("usage: node apps/compat/run-suite.mjs <ky or ofetch checkout> [--node <bin>]");
  process.exit(2);
}
const root = resolve(checkout);
const node = option("node") ?? process.execPath;
const only = option("only");
const concurrency = option("concurrency") ?? "1";
const preload = fileURLToPath(new URL("./preload.mjs", import.meta.url));
const suite = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).name;

/** Runs the suite once; returns { passed, failed, failures }. */
function run(withReqivo) {
  const env = { ...process.env, FORCE_COLOR: "0", CI: "1" };
  // NODE_OPTIONS reaches every child process the test runner forks.
  if (withReqivo) env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ""} --import=${preload}`.trim();
  env.PATH = `${resolve(node, "..")}:${env.PATH}`;
  if (suite === "ky") return runKy(env);
  if (suite === "ofetch") return runOfetch(env);
  throw new Error(`${root}: not a ky or ofetch checkout (package name ${suite})`);
}

function runKy(env) {
  // browser.ts needs Playwright's browsers: not a Node test.
  const files = readdirSync(join(root, "test"))
    .filter((f) => f.endsWith(".ts") && f !== "browser.ts" && f !== "with-page.ts")
    .map((f) => `test/${f}`);
  const build = spawnSync(node, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.dist.json"], {
    cwd: root,
    env,
    stdio: "inherit",
  });
  if (build.status !== 0) throw new Error("ky build failed");
  const result = spawnSync(
    node,
    [
      "node_modules/ava/entrypoints/cli.mjs",
      "--tap",
      "--timeout=2m",
      `--concurrency=${concurrency}`,
      ...files,
    ],
    { cwd: root, env, encoding: "utf8", maxBuffer: 64 << 20 },
  );
  const out = result.stdout;
  const count = (label) => Number(out.match(new RegExp(`^# ${label} (\\d+)`, "m"))?.[1] ?? 0);
  const failures = [...out.matchAll(/^not ok \d+ - (.*)$/gm)].map((m) => m[1]);
  return { passed: count("pass"), failed: count("fail"), failures };
}

function runOfetch(env) {
  const dir = mkdtempSync(join(tmpdir(), "ofetch-run-"));
  const report = join(dir, "report.json");
  try {
    spawnSync(
      node,
      [
        "node_modules/vitest/vitest.mjs",
        "run",
        "--pool=forks",
        "--reporter=json",
        `--outputFile=${report}`,
      ],
      { cwd: root, env, encoding: "utf8", maxBuffer: 64 << 20 },
    );
    const json = JSON.parse(readFileSync(report, "utf8"));
    const failures = json.testResults.flatMap((file) =>
      file.assertionResults.filter((t) => t.status === "failed").map((t) => t.fullName),
    );
    return { passed: json.numPassedTests, failed: json.numFailedTests, failures };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const [label, withReqivo] of [
  ["runtime fetch", false],
  ["Reqivo fetch", true],
]) {
  if (only !== undefined && only !== (withReqivo ? "reqivo" : "runtime")) continue;
  const { passed, failed, failures } = run(withReqivo);
  console.log(`${suite} with ${label}: ${passed} passed, ${failed} failed`);
  for (const name of failures) console.log(`  failed: ${name}`);
}
