#!/bin/sh
# shellcheck disable=SC2012
# bench/run.sh KEEL: how fast `keel info` is against `readelf -W` and
# `llvm-readelf -W` on the biggest ELF files of this machine (suite "info"),
# then how fast `keel exec` starts a program against execve (suite "exec",
# bench/exec.sh), then how fast `keel run` loads, relocates and runs
# libpython3.11-pic.a and libsqlite3.a against dlopen, a static link,
# llvm-jitlink and libtcc (suite "load", bench/load.sh), then how fast
# `keel link` links static executables against ld.bfd, ld.gold, ld.lld and
# mold (suite "link", bench/link.sh), then how fast keel_swap replaces a
# small object in a running program against linking it into a shared
# library and dlopening it (suite "swap", bench/swap.sh).
#
#   sh bench/run.sh /abs/path/to/build/keel      (what `make bench` runs)
#
# Environment knobs (all optional):
#   BENCH_SUITES="info exec load link swap"  the suites to run (default all
#                       five, in that order)
#   BENCH_RUNS=N        timed runs per command (default 7, at least 5)
#   BENCH_WARMUP=N      untimed warm-up runs per command (default 1)
#   BENCH_FAST_RUNS=N   timed runs for a command quicker than 100 ms, whose
#                       few ms are mostly process start-up and noisy (default
#                       25, with 3 warm-ups; set it to BENCH_RUNS to disable)
#   BENCH_INPUTS="A B"  benchmark these files instead of the automatic pick
#   BENCH_PARTS="headers symbols relocs all"   a subset of the part sets
#   BENCH_NO_INSTALL=1  never apt-get install a missing tool
#
# Writes the table to stdout and to bench/results/info.txt, hyperfine's JSON
# to bench/results/hyperfine/.  See bench/README.md for how to read it.
# bench/exec.sh has its own knobs (BENCH_EXEC_*) and writes
# bench/results/exec.txt; bench/load.sh has BENCH_LOAD_* and writes
# bench/results/load.txt; bench/link.sh has BENCH_LINK_* and writes
# bench/results/link.txt.
set -u

KEEL=${1:-}
if [ -z "$KEEL" ] || [ ! -x "$KEEL" ]; then
    echo "usage: sh bench/run.sh /abs/path/to/keel  (got '${KEEL}')" >&2
    exit 2
fi
case $KEEL in /*) ;; *) KEEL=$(pwd)/$KEEL ;; esac

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/common.sh
. "$HERE/common.sh"
SUITE="info"

SUITES=" "
for suite in ${BENCH_SUITES:-info exec load link swap}; do
    case $suite in
    info | exec | load | link | swap) SUITES="$SUITES$suite " ;;
    *) echo "bench: unknown suite '$suite' in BENCH_SUITES (info exec load link swap)" >&2; exit 2 ;;
    esac
done
has_suite() { case $SUITES in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
# the suites after info, in order; the status is the last failing one's
later_suites() {
    _st=0
    if has_suite exec; then
        sh "$HERE/exec.sh" "$KEEL" || _st=$?
    fi
    if has_suite load; then
        has_suite exec && echo
        sh "$HERE/load.sh" "$KEEL" || _st=$?
    fi
    if has_suite link; then
        { has_suite exec || has_suite load; } && echo
        sh "$HERE/link.sh" "$KEEL" || _st=$?
    fi
    if has_suite swap; then
        { has_suite exec || has_suite load || has_suite link; } && echo
        sh "$HERE/swap.sh" "$KEEL" || _st=$?
    fi
    return $_st
}
if ! has_suite info; then
    later_suites
    exit
fi
RESULTS=$HERE/results
JSONDIR=$RESULTS/hyperfine
OUT=$RESULTS/info.txt
RUNS=${BENCH_RUNS:-7}
WARMUP=${BENCH_WARMUP:-1}
[ "$RUNS" -ge 5 ] 2>/dev/null || RUNS=5
FAST_RUNS=${BENCH_FAST_RUNS:-25}
[ "$FAST_RUNS" -ge "$RUNS" ] 2>/dev/null || FAST_RUNS=$RUNS
FAST_WARMUP=$WARMUP
[ "$FAST_RUNS" -gt "$RUNS" ] && [ "$FAST_WARMUP" -lt 3 ] && FAST_WARMUP=3
PARTS=${BENCH_PARTS:-headers symbols relocs all}
LIBDIR=/usr/lib/x86_64-linux-gnu

mkdir -p "$RESULTS" "$JSONDIR"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/keel-bench.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
START=$(date +%s)

# ------------------------------------------------------------------ tools
find_llvm_readelf() {
    command -v llvm-readelf 2>/dev/null && return 0
    # versioned names: llvm-readelf-15, /usr/lib/llvm-15/bin/llvm-readelf
    for c in $(ls /usr/bin/llvm-readelf-* /usr/lib/llvm-*/bin/llvm-readelf 2>/dev/null | sort -V -r); do
        [ -x "$c" ] && { echo "$c"; return 0; }
    done
    return 1
}

