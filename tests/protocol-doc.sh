#!/bin/sh
# Runs every `redis-cli` transcript of docs/protocol.md verbatim against a
# private redis-server and heftd, and checks each command prints exactly
# what the document says.  Also checks that the enqueue script printed in
# the document is the one heftd ships.
set -eu
. "${HEFT_SRCDIR:-.}/tests/lib.sh"

doc="$HEFT_SRCDIR/docs/protocol.md"

# The ```lua block of the document is the enqueue script, byte for byte.
awk '/^```lua$/ {on=1; next} /^```$/ {on=0} on' "$doc" > "$TEST_DIR/enqueue.lua"
cmp -s "$TEST_DIR/enqueue.lua" "$HEFT_SRCDIR/src/lua/enqueue.lua" ||
    fail "the script in docs/protocol.md differs from src/lua/enqueue.lua"

# Transcripts: "$ command" lines, each followed by its expected output.
awk '/^```console$/ {on=1; next} /^```$/ {on=0} on' "$doc" > "$TEST_DIR/transcript"
[ -s "$TEST_DIR/transcript" ] || fail "no transcripts found in docs/protocol.md"

start_redis
start_heftd --concurrency 2

# The commands are run as written; only the server they talk to is ours.
cat > "$TEST_DIR/redis-cli" <<WRAP
#!/bin/sh
exec "$REDIS_CLI" -p "$REDIS_PORT" "\$@"
WRAP
chmod +x "$TEST_DIR/redis-cli"

run_command() {
    (cd "$TEST_DIR" && PATH="$TEST_DIR:$PATH" timeout 30 bash -c "$1") \
        < /dev/null > "$TEST_DIR/actual" 2>&1 || true
    if ! diff -u "$TEST_DIR/expected" "$TEST_DIR/actual" > "$TEST_DIR/diff"; then
        cat "$TEST_DIR/diff" >&2
        fail "docs/protocol.md: \$ $1"
    fi
    ran=$((ran + 1))
}

ran=0
cmd=
: > "$TEST_DIR/expected"
while IFS= read -r line; do
    case "$line" in
    '$ '*)
        [ -n "$cmd" ] && run_command "$cmd"
        cmd=${line#\$ }
        : > "$TEST_DIR/expected" ;;
    *)
        printf '%s\n' "$line" >> "$TEST_DIR/expected" ;;
    esac
done < "$TEST_DIR/transcript"
[ -n "$cmd" ] && run_command "$cmd"
echo "protocol-doc: $ran commands from docs/protocol.md gave the documented output"
