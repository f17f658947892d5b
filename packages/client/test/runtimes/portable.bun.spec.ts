// `bun test` entry: the same portable cases as on Node, and the proxy cases
// over real sockets with the Bun transport.
// @ts-expect-error bun:test types are not installed (Bun provides the module at run time)
import { test } from "bun:test";
import { createTransport } from "@reqivo/transport-bun";
import { portableCases } from "../portable-cases.ts";
import { proxyCases } from "./proxy.cases.ts";

for (const [name, run] of Object.entries(portableCases)) test(name, run);
for (const [name, run] of Object.entries(proxyCases(createTransport))) test(name, run);
