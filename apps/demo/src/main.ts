// `npx pnpm demo`: starts the demo server, then runs the same tour with
// Reqivo on Node, Deno and Bun (each in its own process, each through its own
// runtime's transport), printing what each one sees.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { startDemoServer } from "./server.ts";

const here = fileURLToPath(new URL(".", import.meta.url));
const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);

function run(
  title: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<number> {
  console.log(bold(`\n━━ ${title} ━━`));
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      stdio: "inherit",
      env,
      cwd: fileURLToPath(new URL("..", import.meta.url)),
    });
    child.on("error", (error) => {
      console.log(`  could not start ${command}: ${error.message}`);
      resolve(1);
    });
    child.on("exit", (code) => resolve(code ?? 1));
  });
}

const server = await startDemoServer();
const env = { ...process.env, DEMO_URL: server.url };
const results = [
  await run("Node", process.execPath, ["--import", "tsx", `${here}run-node.ts`], env),
  await run(
    "Deno",
    "deno",
    [
      "run",
      "--config",
      "deno.json",
      "--allow-net",
      "--allow-env",
      "--allow-read",
      `${here}run-deno.ts`,
    ],
    env,
  ),
  await run("Bun", "bun", [`${here}run-bun.ts`], env),
];
await server.close();
const failed = results.filter((code) => code !== 0).length;
console.log(
  bold(
    `\n${failed === 0 ? "All three runtimes completed the tour." : `${failed} runtime(s) failed.`}`,
  ),
);
process.exitCode = failed === 0 ? 0 : 1;
