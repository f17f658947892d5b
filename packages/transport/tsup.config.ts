import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    // The helpers transport authors share.
    kit: "src/kit.ts",
    // The conformance kit and its node:net harness, for tests only.
    testing: "src/testing/index.ts",
    "node-harness": "src/testing/node-harness.ts",
  },
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "es2022",
  // The kit runs under Node, Deno and Bun, so declarations are built with Node's
  // types; `tsc -p tsconfig.json` (typecheck) keeps the contract itself free of
  // runtime globals.
  tsconfig: "tsconfig.testing.json",
  external: ["@peculiar/x509", "reflect-metadata"],
});
