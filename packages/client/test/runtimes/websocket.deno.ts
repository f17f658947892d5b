// `deno test` entry: the WebSocket client over @reqivo/transport-deno against a
// Deno.serve upgrade server (Deno's server does not negotiate permessage-deflate).
import { createTransport } from "@reqivo/transport-deno";
import { Session } from "../../src/index.ts";
import { type EchoServer, websocketCases } from "./websocket.cases.ts";

interface DenoServer {
  addr: { port: number };
  shutdown(): Promise<void>;
}
interface DenoSocket {
  onmessage: ((event: { data: unknown }) => void) | null;
  send(data: unknown): void;
}
declare const Deno: {
  test(name: string, fn: () => Promise<void>): void;
  serve(
    options: { hostname: string; port: number; onListen?: () => void },
    handler: (request: Request) => Response,
  ): DenoServer;
  upgradeWebSocket(request: Request): { socket: DenoSocket; response: Response };
};

async function withServer(run: (server: EchoServer, session: Session) => Promise<void>) {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => undefined },
    (request) => {
      if (new URL(request.url).pathname === "/refuse") return new Response("no", { status: 403 });
      const { socket, response } = Deno.upgradeWebSocket(request);
      socket.onmessage = (event) => socket.send(event.data);
      return response;
    },
  );
  const session = new Session({ transport: createTransport() });
  try {
    await run({ url: `ws://127.0.0.1:${server.addr.port}`, deflate: false }, session);
  } finally {
    await session.close();
    await server.shutdown();
  }
}

let current: { server: EchoServer; session: Session } | undefined;
const cases = websocketCases(
  () => current!.server,
  () => current!.session,
);
for (const [name, run] of Object.entries(cases)) {
  Deno.test(`websocket (deno): ${name}`, () =>
    withServer(async (server, session) => {
      current = { server, session };
      await run();
    }));
}
