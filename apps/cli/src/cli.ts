#!/usr/bin/env node
/** The `reqivo` command. */
import { main } from "./main.ts";
import { Sink } from "./output.ts";

// `reqivo … | head`: a closed pipe ends the run quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

// Runtime warnings (the client's REQIVO_TLS_INSECURE under --insecure) as the
// command's own one-line warnings instead of Node's "(node:PID) …" and its hint.
process.removeAllListeners("warning");
process.on("warning", (warning) => {
  process.stderr.write(`reqivo: warning: ${warning.message}\n`);
});

process.exitCode = await main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: new Sink(process.stdout),
  stderr: new Sink(process.stderr),
  env: process.env,
});
