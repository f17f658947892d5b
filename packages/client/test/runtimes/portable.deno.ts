// `deno test` entry: the same portable cases as on Node, and the proxy cases
// over real sockets with the Deno transport.
import { createTransport } from "@reqivo/transport-deno";
import { portableCases } from "../portable-cases.ts";
import { proxyCases } from "./proxy.cases.ts";

declare const Deno: { test(name: string, fn: () => Promise<void>): void };

for (const [name, run] of Object.entries(portableCases)) Deno.test(name, run);
for (const [name, run] of Object.entries(proxyCases(createTransport))) Deno.test(name, run);
