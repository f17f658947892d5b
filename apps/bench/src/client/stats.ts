// Statistics over measured rounds and their formatting, shared by every
// benchmark, its tables and its charts.

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The per-round ratios a[i] / b[i]. */
export function roundRatios(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.min(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(a[i]! / b[i]!);
  return out;
}

/** Median of per-round ratios a[i] / b[i] (rounds ran back to back, so drift cancels). */
export function ratio(a: readonly number[], b: readonly number[]): number {
  return median(roundRatios(a, b));
}

/**
 * The first and third quartiles of `values` (linear between the sorted
 * values), e.g. the spread of per-round ratios that a median hides.
 */
export function quartiles(values: readonly number[]): [number, number] {
  if (values.length === 0) return [Number.NaN, Number.NaN];
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => {
    const position = (sorted.length - 1) * q;
    const low = Math.floor(position);
    const high = Math.min(low + 1, sorted.length - 1);
    return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
  };
  return [at(0.25), at(0.75)];
}

export function fmt(value: number, digits = 0): string {
  if (Number.isNaN(value)) return "–";
  return value.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

export function fmtRatio(value: number): string {
  return Number.isNaN(value) ? "–" : `${value.toFixed(2)}×`;
}

export function spread(values: readonly number[]): string {
  const m = median(values);
  if (values.length === 0 || m === 0) return "–";
  return `±${(((Math.max(...values) - Math.min(...values)) / 2 / m) * 100).toFixed(1)}%`;
}
