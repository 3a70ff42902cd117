#!/bin/sh
# completion.sh - bash completion of heftctl (completion/heftctl): commands,
# each command's flags, the values of --state and --priority.
set -eu
: "${HEFT_SRCDIR:=$(pwd)}"
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v bash >/dev/null 2>&1 || { echo "completion: SKIP: no bash"; exit 77; }

# complete WORDS...: what _heftctl offers for the last word (may be empty)
complete_words() {
    bash -c '. "$1/completion/heftctl"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
             PATH=/nonexistent _heftctl; echo "${COMPREPLY[*]}"' sh "$HEFT_SRCDIR" "$@"
}
expect() {
    want=$1; shift
    got=$(complete_words "$@")
    [ "$got" = "$want" ] || fail "heftctl $*: offered '$got', expected '$want'"
}

expect "result resume retry" heftctl re
expect "purge" heftctl pu
expect "waiting active delayed retrying dead" heftctl jobs default --state ""
expect "dead waiting delayed" heftctl purge default --state ""
expect "high normal low" heftctl enqueue default echo '{}' --priority ""
expect "--wait" heftctl enqueue default echo '{}' --wa
expect "--dead" heftctl retry --de
expect "--yes" heftctl purge default --state dead --y
expect "queues" heftctl help que
echo "completion: commands, flags and values complete as expected"
