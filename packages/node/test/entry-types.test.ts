// The classes a user constructs or receives must be usable as types from
// @reqivo/node alone (`function f(s: Session)`); `tsc -p tsconfig.test.json`
// (the package's typecheck) fails on this file when one is only a value.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, test } from "vitest";
import { HttpError, type Response, Session, type WebSocket } from "../src/index.js";

let server: Server;
let origin: string;

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.statusCode = 404;
    res.end("missing");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function statusOf(session: Session, path: string): Promise<number> {
  const response: Response = await session.get(path);
  await response.dump();
  return response.status;
}

function isOpen(socket: WebSocket | undefined): boolean {
  return socket?.readyState === 1;
}

test("Session, Response, WebSocket and error classes are types and values of the entry package", async () => {
  await using session = new Session({ baseUrl: origin });
  expect(await statusOf(session, "/x")).toBe(404);
  expect(isOpen(undefined)).toBe(false);
  const failure: HttpError | undefined = await session.get("/x", { throwOnHttpError: true }).then(
    () => undefined,
    (error: HttpError) => error,
  );
  expect(failure).toBeInstanceOf(HttpError);
  expect(failure?.response.status).toBe(404);
  await failure?.response.dump();
});
