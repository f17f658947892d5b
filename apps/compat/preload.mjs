// Preloaded with `node --import` by run-suite.mjs: replaces only `globalThis.fetch` with
// Reqivo's; Request, Response and Headers stay the runtime's own.
import { fetch } from "../../packages/node/dist/index.js";

globalThis.fetch = fetch;
