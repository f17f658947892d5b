// One SVG bar chart per scenario, written by hand (no dependency): a bar per
// contender at the median of its rounds, a whisker from the smallest to the
// largest round, and optionally a dashed line at a target value.
import { median } from "./stats.ts";

export interface ChartRow {
  name: string;
  /** One value per measured round. */
  values: readonly number[];
  /** A short red tick on this row at a target value. */
  target?: number;
}

export interface Chart {
  title: string;
  /** What the bars measure, e.g. "requests/s" or "peak RSS growth (MiB)". */
  unit: string;
  rows: readonly ChartRow[];
  /** Bars drawn in Reqivo's colour (default: names containing "reqivo"). */
  highlight?: (name: string) => boolean;
  /** Bars drawn light grey (reference contenders, default: "raw ceiling"). */
  muted?: (name: string) => boolean;
  /** A dashed vertical line across all rows, e.g. a target ("< 64 MiB"). */
  marker?: { value: number; label: string };
  /** Sort order of the rows: largest median first (default) or as given. */
  order?: "descending" | "given";
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) =>
    c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === "&" ? "&amp;" : "&quot;",
  );
}

/** A short label: 1,234 / 12.3 / 0.95. */
function label(value: number): string {
  if (!Number.isFinite(value)) return "–";
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return value.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** The smallest of 1, 2, 2.5 and 5 times a power of ten that is at least `rough`. */
function niceStep(rough: number): number {
  const power = 10 ** Math.floor(Math.log10(rough));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * power >= rough) return m * power;
  return 10 * power;
}

/** Renders `chart` as a standalone SVG document. */
export function svgBarChart(chart: Chart): string {
  const rows = chart.rows.filter((r) => r.values.length > 0);
  if (chart.order !== "given") rows.sort((a, b) => median(b.values) - median(a.values));
  const highlight = chart.highlight ?? ((name: string) => name.includes("reqivo"));
  const muted = chart.muted ?? ((name: string) => name.startsWith("raw ceiling"));
  // About 6.6 px per character at font-size 12.
  const left = Math.max(130, 16 + Math.ceil(Math.max(...rows.map((r) => r.name.length), 0) * 6.6));
  const plotWidth = 460;
  const right = 90;
  const rowHeight = 28;
  const top = chart.marker === undefined ? 44 : 66;
  const bottom = top + rows.length * rowHeight;
  const height = bottom + 36;
  const width = left + plotWidth + right;
  const highest = Math.max(
    ...rows.map((r) => Math.max(...r.values)),
    ...rows.map((r) => r.target ?? 0),
    chart.marker?.value ?? 0,
    Number.MIN_VALUE,
  );
  const ticks = 5;
  const step = niceStep((highest * 1.05) / ticks);
  const max = Math.ceil((highest * 1.05) / step) * step;
  const x = (value: number) => left + (Math.max(0, value) / max) * plotWidth;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="600">${escapeXml(chart.title)}</text>`,
    `<text x="${width / 2}" y="36" text-anchor="middle" fill="#555">${escapeXml(chart.unit)}, median of rounds; whiskers: min–max${rows.some((r) => r.target !== undefined) ? "; red tick: target" : ""}</text>`,
  ];
  for (let value = 0; value <= max + step / 2; value += step) {
    const tx = x(value).toFixed(1);
    parts.push(
      `<line x1="${tx}" y1="${top}" x2="${tx}" y2="${bottom}" stroke="#e5e5e5"/>`,
      `<text x="${tx}" y="${bottom + 16}" text-anchor="middle" fill="#555">${value.toLocaleString("en-US", { maximumFractionDigits: 2 })}</text>`,
    );
  }
  rows.forEach((r, i) => {
    const y = top + i * rowHeight;
    const m = median(r.values);
    const lo = Math.min(...r.values);
    const hi = Math.max(...r.values);
    const fill = highlight(r.name) ? "#2563eb" : muted(r.name) ? "#9ca3af" : "#64748b";
    const mid = y + rowHeight / 2;
    const [x0, x1] = [x(lo).toFixed(1), x(hi).toFixed(1)];
    parts.push(
      `<text x="${left - 8}" y="${mid + 4}" text-anchor="end">${escapeXml(r.name)}</text>`,
      `<rect x="${left}" y="${y + 5}" width="${(x(m) - left).toFixed(1)}" height="${rowHeight - 10}" fill="${fill}"/>`,
      `<line x1="${x0}" y1="${mid}" x2="${x1}" y2="${mid}" stroke="#111" stroke-width="1.2"/>`,
      `<line x1="${x0}" y1="${mid - 5}" x2="${x0}" y2="${mid + 5}" stroke="#111" stroke-width="1.2"/>`,
      `<line x1="${x1}" y1="${mid - 5}" x2="${x1}" y2="${mid + 5}" stroke="#111" stroke-width="1.2"/>`,
      `<text x="${(Math.max(x(hi), r.target === undefined ? 0 : x(r.target)) + 6).toFixed(1)}" y="${mid + 4}" fill="#111">${label(m)}</text>`,
    );
    if (r.target !== undefined) {
      const tx = x(r.target).toFixed(1);
      parts.push(
        `<line x1="${tx}" y1="${y + 2}" x2="${tx}" y2="${y + rowHeight - 2}" stroke="#dc2626" stroke-width="2.5"/>`,
      );
    }
  });
  if (chart.marker !== undefined) {
    const mx = x(chart.marker.value).toFixed(1);
    parts.push(
      `<line x1="${mx}" y1="${top - 8}" x2="${mx}" y2="${bottom}" stroke="#dc2626" stroke-width="1.5" stroke-dasharray="5 3"/>`,
      `<text x="${mx}" y="${top - 12}" text-anchor="middle" fill="#dc2626">${escapeXml(chart.marker.label)}</text>`,
    );
  }
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}
