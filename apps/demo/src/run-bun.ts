import { Session } from "@reqivo/bun";
import { runTour } from "./tour.ts";

declare const Bun: { version: string; env: Record<string, string | undefined> };

await runTour(`Bun ${Bun.version}`, Session, Bun.env.DEMO_URL ?? "");
