// A relay for the tunnel cases: what an HTTPS proxy does once a CONNECT
// tunnel is up. Each accepted connection (TLS-terminated by the harness when
// the relay listens with TLS) is joined to a fresh plain connection to the
// target port, made with the transport under test, bytes copied both ways.
import type { Connection } from "../contract.ts";
import type { CaseContext } from "./context.ts";
import type { PeerSocket, TestServer, TestTlsServerOptions } from "./harness.ts";

/** Starts a relay to `127.0.0.1:targetPort`; close it like any test server. */
export async function startRelay(
  context: CaseContext,
  targetPort: number,
  tls?: TestTlsServerOptions,
): Promise<TestServer> {
  return context.harness.listen(tls === undefined ? {} : { tls }, (peer) => {
    context.transport.connect({ host: "127.0.0.1", port: targetPort }).then(
      (upstream) => join(peer, upstream),
      () => peer.destroy(),
    );
  });
}

async function join(peer: PeerSocket, upstream: Connection): Promise<void> {
  const toUpstream = (async () => {
    for (let chunk = await peer.read(); chunk !== null; chunk = await peer.read()) {
      await upstream.write(chunk);
    }
    await upstream.closeWrite();
  })();
  const toPeer = (async () => {
    for (let chunk = await upstream.read(); chunk !== null; chunk = await upstream.read()) {
      await peer.write(chunk);
    }
    await peer.end();
  })();
  try {
    await Promise.all([toUpstream, toPeer]);
  } catch {
    // One side went away; the other is torn down below.
  } finally {
    upstream.close();
    peer.destroy();
  }
}
