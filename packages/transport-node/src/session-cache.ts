// TLS session resumption on node:tls: sessions (TLS 1.2 session tickets or
// ids, TLS 1.3 tickets) remembered per origin and offered on the next
// connection to it, so that it skips the full handshake (certificate chain,
// key exchange signatures). node:https's Agent does the same; without it, a
// client that opens many TLS connections loses to it. The cache and its key
// are @reqivo/transport's, shared with the Bun transport; here: the hash and
// the `session` events.
import { createHash } from "node:crypto";
import type * as tls from "node:tls";
import { createTlsSessionCache, type TlsSessionCache } from "@reqivo/transport/kit";

/** The session cache over node:tls's serialized sessions. */
export type NodeTlsSessionCache = TlsSessionCache<Buffer>;

/** The transport's cache of `maxKeys` origins (default 100); `null` for 0. */
export function createNodeTlsSessionCache(maxKeys: number | undefined): NodeTlsSessionCache | null {
  return createTlsSessionCache<Buffer>({
    ...(maxKeys !== undefined && { maxKeys }),
    digest: (identity) => createHash("sha256").update(identity).digest("base64"),
  });
}

/** What {@link watchSessions} returns: tell it how the handshake ended. */
export interface SessionWatch {
  verified(): void;
  failed(): void;
}

/**
 * Collects the sessions `socket` receives for `key`. Sessions that arrive
 * before the connection is ready (TLS 1.2 sends them inside the handshake)
 * are held back until `verified()`, so that a connection that fails before
 * it is handed out leaves nothing to resume. (Pinned targets have no key:
 * they never get here.)
 */
export function watchSessions(
  sessions: NodeTlsSessionCache,
  socket: tls.TLSSocket,
  key: string,
): SessionWatch {
  let verified = false;
  let early: Buffer[] = [];
  socket.on("session", (session: Buffer) => {
    if (verified) sessions.add(key, session);
    else early.push(session);
  });
  return {
    verified: () => {
      verified = true;
      for (const session of early) sessions.add(key, session);
      early = [];
    },
    failed: () => {
      early = [];
      sessions.evict(key);
    },
  };
}
