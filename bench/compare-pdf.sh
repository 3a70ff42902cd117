#!/bin/sh
# compare-pdf.sh - render one pdfmake document definition (by default the
# 4-page, 150-line invoice ../shared/bench/invoice-150.json) through heftd
# and through pdfmake in Node, on this machine in one run, and print ms per
# document, documents per second per core and the ratio heft/pdfmake, with
# base-14 Helvetica and with an embedded TrueType font (Roboto); then render
# it 10,000 times through heftd, sampling heftd's VmRSS every 1,000 renders,
# to show whether its memory stays flat.
#
#   bench/compare-pdf.sh [--jobs N] [--docs N] [--rss-jobs N] [--flatten] [DOCDEF.json]
#
#   --jobs N      heft renders per variant, timed (default 1000)
#   --docs N      pdfmake renders per variant, timed (default 200)
#   --rss-jobs N  renders of the RSS run, a multiple of 1000, or 0 to skip it
#                 (default 10000)
#   --flatten     render the document with its columns and tables replaced
#                 by stacks (bench/docdef-variant.mjs): for trying the bench
#                 on a heft without tables/columns; not the benchmark's figures
#
# Per core: heftd runs with --concurrency 1 (one worker thread) and
# heft-bench --mode drain counts completions of N identical jobs; pdfmake
# renders N times one after the other in one Node process (after a warm-up),
# bench/peers/pdfmake-render.mjs.  Both start from the JSON text of the
# document.  heftd's own CPU time per document (utime+stime from /proc) is
# printed too: the wall time also holds Redis and the bench, which share the
# machine.
#
# heftd's config registers Roboto from Debian's fonts-roboto-unhinted as the
# family `Roboto` and the default font (jobs.types.pdf.render.fonts and
# default_font, docs/pdf.md).  A heftd from before those settings refuses
# them; the script then says so and falls back to heft's built-in `Roboto`
# (which is DejaVu Sans there), still an embedded TrueType font.
#
# Needs heftd and bench/heft-bench built (scripts/build), redis-server,
# redis-cli, node 20+, npm (installs bench/peers on first use).  Exits 77
# (skipped) when the document is absent, 1 on a setup error or when a side
# failed to render the document (its error is printed instead of figures).
set -eu
cd "$(dirname "$0")/.."

usage() {
    sed -n '/^#   bench/,/^#  *on a heft/s/^# \{0,1\}//p' "$0"
}
die() { echo "compare-pdf: $*" >&2; exit 1; }

jobs=1000 docs=200 rss_jobs=10000 flatten='' docdef=../shared/bench/invoice-150.json
while [ $# -gt 0 ]; do
    case $1 in
    --jobs|--docs|--rss-jobs)
        [ $# -ge 2 ] || die "$1 needs a value"
        case $2 in ''|*[!0-9]*) die "$1 must be a whole number, not '$2'" ;; esac
        case $1 in
        --jobs) jobs=$2 ;; --docs) docs=$2 ;; --rss-jobs) rss_jobs=$2 ;;
        esac
        shift 2 ;;
    --flatten) flatten=--flatten; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "compare-pdf: unknown flag $1" >&2; usage >&2; exit 1 ;;
    *) docdef=$1; shift ;;
    esac
done
[ "$jobs" -gt 0 ] && [ "$docs" -gt 0 ] || die "--jobs and --docs must be at least 1"
[ $((rss_jobs % 1000)) = 0 ] || die "--rss-jobs must be a multiple of 1000 (RSS is sampled every 1000 renders)"

if [ ! -f "$docdef" ]; then
    echo "compare-pdf: SKIP: $docdef is absent (the shared benchmark documents are not on this machine)" >&2
    exit 77
fi
[ -x heftd ] && [ -x bench/heft-bench ] ||
    die "heftd or bench/heft-bench is not built; run scripts/build"
for tool in redis-server redis-cli node npm; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (scripts/install-deps)"
done
if [ ! -d bench/peers/node_modules/pdfmake ]; then
    echo "compare-pdf: installing bench/peers (npm ci)" >&2
    npm ci --prefix bench/peers --no-audit --no-fund --loglevel=error >&2 ||
        die "npm ci --prefix bench/peers failed"
fi

NAME=compare-pdf limit=1800
. bench/lib.sh

# The two variants, the same JSON for both sides.
for v in helvetica:Helvetica roboto:Roboto; do
    node bench/docdef-variant.mjs --font "${v#*:}" $flatten "$docdef" "$tmp/${v%%:*}.json" ||
        die "cannot make the ${v#*:} variant of $docdef"
