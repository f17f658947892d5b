import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    // Set-up hooks start servers and make certificates (ECDSA keys, X.509
    // loaded lazily): seconds on a busy 2-core machine, past the 10 s default.
    hookTimeout: 30_000,
  },
});
