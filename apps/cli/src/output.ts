/** Writing to stdout/stderr with backpressure, and the pretty/plain decision. */
import type { Writable } from "node:stream";
import type { Pretty } from "./args.ts";
import type { Style } from "./style.ts";

/** A stream we write to and await. */
export class Sink {
  readonly stream: Writable & { isTTY?: boolean; columns?: number };
  constructor(stream: Writable & { isTTY?: boolean; columns?: number }) {
    this.stream = stream;
  }

  get isTTY(): boolean {
    return this.stream.isTTY === true;
  }

  /** Writes and waits while the stream is full. */
  async write(data: string | Uint8Array): Promise<void> {
    if (typeof data === "string" ? data === "" : data.length === 0) return;
    if (this.stream.write(data)) return;
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        this.stream.off("drain", done);
        this.stream.off("error", done);
        if (error) reject(error);
        else resolve();
      };
      this.stream.once("drain", done);
      this.stream.once("error", done);
    });
  }
}

/** The style for a stream: --pretty if given, else everything on a terminal and nothing on a pipe. */
export function styleFor(
  pretty: Pretty | undefined,
  isTTY: boolean,
  env: NodeJS.ProcessEnv,
): Style {
  const chosen = pretty ?? (isTTY ? "all" : "none");
  const noColor = pretty === undefined && env.NO_COLOR !== undefined && env.NO_COLOR !== "";
  return {
    colors: (chosen === "all" || chosen === "colors") && !noColor,
    format: chosen === "all" || chosen === "format",
  };
}
