import {
  DEFAULT_MAX_FRAME_SIZE,
  MAX_FRAME_SIZE_LIMIT,
  MAX_STREAM_ID,
} from "../frames/constants.ts";
import { DEFAULT_HEADER_TABLE_SIZE, DEFAULT_MAX_HEADER_LIST_SIZE } from "../hpack/decoder.ts";
import { usageError } from "./errors.ts";

/**
 * Options of {@link Http2ClientConnection}: what we announce, and the limits
 * that keep a hostile server from exhausting the client.
 *
 * @example
 * ```ts
 * const options: Http2ClientOptions = { initialWindowSize: 1 << 20, maxPendingAcks: 16 };
 * ```
 */
export interface Http2ClientOptions {
  /** SETTINGS_INITIAL_WINDOW_SIZE we announce: octets each stream may hold unconsumed. Default 256 KiB. */
  initialWindowSize?: number;
  /** The connection's receive window, raised by a WINDOW_UPDATE after the preface. Default 1 MiB. */
  connectionWindowSize?: number;
  /** SETTINGS_MAX_FRAME_SIZE we announce. Default 16384. */
  maxFrameSize?: number;
  /** SETTINGS_MAX_HEADER_LIST_SIZE we announce and enforce (HPACK bombs). Default 64 KiB. */
  maxHeaderListSize?: number;
  /** SETTINGS_HEADER_TABLE_SIZE we announce for the server's encoder. Default 4096. */
  headerTableSize?: number;
  /** Streams we may open before the server's SETTINGS say how many. Default 100. */
  initialMaxConcurrentStreams?: number;
  /** SETTINGS or PINGs (each kind) waiting for an ACK not yet taken by `dataToSend()`. Default 32. */
  maxPendingAcks?: number;
  /** Frames in a row that carry nothing (empty DATA without END_STREAM, PRIORITY, unknown types). Default 100. */
  maxEmptyFrames?: number;
  /** Informational (1xx) heads one stream may receive. Default 16. */
  maxInformationalResponses?: number;
  /** Largest encoded header block (CONTINUATION floods). Default 64 KiB. */
  maxHeaderBlockSize?: number;
  /** Most CONTINUATION frames in one header block. Default 128. */
  maxContinuationFrames?: number;
  /**
   * A DATA frame whose payload straddles two `receiveData` chunks is given
   * as one `data` event per piece (views of the chunks, no copy) instead of
   * one event with a joined copy. The events then depend on how the octets
   * were split; each stream's data, joined, does not. For callers that keep
   * the chunks they pass in and read bodies as pieces anyway. Default false.
   */
  dataPieces?: boolean;
}

/**
 * {@link Http2ClientOptions} with every default filled in and checked.
 *
 * @example
 * ```ts
 * const resolved: ResolvedHttp2Options = resolveHttp2Options({ maxPendingAcks: 8 });
 * ```
 */
export type ResolvedHttp2Options = Required<Http2ClientOptions>;

function integerIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw usageError("INVALID_OPTION", `${name} must be an integer in [${min}, ${max}]`);
  }
  return value;
}

function booleanOption(name: string, value: unknown): boolean {
  if (typeof value !== "boolean") throw usageError("INVALID_OPTION", `${name} must be a boolean`);
  return value;
}

/**
 * Fills in and checks {@link Http2ClientOptions}; throws
 * `LocalProtocolError` `INVALID_OPTION`.
 *
 * @example
 * ```ts
 * resolveHttp2Options({}).initialWindowSize; // 262144
 * ```
 */
export function resolveHttp2Options(options: Http2ClientOptions): ResolvedHttp2Options {
  const uint32 = 0xffffffff;
  return {
    initialWindowSize: integerIn(
      "initialWindowSize",
      options.initialWindowSize ?? 256 * 1024,
      0,
      MAX_STREAM_ID,
    ),
    connectionWindowSize: integerIn(
      "connectionWindowSize",
      options.connectionWindowSize ?? 1 << 20,
      65_535,
      MAX_STREAM_ID,
    ),
    maxFrameSize: integerIn(
      "maxFrameSize",
      options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE,
      DEFAULT_MAX_FRAME_SIZE,
      MAX_FRAME_SIZE_LIMIT,
    ),
    maxHeaderListSize: integerIn(
      "maxHeaderListSize",
      options.maxHeaderListSize ?? DEFAULT_MAX_HEADER_LIST_SIZE,
      0,
      uint32,
    ),
    headerTableSize: integerIn(
      "headerTableSize",
      options.headerTableSize ?? DEFAULT_HEADER_TABLE_SIZE,
      0,
      uint32,
    ),
    initialMaxConcurrentStreams: integerIn(
      "initialMaxConcurrentStreams",
      options.initialMaxConcurrentStreams ?? 100,
      1,
      uint32,
    ),
    maxPendingAcks: integerIn("maxPendingAcks", options.maxPendingAcks ?? 32, 1, uint32),
    maxEmptyFrames: integerIn("maxEmptyFrames", options.maxEmptyFrames ?? 100, 1, uint32),
    maxInformationalResponses: integerIn(
      "maxInformationalResponses",
      options.maxInformationalResponses ?? 16,
      0,
      uint32,
    ),
    maxHeaderBlockSize: integerIn(
      "maxHeaderBlockSize",
      options.maxHeaderBlockSize ?? 65_536,
      1,
      uint32,
    ),
    maxContinuationFrames: integerIn(
      "maxContinuationFrames",
      options.maxContinuationFrames ?? 128,
      1,
      uint32,
    ),
    dataPieces: booleanOption("dataPieces", options.dataPieces ?? false),
  };
}
