// node:http2 servers for the HTTP/2 client tests: TLS with the test CA's
// certificate on 127.0.0.1, counting sessions and the streams each one saw,
// put under the harness's after-test checks (no socket left open).
import {
  createSecureServer,
  createServer,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type SecureServerOptions,
  type ServerHttp2Session,
} from "node:http2";
import type { AddressInfo } from "node:net";
import { track } from "./harness.ts";
import { type Running, running } from "./servers.ts";
import { certs } from "./tls-servers.ts";

export type Http2Handler = (req: Http2ServerRequest, res: Http2ServerResponse) => void;

export interface Http2Running extends Running {
  /** HTTP/2 sessions the server accepted. */
  sessions(): number;
  /** Most streams open at once on one session, as the server saw them. */
  peakStreams(): number;
  /** RST_STREAM codes of streams that were reset (by either side), in order. */
  readonly resets: number[];
  /** The CA the client must trust. */
  readonly ca: string;
}

/**
 * An HTTP/2 server on 127.0.0.1, closed and checked after the test: TLS with
 * ALPN h2, or cleartext h2c (prior knowledge only) with `cleartext`.
 */
export async function http2Server(
  handler: Http2Handler,
  options: SecureServerOptions & { cleartext?: boolean } = {},
): Promise<Http2Running> {
  const { ca, server: pair } = await certs();
  const { cleartext, ...serverOptions } = options;
  const server = cleartext
    ? createServer(serverOptions, handler)
    : createSecureServer({ key: pair.key, cert: pair.cert, ...serverOptions }, handler);
  const sessions = new Set<ServerHttp2Session>();
  let sessionCount = 0;
  let peak = 0;
  const resets: number[] = [];
  const open = new Map<ServerHttp2Session, number>();
  server.on("session", (session) => {
    sessionCount++;
    sessions.add(session);
    open.set(session, 0);
    session.on("close", () => sessions.delete(session));
    session.on("stream", (stream) => {
      const now = (open.get(session) ?? 0) + 1;
      open.set(session, now);
      peak = Math.max(peak, now);
      stream.on("close", () => {
        open.set(session, (open.get(session) ?? 1) - 1);
        // A reset stream's code (the client's CANCEL is 8); a stream that ended normally says 0.
        if (stream.rstCode !== 0) resets.push(stream.rstCode);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const close = (sockets: Set<import("node:net").Socket>) =>
    new Promise<void>((resolve) => {
      for (const session of sessions) session.destroy();
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  const base = running(server, `${cleartext ? "http" : "https"}://127.0.0.1:${port}`, port, close);
  return track(
    Object.assign(base, {
      sessions: () => sessionCount,
      peakStreams: () => peak,
      resets,
      ca,
    }),
  );
}