READELF=$(command -v readelf 2>/dev/null) || { apt_install binutils && READELF=$(command -v readelf 2>/dev/null); } || READELF=
LLVM=$(find_llvm_readelf) || { apt_install llvm && LLVM=$(find_llvm_readelf); } || LLVM=
find_hyperfine
TIME=/usr/bin/time
[ -x "$TIME" ] || { apt_install time && [ -x "$TIME" ]; } || TIME=

[ -n "$READELF" ] || note "readelf: not found (and not installable here): its columns are skipped ('-')"
[ -n "$LLVM" ] || note "llvm-readelf: not found (not root, or apt-get install llvm failed): its columns are skipped ('-')"
[ -n "$HYPERFINE" ] || note "hyperfine: not found: timing with a shell loop of date +%s%N instead"
[ -n "$TIME" ] || note "/usr/bin/time: not found: peak RSS is not recorded ('-')"
if [ -z "$HYPERFINE" ] && [ "$(date +%N)" = N ]; then
    echo "bench: neither hyperfine nor a date with %N: cannot time" >&2
    exit 1
fi

# ----------------------------------------------------------------- inputs
is_elf() { [ "$(od -An -tx1 -N4 "$1" 2>/dev/null | tr -d ' \n')" = 7f454c46 ]; }
is_ar() { [ "$(head -c 8 "$1" 2>/dev/null)" = '!<arch>' ]; }   # head -c 8 drops the \n

# Dynamic symbols of a shared object, from keel's own section table.
dynsym_count() {
    "$KEEL" info -S "$1" 2>/dev/null | sed -n 's/^ *\[ *[0-9]*\] *//p' |
        awk '$1 == ".dynsym" { print $5, $6; exit }' | {
        read -r size es || { echo 0; return; }
        [ -n "$es" ] && [ "$((0x$es))" -gt 0 ] && echo $((0x$size / 0x$es)) || echo 0
    }
}

# The 3 largest ELF shared objects under $LIBDIR, by file size, each file
# (inode) once.  A data-only library (libicudata: a few symbols around a
# 30 MB blob) measures nothing but start-up, so one with fewer than 100
# dynamic symbols is passed over, and the pick says so.
pick_shared() {
    n=0
    find "$LIBDIR" -type f -name '*.so*' -printf '%s %i %p\n' 2>/dev/null | sort -rn | awk '!seen[$2]++' |
        while read -r size _ino path; do
            is_elf "$path" || continue
            # e_type ET_DYN (3), little-endian
            [ "$(od -An -tx1 -j16 -N1 "$path" | tr -d ' ')" = 03 ] || continue
            syms=$(dynsym_count "$path")
            if [ "$syms" -lt 100 ]; then
                echo "skip $path $size $syms"
                continue
            fi
            echo "pick $path $size $syms"
            n=$((n + 1))
            [ $n -ge 3 ] && break
        done
}

