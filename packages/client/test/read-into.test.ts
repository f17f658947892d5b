// Response.readInto on Node: the cases Deno and Bun run (runtimes/body.cases.ts)
// over the Node transport, against node:http serving the same web Responses.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { createTransport } from "@reqivo/transport-node";
import { test } from "vitest";
import { bodyCases } from "./runtimes/body.cases.ts";
import type { ServeTcp } from "./runtimes/dns.cases.ts";

/** node:http answering with what a fetch-style handler returns (body streamed as it comes). */
const serve: ServeTcp = async (handler) => {
  const server = http.createServer(async (req, res) => {
    const answer = handler(new Request(`http://127.0.0.1${req.url}`, { method: req.method }));
    res.writeHead(answer.status, Object.fromEntries(answer.headers));
    if (answer.body === null) return res.end();
    for await (const piece of answer.body) res.write(piece);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

for (const [name, run] of Object.entries(bodyCases(serve, () => createTransport()))) {
  test(`body (node): ${name}`, run);
}
