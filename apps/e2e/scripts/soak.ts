// Soak: the load run of test/load.test.ts for a fixed time or count, on one
// long-lived Session. Not in CI.
//   npx pnpm soak --minutes 10            (as many requests as fit, default 1 minute)
//   npx pnpm soak --requests 100000       (exactly this many)
// Options: --in-flight 500 --connections 10 --abort-rate 0.1 --seed 1
import { leaked } from "../src/fault-runner.ts";
import { runLoad } from "../src/load.ts";
import { option } from "./args.ts";

const minutes = option("minutes", process.argv.includes("--requests") ? 0 : 1);
const requests = option("requests", Number.MAX_SAFE_INTEGER);
const started = Date.now();
console.log(
  `soak: ${requests === Number.MAX_SAFE_INTEGER ? "unbounded" : requests} requests` +
    (minutes > 0 ? `, at most ${minutes} min` : ""),
);
await runLoad({ requests: 1_000, seed: 7 }); // warm-up
const report = await runLoad({
  requests,
  until: minutes > 0 ? started + minutes * 60_000 : undefined,
  inFlight: option("in-flight", 500),
  connections: option("connections", 10),
  abortRate: option("abort-rate", 0.1),
  seed: option("seed", 1),
  onProgress(done, r) {
    if (done % 10_000 !== 0) return;
    const heap = (process.memoryUsage().heapUsed / 1e6).toFixed(1);
    console.log(
      `${done} done in ${((Date.now() - started) / 1000).toFixed(0)} s: ok ${r.ok}, aborted ${r.aborted}, ` +
        `errors ${r.unexpected.length + r.mismatched.length}, peak sockets ${r.peakServerSockets}, heap ${heap} MB`,
    );
  },
});
const problems = [
  ...report.mismatched,
  ...report.unexpected,
  ...(report.ok + report.aborted === report.started ? [] : ["lost responses"]),
  ...(report.serverDuplicates === 0
    ? []
    : [`${report.serverDuplicates} ids seen twice by the server`]),
  ...(report.peakServerSockets <= option("connections", 10)
    ? []
    : [`peak ${report.peakServerSockets} server sockets`]),
  ...(report.peakClientConnections <= option("connections", 10)
    ? []
    : [`peak ${report.peakClientConnections} client connections`]),
  ...leaked(report.resourcesBefore, report.resourcesAfter).map((l) => `leaked ${l}`),
  ...(report.heapAfter - report.heapBefore < 16 * 1024 * 1024
    ? []
    : ["retained heap grew by 16 MB or more"]),
];
console.log(
  `soak: ${report.started} requests in ${(report.ms / 1000).toFixed(1)} s (ok ${report.ok}, aborted ${report.aborted}), ` +
    `peak sockets ${report.peakServerSockets} server / ${report.peakClientConnections} client, ` +
    `heap ${(report.heapBefore / 1e6).toFixed(1)} → ${(report.heapAfter / 1e6).toFixed(1)} MB`,
);
if (problems.length > 0) {
  console.error(`soak FAILED:\n  ${problems.slice(0, 30).join("\n  ")}`);
  process.exitCode = 1;
} else {
  console.log("soak OK");
}