pick_archive() {
    [ -f "$LIBDIR/libc.a" ] && { echo "$LIBDIR/libc.a"; return; }
    find "$LIBDIR" /usr/lib -maxdepth 2 -type f -name '*.a' -printf '%s %p\n' 2>/dev/null | sort -rn |
        while read -r size path; do is_ar "$path" && { echo "$path"; break; }; done
}

pick_executable() {
    for p in /usr/bin/python3.11 $(ls /usr/bin/python3.* 2>/dev/null | sort -V -r); do
        [ -f "$p" ] && [ ! -L "$p" ] && is_elf "$p" && { echo "$p"; return; }
    done
    find /usr/bin -maxdepth 1 -type f -printf '%s %p\n' 2>/dev/null | sort -rn |
        while read -r size path; do is_elf "$path" && { echo "$path"; break; }; done
}

if [ -n "${BENCH_INPUTS:-}" ]; then
    INPUTS=$BENCH_INPUTS
else
    pick_shared >"$TMP/pick"
    while read -r what path size syms; do
        if [ "$what" = skip ]; then
            note "input: passed over $path ($((size / 1048576)) MiB, only $syms dynamic symbols: data-only)"
        fi
    done <"$TMP/pick"
    INPUTS="$(awk '$1 == "pick" { print $2 }' "$TMP/pick" | tr '\n' ' ')$(pick_archive) $(pick_executable)"
fi

# ----------------------------------------------------------------- timing
# median_ms FILE: the median of the numbers (ns) in FILE, in ms.
median_ms() {
    sort -n "$1" | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "-"; exit }
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%.2f\n", m / 1e6 }'
}

# time_cmd NAME CMD...: prints the median wall time in ms over $NRUNS runs
# after $NWARM warm-ups, output to /dev/null.
time_cmd() {
    name=$1
    shift
    if [ -n "$HYPERFINE" ]; then
        # -N: no intermediate shell, so nothing to subtract for it; stdout
        # and stderr of the command go to /dev/null (hyperfine's default).
        "$HYPERFINE" -N -i --style none --warmup "$NWARM" --runs "$NRUNS" \
            --export-json "$JSONDIR/$name.json" "$*" >"$TMP/hf.log" 2>&1 ||
            { say "hyperfine failed for: $*"; cat "$TMP/hf.log" >&2; echo -; return; }
        # times[] in seconds: one number a line, as ns, through the same median.
        sed -n '/"times"/,/]/p' "$JSONDIR/$name.json" | grep -o '[0-9][0-9.eE+-]*' |
            awk '{ printf "%.0f\n", $1 * 1e9 }' >"$TMP/times"
        median_ms "$TMP/times"
    else
        i=0
        while [ $i -lt "$NWARM" ]; do "$@" >/dev/null 2>&1; i=$((i + 1)); done
        : >"$TMP/times"
        i=0
        while [ $i -lt "$NRUNS" ]; do
            s=$(date +%s%N)
            "$@" >/dev/null 2>&1
            e=$(date +%s%N)
            echo $((e - s)) >>"$TMP/times"
            i=$((i + 1))
        done
        cp "$TMP/times" "$JSONDIR/$name.times-ns"
        median_ms "$TMP/times"
    fi
}

# capture TOOL CMD...: one untimed run (it also warms the page cache) whose
# output goes to $TMP/out.TOOL; sets SIZE, RSS (KiB), RC, and NRUNS/NWARM
# for timing it: more runs when it took under 100 ms.
capture() {
    tool=$1
    shift
    t0=$(date +%s%N)
    if [ -n "$TIME" ]; then
        "$TIME" -f %M -o "$TMP/rss" "$@" >"$TMP/out.$tool" 2>"$TMP/err.$tool"
        RC=$?
        RSS=$(tail -1 "$TMP/rss")
        case $RSS in *[!0-9]*|'') RSS=- ;; esac
    else
        "$@" >"$TMP/out.$tool" 2>"$TMP/err.$tool"
        RC=$?
        RSS=-
    fi
    SIZE=$(wc -c <"$TMP/out.$tool" | tr -d ' ')
    NRUNS=$RUNS NWARM=$WARMUP
    case $t0 in *N) ;; *)
        [ $(($(date +%s%N) - t0)) -lt 100000000 ] && NRUNS=$FAST_RUNS NWARM=$FAST_WARMUP ;;
    esac
}

