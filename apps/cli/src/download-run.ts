/** --download: stream a 2xx body to a file, with the head and a progress bar on stderr. */
import { unlinkSync } from "node:fs";
import { type FileHandle, open, unlink } from "node:fs/promises";
import type { Response } from "@reqivo/node";
import type { Args } from "./args.ts";
import { formatBytes, formatDuration, ProgressBar, suggestedFilename } from "./download.ts";
import { CliError } from "./errors.ts";
import type { Io } from "./main.ts";
import { styleFor } from "./output.ts";
import { responseHead } from "./style.ts";

/** Opens `name`, or `name-1`, `name-2`, … when it exists (at most 1000 tries). */
async function openUnique(name: string): Promise<{ handle: FileHandle; path: string }> {
  const dot = name.lastIndexOf(".");
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const extension = dot > 0 ? name.slice(dot) : "";
  for (let n = 0; n < 1000; n++) {
    const path = n === 0 ? name : `${stem}-${n}${extension}`;
    try {
      return { handle: await open(path, "wx"), path };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  throw new CliError("FILE_EXISTS", `${name} and 999 numbered variants exist already`);
}

/** Saves the body; the response status is 2xx. */
export async function runDownload(
  response: Response,
  args: Args,
  io: Io,
  print: string,
): Promise<void> {
  const errStyle = styleFor(args.pretty, io.stderr.isTTY, io.env);
  if (print.includes("h"))
    await io.stderr.write(
      `${responseHead(response.status, response.statusText, response.headers, errStyle.colors)}\n`,
    );
  const lengthHeader = response.headers.get("content-length");
  const encoded = response.headers.has("content-encoding");
  const total =
    lengthHeader !== null && /^\d+$/.test(lengthHeader) && !encoded
      ? Number(lengthHeader)
      : undefined;

  let target: { handle: FileHandle; path: string };
  try {
    target =
      args.output !== undefined
        ? { handle: await open(args.output, "w"), path: args.output }
        : await openUnique(
            suggestedFilename(new URL(response.url), response.headers.get("content-disposition")),
          );
  } catch (error) {
    response.cancel();
    if (error instanceof CliError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? "FILE_ERROR";
    throw new CliError(
      code,
      `cannot write ${args.output ?? "the download"}: ${(error as Error).message}`,
    );
  }

  await io.stderr.write(
    `Downloading ${total === undefined ? "" : `${formatBytes(total)} `}to "${target.path}"\n`,
  );
  const bar = new ProgressBar(io.stderr.isTTY ? io.stderr.stream : { write: () => true }, total);
  const showBar = io.stderr.isTTY;
  let ok = false;
  // Ctrl-C must not leave a partial file under the final name: remove it and
  // exit with the conventional 128 + SIGINT.
  const onInterrupt = (): void => {
    try {
      unlinkSync(target.path);
    } catch {}
    process.exit(130);
  };
  process.once("SIGINT", onInterrupt);
  try {
    try {
      for await (const piece of response) {
        await target.handle.write(piece);
        bar.add(piece.length);
      }
    } catch (error) {
      // The body ended before its declared length: the download is incomplete.
      if ((error as { code?: unknown }).code === "INCOMPLETE_MESSAGE")
        throw new CliError("INCOMPLETE_DOWNLOAD", `got ${bar.bytes} of ${total ?? "?"} bytes`);
      throw error;
    }
    if (total !== undefined && bar.bytes !== total)
      throw new CliError("INCOMPLETE_DOWNLOAD", `got ${bar.bytes} of ${total} bytes`);
    ok = true;
  } finally {
    process.removeListener("SIGINT", onInterrupt);
    await target.handle.close();
    if (showBar) bar.finish();
    if (!ok) await unlink(target.path).catch(() => undefined);
  }
  const seconds = bar.elapsed;
  const rate = seconds > 0 ? `${formatBytes(Math.round(bar.bytes / seconds))}/s` : "-";
  await io.stderr.write(
    `Done. ${formatBytes(bar.bytes)} in ${formatDuration(seconds)} (${rate}) → ${target.path}\n`,
  );
}
