// Loaded with `node --import`: resolves "@reqivo/protocol" to the build in
// $PROTOCOL_DIST (a directory holding index.js), e.g. a copy of
// packages/protocol/dist saved before a change, for A/B runs
// (scripts/instructions.sh, client.bench.ts --profile).
import { register } from "node:module";

if (process.env.PROTOCOL_DIST) {
  register("./protocol-hook-resolve.mjs", import.meta.url, { data: process.env.PROTOCOL_DIST });
}
