#!/bin/sh
# man-pages.sh - the man pages make install puts in place render without a
# single warning from groff (-ww); heftd(8) names every flag heftd --help
# knows, heftctl(1) every command heftctl help lists.
set -eu
: "${HEFT_BUILDDIR:=$(pwd)}"
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v groff >/dev/null 2>&1 || fail "groff is missing: apt-get install groff-base"

for page in heftd.8 heft.yaml.5 heftctl.1; do
    f="$HEFT_BUILDDIR/man/$page"
    [ -s "$f" ] || fail "$f was not built"
    out=$(LC_ALL=C.UTF-8 groff -man -ww -z "$f" 2>&1) || fail "groff fails on $page: $out"
    [ -z "$out" ] || fail "groff warns about $page: $out"
done
for flag in $("$HEFT_BUILDDIR/heftd" --help | grep -o -- '--[a-z-]*' | sort -u); do
    grep -q -- "$(printf '%s' "$flag" | sed 's/-/\\\\-/g')" "$HEFT_BUILDDIR/man/heftd.8" ||
        fail "heftd(8) does not document $flag"
done
for cmd in $("$HEFT_BUILDDIR/heftctl" help | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p'); do
    grep -Eq "^\.BR? (.* )?\"?$cmd\b" "$HEFT_BUILDDIR/man/heftctl.1" || fail "heftctl(1) does not document $cmd"
done
echo "man-pages: heftd(8), heft.yaml(5), heftctl(1) render cleanly and name every flag and command"
