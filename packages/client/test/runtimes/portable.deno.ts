// `deno test` entry: the same portable cases as on Node.
import { portableCases } from "../portable-cases.ts";

declare const Deno: { test(name: string, fn: () => Promise<void>): void };

for (const [name, run] of Object.entries(portableCases)) Deno.test(name, run);
