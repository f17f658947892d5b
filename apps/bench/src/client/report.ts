// Statistics over the rounds, the console and Markdown tables, and one SVG
// bar chart per scenario (median bars, min–max whiskers), written by hand.

export interface ContenderResult {
  name: string;
  /** Requests per second, one per measured round. */
  rates: number[];
  /** Client-process CPU time (user + system) per request in µs, one per measured round. */
  cpuPerRequest: number[];
}

export interface ScenarioResult {
  id: string;
  title: string;
  contenders: ContenderResult[];
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Median of the per-round ratios `a[i] / b[i]`: contenders of one round ran
 * back to back, so drift of the machine cancels out of the ratio.
 */
export function ratio(a: ContenderResult | undefined, b: ContenderResult | undefined): number {
  if (a === undefined || b === undefined) return Number.NaN;
  const n = Math.min(a.rates.length, b.rates.length);
  const ratios: number[] = [];
  for (let i = 0; i < n; i++) ratios.push(a.rates[i]! / b.rates[i]!);
  return median(ratios);
}

function fmtRate(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

function fmtRatio(value: number): string {
  return Number.isNaN(value) ? "–" : `${value.toFixed(2)}×`;
}

function spread(rates: readonly number[]): string {
  const m = median(rates);
  const half = ((Math.max(...rates) - Math.min(...rates)) / 2 / m) * 100;
  return `±${half.toFixed(1)}%`;
}

const UNDICI = "undici request";
const NODE_FETCH = "node fetch";
const RAW = "raw ceiling";

/** One Markdown table for a scenario, sorted by median rate. */
export function markdownTable(result: ScenarioResult): string {
  const find = (name: string) => result.contenders.find((c) => c.name === name);
  const undici = find(UNDICI);
  const nodeFetch = find(NODE_FETCH);
  const raw = find(RAW);
  const rows = [...result.contenders].sort((a, b) => median(b.rates) - median(a.rates));
  const lines = [
    "| contender | median req/s | min – max | spread | vs undici request | vs node fetch | of raw ceiling | CPU µs/req |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const c of rows) {
    const ofRaw = ratio(c, raw);
    lines.push(
      `| ${c.name} | ${fmtRate(median(c.rates))} | ${fmtRate(Math.min(...c.rates))} – ${fmtRate(
        Math.max(...c.rates),
      )} | ${spread(c.rates)} | ${fmtRatio(ratio(c, undici))} | ${fmtRatio(
        ratio(c, nodeFetch),
      )} | ${Number.isNaN(ofRaw) ? "–" : `${(ofRaw * 100).toFixed(0)}%`} | ${median(
        c.cpuPerRequest,
      ).toFixed(1)} |`,
    );
  }
  return lines.join("\n");
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) =>
    c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === "&" ? "&amp;" : "&quot;",
  );
}

/** A horizontal bar chart: one bar per contender at its median, whiskers from min to max. */
export function svgChart(result: ScenarioResult): string {
  const rows = [...result.contenders].sort((a, b) => median(b.rates) - median(a.rates));
  const left = 130;
  const right = 90;
  const plotWidth = 460;
  const rowHeight = 28;
  const top = 44;
  const height = top + rows.length * rowHeight + 36;
  const width = left + plotWidth + right;
  const max = Math.max(...rows.map((c) => Math.max(...c.rates))) * 1.05;
  const x = (value: number) => left + (value / max) * plotWidth;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="600">${escapeXml(result.title)}</text>`,
    `<text x="${width / 2}" y="36" text-anchor="middle" fill="#555">requests/s, median of rounds; whiskers: min–max</text>`,
  ];
  const ticks = 5;
  for (let i = 0; i <= ticks; i++) {
    const value = (max / ticks) * i;
    const tx = x(value);
    const bottom = top + rows.length * rowHeight;
    parts.push(
      `<line x1="${tx.toFixed(1)}" y1="${top}" x2="${tx.toFixed(1)}" y2="${bottom}" stroke="#e5e5e5"/>`,
      `<text x="${tx.toFixed(1)}" y="${bottom + 16}" text-anchor="middle" fill="#555">${fmtRate(value)}</text>`,
    );
  }
  rows.forEach((c, i) => {
    const y = top + i * rowHeight;
    const m = median(c.rates);
    const lo = Math.min(...c.rates);
    const hi = Math.max(...c.rates);
    const fill = c.name === "reqivo" ? "#2563eb" : c.name === RAW ? "#9ca3af" : "#64748b";
    const mid = y + rowHeight / 2;
    parts.push(
      `<text x="${left - 8}" y="${mid + 4}" text-anchor="end">${escapeXml(c.name)}</text>`,
      `<rect x="${left}" y="${y + 5}" width="${(x(m) - left).toFixed(1)}" height="${rowHeight - 10}" fill="${fill}"/>`,
      `<line x1="${x(lo).toFixed(1)}" y1="${mid}" x2="${x(hi).toFixed(1)}" y2="${mid}" stroke="#111" stroke-width="1.2"/>`,
      `<line x1="${x(lo).toFixed(1)}" y1="${mid - 5}" x2="${x(lo).toFixed(1)}" y2="${mid + 5}" stroke="#111" stroke-width="1.2"/>`,
      `<line x1="${x(hi).toFixed(1)}" y1="${mid - 5}" x2="${x(hi).toFixed(1)}" y2="${mid + 5}" stroke="#111" stroke-width="1.2"/>`,
      `<text x="${(x(hi) + 6).toFixed(1)}" y="${mid + 4}" fill="#111">${fmtRate(m)}</text>`,
    );
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}