ratio() { fmt_ratio %.1fx "$@"; }

flags_of() {
    case $1 in
    headers) printf "%s\n" "-S -l" ;;
    symbols) printf "%s\n" "-s" ;;
    relocs) printf "%s\n" "-r" ;;
    all) printf "%s\n" "-h -S -l -s -r -d -n" ;;
    *) echo "bench: unknown part set '$1' (headers symbols relocs all)" >&2; exit 2 ;;
    esac
}
label_of() {
    case $1 in
    headers) printf "%s\n" "-S -l" ;;
    symbols) printf "%s\n" "-s" ;;
    relocs) printf "%s\n" "-r" ;;
    all) printf "%s\n" "-hSlsrdn" ;;
    esac
}

# ------------------------------------------------------------------ table
: >"$OUT"
ROW='%-22s %-8s %8s %8s %8s %7s %7s  %10s %10s %10s  %7s %7s %7s  %s'

emit "keel info vs readelf -W vs llvm-readelf -W: median wall ms, output to /dev/null"
emit "runs:      $RUNS timed after $WARMUP warm-up; $FAST_RUNS after $FAST_WARMUP for a command under 100 ms (one untimed run first measures output and RSS)"
emit "date:      $(date -u '+%Y-%m-%d %H:%M UTC')   host: $(uname -m), $(nproc 2>/dev/null || echo '?') cpu, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo 2>/dev/null | head -1)"
emit "load:      $(cut -d" " -f1-3 /proc/loadavg 2>/dev/null) (1/5/15-min load average at start; other work on the machine inflates small figures)"
emit "keel:      $KEEL ($(cd "$HERE/.." && git describe --always --dirty 2>/dev/null || echo 'no git'))"
emit "readelf:   ${READELF:-skipped} ${READELF:+($("$READELF" --version | head -1))}"
emit "llvm:      ${LLVM:-skipped} ${LLVM:+($("$LLVM" --version | grep -i 'version' | head -1 | sed 's/^ *//'))}"
if [ -n "$HYPERFINE" ]; then timer="hyperfine -N ($("$HYPERFINE" --version))"; else timer="shell loop, date +%s%N"; fi
if [ -n "$TIME" ]; then rss="$TIME -f %M (KiB)"; else rss="not recorded"; fi
TRUE=/bin/true; [ -x "$TRUE" ] || TRUE=/usr/bin/true
NRUNS=$FAST_RUNS NWARM=$FAST_WARMUP
floor=$(time_cmd start-up_true "$TRUE")
emit "timer:     $timer   rss: $rss"
emit "floor:     $TRUE takes $floor ms here: process start-up, included in every figure below"
emit "ratio:     peer ms / keel ms: how many times faster keel is (<1x: keel is slower); '!' marks a row where keel is under 2x faster than a peer"
emit "same:      keel's output is byte-identical to readelf's (yes/no)"
emit ""
# shellcheck disable=SC2059
emit "$(printf "$ROW" input parts keel readelf llvm re/keel llvm/kl 'keel B' 'readelf B' 'llvm B' 'keel KB' 're KB' 'llvm KB' same)"
# shellcheck disable=SC2059
emit "$(printf "$ROW" '' '' ms ms ms '' '' 'output' 'output' 'output' 'maxRSS' 'maxRSS' 'maxRSS' '')"

