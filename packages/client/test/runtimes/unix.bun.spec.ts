// `bun test` entry: the Unix-socket cases over @reqivo/transport-bun against
// Bun.serve listening on a socket in a temp dir.

// @ts-expect-error bun:test types are not installed (Bun provides the module at run time)
import { test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTransport } from "@reqivo/transport-bun";
import { type ServeUnix, unixCases } from "./unix.cases.ts";

interface BunServer {
  stop(force?: boolean): Promise<void> | void;
}
declare const Bun: {
  serve(options: { unix: string; fetch(request: Request): Response }): BunServer;
};

const serve: ServeUnix = async (handler) => {
  const dir = mkdtempSync(join(tmpdir(), "reqivo-unix-"));
  const path = join(dir, "http.sock");
  const server = Bun.serve({ unix: path, fetch: handler });
  return {
    path,
    close: async () => {
      await server.stop(true);
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

for (const [name, run] of Object.entries(unixCases(serve, () => createTransport()))) {
  test(`unix (bun): ${name}`, run);
}
