#!/bin/sh
# compare-hash.sh - SHA-256 through heftd (hash.digest) against
# `openssl dgst -sha256` on the same bytes, on this machine in one run:
# a file of --file-mib MiB (default 1024) under heftd's input_dirs, and a
# Redis string value of --key-mib MiB (default 256, redis_key input) against
# openssl on the same bytes in a file.  Prints MB/s of both sides, the ratio
# heft/openssl (the goal for the file is 0.90) and whether the digests match.
#
#   bench/compare-hash.sh [--runs N] [--file-mib N] [--key-mib N]
#
#   --runs N      digests per side and input, timed together (default 3)
#   --file-mib N  size of the file in MiB (default 1024), 0 skips it
#   --key-mib N   size of the Redis value in MiB (default 256), 0 skips it
#
# openssl: the file is read once first (page cache warm, as for heftd),
# then `openssl dgst -sha256 FILE` N times one after the other; its MB/s is
# N x size / their total wall time (process start included: a few ms).
# heftd: a private redis-server and `heftd --concurrency 1`, one warm-up
# job, then `heft-bench --mode drain --type hash.digest --jobs N --clients 1`
# (the jobs run one after the other on the one worker thread); MB/s is
# N x size / heft-bench's `seconds`, which counts from the queue's resume to
# the last outcome recorded: enqueue, fetch, digest and ack of each job.
# heftd's own CPU time per digest is printed too, and, as the ceiling of
# both, OpenSSL's SHA-256 over 1 MiB buffers already in memory (`openssl
# speed -evp sha256 -bytes 1048576`, no I/O).  The inputs live in a
# temporary directory (and the private Redis), removed at exit.
#
# Needs heftd and bench/heft-bench built (scripts/build), redis-server,
# redis-cli, openssl; about file-mib + 2 x key-mib MiB of disk under /tmp and
# 2 x key-mib MiB of memory for Redis.  Exits 1 on a setup error, a failed
# job or digests that differ.
set -eu
cd "$(dirname "$0")/.."

usage() {
    sed -n '/^#   bench/,/^#   --key-mib/s/^# \{0,1\}//p' "$0"
}
die() { echo "compare-hash: $*" >&2; exit 1; }

runs=3 file_mib=1024 key_mib=256
while [ $# -gt 0 ]; do
    case $1 in
    --runs|--file-mib|--key-mib)
        [ $# -ge 2 ] || die "$1 needs a value"
        case $2 in ''|*[!0-9]*) die "$1 must be a whole number, not '$2'" ;; esac
        case $1 in
        --runs) runs=$2 ;; --file-mib) file_mib=$2 ;; --key-mib) key_mib=$2 ;;
        esac
        shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "compare-hash: unknown argument $1" >&2; usage >&2; exit 1 ;;
    esac
done
[ "$runs" -gt 0 ] || die "--runs must be at least 1"
[ "$key_mib" -le 511 ] || die "--key-mib: a Redis string holds at most 512 MB"
[ -x heftd ] && [ -x bench/heft-bench ] ||
    die "heftd or bench/heft-bench is not built; run scripts/build"
for tool in redis-server redis-cli openssl; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (scripts/install-deps)"
done

NAME=compare-hash limit=1800
. bench/lib.sh

mkdir "$tmp/in"
cat > "$tmp/heft.yaml" <<EOF
jobs:
  types:
    hash.digest:
      timeout_ms: 600000
      input_dirs: ["$tmp/in"]
      input_key_prefixes: ["bench:"]
EOF
./heftd -c "$tmp/heft.yaml" --check-config > "$tmp/check.log" 2>&1 ||
    die "heftd refuses the config ($(head -n 1 "$tmp/check.log")); a heftd without redis_key input does"

