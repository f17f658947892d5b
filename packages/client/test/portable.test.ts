import { describe, it } from "vitest";
import { portableCases } from "./portable-cases.ts";

describe("portable client cases (Node)", () => {
  for (const [name, run] of Object.entries(portableCases)) it(name, run);
});
