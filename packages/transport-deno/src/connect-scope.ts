// What one connect() call has opened so far, so that giving up (timeout,
// abort) closes all of it, and a signal that tells the steps still running
// (lookup, happy eyeballs) to stop.
import type { AbortSignalLike } from "@reqivo/transport";
import { runtime } from "./deno-types.ts";

interface Closable {
  close(): void;
}

/** The sockets and layers one connect attempt holds, closed together on {@link ConnectScope.cancel}. */
export class ConnectScope {
  readonly #controller = new runtime.AbortController();
  readonly #open: Closable[] = [];

  /** Aborted once the attempt is given up. */
  get signal(): AbortSignalLike {
    return this.#controller.signal;
  }

  /** Remembers `resource` for {@link cancel}; closes it at once if the attempt was given up already. */
  track<T extends Closable>(resource: T): T {
    if (this.#controller.signal.aborted) closeQuietly(resource);
    else this.#open.push(resource);
    return resource;
  }

  /** Gives the attempt up: stops the steps still running and closes everything opened. */
  cancel(reason: unknown): void {
    this.#controller.abort(reason);
    for (const resource of this.#open.splice(0).reverse()) closeQuietly(resource);
  }
}

export function closeQuietly(resource: Closable | null): void {
  try {
    resource?.close();
  } catch {
    // Already closed.
  }
}