done

# heftd's config: Roboto from Debian's fonts-roboto-unhinted, if this heftd
# knows font settings and the files are there.
roboto=/usr/share/fonts/truetype/roboto/unhinted/RobotoTTF
printf 'jobs:\n  types:\n    pdf.render:\n' | cat - tests/conformance/roboto.yaml > "$tmp/heft.yaml"
heft_font="Roboto (Debian fonts-roboto-unhinted, $roboto)"
if [ ! -f "$roboto/Roboto-Regular.ttf" ]; then
    echo "compare-pdf: NOTE: $roboto is missing (apt-get install fonts-roboto-unhinted):" \
        "heft renders its built-in Roboto instead" >&2
    : > "$tmp/heft.yaml"
    heft_font="heft's built-in Roboto (fonts-roboto-unhinted missing)"
elif ! ./heftd -c "$tmp/heft.yaml" --check-config > "$tmp/check.log" 2>&1; then
    echo "compare-pdf: NOTE: heftd refuses the font settings ($(head -n 1 "$tmp/check.log"));" \
        "a heftd from before jobs.types.pdf.render.fonts does: heft renders its built-in" \
        "Roboto (DejaVu Sans) instead, so its roboto figures are not comparable with pdfmake's" >&2
    : > "$tmp/heft.yaml"
    heft_font="heft's built-in Roboto = DejaVu Sans (this heftd has no font settings)"
fi

start_redis
rcli() { redis-cli -p "$port" "$@"; }

