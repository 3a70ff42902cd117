#!/bin/sh
# Renders every document definition of pdfmake's own examples
# (../shared/conformance/pdfmake/*.json, beside the source tree, or
# $HEFT_CONFORMANCE_DIR) with heft and with pdfmake (npm, the version
# tests/conformance/package-lock.json pins, its own Roboto), and compares what
# pdftotext extracts from both: the page count, and the share of pdfmake's
# words that heft's PDF has in the same order (a minimal diff of the two word
# lists).  Prints a markdown table (docs/pdf.md, "Conformance with pdfmake").
#
# heftd runs with Roboto from Debian's fonts-roboto-unhinted registered
# (jobs.types.pdf.render.fonts, default_font) and the corpus folder as image
# directory (image_dirs); a heftd that does not know one of these settings
# yet refuses it, and the documents are then rendered without it (the output
# says so).  Documents are sent as pdf.render jobs the way docs/protocol.md
# says (tests/conformance/render-heft.mjs).
#
# Result per document, best first: match (same page count, and at least 98 %
# of each side's words found in order in the other), differs (rendered, but
# not a match), unsupported (heft failed the job with the code `unsupported`,
# whose message names the feature), failed (any other failure: a bug).
# tests/conformance/expected.txt gives each document's expected result (one
# of these four words; `#` starts a comment); the test fails when a document
# does worse than expected, or has no expectation.  Skipped (exit 77) when the corpus, node 20+, npm, pdftotext
# or the npm registry is missing.
set -eu

skip() {
    echo "SKIP: pdfmake-conformance: $*"
    exit 77
}
: "${HEFT_SRCDIR:=.}"
corpus=${HEFT_CONFORMANCE_DIR:-$HEFT_SRCDIR/../shared/conformance/pdfmake}
[ -d "$corpus" ] || skip "the corpus $corpus is absent (set HEFT_CONFORMANCE_DIR to its folder)"
corpus=$(cd "$corpus" && pwd)
command -v node >/dev/null 2>&1 || skip "node not found (scripts/install-deps installs nodejs and npm)"
command -v npm >/dev/null 2>&1 || skip "npm not found (scripts/install-deps installs it)"
node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' ||
    skip "node $(node --version) is older than 20 (pdfmake 0.3 needs 20)"
command -v pdftotext >/dev/null 2>&1 && command -v pdfinfo >/dev/null 2>&1 ||
    skip "pdftotext or pdfinfo not found (scripts/install-deps installs poppler-utils)"

. "$HEFT_SRCDIR/tests/lib.sh"

expected=$HEFT_SRCDIR/tests/conformance/expected.txt
[ -f "$expected" ] || fail "$expected is missing"
cp "$HEFT_SRCDIR"/tests/conformance/*.mjs "$HEFT_SRCDIR/src/lua/enqueue.lua" "$TEST_DIR/"
npm_ci "$HEFT_SRCDIR/tests/conformance"
mkdir "$TEST_DIR/heft" "$TEST_DIR/pdfmake"

# heftd's settings for pdf.render, each kept only if this heftd accepts it.
cp "$HEFT_SRCDIR/tests/conformance/roboto.yaml" "$TEST_DIR/fonts.yaml"
cat > "$TEST_DIR/image_dirs.yaml" <<EOF
      image_dirs: ["$corpus"]
EOF
printf 'jobs:\n  types:\n    pdf.render:\n      timeout_ms: 60000\n' > "$TEST_DIR/heft.yaml"
for setting in fonts image_dirs; do
    cat "$TEST_DIR/heft.yaml" "$TEST_DIR/$setting.yaml" > "$TEST_DIR/try.yaml"
    if "$HEFT_BUILDDIR/heftd" -c "$TEST_DIR/try.yaml" --check-config > "$TEST_DIR/check.log" 2>&1; then
        mv "$TEST_DIR/try.yaml" "$TEST_DIR/heft.yaml"
    else
        echo "NOTE: heftd refuses the $setting setting ($(head -n 1 "$TEST_DIR/check.log")): rendering without it"
    fi
done

start_redis
start_heftd -c "$TEST_DIR/heft.yaml" --concurrency 2

set -- "$corpus"/*.json
[ -e "$1" ] || skip "no document definitions (*.json) in $corpus"
(cd "$TEST_DIR" && HEFT_REDIS_URL="redis://127.0.0.1:$REDIS_PORT" timeout 600 \
    node render-heft.mjs enqueue.lua heft "$@") || fail "render-heft.mjs failed"
(cd "$TEST_DIR" && timeout 600 node render-pdfmake.mjs pdfmake "$@" 2> pdfmake.log) ||
    { sed 's/^/  pdfmake: /' "$TEST_DIR/pdfmake.log" >&2; fail "render-pdfmake.mjs failed"; }

# pdf_text PDF DOCDEF OUT: its text, and its page count on stdout; the owner
# password of a document that sets one unlocks the text (copying: false).
pdf_text() {
    pdf=$1 txt=$3
    pw=$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).ownerPassword || ""' "$2")
    set -- ${pw:+-opw "$pw"}
    pdftotext "$@" -enc UTF-8 "$pdf" "$txt" 2>/dev/null || return 1
    pdfinfo "$@" "$pdf" 2>/dev/null | sed -n 's/^Pages: *//p'
}

