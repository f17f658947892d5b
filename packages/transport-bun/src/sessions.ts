// TLS session resumption on Bun's sockets. The cache and its key are
// @reqivo/transport's (shared with the Node transport); Bun has no `session`
// event, so a session is read with `socket.getSession()` while the socket is
// open (it returns nothing once closed) and offered with `setSession()` in
// the `open` callback, before the handshake starts.
import { createTlsSessionCache, type TlsSessionCache } from "@reqivo/transport/kit";
import { bunApi } from "./bun-types.ts";

/** The session cache over Bun's serialized sessions. */
export type BunTlsSessionCache = TlsSessionCache<Uint8Array>;

/** One connection's place in the cache: which sessions it may offer and where its own go. */
export interface SessionSlot {
  readonly sessions: BunTlsSessionCache;
  readonly key: string;
}

/** The transport's cache of `maxKeys` origins (default 100); `null` for 0. */
export function createBunTlsSessionCache(maxKeys: number | undefined): BunTlsSessionCache | null {
  const encoder = new TextEncoder();
  return createTlsSessionCache<Uint8Array>({
    ...(maxKeys !== undefined && { maxKeys }),
    digest: (identity) =>
      new (bunApi().CryptoHasher)("sha256").update(encoder.encode(identity)).digest("base64"),
  });
}
