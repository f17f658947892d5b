// Type-checks the examples users read: every ```ts block of each public
// package's README.md and of every TSDoc @example in its src/, against the
// built packages (their published .d.ts, resolved through package.json
// "exports" under NodeNext, as a user's project would).
//
// Each block becomes one module in a temporary folder. A block with no import
// of its own gets the names it uses imported from its package (a TSDoc example
// shows the symbol it documents). Free variables an example takes as given
// (`transport`, `conn`, `session`, …) are declared once in prelude.d.ts; a
// block's own declarations shadow them. Nothing else is added.
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { root, run } from "./run.mjs";

const PRELUDE = `// Variables the examples take as given.
declare const transport: import("@reqivo/transport").Transport;
declare const conn: import("@reqivo/transport").Connection;
declare const connection: import("@reqivo/transport").Connection;
declare const session: import("@reqivo/client").Session;
declare const response: import("@reqivo/client").Response;
declare const res: import("@reqivo/client").Response;
declare const bytes: Uint8Array;
declare const chunk: Uint8Array;
declare const data: Uint8Array;
declare const signal: AbortSignal;
declare const url: string;
declare const socket: import("node:net").Socket;
declare const ws: import("@reqivo/client").WebSocketClient;
declare const token: string;
declare const user: string;
declare const password: string;
declare const file: Blob;
declare function createTransport(): import("@reqivo/transport").Transport;
declare function refresh(): Promise<string>;
declare function refreshAndRetry(res: import("@reqivo/client").Response): Promise<import("@reqivo/client").Response>;
declare class MyError extends Error {}
// The few Deno and Bun calls the examples make (no @types/bun or Deno lib here).
declare const Deno: { stdout: { write(bytes: Uint8Array): Promise<number> } };
declare const Bun: { stdout: unknown; write(to: unknown, data: Uint8Array): Promise<number> };
`;

/**
 * Example errors known at the time of writing, in code other people were
 * changing (so not fixed here), as "path: message". They are reported, not
 * failed on; any other error fails, and so does an entry that no longer
 * occurs (delete it), so this list only shrinks.
 */
const KNOWN = new Set(
  JSON.parse(readFileSync(new URL("../known-example-errors.json", import.meta.url), "utf8")).errors,
);

/** Names a package's built types export (the `export { … }` lists tsup emits). */
function exportedNames(dir) {
  const dts = readFileSync(join(dir, "dist/index.d.ts"), "utf8");
  const names = new Set();
  for (const [, list] of dts.matchAll(/^export \{([^}]*)\};?$/gm)) {
    for (const item of list.split(",")) {
      const name = item
        .trim()
        .replace(/^type\s+/, "")
        .split(/\s+as\s+/)
        .pop();
      if (name) names.add(name);
    }
  }
  for (const [, name] of dts.matchAll(/^export (?:declare )?(?:const|function|class) (\w+)/gm)) {
    names.add(name);
  }
  return names;
}

/** ```ts blocks in `text` (README markdown, or a doc comment with its " * " stripped). */
function fencedBlocks(text) {
  return [...text.matchAll(/^```(?:ts|typescript)\n([\s\S]*?)^```/gm)].map((match) => ({
    code: match[1],
    offset: match.index,
  }));
}

function* sourceFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
      yield join(entry.parentPath ?? entry.path, entry.name);
    }
  }
}

/**
 * Whether the doc comment ending at `end` documents public API: the next
 * declaration is an export of a name the package exports, or a member of an
 * exported class (the nearest `export class` above it). Examples on internal
 * helpers use names users cannot import, so they are not checked.
 */
function documentsPublic(text, end, exported) {
  const next = text.slice(end).match(/^\s*(.*)$/m)?.[1] ?? "";
  const declared = next.match(
    /^export\s+(?:declare\s+)?(?:default\s+)?(?:abstract\s+)?(?:async\s+)?(?:class|function\*?|const|let|interface|type|enum)\s+(\w+)/,
  );
  if (declared) return exported.has(declared[1]);
  if (next.startsWith("export {") || next.startsWith("export *")) return true;
  if (!/^\s/.test(text.slice(end).replace(/^\s*\n/, ""))) return false; // top-level, not exported
  const classes = [...text.slice(0, end).matchAll(/^export\s+(?:abstract\s+)?class\s+(\w+)/gm)];
  const owner = classes.at(-1)?.[1];
  return owner !== undefined && exported.has(owner);
}

