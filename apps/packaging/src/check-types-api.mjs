// Type-checks tsconfig files with a TypeScript 5 compiler's API, reporting
// only what the consumer's own files and the published @reqivo declarations
// produce (as `skipLibCheck: false` would for them), without checking all of
// @types/node and the DOM lib each time: that made each program take seconds.
// TypeScript's own lib files are parsed once for all the programs.
//
// Usage: node check-types-api.mjs <typescript package dir> <tsconfig>...
// Prints one JSON line per tsconfig: { config, version, ok, output }.
import { createRequire } from "node:module";
import { dirname, join, sep } from "node:path";

const [typescriptDir, ...configs] = process.argv.slice(2);
// By path: a bare "typescript" would find the workspace's copy from an alias's folder.
const ts = createRequire(join(typescriptDir, "package.json"))(typescriptDir);

const parsed = new Map();
const formatHost = {
  getCanonicalFileName: (name) => name,
  getCurrentDirectory: () => process.cwd(),
  getNewLine: () => "\n",
};

/**
 * A compiler host sharing the parsed lib files across programs (they import
 * nothing, so nothing program-specific is stored on them).
 */
function sharedHost(options) {
  const host = ts.createCompilerHost(options);
  const libDir = dirname(ts.getDefaultLibFilePath(options));
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, ...rest) => {
    if (dirname(fileName) !== libDir) return getSourceFile(fileName, languageVersion, ...rest);
    const key = `${fileName}\0${JSON.stringify(languageVersion)}`;
    if (!parsed.has(key)) parsed.set(key, getSourceFile(fileName, languageVersion, ...rest));
    return parsed.get(key);
  };
  return host;
}

const ours = (fileName) =>
  !fileName.includes(`${sep}node_modules${sep}`) ||
  fileName.includes(`${sep}node_modules${sep}@reqivo${sep}`);

for (const config of configs) {
  const read = ts.readConfigFile(config, ts.sys.readFile);
  const { options, fileNames, errors } = ts.parseJsonConfigFileContent(
    read.config,
    ts.sys,
    dirname(config),
  );
  const program = ts.createProgram({ rootNames: fileNames, options, host: sharedHost(options) });
  const diagnostics = [
    ...errors,
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
  ];
  for (const file of program.getSourceFiles()) {
    if (!ours(file.fileName)) continue;
    diagnostics.push(
      ...program.getSyntacticDiagnostics(file),
      ...program.getSemanticDiagnostics(file),
    );
  }
  const output = ts.formatDiagnostics(diagnostics, formatHost);
  console.log(
    JSON.stringify({ config, version: ts.version, ok: diagnostics.length === 0, output }),
  );
}
