/**
 * Import rules of @reqivo/client's sources, checked by `pnpm lint`
 * (dependency-cruiser). The layers are described in docs/architecture.md.
 * @type {import("dependency-cruiser").IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: "connection-below-request-layer",
      comment:
        "src/connection/ is the wire layer: it may import itself and the shared leaves errors.ts and header-input.ts, never the request/API layer above it.",
      severity: "error",
      from: { path: "^src/connection/" },
      to: { path: "^src/", pathNot: "^src/(connection/|errors\\.ts$|header-input\\.ts$)" },
    },
    {
      name: "shared-leaves-import-no-layer",
      comment:
        "errors.ts and header-input.ts are imported by both layers, so they import no other module of the package.",
      severity: "error",
      from: { path: "^src/(errors|header-input)\\.ts$" },
      to: {
        path: "^src/",
        pathNot: "^src/(errors|header-input)\\.ts$",
      },
    },
    {
      name: "no-runtime-circular",
      comment: "No import circle made of runtime imports.",
      severity: "error",
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
    {
      name: "no-circular",
      comment:
        "No import circle at all, except the type-only pair justified in docs/architecture.md: options.ts (RequestOptions.hooks) and hooks.ts (hooks see the RequestOptions).",
      severity: "error",
      from: { pathNot: "^src/(hooks|options)\\.ts$" },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(node_modules|dist)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
