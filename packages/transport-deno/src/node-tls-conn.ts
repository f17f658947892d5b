// The two adapters of the node:tls path: a contract Connection seen as the
// Node Duplex that node:tls runs over, and the resulting TLS socket seen as a
// Deno.Conn, so that DenoConnection serves both paths.
import {
  type Connection,
  mapErrorByCode,
  type ResolvedConnectOptions,
  TransportError,
} from "@reqivo/transport";
import type { DenoConn, DenoNetAddr, DenoUnixAddr } from "./deno-types.ts";
import type { NodeDuplex, NodeModules, NodeTlsSocket } from "./node-types.ts";

/**
 * A Duplex over `conn`: node:tls reads the encrypted bytes through it and
 * writes them to it. Destroying it closes `conn`; `conn` ending ends it.
 */
export function connectionDuplex(stream: NodeModules["stream"], conn: Connection): NodeDuplex {
  let reading = false;
  const duplex = new stream.Duplex({
    // Half-close passes through: TLS close_notify, then closeWrite below.
    allowHalfOpen: true,
    read() {
      // Node asks again after each push it wants more after; one read at a time.
      if (reading) return;
      reading = true;
      conn.read().then(
        (chunk) => {
          reading = false;
          this.push(chunk);
        },
        (error: Error) => {
          reading = false;
          this.destroy(error);
        },
      );
    },
    write(chunk, _encoding, callback) {
      conn.write(chunk).then(() => callback(), callback);
    },
    final(callback) {
      conn.closeWrite().then(() => callback(), callback);
    },
    destroy(error, callback) {
      conn.close();
      callback(error);
    },
  });
  // The TLS socket reports the failure; nobody else listens here.
  duplex.on("error", () => {});
  return duplex;
}

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
