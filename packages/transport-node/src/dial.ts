// Connecting to a resolved host: happy eyeballs (RFC 8305) over its addresses
// with the shared, runtime-neutral race from @reqivo/transport. On Node a TLS
// target races TLS sockets (each starts its handshake once its TCP connects),
// so that the winner reads through `onread` (see slab-reader.ts); elsewhere
// TLS starts over the winning TCP socket.
import type * as net from "node:net";
import type { LookupAddress } from "@reqivo/transport";
import {
  type ConnectionAttempt,
  happyEyeballs,
  mapErrorByCode,
  type ResolvedConnectOptions,
} from "@reqivo/transport/kit";
import { nodeTimers } from "./lookup.ts";
import { socketAddress } from "./open-socket.ts";
import { type StartedTls, startTls, type TlsResumption } from "./secure.ts";
import { connectPlain } from "./slab-reader.ts";

/** Connects TCP to the first of `addresses` that answers; `timeout` is what is left of the connect timeout. */
export function dial(
  target: ResolvedConnectOptions,
  addresses: readonly LookupAddress[],
  timeout: number | null,
): Promise<net.Socket> {
  const attempt = (address: string): ConnectionAttempt<net.Socket> => {
    const socket = connectPlain(socketAddress(target, address), target);
    return { result: whenConnected(socket, target, socket), cancel: () => socket.destroy() };
  };
  return race(target, addresses, timeout, attempt, (late) => late.destroy());
}

/**
 * Like {@link dial}, each attempt a TLS socket: resolves with the first whose
 * TCP connects, its handshake under way (finishTls waits for it). Every
 * attempt offers the session of `resumption`; the ones that lose are
 * destroyed before they get to send it, unless their TCP connected in the
 * same turn.
 */
export function dialTls(
  target: ResolvedConnectOptions,
  addresses: readonly LookupAddress[],
  timeout: number | null,
  resumption: TlsResumption | null,
): Promise<StartedTls> {
  const attempt = (address: string): ConnectionAttempt<StartedTls> => {
    const started = startTls(target, socketAddress(target, address), resumption);
    const { socket } = started;
    return { result: whenConnected(socket, target, started), cancel: () => socket.destroy() };
  };
  return race(target, addresses, timeout, attempt, (late) => late.socket.destroy());
}

function race<T>(
  target: ResolvedConnectOptions,
  addresses: readonly LookupAddress[],
  timeout: number | null,
  attempt: (address: string) => ConnectionAttempt<T>,
  discard: (late: T) => void,
): Promise<T> {
  return happyEyeballs<T>({
    host: target.host!,
    addresses,
    attempt: (address) => attempt(address.address),
    discard,
    delay: target.happyEyeballsDelay,
    timers: nodeTimers,
    signal: target.signal,
    connectTimeout: timeout,
    ...(target.connectTimeout !== null && { reportedTimeout: target.connectTimeout }),
  });
}

/** Resolves with `value` once `socket`'s TCP connects; rejects with the contract's error. */
function whenConnected<T>(
  socket: net.Socket,
  target: ResolvedConnectOptions,
  value: T,
): Promise<T> {
  // A destroyed attempt emits nothing more; its result just stays pending.
  return new Promise<T>((resolve, reject) => {
    const onConnect = () => {
      socket.off("error", onError);
      resolve(value);
    };
    const onError = (error: Error) => {
      socket.off("connect", onConnect);
      socket.destroy();
      reject(mapErrorByCode(error, "connect", target));
    };
    socket.once("connect", onConnect);
    socket.once("error", onError);
  });
}
