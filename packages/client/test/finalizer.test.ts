import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createTransport } from "@reqivo/transport-node";
import { describe, expect, it } from "vitest";
import { Session } from "../src/index.ts";
import { serve } from "./harness.ts";

// What `node --expose-gc` gives, without restarting the test worker with that flag.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** Makes a request on a Session nobody keeps, with an idle timeout that would hold its socket for an hour. */
async function forgetSession(url: string): Promise<WeakRef<Session>> {
  const session = new Session({ transport: createTransport(), pool: { idleTimeout: 3_600_000 } });
  await (await session.get(url)).text();
  return new WeakRef(session);
}

describe("a Session the program forgot to close", () => {
  it("has its pooled sockets closed when it is garbage-collected", async () => {
    const server = await serve((_req, res) => res.end("hi"));
    const forgotten = await forgetSession(server.url);
    expect(server.open()).toBe(1);
    // Bounded: a few collections and turns of the event loop, as long as the socket is open.
    for (let round = 0; round < 50 && server.open() > 0; round++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(forgotten.deref()).toBeUndefined();
    expect(server.open()).toBe(0);
  });

  it("keeps the sockets of a Session that is still referenced", async () => {
    const server = await serve((_req, res) => res.end("hi"));
    const kept = new Session({ transport: createTransport(), pool: { idleTimeout: 3_600_000 } });
    await (await kept.get(server.url)).text();
    for (let round = 0; round < 5; round++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(server.open()).toBe(1);
    await kept.close();
  });
});
