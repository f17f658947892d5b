import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  // Re-exported @reqivo/transport-node declarations use node:net's types, and
  // TypeScript 7 loads @types/node only when something references it.
  dts: { banner: '/// <reference types="node" />' },
  sourcemap: true,
  clean: true,
  target: "es2022",
});
