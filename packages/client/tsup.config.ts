import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  dts: {
    // Session, Response and WebSocket declare [Symbol.asyncDispose]. TypeScript's
    // default libs (up to target es2025) lack that symbol and TypeScript 7 no
    // longer pulls in @types/node unasked, so the declarations declare it
    // themselves, as @types/node does; unlike `/// <reference lib="esnext.disposable" />`
    // this also works on TypeScript 5.0 and 5.1.
    banner: [
      "declare global {",
      "  interface SymbolConstructor {",
      "    readonly asyncDispose: unique symbol;",
      "  }",
      "}",
    ].join("\n"),
  },
  sourcemap: true,
  clean: true,
  target: "es2022",
});
