// Tiny `--name value` parser for the fuzz and soak scripts.
export function option(name: string, fallback: number): number {
  const args = process.argv.slice(2);
  const at = args.indexOf(`--${name}`);
  const raw = at === -1 ? undefined : args[at + 1];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0)
    throw new Error(`--${name} needs a non-negative number`);
  return value;
}