/** Every public example of one package: { code, where }. */
function examplesOf(dir, exported) {
  const examples = [];
  const readme = join(dir, "README.md");
  if (existsSync(readme)) {
    const text = readFileSync(readme, "utf8");
    for (const { code, offset } of fencedBlocks(text)) {
      const line = text.slice(0, offset).split("\n").length;
      examples.push({ code, where: `${relative(root, readme)}:${line}` });
    }
  }
  for (const file of sourceFiles(join(dir, "src"))) {
    const text = readFileSync(file, "utf8");
    for (const comment of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
      if (!comment[0].includes("@example")) continue;
      // A file's leading @module comment is public (the package's own doc).
      const isModuleDoc = comment[0].includes("@module");
      if (!isModuleDoc && !documentsPublic(text, comment.index + comment[0].length, exported)) {
        continue;
      }
      const body = comment[0]
        .slice(3, -2)
        .split("\n")
        .map((line) => line.replace(/^\s*\* ?/, ""))
        .join("\n");
      const line = text.slice(0, comment.index).split("\n").length;
      for (const { code } of fencedBlocks(body)) {
        examples.push({ code, where: `${relative(root, file)}:${line}` });
      }
    }
  }
  return examples;
}

const work = mkdtempSync(join(tmpdir(), "reqivo-examples-"));
try {
  // The examples resolve @reqivo/* and @types/node as this app does.
  symlinkSync(join(root, "apps/packaging/node_modules"), join(work, "node_modules"), "dir");
  writeFileSync(join(work, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(join(work, "prelude.d.ts"), PRELUDE);
  writeFileSync(
    join(work, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        lib: ["ES2023", "ESNext.Disposable", "DOM", "DOM.Iterable", "DOM.AsyncIterable"],
        types: ["node"],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
      },
      include: ["*.ts"],
    }),
  );

  const origin = new Map();
  let count = 0;
  for (const name of readdirSync(join(root, "packages")).sort()) {
    const dir = join(root, "packages", name);
    if (!existsSync(join(dir, "package.json"))) continue;
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    if (pkg.private) continue;
    const exported = exportedNames(dir);
    for (const { code, where } of examplesOf(dir, exported)) {
      let source = code;
      if (!/^\s*(import|export)\s/m.test(code)) {
        const used = [...exported].filter((id) => new RegExp(`\\b${id}\\b`).test(code));
        source = `${used.length > 0 ? `import { ${used.join(", ")} } from "${pkg.name}";\n` : ""}${code}\nexport {};\n`;
      }
      const file = `example-${String(++count).padStart(3, "0")}.ts`;
      origin.set(file, where);
      writeFileSync(join(work, file), `// ${where}\n${source}`);
    }
  }

  const result = await run(
    process.execPath,
    [join(root, "node_modules/typescript/bin/tsc"), "-p", work],
    {
      cwd: work,
      timeout: 180_000,
    },
  );
  // Each error, pointed at the README or source line its example came from.
  const errors = [
    ...result.stdout.matchAll(/^(example-\d+\.ts)\((\d+),\d+\): (error TS\d+: .*)$/gm),
  ].map(([, file, line, message]) => {
    const where = origin.get(file);
    return {
      key: `${where.replace(/:\d+$/, "")}: ${message}`,
      text: `${where} (example line ${Number(line) - 1}): ${message}`,
    };
  });
  if (result.code !== 0 && errors.length === 0) {
    console.error(result.stdout + result.stderr);
    process.exit(1);
  }
  const fresh = errors.filter(({ key }) => !KNOWN.has(key));
  const seen = new Set(errors.map(({ key }) => key));
  const gone = [...KNOWN].filter((key) => !seen.has(key));
  const known = errors.length - fresh.length;
  if (known > 0) console.log(`! ${known} known example errors (known-example-errors.json)`);
  for (const { text } of fresh) console.error(text);
  for (const key of gone) console.error(`fixed, remove from known-example-errors.json: ${key}`);
  if (fresh.length > 0 || gone.length > 0) {
    console.error(`✗ examples type-check: ${count} examples (${result.ms} ms)`);
    process.exit(1);
  }
  console.log(
    `✓ ${count} README and TSDoc examples type-check against the built packages (${result.ms} ms)`,
  );
} finally {
  if (process.env.REQIVO_KEEP_TMP !== "1") rmSync(work, { recursive: true, force: true });
  else console.log(`kept ${work}`);
}
