#!/usr/bin/env bash
# Instructions per keep-alive GET on Bun, counted by Valgrind (cachegrind, no
# cache simulation), one request at a time on one connection to the canned
# server: a measure that other load on the machine does not move (wall and CPU
# time do). Runs src/client/runtime-sequential.ts for <small> and <large>
# requests and prints the difference over (large - small): start-up cancels
# out. JSC compiles and collects on the main thread here
# (useConcurrentJIT/useConcurrentGC off), so that work is counted too; it
# shrinks once the hot functions reach JSC's top tier (FTL), which for Reqivo
# happened between 5,000 and 20,000 requests: 1000→3000 counts a warming
# client, 25000→35000 a warm one.
#
#   scripts/bun-instructions.sh [reqivo|transport|raw] [path] [small] [large]
#   scripts/bun-instructions.sh reqivo /64k 1000 3000
#   scripts/bun-instructions.sh transport /tiny
#   IN_FLIGHT=100 CONNECTIONS=50 scripts/bun-instructions.sh reqivo /64k 25000 35000
# (reqivo only: that many requests at once over at most that many
# connections, as in the runtime bench; the count then moves by ~±2,000
# between runs of one build).
# Bun's fetch crashes under Valgrind (its HTTP thread), so it is not counted.
set -euo pipefail
cd "$(dirname "$0")/.."
contender="${1:-reqivo}" path="${2:-/64k}" small="${3:-1000}" large="${4:-3000}"
command -v valgrind > /dev/null || { echo "valgrind is not installed" >&2; exit 2; }
bun_exe=$(readlink -f ../../node_modules/bun/bin/bun.exe)
coproc SERVER { exec node --import tsx src/client/canned-server.ts 1; }
trap 'kill "$SERVER_PID" 2> /dev/null || true' EXIT
read -r port <&"${SERVER[0]}"
count() {
  BUN_JSC_useConcurrentJIT=0 BUN_JSC_useConcurrentGC=0 \
    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
    "$bun_exe" src/client/runtime-sequential.ts "$port" "$contender" "$1" "$path" 2>&1 |
    awk '/I *refs:/ { gsub(",", "", $NF); print $NF }'
}
a=$(count "$small")
b=$(count "$large")
echo "$contender $path: $(((b - a) / (large - small))) instructions per request ($small→$large)"