rank() {
    case $1 in match) echo 3 ;; differs) echo 2 ;; unsupported) echo 1 ;; *) echo 0 ;; esac
}
# Markdown table cells: no pipes, no line breaks.
cell() { printf '%s' "$1" | tr '\n|' ' /'; }

echo
echo "| document | pdfmake pages | heft pages | words in order | result | notes |"
echo "|---|---|---|---|---|---|"
worse='' better=''
for doc in "$@"; do
    name=$(basename "$doc" .json)
    pm_pages='' heft_pages='' words='' notes=''
    if [ -f "$TEST_DIR/pdfmake/$name.err" ]; then
        pm_pages=error
        notes="pdfmake failed: $(cat "$TEST_DIR/pdfmake/$name.err")"
    else
        pm_pages=$(pdf_text "$TEST_DIR/pdfmake/$name.pdf" "$doc" "$TEST_DIR/pdfmake/$name.txt") ||
            fail "pdftotext cannot read pdfmake's $name.pdf"
    fi
    if [ -f "$TEST_DIR/heft/$name.err" ]; then
        err=$(cat "$TEST_DIR/heft/$name.err")
        case $err in unsupported:*) result=unsupported ;; *) result=failed ;; esac
        heft_pages=-
        notes="${notes:+$notes; }$err"
    elif ! heft_pages=$(pdf_text "$TEST_DIR/heft/$name.pdf" "$doc" "$TEST_DIR/heft/$name.txt"); then
        result=failed heft_pages=-
        notes="${notes:+$notes; }pdftotext cannot read heft's PDF"
    elif [ "$pm_pages" = error ]; then
        result=differs
    else
        node "$TEST_DIR/words.mjs" "$TEST_DIR/pdfmake/$name.txt" "$TEST_DIR/pdfmake/$name.words"
        node "$TEST_DIR/words.mjs" "$TEST_DIR/heft/$name.txt" "$TEST_DIR/heft/$name.words"
        diff --minimal "$TEST_DIR/pdfmake/$name.words" "$TEST_DIR/heft/$name.words" \
            > "$TEST_DIR/$name.diff" || true
        pm_n=$(wc -l < "$TEST_DIR/pdfmake/$name.words")
        heft_n=$(wc -l < "$TEST_DIR/heft/$name.words")
        missing=$(grep -c '^<' "$TEST_DIR/$name.diff" || true)
        extra=$(grep -c '^>' "$TEST_DIR/$name.diff" || true)
        common=$((pm_n - missing))
        words=$(awk -v c="$common" -v n="$pm_n" \
            'BEGIN { printf "%.1f %% (%d/%d)", n ? c * 100 / n : 100, c, n }')
        if [ "$pm_pages" = "$heft_pages" ] && [ $((missing * 50)) -le "$pm_n" ] &&
                [ $((extra * 50)) -le "$heft_n" ]; then
            result=match
        else
            result=differs
        fi
        [ "$pm_pages" = "$heft_pages" ] || notes="${notes:+$notes; }pages differ"
        # Words missing from the common sequence are either elsewhere in
        # heft's text (another reading order: columns, floats) or not there.
        for side in pdfmake heft; do
            LC_ALL=C sort "$TEST_DIR/$side/$name.words" > "$TEST_DIR/$side/$name.sorted"
        done
        LC_ALL=C comm -23 "$TEST_DIR/pdfmake/$name.sorted" "$TEST_DIR/heft/$name.sorted" > "$TEST_DIR/$name.only-pdfmake"
        LC_ALL=C comm -13 "$TEST_DIR/pdfmake/$name.sorted" "$TEST_DIR/heft/$name.sorted" > "$TEST_DIR/$name.only-heft"
        moved=$((missing - $(wc -l < "$TEST_DIR/$name.only-pdfmake")))
        [ "$moved" = 0 ] || notes="${notes:+$notes; }$moved words in another order"
        [ ! -s "$TEST_DIR/$name.only-pdfmake" ] ||
            notes="${notes:+$notes; }only in pdfmake's: $(head -n 6 "$TEST_DIR/$name.only-pdfmake" | tr '\n' ' ')"
        [ ! -s "$TEST_DIR/$name.only-heft" ] ||
            notes="${notes:+$notes; }only in heft's: $(head -n 6 "$TEST_DIR/$name.only-heft" | tr '\n' ' ')"
    fi
    echo "| $name | $pm_pages | $heft_pages | ${words:--} | $result | $(cell "$notes") |"

    want=$(awk -v n="$name" '$1 == n { print $2 }' "$expected")
    case $want in
    ''|match|differs|unsupported|failed) ;;
    *) fail "tests/conformance/expected.txt: $name: '$want' is not match, differs, unsupported or failed" ;;
    esac
    if [ -z "$want" ]; then
        worse="$worse
$name: $result, but tests/conformance/expected.txt has no line for it"
    elif [ "$(rank "$result")" -lt "$(rank "$want")" ]; then
        worse="$worse
$name: $result, expected $want"
    elif [ "$(rank "$result")" -gt "$(rank "$want")" ]; then
        better="$better
NOTE: $name: $result, better than expected ($want): update tests/conformance/expected.txt"
    fi
done
echo
[ -z "$better" ] || echo "${better#?}"

if [ -n "$worse" ]; then
    echo "FAIL: pdfmake-conformance: documents doing worse than tests/conformance/expected.txt says:$worse" >&2
    exit 1
fi
echo "pdfmake-conformance: $# documents, none worse than tests/conformance/expected.txt"
