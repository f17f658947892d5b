import { defineConfig } from "tsup";

export default defineConfig({
  // One runnable file: src/cli.ts starts with a shebang, so tsup marks dist/cli.js executable.
  entry: { cli: "src/cli.ts" },
  format: ["esm"],
  platform: "node",
  target: "node20",
  // Everything bundled (the @reqivo packages and their few dependencies): the command is
  // one file that starts fast and does not depend on the workspace's dist folders at run time.
  noExternal: [/./],
  // For any CommonJS dependency that calls require() on a Node builtin.
  banner: {
    js: 'import { createRequire as __reqivoRequire } from "node:module";\nconst require = __reqivoRequire(import.meta.url);',
  },
  splitting: false,
  sourcemap: true,
  clean: true,
  dts: false,
});
