// Shared set-up for the feature tests: sessions and node:http servers that
// are closed after each test, checking that no connection outlived its session.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Connection, Transport } from "@reqivo/transport";
import { createTransport } from "@reqivo/transport-node";
import { afterEach } from "vitest";
import { Session, type SessionOptions } from "../src/index.ts";
import { eventually, httpServer, type Running, rawServer } from "./servers.ts";

const running: Running[] = [];
const sessions: Session[] = [];

export function session(options: Partial<SessionOptions> = {}): Session {
  const s = new Session({ transport: createTransport(), ...options });
  sessions.push(s);
  return s;
}

export async function serve(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<Running & { localhost: string }> {
  const server = await httpServer(handler);
  running.push(server);
  // Same server, another host name: another origin and another site for cookies and credentials.
  return Object.assign(server, { localhost: `http://localhost:${server.port}` });
}

/** A scripted raw TCP server (see servers.ts), closed and checked after the test. */
export async function raw(script: Parameters<typeof rawServer>[0]): Promise<Running> {
  return track(await rawServer(script));
}

/** Puts a server started elsewhere under the after-test checks. */
export function track<T extends Running>(server: T): T {
  running.push(server);
  return server;
}

/** Takes back a server the test closed itself. */
export function untrack(server: Running): void {
  const at = running.indexOf(server);
  if (at !== -1) running.splice(at, 1);
}

/** Puts a session made elsewhere (another transport, say) under the after-test close. */
export function keep(s: Session): Session {
  sessions.push(s);
  return s;
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

afterEach(async () => {
  for (const s of sessions.splice(0)) await s.close();
  const servers = running.splice(0);
  try {
    for (const server of servers) await eventually(() => server.open() === 0);
  } finally {
    for (const server of servers) await server.close();
  }
});

/** A transport whose connections are watched: see {@link watched}. */
export interface Watched {
  transport: Transport;
  /** readNow calls made on the connections. */
  readNows(): number;
  /** Connections the client closed or aborted so far. */
  ended(): number;
  /** Makes the next write on each connection reject with `error` (the socket itself stays up). */
  failNextWrite(error: Error): void;
}

/**
 * The Node transport with or without `readNow` (hidden: callers take their
 * `read()` fallback), counting its readNow calls and ended connections, and
 * able to fail a write.
 */
export function watched(withReadNow: boolean): Watched {
  const inner = createTransport();
  let readNows = 0;
  let ended = 0;
  let writeFailure: Error | undefined;
  const transport: Transport = {
    name: inner.name,
    async connect(options) {
      const conn = await inner.connect(options);
      const readNow = conn.readNow!.bind(conn);
      const wrapped: Connection = new Proxy(conn, {
        get(target, key) {
          if (key === "readNow") {
            if (!withReadNow) return undefined;
            return (...args: Parameters<typeof readNow>) => {
              readNows++;
              return readNow(...args);
            };
          }
          if (key === "write") {
            return (bytes: Uint8Array) => {
              const failure = writeFailure;
              writeFailure = undefined;
              return failure === undefined ? target.write(bytes) : Promise.reject(failure);
            };
          }
          if (key === "close" || key === "abort") {
            return (reason?: unknown) => {
              ended++;
              return key === "close" ? target.close() : target.abort(reason);
            };
          }
          const value = Reflect.get(target, key, target);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
      return wrapped;
    },
  };
  return {
    transport,
    readNows: () => readNows,
    ended: () => ended,
    failNextWrite: (error) => {
      writeFailure = error;
    },
  };
}
