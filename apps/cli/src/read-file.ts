/** Reading a file named on the command line (a file field, a certificate). */
import { readFile } from "node:fs/promises";
import { CliError } from "./errors.ts";

/**
 * The file's bytes; a failure is a CliError whose code is the file error's
 * (`ENOENT`, …), its message prefixed by `option` when given.
 */
export async function readLocalFile(path: string, option?: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new CliError(
      (error as NodeJS.ErrnoException).code ?? "FILE_ERROR",
      `${option === undefined ? "" : `${option}: `}cannot read ${path}: ${(error as Error).message}`,
    );
  }
}
