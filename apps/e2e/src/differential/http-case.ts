// What one differential HTTP case is, and the verdict both parsers are reduced to.
// A case is a list of exchanges on one connection: the request the client sent
// and the bytes the server answered to it. The client sends request k+1 only
// after response k ended, so the bytes of answer k+1 are fed only then (Reqivo
// does not pipeline: bytes that arrive while nothing is owed are unsolicited).

export interface HttpExchange {
  method: "GET" | "HEAD" | "CONNECT";
  /** The request offered `Connection: upgrade, Upgrade: websocket`. */
  upgrade: boolean;
  /** What the server sent after this request (and before the next one). */
  bytes: Uint8Array;
}

/** Limits given to both parsers: Reqivo's defaults, or small ones so that inputs near them stay small. */
export type LimitProfile = "default" | "small";

export interface HttpCase {
  exchanges: HttpExchange[];
  limits: LimitProfile;
  /** The server closes after its last byte (else the connection just stops being read). */
  eof: boolean;
}

export const LIMITS = {
  default: {
    maxHeaderBytes: 64 * 1024,
    maxHeaderCount: 256,
    maxStartLineBytes: 8 * 1024,
    maxChunkLineBytes: 4 * 1024,
  },
  small: { maxHeaderBytes: 600, maxHeaderCount: 12, maxStartLineBytes: 120, maxChunkLineBytes: 48 },
} as const;

/** One message as both sides see it: interim (1xx), final or upgrade. */
export interface HttpMessage {
  kind: "informational" | "final" | "upgrade";
  status: number;
  reason: string;
  headers: [string, string][];
  /** Body bytes as latin1 text (for an upgrade: the bytes after the head). */
  body: string;
  trailers: [string, string][];
}

export interface HttpVerdict {
  messages: HttpMessage[];
  /** Why the stream was refused (Reqivo's error code, llhttp's HPE_ code); undefined when accepted. */
  error: string | undefined;
}

export function latin1(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 4096)
    s += String.fromCharCode(...bytes.subarray(i, Math.min(bytes.length, i + 4096)));
  return s;
}

export const fromLatin1 = (text: string): Uint8Array =>
  Uint8Array.from(text, (c) => c.charCodeAt(0) & 255);

/** Quoted, with every byte outside printable ASCII as \\xNN (so 0xA0 is not mistaken for a space). */
const escaped = (text: string) =>
  `"${text.replace(/[^\x20-\x7e]|["\\]/g, (c) => {
    if (c === "\r") return "\\r";
    if (c === "\n") return "\\n";
    if (c === '"' || c === "\\") return `\\${c}`;
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
  })}"`;

/** The case as text for a report: one line per exchange, bytes JSON-escaped. */
export function describeHttpCase(c: HttpCase): string {
  const lines = c.exchanges.map(
    (e) =>
      `${e.method}${e.upgrade ? " (upgrade offered)" : ""} → ${escaped(latin1(e.bytes)).slice(0, 600)}`,
  );
  return `limits ${c.limits}${c.eof ? ", then EOF" : ""}\n  ${lines.join("\n  ")}`;
}
