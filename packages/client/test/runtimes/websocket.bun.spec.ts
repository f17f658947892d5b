// `bun test` entry: the WebSocket client over @reqivo/transport-bun against a
// Bun.serve upgrade server with permessage-deflate (so node:zlib runs in Bun too).
// @ts-expect-error bun:test types are not installed (Bun provides the module at run time)
import { afterAll, beforeAll, test } from "bun:test";
import { createTransport } from "@reqivo/transport-bun";
import { Session } from "../../src/index.ts";
import { type EchoServer, websocketCases } from "./websocket.cases.ts";

interface BunServer {
  port: number;
  stop(force?: boolean): Promise<void> | void;
}
interface BunSocket {
  send(data: unknown): void;
}
declare const Bun: {
  serve(options: {
    hostname: string;
    port: number;
    fetch(request: Request, server: { upgrade(request: Request): boolean }): Response | undefined;
    websocket: { perMessageDeflate: boolean; message(ws: BunSocket, message: unknown): void };
  }): BunServer;
};

let server: BunServer;
let session: Session;
let echo: EchoServer;

beforeAll(() => {
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request, srv) {
      if (new URL(request.url).pathname === "/refuse") return new Response("no", { status: 403 });
      if (srv.upgrade(request)) return undefined;
      return new Response("upgrade required", { status: 426 });
    },
    websocket: { perMessageDeflate: true, message: (ws, message) => ws.send(message) },
  });
  echo = { url: `ws://127.0.0.1:${server.port}`, deflate: true };
  session = new Session({ transport: createTransport() });
});

afterAll(async () => {
  await session.close();
  await server.stop(true);
});

for (const [name, run] of Object.entries(
  websocketCases(
    () => echo,
    () => session,
  ),
)) {
  test(`websocket (bun): ${name}`, run);
}
