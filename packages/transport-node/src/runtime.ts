// Whether this is Node itself, not Bun's or Deno's node compat (which run
// this transport too): some of Node's stream internals this transport leans
// on for speed (`onread`, `writableLength` right after a write) behave
// differently there, so those paths are for Node only.
export const IS_NODE =
  typeof process.versions.bun !== "string" && typeof process.versions.deno !== "string";
