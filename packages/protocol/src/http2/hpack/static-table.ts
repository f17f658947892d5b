/**
 * RFC 7541 Appendix A: the static table, index 1 first (`[name, value]`).
 *
 * @example
 * ```ts
 * STATIC_TABLE[2 - 1]; // [":method", "GET"]
 * ```
 */
export const STATIC_TABLE: readonly (readonly [name: string, value: string])[] = [
  [":authority", ""],
  [":method", "GET"],
  [":method", "POST"],
  [":path", "/"],
  [":path", "/index.html"],
  [":scheme", "http"],
  [":scheme", "https"],
  [":status", "200"],
  [":status", "204"],
  [":status", "206"],
  [":status", "304"],
  [":status", "400"],
  [":status", "404"],
  [":status", "500"],
  ["accept-charset", ""],
  ["accept-encoding", "gzip, deflate"],
  ["accept-language", ""],
  ["accept-ranges", ""],
  ["accept", ""],
  ["access-control-allow-origin", ""],
  ["age", ""],
  ["allow", ""],
  ["authorization", ""],
  ["cache-control", ""],
  ["content-disposition", ""],
  ["content-encoding", ""],
  ["content-language", ""],
  ["content-length", ""],
  ["content-location", ""],
  ["content-range", ""],
  ["content-type", ""],
  ["cookie", ""],
  ["date", ""],
  ["etag", ""],
  ["expect", ""],
  ["expires", ""],
  ["from", ""],
  ["host", ""],
  ["if-match", ""],
  ["if-modified-since", ""],
  ["if-none-match", ""],
  ["if-range", ""],
  ["if-unmodified-since", ""],
  ["last-modified", ""],
  ["link", ""],
  ["location", ""],
  ["max-forwards", ""],
  ["proxy-authenticate", ""],
  ["proxy-authorization", ""],
  ["range", ""],
  ["referer", ""],
  ["refresh", ""],
  ["retry-after", ""],
  ["server", ""],
  ["set-cookie", ""],
  ["strict-transport-security", ""],
  ["transfer-encoding", ""],
  ["user-agent", ""],
  ["vary", ""],
  ["via", ""],
  ["www-authenticate", ""],
];

/**
 * Number of static entries: dynamic index 1 is HPACK index 62.
 *
 * @example
 * ```ts
 * const hpackIndex = STATIC_TABLE_LENGTH + 1; // the newest dynamic entry
 * ```
 */
export const STATIC_TABLE_LENGTH = 61;

/** Static indexes by name, lowest first: at most 7 per name (`:status`). */
const staticByName = new Map<string, number[]>();
STATIC_TABLE.forEach(([name], i) => {
  const indexes = staticByName.get(name);
  if (indexes === undefined) staticByName.set(name, [i + 1]);
  else indexes.push(i + 1);
});

/**
 * The static index of exactly `(name, value)`, or 0.
 *
 * @example
 * ```ts
 * staticIndexOfField(":method", "GET"); // 2
 * ```
 */
export function staticIndexOfField(name: string, value: string): number {
  const indexes = staticByName.get(name);
  if (indexes === undefined) return 0;
  for (const index of indexes) if (STATIC_TABLE[index - 1]![1] === value) return index;
  return 0;
}

/**
 * The lowest static index whose name is `name`, or 0.
 *
 * @example
 * ```ts
 * staticIndexOfName(":status"); // 8
 * ```
 */
export function staticIndexOfName(name: string): number {
  return staticByName.get(name)?.[0] ?? 0;
}
