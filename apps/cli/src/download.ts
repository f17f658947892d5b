/**
 * --download: the file name (from -o, Content-Disposition, or the URL) and
 * the progress bar drawn on stderr while the body streams to the file.
 */
import { basename } from "node:path";

/** The file name a server suggests in Content-Disposition (`filename*` first). */
export function dispositionFilename(header: string | null): string | undefined {
  if (header === null) return undefined;
  const extended = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header);
  if (extended !== null) {
    try {
      return decodeURIComponent(extended[2]!.trim());
    } catch {
      // fall through to the plain parameter
    }
  }
  const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i.exec(header);
  if (plain === null) return undefined;
  return plain[1] !== undefined ? plain[1].replace(/\\(.)/g, "$1") : plain[2];
}

/** A safe local file name: no directories, no leading dots, no control characters. */
export function safeFilename(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const cleaned = basename(name.replace(/\\/g, "/"))
    .replace(/[\u0000-\u001f\u007f<>:"|?*]/g, "_")
    .replace(/^\.+/, "")
    .trim();
  return cleaned === "" ? undefined : cleaned.slice(0, 200);
}

/** The file name for a download with no -o. */
export function suggestedFilename(url: URL, contentDisposition: string | null): string {
  const fromHeader = safeFilename(dispositionFilename(contentDisposition));
  if (fromHeader !== undefined) return fromHeader;
  const segment = url.pathname.split("/").filter(Boolean).pop();
  let fromUrl: string | undefined;
  try {
    fromUrl = segment === undefined ? undefined : decodeURIComponent(segment);
  } catch {
    fromUrl = segment;
  }
  return safeFilename(fromUrl) ?? "index.html";
}

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

/** 1536 → "1.50 KiB". */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(2)} ${UNITS[unit]}`;
}

/** 75 → "01:15". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--:--";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const two = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${two(m)}:${two(s % 60)}` : `${two(m)}:${two(s % 60)}`;
}

/** Where the bar is drawn. */
export interface ProgressOutput {
  write(text: string): unknown;
  columns?: number | undefined;
}

/**
 * A one-line progress bar: percentage, bar, bytes (of total), average rate
 * and ETA when the total is known; bytes, rate and a spinner when it is not.
 * Redrawn at most every `interval` ms (on data, never on a timer).
 */
export class ProgressBar {
  readonly #out: ProgressOutput;
  readonly #total: number | undefined;
  readonly #started: number;
  readonly #interval: number;
  readonly #now: () => number;
  #bytes = 0;
  #lastDraw = Number.NEGATIVE_INFINITY;
  #frame = 0;

  constructor(
    out: ProgressOutput,
    total: number | undefined,
    options: { interval?: number; now?: () => number } = {},
  ) {
    this.#out = out;
    this.#total = total;
    this.#now = options.now ?? (() => performance.now());
    this.#started = this.#now();
    this.#interval = options.interval ?? 100;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Seconds since the start. */
  get elapsed(): number {
    return (this.#now() - this.#started) / 1000;
  }

  /** Counts received bytes and redraws when due. */
  add(count: number): void {
    this.#bytes += count;
    const now = this.#now();
    if (now - this.#lastDraw >= this.#interval) {
      this.#lastDraw = now;
      this.#draw(false);
    }
  }

  /** Draws the final state and ends the line. */
  finish(): void {
    this.#draw(true);
    this.#out.write("\n");
  }

  /** The line as it would be drawn now (exposed for tests). */
  line(done: boolean): string {
    const elapsed = Math.max(this.elapsed, 1e-3);
    const rate = this.#bytes / elapsed;
    const speed = `${formatBytes(Math.round(rate))}/s`;
    const total = this.#total;
    if (total === undefined) {
      const spinner = done ? "done" : "|/-\\"[this.#frame++ % 4]!;
      return `${formatBytes(this.#bytes)}  ${speed}  ${spinner}`;
    }
    const fraction = total === 0 ? 1 : Math.min(this.#bytes / total, 1);
    const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
    const eta = done
      ? `in ${formatDuration(elapsed)}`
      : `ETA ${formatDuration(rate > 0 ? (total - this.#bytes) / rate : Number.NaN)}`;
    const tail = ` ${formatBytes(this.#bytes)} / ${formatBytes(total)}  ${speed}  ${eta}`;
    const columns = this.#out.columns ?? 80;
    const width = Math.max(10, Math.min(40, columns - percent.length - tail.length - 4));
    const filled = Math.round(fraction * width);
    const bar =
      filled >= width
        ? "=".repeat(width)
        : `${"=".repeat(Math.max(filled - 1, 0))}${filled > 0 ? ">" : ""}${" ".repeat(width - filled)}`;
    return `${percent} [${bar}]${tail}`;
  }

  #draw(done: boolean): void {
    this.#out.write(`\r\x1b[2K${this.line(done)}`);
  }
}
