// Runs one fault case with the checks every case shares: after the case, the
// same session must still work (a recovery request on a well-behaved
// connection, with a deadline so a wedged pool fails instead of hanging), the
// pool must hold no busy connection and no waiter, the server must see exactly
// as many open sockets as the pool holds, and once the session is closed no
// socket or timer may be left in the process.
import assert from "node:assert/strict";
import { Session, type SessionOptions } from "@reqivo/client";
import type { Transport } from "@reqivo/transport";
import { type HostileServer, hostile, type Script } from "./hostile.ts";

export type RuntimeName = "node" | "deno" | "bun";

export interface CaseContext {
  readonly runtime: RuntimeName;
  /** A hostile server, closed after the case. */
  server(script: Script, host?: string): Promise<HostileServer>;
  /** A session on the runtime's transport; `pool.connections` defaults to 1 so a leaked slot wedges the recovery request. */
  session(options?: Partial<SessionOptions>): Session;
  /** A session the case closes itself: checked for leaks, but not used for the recovery request. */
  closingSession(options?: Partial<SessionOptions>): Session;
  /** The rejection of `promise` (fails the case if it resolves). */
  error(promise: Promise<unknown>): Promise<{ code?: string; name?: string; closeCode?: number }>;
}

export interface FaultCase {
  name: string;
  /** Runtimes on which the case is not run, with the reason. */
  skip?: Partial<Record<RuntimeName, string>>;
  run(t: CaseContext): Promise<void>;
}

const WATCHED = new Set([
  "TCPSocketWrap",
  "TCPServerWrap",
  "TCPWrap",
  "TLSWrap",
  "Timeout",
  "Zlib",
]);

/** Counts of sockets, servers and timers the process holds, or null where the runtime cannot say (Bun). */
export function resources(): Record<string, number> | null {
  const info = (
    globalThis as { process?: { getActiveResourcesInfo?: () => string[] } }
  ).process?.getActiveResourcesInfo?.();
  if (info === undefined || "Bun" in globalThis) return null;
  const out: Record<string, number> = {};
  for (const kind of info) if (WATCHED.has(kind)) out[kind] = (out[kind] ?? 0) + 1;
  return out;
}

/** Kinds whose count went above the baseline. */
export function leaked(
  baseline: Record<string, number> | null,
  now: Record<string, number> | null,
): string[] {
  if (baseline === null || now === null) return [];
  return Object.entries(now)
    .filter(([kind, n]) => n > (baseline[kind] ?? 0))
    .map(([kind, n]) => `${kind}: ${baseline[kind] ?? 0} → ${n}`);
}

/** Polls `check` every 5 ms for at most `ms`; bounded in count and time. */
export async function eventually(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  for (let i = 0; i < 100_000 && !check(); i++) {
    if (Date.now() > until) throw new Error(`not reached within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Connections the session's pool holds for the server's origin(s). */
function pooled(session: Session, port: number): { total: number; idle: number; waiting: number } {
  const sum = { total: 0, idle: 0, waiting: 0 };
  for (const [key, s] of Object.entries(session.poolStats())) {
    if (!key.endsWith(`:${port}`)) continue;
    sum.total += s.total;
    sum.idle += s.idle;
    sum.waiting += s.waiting;
  }
  return sum;
}

export async function runFaultCase(
  c: FaultCase,
  runtime: RuntimeName,
  transport: Transport,
): Promise<void> {
  const baseline = resources();
  const servers: HostileServer[] = [];
  const sessions: { session: Session; limit: number; recover: boolean }[] = [];
  const t: CaseContext = {
    runtime,
    async server(script, host) {
      const s = await hostile(script, host);
      servers.push(s);
      return s;
    },
    session(options = {}) {
      const limit = options.pool?.connections ?? 1;
      const session = new Session({
        transport,
        ...options,
        pool: { ...options.pool, connections: limit },
      });
      sessions.push({ session, limit, recover: true });
      return session;
    },
    closingSession(options = {}) {
      const session = t.session(options);
      sessions[sessions.length - 1]!.recover = false;
      return session;
    },
    async error(promise) {
      try {
        await promise;
      } catch (error) {
        return error as { code?: string };
      }
      throw new assert.AssertionError({ message: "expected a rejection, got a result" });
    },
  };
  try {
    await c.run(t);
    for (const server of servers) server.behave();
    for (const { session, limit, recover } of sessions) {
      if (!recover) continue;
      for (const server of servers) {
        // Recovery: the same session still gets answers from this origin.
        const res = await session.get(server.url, { timeout: { total: 5000 } });
        assert.match(await res.text(), /^ok\d+\.\d+$/);
        const stats = pooled(session, server.port);
        assert.equal(stats.waiting, 0, "no request left waiting in the pool");
        assert.equal(stats.idle, stats.total, "every pooled connection is idle again");
        assert.ok(stats.total <= limit, `pool holds ${stats.total} > ${limit} connections`);
      }
    }
    for (const server of servers) {
      // The client holds exactly the sockets its pools account for: no orphan connection.
      const expected = () => sessions.reduce((n, s) => n + pooled(s.session, server.port).total, 0);
      await eventually(
        () => server.open() === expected(),
        `server-side open sockets (${server.open()}) equal pooled connections (${expected()})`,
      );
    }
    for (const { session } of sessions) await session.close();
    for (const server of servers)
      await eventually(() => server.open() === 0, "every socket closed after session.close()");
  } finally {
    for (const { session } of sessions) await session.close();
    for (const server of servers) await server.close();
  }
  let late: string[] = [];
  await eventually(
    () => (late = leaked(baseline, resources())).length === 0,
    `sockets and timers back to baseline (${late.join(", ")})`,
  ).catch((e: Error) => {
    throw new Error(`${e.message}: ${late.join(", ")}`);
  });
}
