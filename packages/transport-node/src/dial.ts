// TCP to a resolved host: happy eyeballs (RFC 8305) over its addresses with
// the shared, runtime-neutral race from @reqivo/transport.
import * as net from "node:net";
import type { LookupAddress } from "@reqivo/transport";
import {
  type ConnectionAttempt,
  happyEyeballs,
  mapErrorByCode,
  type ResolvedConnectOptions,
} from "@reqivo/transport/kit";
import { nodeTimers } from "./lookup.ts";
import { socketAddress, tuneSocket } from "./open-socket.ts";
import { connectPlain } from "./slab-reader.ts";

/** Connects to the first of `addresses` that answers; `timeout` is what is left of the connect timeout. */
export function dial(
  target: ResolvedConnectOptions,
  addresses: readonly LookupAddress[],
  timeout: number | null,
): Promise<net.Socket> {
  return happyEyeballs<net.Socket>({
    host: target.host!,
    addresses,
    attempt: (address) => attemptTcp(target, address.address),
    discard: (late) => late.destroy(),
    delay: target.happyEyeballsDelay,
    timers: nodeTimers,
    signal: target.signal,
    connectTimeout: timeout,
    ...(target.connectTimeout !== null && { reportedTimeout: target.connectTimeout }),
  });
}

function attemptTcp(
  target: ResolvedConnectOptions,
  address: string,
): ConnectionAttempt<net.Socket> {
  // A socket TLS goes on top of keeps Node's own reads (see slab-reader.ts).
  const where = socketAddress(target, address);
  const socket =
    target.tls === null ? connectPlain(where, target) : tuneSocket(net.connect(where), target);
  const result = new Promise<net.Socket>((resolve, reject) => {
    const onConnect = () => {
      socket.off("error", onError);
      resolve(socket);
    };
    const onError = (error: Error) => {
      socket.off("connect", onConnect);
      socket.destroy();
      reject(mapErrorByCode(error, "connect", target));
    };
    socket.once("connect", onConnect);
    socket.once("error", onError);
  });
  // A destroyed attempt emits nothing more; its result just stays pending.
  return { result, cancel: () => socket.destroy() };
}
