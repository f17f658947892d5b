// `@reqivo/transport/kit`: the helpers transport authors share (option
// resolution, error mapping, read buffering, connect guards, happy eyeballs,
// the TLS session cache, certificate pinning, node:tls over a Connection).
// The main entry keeps the contract and its errors, what a transport's user
// meets.
export {
  connectionDuplex,
  type DuplexClass,
  type DuplexLike,
  type DuplexOptionsLike,
} from "./connection-duplex.ts";
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
export { checkServerPins, type Sha256Base64, subjectPublicKeyInfo } from "./spki-pins.ts";
export {
  createTlsSessionCache,
  type TlsSessionCache,
  type TlsSessionCacheOptions,
} from "./tls-session-cache.ts";
