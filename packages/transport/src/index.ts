export type {
  AbortSignalLike,
  Connection,
  ConnectionInfo,
  ConnectOptions,
  LookupAddress,
  LookupFunction,
  TlsOptions,
  TlsVersion,
  Transport,
} from "./contract.ts";
export {
  AbortedError,
  ConnectionClosedError,
  ConnectionRefusedError,
  ConnectionResetError,
  ConnectTimeoutError,
  DnsError,
  REQIVO_ERROR_BRAND,
  TlsCertificateError,
  TlsError,
  TlsHandshakeError,
  TlsNameMismatchError,
  TlsPinMismatchError,
  TransportError,
  type TransportErrorOptions,
  UnsupportedError,
} from "./errors.ts";
export {
  type ConnectionAttempt,
  type HappyEyeballsOptions,
  happyEyeballs,
  orderAddresses,
} from "./happy-eyeballs.ts";
export { lookupAddresses } from "./lookup-answer.ts";
export { type ConnectPhase, errorCode, mapErrorByCode } from "./map-error-code.ts";
export {
  isIpAddress,
  type ResolvedConnectOptions,
  type ResolvedTlsOptions,
  resolveConnectOptions,
} from "./options.ts";
export { ReadQueue, type ReadQueueOptions } from "./read-queue.ts";
export { ReadSlab } from "./read-slab.ts";
export {
  abortedBy,
  type ClosedPromise,
  type ConnectGuardOptions,
  createClosedPromise,
  guardConnect,
  type Timers,
} from "./settle.ts";
export {
  createTlsSessionCache,
  type TlsSessionCache,
  type TlsSessionCacheOptions,
} from "./tls-session-cache.ts";
