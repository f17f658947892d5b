import { Session } from "@reqivo/node";
import { runTour } from "./tour.ts";

await runTour(`Node ${process.versions.node}`, Session, process.env.DEMO_URL ?? "");
