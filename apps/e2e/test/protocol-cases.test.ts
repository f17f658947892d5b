import { describe, it } from "vitest";
import { protocolCases } from "../src/protocol-cases.ts";

describe("hostile peers at the protocol level (Node)", () => {
  for (const [name, run] of Object.entries(protocolCases)) it(name, run);
});
