// The TCP step: Deno.connect to `host` (Deno resolves it and races the
// address families itself), or, with a `lookup` hook, to each address the
// hook returned, raced by the shared happy-eyeballs code.
import type { LookupAddress } from "@reqivo/transport";
import {
  type ConnectionAttempt,
  happyEyeballs,
  isIpAddress,
  lookupAddresses,
  type ResolvedConnectOptions,
} from "@reqivo/transport/kit";
import { type ConnectScope, closeQuietly } from "./connect-scope.ts";
import { type DenoTcpConn, denoApi, runtime } from "./deno-types.ts";
import { mapDenoError } from "./map-error.ts";

/** Whether the connection goes to the addresses of the `lookup` hook rather than to `host`. */
export function dialsAddresses(target: ResolvedConnectOptions): boolean {
  return target.lookup !== null && target.host !== null && !isIpAddress(target.host);
}

/** Opens the TCP connection for `target` (host and port set). Rejects with the contract's errors. */
export async function dialTcp(
  target: ResolvedConnectOptions,
  scope: ConnectScope,
): Promise<DenoTcpConn> {
  const host = target.host!;
  const port = target.port!;
  if (!dialsAddresses(target)) {
    const attempt = denoApi().connect({
      hostname: host,
      port,
      signal: scope.signal,
      autoSelectFamily: true,
      autoSelectFamilyAttemptDelay: target.happyEyeballsDelay,
    });
    return scope.track(await attempt.catch(mapAs(target)));
  }
  // Checked: IP literals only, never a name for Deno to resolve again.
  const addresses = await lookupAddresses(target.lookup!, host, scope.signal, runtime);
  const winner = await happyEyeballs<DenoTcpConn>({
    host,
    addresses,
    attempt: (address) => attemptAddress(address, target),
    discard: closeQuietly,
    delay: target.happyEyeballsDelay,
    timers: runtime,
    // The connect guard enforces the timeout; giving up aborts the scope.
    signal: scope.signal,
  });
  return scope.track(winner);
}

function attemptAddress(
  { address }: LookupAddress,
  target: ResolvedConnectOptions,
): ConnectionAttempt<DenoTcpConn> {
  const controller = new runtime.AbortController();
  const result = denoApi()
    .connect({ hostname: address, port: target.port!, signal: controller.signal })
    .catch(mapAs(target));
  return { result, cancel: () => controller.abort() };
}

function mapAs(target: ResolvedConnectOptions): (error: unknown) => never {
  return (error) => {
    throw mapDenoError(error, "connect", target);
  };
}