start_redis
rcli() { redis-cli -p "$port" "$@"; }
field() { printf ' %s\n' "$2" | sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
cpu_ticks() { sed 's/^.*) //' "/proc/$heftd_pid/stat" | awk '{ print $12 + $13 }'; }
now() { date +%s.%N; }
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.0f", b / s / 1e6 }'; }
drop_jobs() {
    rcli --scan --pattern 'heft:{default}:job:*' | xargs -r -n 500 redis-cli -p "$port" UNLINK >/dev/null
}

echo "compare-hash: runs=$runs file=${file_mib} MiB key=${key_mib} MiB;" \
    "$(./heftd --version | head -n 1), $(openssl version);" \
    "load:$(uptime | sed 's/.*load average://')" >&2
start_heftd -c "$tmp/heft.yaml" --concurrency 1

# openssl_run FILE: sets o_s (seconds for $runs digests) and o_hex.
openssl_run() {
    cat "$1" > /dev/null
    t0=$(now)
    i=0
    while [ "$i" -lt "$runs" ]; do
        o_hex=$(openssl dgst -sha256 -r "$1" | cut -d' ' -f1)
        i=$((i + 1))
    done
    t1=$(now)
    o_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
}

# heft_run PAYLOAD N: N jobs drained; sets h_line, h_hex (one job's sha256)
# and h_err (empty when all succeeded).
heft_run() {
    h_err='' h_hex=''
    bounded "$tmp/heft.out" "$tmp/heft.err" bench/heft-bench --redis "$url" --mode drain \
        --type hash.digest --payload "$1" --jobs "$2" --clients 1 --pid "$heftd_pid" \
        --timeout 600 || true
    h_line=$(cat "$tmp/heft.out")
    h_hex=$(rcli --scan --pattern 'heft:{default}:job:*' | head -n 1 |
        xargs -r -I@ redis-cli -p "$port" HGET @ result |
        sed -n 's/.*"sha256":"\([0-9a-f]*\)".*/\1/p')
    drop_jobs
    if [ -z "$h_line" ]; then
        h_err="heft-bench: $(head -n 3 "$tmp/heft.err" | tr '\n' ' ')"
    elif [ "$(field failed "$h_line")" != 0 ]; then
        h_err="$(sed -n 's/.*did not succeed: //p' "$tmp/heft.err" | head -n 1)"
    fi
}

status=0 rows=''
# compare LABEL BYTES OPENSSL_FILE PAYLOAD
compare() {
    openssl_run "$3"
    heft_run "$4" 1
    if [ -z "$h_err" ]; then
        c0=$(cpu_ticks)
        heft_run "$4" "$runs"
        c1=$(cpu_ticks)
    fi
    if [ -n "$h_err" ]; then
        echo "compare-hash: heft, $1: $h_err" >&2
        rows="$rows| $1 | failed | | $(mbps $(($2 * runs)) "$o_s") | | no |
"
        status=1
        return
    fi
    echo "compare-hash: heft, $1: $h_line" >&2
    h_s=$(field seconds "$h_line")
    cpu=$(awk -v c="$((c1 - c0))" -v t="$(getconf CLK_TCK)" -v n="$runs" \
        'BEGIN { printf "%.0f", c * 1000 / t / n }')
    same=yes
    [ "$h_hex" = "$o_hex" ] || { same="NO ($h_hex vs $o_hex)"; status=1; }
    h=$(mbps $(($2 * runs)) "$h_s") o=$(mbps $(($2 * runs)) "$o_s")
    ratio=$(awk -v h="$h" -v o="$o" 'BEGIN { printf "%.2f", h / o }')
    rows="$rows| $1 | $h | $cpu | $o | $ratio | $same |
"
}

if [ "$file_mib" -gt 0 ]; then
    head -c $((file_mib << 20)) /dev/urandom > "$tmp/in/big.bin"
    compare "file, $file_mib MiB" $((file_mib << 20)) "$tmp/in/big.bin" \
        '{"algorithms":["sha256"],"file":"big.bin"}'
    rm -f "$tmp/in/big.bin"
fi
if [ "$key_mib" -gt 0 ]; then
    head -c $((key_mib << 20)) /dev/urandom > "$tmp/value.bin"
    rcli -x SET bench:value < "$tmp/value.bin" > /dev/null
    [ "$(rcli STRLEN bench:value)" = $((key_mib << 20)) ] || die "SET of the Redis value failed"
    compare "redis_key, $key_mib MiB" $((key_mib << 20)) "$tmp/value.bin" \
        '{"algorithms":["sha256"],"redis_key":"bench:value"}'
    rm -f "$tmp/value.bin"
    rcli DEL bench:value > /dev/null
fi

ceiling=$(openssl speed -evp sha256 -bytes 1048576 -seconds 3 2>/dev/null |
    awk '$1 == "sha256" { sub(/k$/, "", $2); printf "%.0f", $2 / 1000 }')

echo
echo "| input | heftd MB/s | heftd CPU ms/digest | openssl MB/s | heft/openssl | same sha256 |"
echo "|---|---|---|---|---|---|"
printf '%s' "$rows"
echo
echo "(ceiling, SHA-256 of 1 MiB buffers in memory, openssl speed: ${ceiling:-?} MB/s)"
echo "(MB = 10^6 bytes; $runs digests per side; heftd: one worker thread, wall time from the" \
    "queue's resume to the last outcome; openssl: openssl dgst -sha256 on a file in the page cache.)"
exit "$status"
