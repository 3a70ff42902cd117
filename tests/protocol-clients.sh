#!/bin/sh
# Runs the Node.js (ioredis) and PHP (phpredis) examples of docs/protocol.md
# verbatim against a private redis-server and heftd, and checks that each
# printed the succeeded reply of the job it enqueued:
#  1. with the enqueue script not in Redis's script cache (SCRIPT FLUSH, and
#     heftd, which loads all its scripts, not started yet): the PHP example's
#     EVALSHA gets NOSCRIPT and falls back to EVAL; also checks that ioredis
#     recovers from NOSCRIPT as the comment in the Node example says;
#  2. with heftd running and the script cached: plain EVALSHA.
# Needs node (18 or newer) and npm, php and its redis extension: skipped
# (exit 77) when one is missing or the npm registry cannot be reached.
set -eu

skip() {
    echo "SKIP: protocol-clients: $*"
    exit 77
}
command -v node >/dev/null 2>&1 || skip "node not found (scripts/install-deps installs nodejs and npm)"
command -v npm >/dev/null 2>&1 || skip "npm not found (scripts/install-deps installs it)"
node -e 'process.exit(+process.versions.node.split(".")[0] >= 18 ? 0 : 1)' ||
    skip "node $(node --version) is older than 18"
command -v php >/dev/null 2>&1 || skip "php not found (scripts/install-deps installs php-cli)"
php -r 'exit(extension_loaded("redis") ? 0 : 1);' ||
    skip "the redis extension of php is not loaded (scripts/install-deps installs php-redis)"

. "${HEFT_SRCDIR:-.}/tests/lib.sh"

doc="$HEFT_SRCDIR/docs/protocol.md"

