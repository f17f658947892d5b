// TLS session resumption: sessions (TLS 1.2 session tickets or ids, TLS 1.3
// tickets) remembered per origin and offered on the next connection to it, so
// that it skips the full handshake (certificate chain, key exchange
// signatures). node:https's Agent does the same; without it, a client that
// opens many TLS connections loses to it.
import { createHash } from "node:crypto";
import type * as tls from "node:tls";
import type { ResolvedConnectOptions } from "@reqivo/transport";

/** Sessions kept per origin: TLS 1.3 tickets are meant for one use each (RFC 8446 §C.4). */
const SESSIONS_PER_KEY = 4;

/**
 * A bounded, least-recently-used cache of TLS sessions, keyed by everything
 * that must match for a session to be offered again: host, port, SNI name,
 * trust (CA, `rejectUnauthorized`), client certificate, ALPN, minimum
 * version and pins.
 */
export class TlsSessionCache {
  readonly #maxKeys: number;
  /** Insertion order is recency order: a used key is moved to the end. */
  readonly #sessions = new Map<string, Buffer[]>();

  constructor(maxKeys: number) {
    this.#maxKeys = maxKeys;
  }

  /** The cache key of a TLS target. */
  keyOf(target: ResolvedConnectOptions): string {
    const tls = target.tls!;
    const identity = JSON.stringify([
      target.host,
      target.port,
      target.path,
      tls.servername,
      tls.ca,
      tls.cert,
      tls.key,
      tls.rejectUnauthorized,
      tls.alpnProtocols,
      tls.minVersion,
      tls.pins,
    ]);
    // Hashed, so that CA bundles and keys are not kept as map keys.
    return createHash("sha256").update(identity).digest("base64");
  }

  /**
   * A session to offer for `key`, or `undefined`. The newest is handed out;
   * it is taken out of the cache while others remain, and kept as the last
   * resort otherwise (as node:https does), so that resumption never stops.
   */
  take(key: string): Buffer | undefined {
    const list = this.#sessions.get(key);
    if (list === undefined) return undefined;
    this.#sessions.delete(key);
    this.#sessions.set(key, list);
    return list.length > 1 ? list.pop() : list[0];
  }

  /** Remembers a session the server issued for `key`. */
  add(key: string, session: Buffer): void {
    const list = this.#sessions.get(key) ?? [];
    this.#sessions.delete(key);
    list.push(session);
    if (list.length > SESSIONS_PER_KEY) list.shift();
    this.#sessions.set(key, list);
    if (this.#sessions.size > this.#maxKeys) {
      const oldest = this.#sessions.keys().next().value as string;
      this.#sessions.delete(oldest);
    }
  }

  /** Forgets `key`'s sessions, after a failed handshake: a stale ticket must not fail the next one too. */
  evict(key: string): void {
    this.#sessions.delete(key);
  }

  /**
   * Collects the sessions `socket` receives for `key`. Sessions that arrive
   * before the connection is verified (TLS 1.2 sends them inside the
   * handshake) are held back until `verified()`, so that a connection that
   * fails its pin check leaves nothing to resume.
   */
  watch(socket: tls.TLSSocket, key: string): SessionWatch {
    let verified = false;
    let early: Buffer[] = [];
    socket.on("session", (session: Buffer) => {
      if (verified) this.add(key, session);
      else early.push(session);
    });
    return {
      verified: () => {
        verified = true;
        for (const session of early) this.add(key, session);
        early = [];
      },
      failed: () => {
        early = [];
        this.evict(key);
      },
    };
  }
}

/** What {@link TlsSessionCache.watch} returns: tell it how the handshake ended. */
export interface SessionWatch {
  verified(): void;
  failed(): void;
}
