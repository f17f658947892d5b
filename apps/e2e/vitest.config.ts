import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// The suites run against the packages' sources, as each package's own tests do
// (and as the Deno and Bun runners do through deno.json and tsconfig paths).
const source = (name: string, entry = "index") =>
  fileURLToPath(new URL(`../../packages/${name}/src/${entry}.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      "@reqivo/client": source("client"),
      "@reqivo/protocol": source("protocol"),
      "@reqivo/transport-node": source("transport-node"),
      // Before "@reqivo/transport", which would also match the subpath.
      "@reqivo/transport/kit": source("transport", "kit"),
      "@reqivo/transport": source("transport"),
    },
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // The load test and the fault suite both count process-wide sockets and timers.
    fileParallelism: false,
  },
});
