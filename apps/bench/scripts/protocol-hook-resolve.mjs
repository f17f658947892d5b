// The resolve hook registered by protocol-hook.mjs (runs on the loader thread).
import { pathToFileURL } from "node:url";

let target;

export function initialize(dist) {
  target = pathToFileURL(`${dist}/index.js`).href;
}

export async function resolve(specifier, context, next) {
  if (specifier === "@reqivo/protocol")
    return { url: target, format: "module", shortCircuit: true };
  return next(specifier, context);
}
