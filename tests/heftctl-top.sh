#!/bin/sh
# heftctl-top.sh - heftctl top in a real terminal (tmux): it draws the
# queues, the rate and the workers with busy bars, redraws as jobs come and
# go, quits on q with exit code 0 and gives the terminal back.
set -eu
. "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null 2>&1 || fail "tmux is missing: apt-get install tmux"

start_redis
start_heftd --concurrency 2
session="heft-top-$$"
export TMUX_TMPDIR="$TEST_DIR"            # a private tmux server
trap 'tmux kill-server 2>/dev/null || true; cleanup' EXIT

tmux new-session -d -s "$session" -x 150 -y 40 \
    "HEFT_REDIS_URL=redis://127.0.0.1:$REDIS_PORT $HEFT_BUILDDIR/heftctl top --interval 200; echo \"top exited \$?\"; sleep 30"

# screen_has TEXT [SECONDS]: wait until the pane shows TEXT
screen_has() {
    for _ in $(seq $((${2:-5} * 10))); do
        tmux capture-pane -p -t "$session" > "$TEST_DIR/screen" 2>/dev/null || true
        grep -qF -- "$1" "$TEST_DIR/screen" && return 0
        sleep 0.1
    done
    sed 's/^/  screen: /' "$TEST_DIR/screen" >&2
    fail "the screen never showed: $1"
}

screen_has "heftctl top"
screen_has "QUEUE"
screen_has "jobs ended:"
screen_has "[--] 0/2"                     # two idle worker threads

# two long jobs: both threads busy, the bar full, the jobs active
"$REDIS_CLI" -p "$REDIS_PORT" EVAL "$(cat "$HEFT_SRCDIR/src/lua/enqueue.lua")" 5 \
    'heft:{default}:job:a' 'heft:{default}:ready:high' 'heft:{default}:ready:normal' \
    'heft:{default}:ready:low' 'heft:{default}:delayed' a echo '{"sleep_ms":3000}' '' >/dev/null
"$REDIS_CLI" -p "$REDIS_PORT" EVAL "$(cat "$HEFT_SRCDIR/src/lua/enqueue.lua")" 5 \
    'heft:{default}:job:b' 'heft:{default}:ready:high' 'heft:{default}:ready:normal' \
    'heft:{default}:ready:low' 'heft:{default}:delayed' b echo '{"sleep_ms":3000}' '' >/dev/null
screen_has "[##] 2/2"

tmux send-keys -t "$session" q
screen_has "top exited 0"
# the alternate screen is gone: top's table is no longer on the screen
grep -qF "QUEUE" "$TEST_DIR/screen" && fail "top's screen is still shown after q"
echo "heftctl-top: drew queues, rate and busy bars, redrew, quit on q with 0"
