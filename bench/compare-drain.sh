#!/bin/sh
# compare-drain.sh - drain N echo jobs through heftd and through BullMQ, on
# this machine, against the same private Redis, and print both summary lines
# and the throughput ratio.  heft's speed goals are ratios against a peer
# measured in the same run (absolute figures depend on the machine and load).
#
#   bench/compare-drain.sh [N]          (N defaults to 100000)
#
# Env: HEFTD_FLAGS (default "--concurrency 2"), BULLMQ_FLAGS (extra flags for
# bench/peers/bullmq-drain.mjs, e.g. "--concurrency 100").
# Needs heftd and bench/heft-bench built (scripts/build), redis-server, node.
# Exits non-zero if either side reports failed jobs.
set -eu
cd "$(dirname "$0")/.."

jobs=${1:-100000}
heftd_flags=${HEFTD_FLAGS:---concurrency 2}
bullmq_flags=${BULLMQ_FLAGS:-}
limit=900   # seconds either bench may take, end to end

if [ ! -x heftd ] || [ ! -x bench/heft-bench ]; then
    echo "compare-drain: heftd or bench/heft-bench is not built; run scripts/build" >&2
    exit 1
fi
if [ ! -d bench/peers/node_modules ]; then
    echo "compare-drain: installing bench/peers (npm ci)" >&2
    npm ci --prefix bench/peers --no-audit --no-fund >&2
fi

NAME=compare-drain
. bench/lib.sh
start_redis

echo "compare-drain: jobs=$jobs redis=$(redis-server --version | sed 's/.* v=\([^ ]*\).*/\1/')" \
    "node=$(node --version) bullmq=$(node -p "require('./bench/peers/node_modules/bullmq/package.json').version")" \
    "$(./heftd --version | head -n 1); load:$(uptime | sed 's/.*load average://')" >&2

# heftd first, on its own: it must be serving before heft-bench starts.
# shellcheck disable=SC2086  # HEFTD_FLAGS is a list of flags
start_heftd $heftd_flags

status=0
bounded "$tmp/heft.out" - bench/heft-bench --redis "$url" --jobs "$jobs" --clients 2 \
    --mode drain --pid "$heftd_pid" || status=1
heft_line=$(cat "$tmp/heft.out")
stop_heftd

# Then BullMQ, alone, on an empty Redis.
redis-cli -p "$port" FLUSHALL >/dev/null
# shellcheck disable=SC2086
bounded "$tmp/bullmq.out" - node bench/peers/bullmq-drain.mjs --redis "$url" \
    --jobs "$jobs" $bullmq_flags || status=1
bullmq_line=$(cat "$tmp/bullmq.out")

echo "heft:   ${heft_line:-(no result)}"
echo "bullmq: ${bullmq_line:-(no result)}"
jps() { printf '%s\n' "$1" | sed -n 's/.*jobs_per_s=\([0-9]*\).*/\1/p'; }
h=$(jps "$heft_line") b=$(jps "$bullmq_line")
if [ -n "$h" ] && [ -n "$b" ] && [ "$b" -gt 0 ]; then
    awk -v h="$h" -v b="$b" 'BEGIN { printf "ratio heft/bullmq = %.2f\n", h / b }'
else
    echo "ratio heft/bullmq = n/a"
fi
exit "$status"
