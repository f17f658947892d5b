// `bun test` entry: the same portable cases as on Node.
// @ts-expect-error bun:test types are not installed (Bun provides the module at run time)
import { test } from "bun:test";
import { portableCases } from "../portable-cases.ts";

for (const [name, run] of Object.entries(portableCases)) test(name, run);
