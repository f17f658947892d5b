// The node:tls path's socket seen as a Deno.Conn, so that DenoConnection
// serves both paths. (The other way round, a contract Connection as the
// Duplex node:tls runs over, is @reqivo/transport/kit's connectionDuplex.)
import { type Connection, TransportError } from "@reqivo/transport";
import { mapErrorByCode, type ResolvedConnectOptions } from "@reqivo/transport/kit";
import type { DenoConn, DenoNetAddr, DenoUnixAddr } from "./deno-types.ts";
import type { NodeTlsSocket } from "./node-types.ts";

/** Where the TLS socket's bytes go: the addresses of the socket under it, or none for a tunnel. */
export interface LayerAddresses {
  readonly localAddr: DenoNetAddr | DenoUnixAddr;
  readonly remoteAddr: DenoNetAddr | DenoUnixAddr;
}

const NO_ADDRESS: DenoUnixAddr = { transport: "unixpacket", path: "" };

/**
 * A node:tls socket (paused mode) behind the `Deno.Conn` shape: `read` fills
 * the caller's buffer from what the socket has decrypted, `write` resolves
 * once the encrypted bytes were taken by the connection under it. Errors come
 * out already mapped to the contract's classes.
 */
export class NodeTlsConn implements DenoConn {
  readonly localAddr: DenoNetAddr | DenoUnixAddr;
  readonly remoteAddr: DenoNetAddr | DenoUnixAddr;
  readonly #socket: NodeTlsSocket;
  readonly #under: Connection;
  readonly #target: ResolvedConnectOptions;
  /** The rest of a chunk larger than the caller's buffer. */
  #leftover: Uint8Array | null = null;
  #ended = false;
  #error: TransportError | null = null;
  #wake: (() => void) | null = null;

  constructor(
    socket: NodeTlsSocket,
    under: Connection,
    addresses: LayerAddresses | null,
    target: ResolvedConnectOptions,
  ) {
    this.#socket = socket;
    this.#under = under;
    this.#target = target;
    this.localAddr = addresses?.localAddr ?? NO_ADDRESS;
    this.remoteAddr = addresses?.remoteAddr ?? NO_ADDRESS;
    socket.on("readable", this.#notify);
    socket.on("end", () => {
      this.#ended = true;
      this.#notify();
    });
    socket.on("close", () => {
      this.#ended = true;
      this.#notify();
    });
    socket.on("error", (error: Error) => {
      this.#error ??= this.#map(error);
      this.#notify();
    });
  }

  async read(buffer: Uint8Array): Promise<number | null> {
    for (;;) {
      const chunk = this.#leftover ?? this.#socket.read();
      this.#leftover = null;
      if (chunk !== null) {
        const count = Math.min(chunk.byteLength, buffer.byteLength);
        buffer.set(count === chunk.byteLength ? chunk : chunk.subarray(0, count));
        if (count < chunk.byteLength) this.#leftover = chunk.subarray(count);
        return count;
      }
      if (this.#error !== null) throw this.#error;
      if (this.#ended) return null;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  write(bytes: Uint8Array): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#socket.write(bytes, (error) =>
        error ? reject(this.#error ?? this.#map(error)) : resolve(bytes.byteLength),
      );
    });
  }

  closeWrite(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#socket.end((error) => (error ? reject(this.#error ?? this.#map(error)) : resolve()));
    });
  }

  close(): void {
    this.#socket.destroy();
    this.#under.close();
  }

  ref(): void {
    this.#under.ref?.();
  }

  unref(): void {
    this.#under.unref?.();
  }

  readonly #notify = (): void => {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  };

  #map(error: Error): TransportError {
    return error instanceof TransportError ? error : mapErrorByCode(error, "open", this.#target);
  }
}
