// h2c with prior knowledge against a server that speaks only HTTP/1.1: the
// server answers the client's preface with an HTTP/1.1 error, and the request
// fails with the protocol's own code for it (not a frame size error), the
// connection closed on both sides. The harness checks that no socket stayed open.
import { describe, expect, it } from "vitest";
import { ProtocolError } from "../src/index.ts";
import { serve, session } from "./harness.ts";
import { eventually } from "./servers.ts";

describe("HTTP/2 prior knowledge against an HTTP/1.1-only server", () => {
  it("fails with H2_PEER_SPOKE_HTTP1, saying prior knowledge was wrong, and leaks no socket", async () => {
    let requests = 0;
    const server = await serve((_req, res) => {
      requests++;
      res.end("h1");
    });
    const s = session({ http2: { priorKnowledge: true } });
    const failure = await s.get(`${server.url}/`).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ProtocolError);
    expect(failure).toMatchObject({ code: "H2_PEER_SPOKE_HTTP1", origin: "remote" });
    expect((failure as Error).message).toMatch(/HTTP\/1\.x.*prior knowledge was wrong/);
    // node:http refused the preface as a bad request: no handler ran.
    expect(requests).toBe(0);
    await eventually(() => server.open() === 0);
    // The session is still usable: the same mistake gives the same verdict.
    await expect(s.get(`${server.url}/again`)).rejects.toMatchObject({
      code: "H2_PEER_SPOKE_HTTP1",
    });
  });
});
