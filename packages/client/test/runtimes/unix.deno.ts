// `deno test` entry: the Unix-socket cases over @reqivo/transport-deno against
// Deno.serve listening on a socket in a temp dir.
import { createTransport } from "@reqivo/transport-deno";
import { type ServeUnix, unixCases } from "./unix.cases.ts";

interface DenoServer {
  shutdown(): Promise<void>;
}
declare const Deno: {
  test(name: string, fn: () => Promise<void>): void;
  makeTempDir(options: { prefix: string }): Promise<string>;
  remove(path: string, options: { recursive: boolean }): Promise<void>;
  serve(
    options: { transport: "unix"; path: string; onListen?: () => void },
    handler: (request: Request) => Response,
  ): DenoServer;
};

const serve: ServeUnix = async (handler) => {
  const dir = await Deno.makeTempDir({ prefix: "reqivo-unix-" });
  const path = `${dir}/http.sock`;
  const server = Deno.serve({ transport: "unix", path, onListen: () => undefined }, handler);
  return {
    path,
    close: async () => {
      await server.shutdown();
      await Deno.remove(dir, { recursive: true });
    },
  };
};

for (const [name, run] of Object.entries(unixCases(serve, () => createTransport()))) {
  Deno.test(`unix (deno): ${name}`, run);
}
