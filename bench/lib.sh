# bench/lib.sh - shared by the comparison scripts (compare-drain.sh,
# compare-pdf.sh): a temporary directory, a private redis-server and heftd,
# and commands bounded in time, all stopped and removed when the script
# exits.  Sourced from the top of the source tree; the script sets NAME (for
# messages) first.  Gives: $tmp, $port, $url, $redis_pid, $heftd_pid.

tmp=$(mktemp -d "/tmp/heft-$NAME.XXXXXX")
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
start_redis() {
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
    [ -n "$redis_pid" ] || { echo "$NAME: could not start redis-server" >&2; exit 1; }
    url=redis://127.0.0.1:$port
}

# start_heftd FLAGS...: heftd against the private Redis, log in
# $tmp/heftd.log; returns once it is serving (its first heartbeat).
start_heftd() {
    ./heftd --redis "$url" "$@" >"$tmp/heftd.log" 2>&1 &
    heftd_pid=$!
    for i in $(seq 100); do
        [ "$(redis-cli -p "$port" ZCARD heft:workers)" -gt 0 ] && return 0
        if [ "$i" = 100 ] || ! kill -0 "$heftd_pid" 2>/dev/null; then
            echo "$NAME: heftd did not start serving; its log:" >&2
            sed 's/^/  /' "$tmp/heftd.log" >&2; exit 1
        fi
        sleep 0.1
    done
}

stop_heftd() {
    kill "$heftd_pid" 2>/dev/null || true; wait "$heftd_pid" 2>/dev/null || true; heftd_pid=''
}

# bounded OUTFILE ERRFILE CMD...: run CMD for at most $limit seconds (900
# unless the script set it), stdout to OUTFILE, stderr to ERRFILE (- leaves
# it on the script's stderr).  In the background plus wait, because sh
# holds a trapped signal until a foreground command ends, and timeout(1)
# gives CMD a process group of its own, so Ctrl-C would not stop it.
bounded() {
    out=$1 err=$2; shift 2
    if [ "$err" = - ]; then
        timeout "${limit:-900}" "$@" >"$out" &
    else
        timeout "${limit:-900}" "$@" >"$out" 2>"$err" &
    fi
    bench_pid=$!
    rc=0; wait "$bench_pid" || rc=$?
    bench_pid=''
    return "$rc"
}