# field NAME LINE: the value of NAME=... in a summary line.
field() { printf ' %s\n' "$2" | sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
# heftd's CPU time so far, in clock ticks (utime + stime, /proc/PID/stat).
cpu_ticks() { sed 's/^.*) //' "/proc/$heftd_pid/stat" | awk '{ print $12 + $13 }'; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$heftd_pid/status"; }
hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$heftd_pid/status"; }
# The bench's jobs keep their hashes (and PDF blobs) until result_ttl: drop
# them after each run, so that Redis does not grow by a PDF per render.
drop_jobs() {
    rcli --scan --pattern 'heft:{default}:job:*' | xargs -r -n 500 redis-cli -p "$port" UNLINK >/dev/null
}

echo "compare-pdf: $(basename "$docdef")${flatten:+ (flattened)}: heft jobs=$jobs, pdfmake docs=$docs;" \
    "$(./heftd --version | head -n 1), node $(node --version)," \
    "pdfmake $(node -p "require('./bench/peers/node_modules/pdfmake/package.json').version");" \
    "load:$(uptime | sed 's/.*load average://')" >&2
echo "compare-pdf: heft font: $heft_font" >&2

start_heftd -c "$tmp/heft.yaml" --concurrency 1

# heft_run VARIANT N: drains N renders of the variant; sets heft_line (the
# summary line) and heft_err (why it failed, empty when every job succeeded).
heft_run() {
    heft_err=''
    bounded "$tmp/heft.out" "$tmp/heft.err" bench/heft-bench --redis "$url" --mode drain \
        --type pdf.render --payload "@$tmp/$1.json" --jobs "$2" --clients 1 --pid "$heftd_pid" || true
    heft_line=$(cat "$tmp/heft.out")
    # The page count of one job's PDF, to show both sides made the same document.
    heft_pages=$(rcli --scan --pattern 'heft:{default}:job:*' | head -n 1 |
        xargs -r -I@ redis-cli -p "$port" HGET @ result | sed -n 's/.*"pages":\([0-9]*\).*/\1/p')
    drop_jobs
    if [ -z "$heft_line" ]; then
        heft_err="heft-bench: $(grep -v '^heft-bench: heftd_rss_kb' "$tmp/heft.err" | head -n 3 | tr '\n' ' ')"
    elif [ "$(field failed "$heft_line")" != 0 ]; then
        # heft-bench describes the first failures: the job's error code and message.
        heft_err="$(field failed "$heft_line") of $2 jobs failed: $(sed -n 's/.*did not succeed: //p' "$tmp/heft.err" | head -n 1)"
    fi
}

# heft_failed VARIANT: no figures for heft; the table says why.
heft_failed() {
    echo "compare-pdf: heft, $1: $heft_err" >&2
    code=$(printf '%s\n' "$heft_err" | sed -n 's/.*error_code=\([^ ]*\).*/\1/p')
    h_ms="failed${code:+ ($code)}" h_dps=- h_cpu=-
    status=1
}

status=0
rows='' rendered=''
for variant in helvetica roboto; do
    # A few renders first: fonts loaded, and a document heft cannot render
    # is reported at once instead of after N failures.
    heft_run "$variant" 5
    h_pages=${heft_pages:--}
    if [ -n "$heft_err" ]; then
        heft_failed "$variant"
    else
        c0=$(cpu_ticks)
        heft_run "$variant" "$jobs"
        c1=$(cpu_ticks)
        if [ -n "$heft_err" ]; then
            heft_failed "$variant"
        else
            echo "compare-pdf: heft, $variant: $heft_line" >&2
            rendered="$rendered $variant"
            s=$(field seconds "$heft_line")
            h_ms=$(awk -v s="$s" -v n="$jobs" 'BEGIN { printf "%.2f", s * 1000 / n }')
            h_dps=$(awk -v s="$s" -v n="$jobs" 'BEGIN { printf "%.1f", n / s }')
            h_cpu=$(awk -v c="$((c1 - c0))" -v t="$(getconf CLK_TCK)" -v n="$jobs" \
                'BEGIN { printf "%.2f", c * 1000 / t / n }')
        fi
    fi

    if bounded "$tmp/pdfmake.out" "$tmp/pdfmake.err" node bench/peers/pdfmake-render.mjs \
            --font "$variant" --docs "$docs" "$tmp/$variant.json"; then
        pm_line=$(cat "$tmp/pdfmake.out")
        echo "compare-pdf: pdfmake, $variant: $pm_line" >&2
        p_ms=$(field ms_per_doc "$pm_line")
        p_dps=$(field docs_per_s "$pm_line")
        p_pages=$(field pages "$pm_line")
    else
        echo "compare-pdf: pdfmake, $variant: $(head -n 3 "$tmp/pdfmake.err" | tr '\n' ' ')" >&2
        p_ms=failed p_dps=- p_pages=-
        status=1
    fi

    ratio=n/a
    [ "${h_ms%% *}" != failed ] && [ "$p_ms" != failed ] &&
        ratio=$(awk -v h="$h_ms" -v p="$p_ms" 'BEGIN { printf "%.2f", p / h }')
    rows="$rows| $variant | $h_pages / $p_pages | $h_ms | $h_dps | $h_cpu | $p_ms | $p_dps | $ratio |
"
done

echo
echo "| font | pages heft / pdfmake | heft ms/doc | heft docs/s/core | heftd CPU ms/doc | pdfmake ms/doc | pdfmake docs/s/core | heft/pdfmake |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s' "$rows"
echo
echo "(helvetica: base-14 Helvetica, not embedded; roboto: embedded TrueType; heft: $heft_font;" \
    "pdfmake: its own Roboto.  heft/pdfmake: how many times faster per core heft is.)"

# The RSS run: rss_jobs renders in chunks of 1000, VmRSS read at the start
# and after each chunk, with heft-bench's highest sample during the chunk.
# The TrueType variant, which holds the most memory (font, subset), unless
# heft could not render it.
if [ "$rss_jobs" -gt 0 ] && [ -z "$rendered" ]; then
    echo
    echo "RSS run skipped: heft rendered neither variant."
elif [ "$rss_jobs" -gt 0 ]; then
    variant=${rendered##* }
    echo
    echo "RSS of heftd over $rss_jobs renders ($variant):"
    echo
    echo "| renders | VmRSS kB | highest VmRSS during the last 1000 kB |"
    echo "|---|---|---|"
    echo "| 0 | $(rss_kb) | |"
    first='' done=0
    while [ "$done" -lt "$rss_jobs" ]; do
        heft_run "$variant" 1000
        if [ -n "$heft_err" ]; then
            echo "compare-pdf: RSS run, $variant: $heft_err" >&2
            status=1
            break
        fi
        done=$((done + 1000))
        now=$(rss_kb)
        [ -n "$first" ] || first=$now
        echo "| $done | $now | $(field heftd_rss_kb "$heft_line") |"
    done
    if [ -n "$first" ] && [ "$done" -gt 1000 ]; then
        echo
        echo "VmRSS growth from 1000 to $done renders: $((now - first)) kB" \
            "($(awk -v a="$first" -v b="$now" 'BEGIN { printf "%+.1f", (b - a) * 100 / a }') %);" \
            "VmHWM (peak since start): $(hwm_kb) kB"
    fi
fi
exit "$status"
