#!/bin/sh
# systemd-units.sh - the units make install puts in place are valid, and
# heft.service is hardened: `systemd-analyze verify` accepts heft.service
# and an instance of heft@.service, and `systemd-analyze security` rates
# heft.service's exposure 1.5 or lower (docs/systemd.md).
# ExecStart is pointed at the heftd just built (verify wants it to exist).
# Skipped (77) where systemd-analyze is missing.
set -eu
: "${HEFT_BUILDDIR:=$(pwd)}"
command -v systemd-analyze >/dev/null 2>&1 || { echo "systemd-units: SKIP: no systemd-analyze"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/heft-units.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

for unit in heft.service heft@.service; do
    src="$HEFT_BUILDDIR/systemd/$unit"
    [ -f "$src" ] || fail "$src was not built"
    name=$unit
    [ "$unit" = heft@.service ] && name=heft@demo.service
    sed "s|^ExecStart=[^ ]*/heftd|ExecStart=$HEFT_BUILDDIR/heftd|" "$src" > "$tmp/$name"
    systemd-analyze verify --man=no "$tmp/$name" > "$tmp/verify.out" 2>&1 ||
        { cat "$tmp/verify.out" >&2; fail "systemd-analyze verify rejects $unit"; }
    [ -s "$tmp/verify.out" ] && { cat "$tmp/verify.out" >&2; fail "systemd-analyze verify warns about $unit"; }
done

systemd-analyze security --offline=true "$tmp/heft.service" > "$tmp/security.out" 2>&1 || true
score=$(sed -n 's/.*Overall exposure level for heft.service: \([0-9.]*\).*/\1/p' "$tmp/security.out")
[ -n "$score" ] || { cat "$tmp/security.out" >&2; fail "no exposure level from systemd-analyze security"; }
awk -v s="$score" 'BEGIN { exit !(s <= 1.5) }' || fail "heft.service exposure $score is above 1.5"
echo "systemd-units: heft.service and heft@.service verify; heft.service exposure $score"
