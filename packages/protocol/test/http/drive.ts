// Test helpers: drive a ClientConnection with bytes split in chosen ways and
// collect normalized events (consecutive data events merged, so that results
// can be compared across splits).
import { expect } from "vitest";
import {
  ClientConnection,
  type ClientReceiveEvent,
  type HttpConnectionOptions,
  NEED_DATA,
  ProtocolError,
  type RequestEvent,
} from "../../src/index.ts";
import { splittings } from "../splittings.ts";

export const latin1 = (bytes: Uint8Array): string => String.fromCharCode(...bytes);
export const bytesOf = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
export const fromHex = (hex: string): Uint8Array =>
  Uint8Array.from(hex.match(/../g) ?? [], (h) => Number.parseInt(h, 16));

/** A received event with data as a latin1 string, for deep equality. */
export type Normalized =
  | Exclude<ClientReceiveEvent, { type: "data" } | { type: "upgrade" }>
  | { type: "data"; data: string }
  | (Omit<Extract<ClientReceiveEvent, { type: "upgrade" }>, "trailing"> & { trailing: string });

export interface Outcome {
  events: Normalized[];
  error: ProtocolError | undefined;
  conn: ClientConnection;
}

export function pushNormalized(events: Normalized[], ev: ClientReceiveEvent): void {
  if (ev.type === "data") {
    const last = events[events.length - 1];
    if (last?.type === "data") last.data += latin1(ev.data);
    else events.push({ type: "data", data: latin1(ev.data) });
  } else if (ev.type === "upgrade") {
    events.push({ ...ev, trailing: latin1(ev.trailing) });
  } else {
    events.push(ev);
  }
}

export const GET = (headers: [string, string][] = []): RequestEvent => ({
  type: "request",
  method: "GET",
  target: "/",
  headers: [["Host", "example.com"], ...headers],
});

/**
 * Sends `request` (and its end), then feeds `chunks`, draining events after
 * each, and finally EOF when `eof` (or, with "if-incomplete", when no end came). Stops at the first ProtocolError.
 */
export function drive(
  chunks: readonly Uint8Array[],
  {
    request = GET(),
    eof = false,
    options = {},
    firstResponseOnly = false,
  }: {
    request?: RequestEvent;
    eof?: boolean | "if-incomplete";
    options?: HttpConnectionOptions;
    /** Stop at the end of the first response and ignore what follows (one-response readers like Go's). */
    firstResponseOnly?: boolean;
  } = {},
): Outcome {
  const conn = new ClientConnection(options);
  conn.send(request);
  conn.send({ type: "end" });
  const events: Normalized[] = [];
  const drain = () => {
    for (let guard = 0; guard < 1_000_000; guard++) {
      const ev = conn.nextEvent();
      if (ev === NEED_DATA) return;
      pushNormalized(events, ev);
      if (ev.type === "end" || ev.type === "upgrade" || ev.type === "closed") return;
    }
    throw new Error("event loop did not settle");
  };
  try {
    for (const chunk of chunks) {
      if (firstResponseOnly && events.at(-1)?.type === "end") break;
      conn.receiveData(chunk);
      drain();
    }
    if (firstResponseOnly && events.at(-1)?.type === "end")
      return { events, error: undefined, conn };
    if (eof === true || (eof === "if-incomplete" && events.at(-1)?.type !== "end")) {
      conn.receiveData(null);
      drain();
    }
  } catch (error) {
    if (error instanceof ProtocolError) return { events, error, conn };
    throw error;
  }
  return { events, error: undefined, conn };
}

/** Every way to cut `bytes` in two, plus whole and byte by byte. */
export function splits(bytes: Uint8Array, every = true): Uint8Array[][] {
  const out: Uint8Array[][] = [[bytes]];
  if (every)
    for (let i = 1; i < bytes.length; i++) out.push([bytes.subarray(0, i), bytes.subarray(i)]);
  out.push(Array.from(bytes, (b) => Uint8Array.of(b)));
  return out;
}

/** The events and error code one byte string gives, whatever its splitting. */
export interface Verdict {
  events: Normalized[];
  code: string | undefined;
}

/** Feeds `text` (latin1) under every splitting, then EOF; all must agree. Returns the verdict. */
export function verdict(text: string, options: Parameters<typeof drive>[1] = {}): Verdict {
  const bytes = bytesOf(text);
  let first: Verdict | undefined;
  for (const { name, pieces } of splittings(bytes)) {
    const out = drive(pieces, { eof: true, ...options });
    const got = { events: out.events, code: out.error?.code };
    if (first === undefined) first = got;
    else expect(got, name).toEqual(first);
  }
  return first!;
}
