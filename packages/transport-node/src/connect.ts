// One connect, step by step: name lookup, TCP (happy eyeballs over the
// addresses), TLS; or TLS over a tunnel. The connect timeout covers the
// steps together, so each gets what the earlier ones left.
import type * as net from "node:net";
import { isIpAddress, type ResolvedConnectOptions } from "@reqivo/transport/kit";
import { dial } from "./dial.ts";
import { resolveHost } from "./lookup.ts";
import { socketAddress, whenReady } from "./open-socket.ts";
import { secureSocket } from "./secure.ts";
import type { NodeTlsSessionCache } from "./session-cache.ts";
import { connectPlain } from "./slab-reader.ts";
import { secureTunnel } from "./tunnel.ts";

/** Opens the socket `target` asks for and resolves once it is ready for bytes. */
export async function connectSocket(
  target: ResolvedConnectOptions,
  sessions: NodeTlsSessionCache | null,
): Promise<net.Socket> {
  const started = Date.now();
  const left = () =>
    target.connectTimeout === null
      ? null
      : Math.max(0, target.connectTimeout - (Date.now() - started));
  if (target.tunnel !== null) return secureTunnel(target, target.tunnel, left(), sessions);
  if (target.path !== null || isIpAddress(target.host!)) {
    // One address, nothing to resolve or race.
    const where = socketAddress(target, target.host);
    if (target.tls !== null) {
      return secureSocket(target, where, { phase: "connect", timeout: left() }, sessions);
    }
    const socket = connectPlain(where, target);
    await whenReady(socket, target, { phase: "connect", timeout: left() });
    return socket;
  }
  const addresses = await resolveHost(target);
  const socket = await dial(target, addresses, left());
  if (target.tls === null) return socket;
  return secureSocket(target, { socket }, { phase: "tls", timeout: left() }, sessions);
}
