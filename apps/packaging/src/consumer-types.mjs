// Type-checks consumers of the installed tarballs with TypeScript 5.0 (the
// oldest the declarations support), the workspace's TypeScript 5 (the newest
// 5.x) and TypeScript 7 (the native compiler), under moduleResolution node16,
// nodenext and bundler, each from an ES module and, for node16/nodenext, from a
// CommonJS one (the `require` types), in separate programs. Errors inside the
// published .d.ts files count (skipLibCheck off for them).
//
// Two consumers, so that one cannot lend the other its globals:
// - Node: imports the node-facing packages with @types/node installed and no
//   `types` setting (TypeScript 7 then loads @types/node only when a
//   declaration references it).
// - Runtime-neutral: imports every other entry point with `types: []`, so the
//   declarations must stand on TypeScript's default libs.
// A canary package whose declarations need Node's types and Symbol.asyncDispose
// without saying so must fail with each compiler: else the check sees nothing.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { linkInstalled } from "../../../scripts/package-meta.mjs";
import { mapLimit, root, run } from "./run.mjs";

const here = dirname(dirname(fileURLToPath(import.meta.url)));

/** TypeScript 5 compilers, checked through their API (check-types-api.mjs). */
const TYPESCRIPT_5 = [
  join(here, "node_modules/typescript5.0"), // the oldest TypeScript the types support
  join(root, "node_modules/typescript"), // the workspace's, the newest 5.x
];
/** TypeScript 7 has no JS compiler API; its native `tsc` is fast enough per program. */
const TYPESCRIPT_7 = join(here, "node_modules/typescript7");

/** Packages whose declarations need Node's types (and say so with a reference). */
const NODE_FACING = new Set(["@reqivo/node", "@reqivo/transport-node"]);

/** Entry packages whose classes users construct or receive, checked as types. */
const ENTRY_PACKAGES = new Set(["@reqivo/node", "@reqivo/deno", "@reqivo/bun"]);

const RESOLUTIONS = [
  { name: "node16", module: "node16", kinds: ["mts", "cts"] },
  { name: "nodenext", module: "nodenext", kinds: ["mts", "cts"] },
  { name: "bundler", module: "esnext", kinds: ["mts"] },
];

