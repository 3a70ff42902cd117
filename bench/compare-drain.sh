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

tmp=$(mktemp -d /tmp/heft-compare.XXXXXX)
redis_pid='' heftd_pid='' bench_pid=''
# shellcheck disable=SC2317  # runs from the EXIT trap
cleanup() {
    for p in $bench_pid $heftd_pid $redis_pid; do kill "$p" 2>/dev/null || true; done
    for p in $bench_pid $heftd_pid $redis_pid; do wait "$p" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A private Redis on a free loopback port: nothing else's keys or load in it.
port=$(( $$ % 20000 + 20000 ))
for _ in 1 2 3 4 5 6 7 8 9 10; do
    if ! ss -Hltn "sport = :$port" | grep -q .; then
        redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
            --dir "$tmp" --logfile "$tmp/redis.log" &
        redis_pid=$!
        for _ in $(seq 50); do
            redis-cli -p "$port" PING >/dev/null 2>&1 && break 2
            kill -0 "$redis_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true
        redis_pid=''
    fi
    port=$((port + 1))
done
[ -n "$redis_pid" ] || { echo "compare-drain: could not start redis-server" >&2; exit 1; }
url=redis://127.0.0.1:$port

# bounded OUTFILE CMD...: run CMD for at most $limit seconds, stdout to
# OUTFILE.  In the background plus wait, because sh holds a trapped signal
# until a foreground command ends, and timeout(1) gives CMD a process group
# of its own, so Ctrl-C would not stop it.
bounded() {
    out=$1; shift
    timeout "$limit" "$@" >"$out" &
    bench_pid=$!
    rc=0; wait "$bench_pid" || rc=$?
    bench_pid=''
    return "$rc"
}

echo "compare-drain: jobs=$jobs redis=$(redis-server --version | sed 's/.* v=\([^ ]*\).*/\1/')" \
    "node=$(node --version) bullmq=$(node -p "require('./bench/peers/node_modules/bullmq/package.json').version")" \
    "$(./heftd --version | head -n 1); load:$(uptime | sed 's/.*load average://')" >&2

# heftd first, on its own: it must be serving before heft-bench starts.
# shellcheck disable=SC2086  # HEFTD_FLAGS is a list of flags
./heftd --redis "$url" $heftd_flags >"$tmp/heftd.log" 2>&1 &
heftd_pid=$!
for i in $(seq 100); do
    [ "$(redis-cli -p "$port" ZCARD heft:workers)" -gt 0 ] && break
    if [ "$i" = 100 ] || ! kill -0 "$heftd_pid" 2>/dev/null; then
        echo "compare-drain: heftd did not start serving; its log:" >&2
        cat "$tmp/heftd.log" >&2; exit 1
    fi
    sleep 0.1
done

status=0
bounded "$tmp/heft.out" bench/heft-bench --redis "$url" --jobs "$jobs" --clients 2 \
    --mode drain --pid "$heftd_pid" || status=1
heft_line=$(cat "$tmp/heft.out")
kill "$heftd_pid" 2>/dev/null || true; wait "$heftd_pid" 2>/dev/null || true; heftd_pid=''

# Then BullMQ, alone, on an empty Redis.
redis-cli -p "$port" FLUSHALL >/dev/null
# shellcheck disable=SC2086
bounded "$tmp/bullmq.out" node bench/peers/bullmq-drain.mjs --redis "$url" \
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
