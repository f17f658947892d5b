#!/usr/bin/env bash
# Instructions per request/response cycle of @reqivo/protocol, or (client)
# per request of a whole Session over an in-memory transport, counted by
# Valgrind (cachegrind, no cache simulation): a measure that other load on
# the machine does not move (wall and CPU time do), for before/after
# comparisons.
#
#   scripts/instructions.sh [tiny-get|small-0] [path/to/protocol/dist/index.js]
#   scripts/instructions.sh client [path/to/client/dist/index.js]
#   scripts/instructions.sh client-64k [path/to/client/dist/index.js]  # 64 KiB bodies
#   cp -r ../../packages/protocol/dist /tmp/protocol-before    # before a change
#   scripts/instructions.sh tiny-get /tmp/protocol-before/index.js
#   scripts/instructions.sh tiny-get                           # the current build
#   RUNTIME=bun scripts/instructions.sh client                 # on Bun instead of Node
#
# Runs scripts/protocol-cycle.mjs or scripts/client-cycle.mjs (plain
# JavaScript, no sockets, no loader thread) for 5,000 and 25,000 cycles and prints the difference over 20,000:
# start-up and JIT warm-up cancel out. Node runs with --single-threaded, so
# no compiler or GC thread adds to the count, and --predictable with fixed
# random and hash seeds, so V8 takes the same decisions every run: three runs
# of `client` gave 59,696 / 59,720 / 59,700 (without those flags, on a loaded
# machine: 57,590 to 65,038 for one build).
set -euo pipefail
cd "$(dirname "$0")/.."
scenario="${1:-tiny-get}"
dist="${2:-}"
command -v valgrind > /dev/null || { echo "valgrind is not installed" >&2; exit 2; }
count() {
  local run=(scripts/protocol-cycle.mjs "$scenario" "$1")
  [ "$scenario" = client ] && run=(scripts/client-cycle.mjs "$1")
  local body=()
  [ "$scenario" = client-64k ] && run=(scripts/client-cycle.mjs "$1") && body=(BODY_BYTES=65536)
  local runtime=(node --single-threaded --predictable --random-seed=1 --hash-seed=1)
  # RUNTIME=bun: the same script on Bun, JavaScriptCore compiling and
  # collecting on the main thread (counted too; ~±700 between runs).
  if [ "${RUNTIME:-node}" = bun ]; then
    runtime=("$(readlink -f ../../node_modules/bun/bin/bun.exe)")
    body+=(BUN_JSC_useConcurrentJIT=0 BUN_JSC_useConcurrentGC=0)
  fi
  env "${body[@]}" valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
    "${runtime[@]}" "${run[@]}" $dist 2>&1 |
    awk '/I *refs:/ { gsub(",", "", $NF); print $NF }'
}
# 64 KiB bodies make each cycle ~20x the work: fewer cycles keep the run short.
small=5000 large=25000
[ "$scenario" = client-64k ] && small=200 large=1000
# CYCLES_FROM/CYCLES_TO override the two counts. V8 (single-threaded) still
# compiles the protocol's hot functions between 5,000 and 25,000 cycles
# (--trace-opt: 20 compiles by 5,000, the last by 25,000) and that compile is
# counted, so a change that makes a hot function bigger moves the default
# figure by its compile cost too. CYCLES_FROM=25000 CYCLES_TO=65000 counts
# the steady state alone.
small=${CYCLES_FROM:-$small} large=${CYCLES_TO:-$large}
a=$(count $small)
b=$(count $large)
echo "$scenario${dist:+ ($dist)}: $(((b - a) / (large - small))) instructions per cycle"