SLOW=""
FAIL=""
# shellcheck disable=SC2086  # word splitting wanted: lists of paths and set names
set -- $INPUTS
# shellcheck disable=SC2086
total=$(($# * $(echo $PARTS | wc -w)))
k=0
for input in "$@"; do
    if [ ! -r "$input" ]; then
        note "input: $input is not readable, skipped"
        continue
    fi
    base=$(basename "$input")
    for set in $PARTS; do
        flags=$(flags_of "$set") || exit 2
        label=$(label_of "$set")
        k=$((k + 1))
        say "[$k/$total] $base $flags"
        tag=$(echo "${base}_$set" | tr -c 'A-Za-z0-9._\n-' _)

        # shellcheck disable=SC2086
        capture keel "$KEEL" info -W $flags "$input"
        k_size=$SIZE k_rss=$RSS
        [ $RC -eq 0 ] || FAIL="$FAIL  keel info -W $flags $base: exit $RC: $(head -1 "$TMP/err.keel")
"
        # shellcheck disable=SC2086
        k_ms=$(time_cmd "${tag}_keel" "$KEEL" info -W $flags "$input")

        r_ms=- r_size=- r_rss=- same=-
        if [ -n "$READELF" ]; then
            # shellcheck disable=SC2086
            capture readelf "$READELF" -W $flags "$input"
            r_size=$SIZE r_rss=$RSS
            cmp -s "$TMP/out.keel" "$TMP/out.readelf" && same=yes || same=no
            # shellcheck disable=SC2086
            r_ms=$(time_cmd "${tag}_readelf" "$READELF" -W $flags "$input")
        fi

        l_ms=- l_size=- l_rss=-
        if [ -n "$LLVM" ]; then
            # shellcheck disable=SC2086
            capture llvm "$LLVM" -W $flags "$input"
            l_size=$SIZE l_rss=$RSS
            # shellcheck disable=SC2086
            l_ms=$(time_cmd "${tag}_llvm-readelf" "$LLVM" -W $flags "$input")
        fi
        rm -f "$TMP"/out.*

        r_x=$(ratio "$r_ms" "$k_ms")
        l_x=$(ratio "$l_ms" "$k_ms")
        mark=
        for x in "$r_x" "$l_x"; do
            [ "$x" = - ] && continue
            if awk -v x="${x%x}" 'BEGIN { exit !(x < 2) }'; then mark=' !'; fi
        done
        [ -n "$mark" ] && SLOW="$SLOW  $base $flags: keel $k_ms ms, readelf $r_ms ms ($r_x), llvm-readelf $l_ms ms ($l_x)
"
        # shellcheck disable=SC2059
        emit "$(printf "$ROW" "$base" "$label" "$k_ms" "$r_ms" "$l_ms" "$r_x" "$l_x" \
            "$k_size" "$r_size" "$l_size" "$k_rss" "$r_rss" "$l_rss" "$same$mark")"
    done
done

emit ""
if [ -n "$SLOW" ]; then
    emit "keel under 2x faster than a peer:"
    printf '%s' "$SLOW" | tee -a "$OUT"
else
    emit "keel is at least 2x faster than every peer in every row."
fi
if [ -n "$FAIL" ]; then
    emit "keel exited non-zero:"
    printf '%s' "$FAIL" | tee -a "$OUT"
fi
if [ -n "$NOTES" ]; then
    emit "notes:"
    printf '%s' "$NOTES" | sed 's/^/  /' | tee -a "$OUT"
fi
emit "inputs: $(for f in $INPUTS; do printf '%s (%s MiB)  ' "$f" "$(($(wc -c <"$f") / 1048576))"; done)"
TOP=$(dirname "$HERE")
emit "load at end: $(cut -d" " -f1-3 /proc/loadavg 2>/dev/null)"
emit "total bench time: $(($(date +%s) - START)) s; table in ${OUT#"$TOP/"}, timings in ${JSONDIR#"$TOP/"}/"

if has_suite exec || has_suite load || has_suite link; then
    echo
    later_suites
fi
