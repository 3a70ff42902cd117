# tests/lib.sh - shared by the shell tests: a private redis-server and heftd
# in a temporary directory, stopped and removed when the test exits.
# Sourced; expects HEFT_BUILDDIR and HEFT_SRCDIR (set by make check).

: "${HEFT_BUILDDIR:=$(pwd)}"
: "${HEFT_SRCDIR:=$HEFT_BUILDDIR}"
REDIS_SERVER=$(command -v "${REDIS_SERVER:-redis-server}") || { echo "redis-server not found: apt-get install redis-server" >&2; exit 1; }
REDIS_CLI=$(command -v "${REDIS_CLI:-redis-cli}") || { echo "redis-cli not found: apt-get install redis-tools" >&2; exit 1; }

TEST_DIR=$(mktemp -d "${TMPDIR:-/tmp}/heft-test.XXXXXX")
REDIS_PID=
HEFTD_PID=

cleanup() {
    [ -n "$HEFTD_PID" ] && kill -TERM "$HEFTD_PID" 2>/dev/null && wait "$HEFTD_PID" 2>/dev/null
    [ -n "$REDIS_PID" ] && kill -TERM "$REDIS_PID" 2>/dev/null && wait "$REDIS_PID" 2>/dev/null
    rm -rf "$TEST_DIR"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    [ -f "$TEST_DIR/heftd.log" ] && sed 's/^/  heftd: /' "$TEST_DIR/heftd.log" >&2
    exit 1
}

# A free TCP port on loopback, picked by the kernel.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
        echo $((20000 + $$ % 20000))
}

start_redis() {
    REDIS_PORT=$(free_port)
    "$REDIS_SERVER" --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
        --dir "$TEST_DIR" --logfile "$TEST_DIR/redis.log" &
    REDIS_PID=$!
    for _ in $(seq 50); do
        "$REDIS_CLI" -p "$REDIS_PORT" PING >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    fail "redis-server did not start on port $REDIS_PORT"
}

# start_heftd [heftd flags...]: runs until cleanup; waits for its heartbeat.
start_heftd() {
    HEFT_REDIS_URL="redis://127.0.0.1:$REDIS_PORT" "$HEFT_BUILDDIR/heftd" "$@" \
        >>"$TEST_DIR/heftd.log" 2>&1 &
    HEFTD_PID=$!
    for _ in $(seq 100); do
        [ "$("$REDIS_CLI" -p "$REDIS_PORT" ZCARD heft:workers)" -gt 0 ] 2>/dev/null && return 0
        kill -0 "$HEFTD_PID" 2>/dev/null || fail "heftd exited at start"
        sleep 0.05
    done
    fail "heftd did not send a heartbeat"
}

# npm_ci DIR: installs the packages that DIR/package-lock.json pins into
# $TEST_DIR/node_modules (scripts run from $TEST_DIR find them there).
# Skips the test (exit 77) when the npm registry cannot be reached; any other
# npm failure fails it.
npm_ci() {
    cp "$1/package.json" "$1/package-lock.json" "$TEST_DIR/"
    if ! (cd "$TEST_DIR" && timeout 300 npm ci --prefer-offline --ignore-scripts --no-audit --no-fund \
            --loglevel=error --fetch-timeout=30000 --fetch-retries=2 --fetch-retry-maxtimeout=5000 \
            --fetch-retry-mintimeout=1000) > "$TEST_DIR/npm.log" 2>&1; then
        if ! timeout 60 npm ping --fetch-retries=0 --fetch-timeout=20000 > /dev/null 2>&1; then
            echo "SKIP: $(basename "$0" .sh): the npm registry ($(npm config get registry)) cannot be reached" \
                "to install the packages of ${1#"$HEFT_SRCDIR"/}"
            exit 77
        fi
        sed 's/^/  npm: /' "$TEST_DIR/npm.log" >&2
        fail "npm ci of ${1#"$HEFT_SRCDIR"/}/package-lock.json failed"
    fi
}
