#!/bin/sh
# man-pages.sh - the man pages make install puts in place render without a
# single warning from groff (-ww), and name every flag heftd --help knows.
set -eu
: "${HEFT_BUILDDIR:=$(pwd)}"
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v groff >/dev/null 2>&1 || fail "groff is missing: apt-get install groff-base"

for page in heftd.8 heft.yaml.5; do
    f="$HEFT_BUILDDIR/man/$page"
    [ -s "$f" ] || fail "$f was not built"
    out=$(LC_ALL=C.UTF-8 groff -man -ww -z "$f" 2>&1) || fail "groff fails on $page: $out"
    [ -z "$out" ] || fail "groff warns about $page: $out"
done
for flag in $("$HEFT_BUILDDIR/heftd" --help | grep -o -- '--[a-z-]*' | sort -u); do
    grep -q -- "$(printf '%s' "$flag" | sed 's/-/\\\\-/g')" "$HEFT_BUILDDIR/man/heftd.8" ||
        fail "heftd(8) does not document $flag"
done
echo "man-pages: heftd(8) and heft.yaml(5) render cleanly; heftd(8) names every flag"