# The examples as printed, next to the enqueue script they read.
for lang in js php; do
    [ "$(grep -c "^\`\`\`$lang\$" "$doc")" = 1 ] || fail "docs/protocol.md must have one \`\`\`$lang block"
done
awk '/^```js$/ {on=1; next} /^```$/ {on=0} on' "$doc" > "$TEST_DIR/heft-example.mjs"
awk '/^```php$/ {on=1; next} /^```$/ {on=0} on' "$doc" > "$TEST_DIR/example.php"
cp "$HEFT_SRCDIR/src/lua/enqueue.lua" "$TEST_DIR/enqueue.lua"
sha=$(sha1sum "$TEST_DIR/enqueue.lua" | cut -c1-40)

# ioredis, at the version tests/clients/package-lock.json pins.
npm_ci "$HEFT_SRCDIR/tests/clients"

start_redis
url="redis://127.0.0.1:$REDIS_PORT"
rcli() { "$REDIS_CLI" -p "$REDIS_PORT" "$@"; }

# calls CMD: how many times Redis ran CMD since the last CONFIG RESETSTAT.
calls() {
    rcli INFO commandstats | tr -d '\r' | sed -n "s/^cmdstat_$1:calls=\([0-9]*\),.*/\1/p" | grep . || echo 0
}

# start_example node|php ROUND: runs the example in the background (PID in
# $pid); its output goes to $TEST_DIR/NAME.ROUND.out.
start_example() {
    case $1 in
    node) set -- "$1" "$2" node heft-example.mjs ;;
    php) set -- "$1" "$2" php example.php ;;
    esac
    out="$TEST_DIR/$1.$2.out"
    shift 2
    (cd "$TEST_DIR" && HEFT_REDIS_URL="$url" exec timeout 60 "$@") < /dev/null > "$out" 2>&1 &
    pid=$!
}

# wait_enqueued NAME ROUND PID N: waits until the example has enqueued its
# job, the Nth of the normal stream.
wait_enqueued() {
    for _ in $(seq 200); do
        [ "$(rcli XLEN 'heft:{default}:ready:normal')" -ge "$4" ] && return 0
        kill -0 "$3" 2>/dev/null || break
        sleep 0.05
    done
    sed 's/^/  /' "$TEST_DIR/$1.$2.out" >&2
    fail "the $1 example ($2) did not enqueue its job"
}

# check_example NAME ROUND PID: waits for the example; it must have printed
# the reply of a job that succeeded with the payload as result.
check_example() {
    out="$TEST_DIR/$1.$2.out"
    status=0
    wait "$3" || status=$?
    if [ "$status" != 0 ]; then
        sed 's/^/  /' "$out" >&2
        fail "the $1 example ($2) exited with status $status"
    fi
    reply=$(tail -n 1 "$out")
    case "$reply" in
    '{"id":"'*'","state":"succeeded","result":{"hello":"world"}}') ;;
    *)  sed 's/^/  /' "$out" >&2
        fail "the $1 example ($2) did not print the reply of a succeeded job" ;;
    esac
    id=${reply#'{"id":"'}
    id=${id%%'"'*}
    [ "$(rcli HGET "heft:{default}:job:$id" state)" = succeeded ] &&
        [ "$(rcli HGET "heft:{default}:job:$id" result)" = '{"hello":"world"}' ] ||
        fail "the $1 example ($2) printed job $id, which did not succeed with {\"hello\":\"world\"}"
    echo "$1 ($2): $reply"
}

# 1. Script not cached.  Only the examples talk to Redis until heftd starts.
rcli SCRIPT FLUSH > /dev/null
[ "$(rcli SCRIPT EXISTS "$sha")" = 0 ] || fail "enqueue.lua is still cached after SCRIPT FLUSH"

rcli CONFIG RESETSTAT > /dev/null
start_example node uncached
node_pid=$pid
wait_enqueued node uncached "$node_pid" 1
[ "$(calls eval)" = 1 ] && [ "$(calls evalsha)" = 0 ] ||
    fail "the node example sent $(calls evalsha) EVALSHA, $(calls eval) EVAL; expected 0, 1 (ioredis: EVAL on a connection's first call)"

# The Node example's claim about defineCommand: after a SCRIPT FLUSH, the
# next call on the same connection gets NOSCRIPT and is sent again as EVAL.
cat > "$TEST_DIR/noscript.mjs" <<'EOF'
import Redis from "ioredis";
import { readFileSync } from "node:fs";

const redis = new Redis(process.env.HEFT_REDIS_URL);
redis.defineCommand("heftEnqueue", { numberOfKeys: 5, lua: readFileSync("enqueue.lua", "utf8") });
const k = "heft:{noscript}:";
const enqueue = (id) => redis.heftEnqueue(k + "job:" + id, k + "ready:high", k + "ready:normal",
                                          k + "ready:low", k + "delayed", id, "echo", "{}", "");
const first = await enqueue("a");
await redis.script("FLUSH");
const second = await enqueue("b");
console.log(first, second);
await redis.quit();
EOF
rcli CONFIG RESETSTAT > /dev/null
noscript=$(cd "$TEST_DIR" && HEFT_REDIS_URL="$url" timeout 60 node noscript.mjs 2>&1) ||
    { echo "$noscript" | sed 's/^/  /' >&2; fail "ioredis did not recover from NOSCRIPT"; }
[ "$noscript" = "1 1" ] && [ "$(calls eval)" = 2 ] && [ "$(calls evalsha)" = 1 ] ||
    fail "ioredis after SCRIPT FLUSH: printed '$noscript', sent $(calls evalsha) EVALSHA, $(calls eval) EVAL; expected '1 1', 1 (NOSCRIPT), 2"
echo "ioredis: EVAL, then EVALSHA answered NOSCRIPT after SCRIPT FLUSH, then EVAL again"

# The PHP example last: it waits only 5 s for its result.
rcli CONFIG RESETSTAT > /dev/null
rcli SCRIPT FLUSH > /dev/null
start_example php uncached
php_pid=$pid
wait_enqueued php uncached "$php_pid" 2
[ "$(calls evalsha)" = 1 ] && [ "$(calls eval)" = 1 ] ||
    fail "the php example sent $(calls evalsha) EVALSHA, $(calls eval) EVAL; expected 1 (NOSCRIPT), then 1"

start_heftd --concurrency 2
check_example node uncached "$node_pid"
check_example php uncached "$php_pid"

# 2. heftd loaded its scripts, enqueue.lua among them: EVALSHA finds it.
[ "$(rcli SCRIPT EXISTS "$sha")" = 1 ] || fail "enqueue.lua is not cached while heftd runs"
for name in node php; do
    start_example "$name" cached
    check_example "$name" cached "$pid"
done

echo "protocol-clients: node and php examples from docs/protocol.md ran against heftd (script uncached and cached)"
