// Tallies the findings of a differential run by the four shapes issue 22 asks the fuzzer to find by itself
// (`chunked;`, Content-Length with Transfer-Encoding, a fold in Content-Length, the split-dependent verdict
// of a head over its limit with a bare LF beyond it). Used to show it on an old commit:
//   npx tsx scripts/fuzz-differential-tally.ts <seed> <cases> <seconds>
import { latin1 } from "../src/differential/http-case.ts";
import { checkHttpCase } from "../src/differential/http-check.ts";
import { httpCaseAt } from "../src/differential/loop.ts";

const [seed, cases, seconds] = process.argv.slice(2).map(Number) as [number, number, number];
const until = Date.now() + seconds * 1000;
const tags: Record<string, number> = {};
const firstAt: Record<string, string> = {};
let n = 0;
for (let i = 0; i < cases && Date.now() < until; i++, n++) {
  const { c, rng } = httpCaseAt(seed, i);
  const heads = c.exchanges
    .map((e) => latin1(e.bytes))
    .join("")
    .split(/\r?\n\r?\n/);
  for (const f of checkHttpCase(c, rng).findings) {
    const found: string[] = [];
    if (f.kind === "divergence") {
      if (heads.some((h) => /transfer-encoding ?:[^\r\n]*chunked *;/i.test(h)))
        found.push("chunked;");
      if (heads.some((h) => /transfer-encoding/i.test(h) && /content-length/i.test(h)))
        found.push("CL+TE");
      if (heads.some((h) => /content-length ?:[^\r\n]*\r?\n[ \t]/i.test(h)))
        found.push("fold in CL");
    }
    if (
      f.kind === "split" &&
      /INVALID_LINE_ENDING\/HEADERS_TOO_LARGE|HEADERS_TOO_LARGE\/INVALID_LINE_ENDING/.test(
        f.signature,
      )
    ) {
      found.push("split: head over limit + bare LF");
      if (
        heads.some(
          (h) => /^[^\n]*HTTP\/[\d.]+ 1\d\d/.test(h) && /X-Pad/.test(h) && /[^\r]\n/.test(h),
        )
      )
        found.push("split: 1xx head over limit + bare LF");
    }
    if (found.length === 0) found.push(`other ${f.signature}`);
    for (const t of found) {
      tags[t] = (tags[t] ?? 0) + 1;
      firstAt[t] ??= `--seed ${seed} --case ${i}`;
    }
  }
}
console.log(`${n} cases, seed ${seed}`);
for (const [t, k] of Object.entries(tags).sort()) console.log(`${k}\t${t}\tfirst: ${firstAt[t]}`);
