import { Session } from "@reqivo/deno";
import { runTour } from "./tour.ts";

declare const Deno: { version: { deno: string }; env: { get(name: string): string | undefined } };

await runTour(`Deno ${Deno.version.deno}`, Session, Deno.env.get("DEMO_URL") ?? "");
