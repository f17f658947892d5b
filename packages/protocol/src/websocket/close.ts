/**
 * Close codes and close-frame payloads (RFC 6455 §5.5.1, §7.4).
 */

/**
 * Well-known close codes (RFC 6455 §7.4.1, IANA registry).
 *
 * @example
 * ```ts
 * import { CloseCode } from "@reqivo/protocol";
 * CloseCode.PROTOCOL_ERROR; // 1002
 * ```
 */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  UNSUPPORTED_DATA: 1003,
  /** Reported locally when the close frame had no code; never on the wire. */
  NO_STATUS: 1005,
  /** Reported locally when the connection ended without a close frame; never on the wire. */
  ABNORMAL: 1006,
  INVALID_PAYLOAD: 1007,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  MANDATORY_EXTENSION: 1010,
  INTERNAL_ERROR: 1011,
  SERVICE_RESTART: 1012,
  TRY_AGAIN_LATER: 1013,
  BAD_GATEWAY: 1014,
} as const;

/** Longest close reason: 125 payload bytes minus the 2-byte code. */
export const MAX_CLOSE_REASON_BYTES = 123;

/**
 * True when `code` may appear in a close frame: 1000-1003, 1007-1014
 * (1004 is reserved; 1005, 1006 and 1015 are local-only), or 3000-4999
 * (registered and private use).
 *
 * @example
 * ```ts
 * import { isValidCloseCode } from "@reqivo/protocol";
 * isValidCloseCode(1000); // true
 * isValidCloseCode(1005); // false
 * ```
 */
export function isValidCloseCode(code: number): boolean {
  if (!Number.isInteger(code)) return false;
  if (code >= 1000 && code <= 1003) return true;
  if (code >= 1007 && code <= 1014) return true;
  return code >= 3000 && code <= 4999;
}
