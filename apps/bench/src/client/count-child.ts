// One Node contender of client.bench.ts for a fixed number of requests per
// scenario, then exit: what scripts/instructions-contenders.mjs runs under
// Valgrind's callgrind (bundled to plain JavaScript first, so no TypeScript
// loader thread adds to the count).
//   count-child <server port> <contender name> <warm-up requests> <requests> <phases> <scenario>…
// For each scenario: the warm-up requests (connections opened, code warmed),
// a mark, then <phases> times: <requests> more and a mark. A mark is a call
// of os.getPriority(), which enters libuv's uv_os_getpriority: callgrind runs
// with --dump-before=uv_os_getpriority, so each mark ends one dump of the
// counts, and the dump a measured phase ends holds that phase's instructions
// alone. No collection is forced between phases: a forced one shrinks the
// young generation and makes the next phase cost more, not less.
import { getPriority } from "node:os";
import { oneContender } from "./contenders.ts";
import { SCENARIOS } from "./scenarios.ts";

const [portText, name, warmText, requestsText, phasesText, ...scenarioIds] = process.argv.slice(2);
const port = Number(portText);
const warmUp = Number(warmText);
const requests = Number(requestsText);
const phases = Number(phasesText);
const scenarios = scenarioIds.map((id) => SCENARIOS.find((s) => s.id === id));
if (!(port > 0) || !(warmUp > 0) || !(requests > 0) || !(phases > 0) || scenarios.length === 0) {
  console.error("usage: count-child <port> <contender> <warm-up> <requests> <phases> <scenario>…");
  process.exit(2);
}
const chosen = await oneContender(port, name ?? "", "count-child");
// An hour: only the request count ends these samples.
const NO_TIME_LIMIT = 3_600_000;
for (const scenario of scenarios) {
  if (scenario === undefined) throw new Error(`count-child: unknown scenario in ${scenarioIds}`);
  const counts = [(await chosen.sample(scenario, NO_TIME_LIMIT, warmUp)).requests];
  getPriority(); // mark: the dump of start-up (or the previous scenario) and warm-up ends here
  for (let phase = 0; phase < phases; phase++) {
    counts.push((await chosen.sample(scenario, NO_TIME_LIMIT, requests)).requests);
    getPriority(); // mark: this measured phase's dump ends here
  }
  if (counts.some((n, i) => n !== (i === 0 ? warmUp : requests))) {
    console.error(`count-child: ${name} completed ${counts.join(", ")} requests`);
    process.exit(1);
  }
}
await chosen.close();
process.exit(0);