/** A consumer source importing every entry point of `packages` and using the classes as types. */
function consumerSource(packages) {
  const lines = [];
  let index = 0;
  for (const { name, exports } of packages) {
    for (const subpath of exports) {
      const specifier = subpath === "." ? name : `${name}/${subpath.slice(2)}`;
      lines.push(`import * as entry${index} from "${specifier}";`);
      lines.push(`export type Entry${index} = typeof entry${index};`);
      index++;
    }
    if (ENTRY_PACKAGES.has(name)) {
      const alias = name.replace(/\W/g, "_");
      lines.push(
        `import type * as ${alias} from "${name}";`,
        `export async function close${alias}(session: ${alias}.Session, response: ${alias}.Response, socket: ${alias}.WebSocket, error: ${alias}.ReqivoError): Promise<string> {`,
        "  await response[Symbol.asyncDispose]();",
        "  socket.close(1000);",
        "  await session[Symbol.asyncDispose]();",
        "  return error.code;",
        "}",
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

/** Writes the canary package into `app`'s node_modules and returns its consumer program. */
function writeCanary(app) {
  const dir = join(app, "node_modules/@reqivo/canary");
  mkdirSync(dir, { recursive: true });
  const manifest = {
    name: "@reqivo/canary",
    type: "module",
    exports: { ".": { types: "./index.d.ts" } },
  };
  writeFileSync(join(dir, "package.json"), JSON.stringify(manifest));
  writeFileSync(
    join(dir, "index.d.ts"),
    [
      'import type { Socket } from "node:net";',
      "export declare class Canary {",
      "  socket: Socket;",
      "  [Symbol.asyncDispose](): Promise<void>;",
      "}",
    ].join("\n"),
  );
  writeFileSync(
    join(app, "canary.mts"),
    'import { Canary } from "@reqivo/canary";\nexport type T = Canary;\n',
  );
  const compilerOptions = {
    target: "es2022",
    module: "nodenext",
    strict: true,
    skipLibCheck: false,
    noEmit: true,
    types: [],
  };
  const config = join(app, "tsconfig.canary.json");
  writeFileSync(config, JSON.stringify({ compilerOptions, files: ["canary.mts"] }, null, 2));
  return { config, what: "canary (declarations with errors fail the check)", canary: true };
}

/** Writes the consumers and their tsconfig files into `app`; returns the programs. */
function writeConsumers(app, packages) {
  const consumers = [
    { name: "node", packages: packages.filter(({ name }) => NODE_FACING.has(name)), extra: {} },
    {
      name: "neutral",
      packages: packages.filter(({ name }) => !NODE_FACING.has(name)),
      extra: { types: [] },
    },
  ];
  const programs = [];
  for (const consumer of consumers) {
    const source = consumerSource(consumer.packages);
    for (const resolution of RESOLUTIONS) {
      for (const kind of resolution.kinds) {
        writeFileSync(join(app, `${consumer.name}.${kind}`), source);
        const config = join(app, `tsconfig.${consumer.name}.${resolution.name}.${kind}.json`);
        const compilerOptions = {
          target: "es2022",
          module: resolution.module,
          moduleResolution: resolution.name,
          strict: true,
          skipLibCheck: false,
          noEmit: true,
          ...consumer.extra,
        };
        const files = [`${consumer.name}.${kind}`];
        writeFileSync(config, JSON.stringify({ compilerOptions, files }, null, 2));
        const from = kind === "mts" ? "ESM" : "CJS";
        const names = consumer.packages.map(({ name }) => name).join(", ");
        programs.push({ config, what: `${resolution.name}, ${from}: ${names}` });
      }
    }
  }
  programs.push(writeCanary(app));
  return programs;
}

/**
 * Type-checks consumers of the tarballs installed in `app`. `packages` are
 * `{ name, exports }` (export subpaths, "./package.json" left out).
 * Resolves with `{ version, what, ok, output }` per compiler and program.
 */
export async function checkConsumerTypes(app, packages) {
  // The Node consumer has @types/node installed, as a Node project would; the
  // workspace's copy keeps this offline.
  linkInstalled("@types/node", join(root, "node_modules/@types/node"), join(app, "node_modules"));
  const programs = writeConsumers(app, packages);
  const byConfig = new Map(programs.map((program) => [program.config, program]));
  // The canary passes the check by failing to compile, in its own declarations.
  const verdict = (config, passed, output) =>
    byConfig.get(config).canary ? !passed && output.includes("@reqivo/canary/index.d.ts") : passed;
  const configs = programs.map(({ config }) => config);
  const typescript7 = JSON.parse(readFileSync(join(TYPESCRIPT_7, "package.json"), "utf8"));
  const jobs = [
    ...TYPESCRIPT_5.map((dir) => async () => {
      const script = join(here, "src/check-types-api.mjs");
      // Every program in one compiler process: minutes on a loaded 2-core machine.
      const result = await run(process.execPath, [script, dir, ...configs], {
        cwd: app,
        timeout: 600_000,
      });
      const lines = result.stdout.split("\n").filter((line) => line.startsWith("{"));
      if (result.code !== 0 || lines.length !== configs.length) {
        return [
          { version: dir, what: "API run", ok: false, output: result.stdout + result.stderr },
        ];
      }
      return lines
        .map((line) => JSON.parse(line))
        .map(({ config, version, ok, output }) => ({
          version,
          what: byConfig.get(config).what,
          ok: verdict(config, ok, output),
          output,
        }));
    }),
    ...programs.map(({ config, what }) => async () => {
      const result = await run(
        process.execPath,
        // Default libs are TypeScript's own; checking them each time only costs.
        [join(TYPESCRIPT_7, "bin/tsc"), "-p", config, "--skipDefaultLibCheck", "--singleThreaded"],
        { cwd: app },
      );
      const output = result.stdout + result.stderr;
      const ok = verdict(config, result.code === 0, output);
      return [{ version: typescript7.version, what, ok, output }];
    }),
  ];
  return (await mapLimit(jobs, 2, (job) => job())).flat();
}
