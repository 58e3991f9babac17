#!/bin/sh
# bench/exec.sh KEEL: process start time.  `keel exec PROGRAM` against a
# plain fork+execve of PROGRAM, for "hello world" programs this script builds
# with gcc: static, static-pie and dynamic (PIE).
#
#   sh bench/exec.sh /abs/path/to/build/keel      (bench/run.sh calls it)
#
# Environment knobs (all optional):
#   BENCH_EXEC_RUNS=N    timed runs per command in all (default 500)
#   BENCH_EXEC_ROUNDS=N  split them into N rounds; each round times every
#                        command in turn, so slow drift of the machine hits
#                        all columns alike (default 5)
#   BENCH_EXEC_WARMUP=N  untimed warm-up runs per command and round (default 20)
#   BENCH_CC=CC          the compiler for the programs (default gcc)
#   BENCH_NO_INSTALL=1   never apt-get install a missing tool
#
# Writes the table to stdout and to bench/results/exec.txt, each command's
# pooled run times (ns, one a line) to bench/results/hyperfine/exec_*.times-ns.  See bench/README.md ("keel exec").
set -u

KEEL=${1:-}
if [ -z "$KEEL" ] || [ ! -x "$KEEL" ]; then
    echo "usage: sh bench/exec.sh /abs/path/to/keel  (got '${KEEL}')" >&2
    exit 2
fi
case $KEEL in /*) ;; *) KEEL=$(pwd)/$KEEL ;; esac

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/common.sh
. "$HERE/common.sh"
SUITE="exec"
RESULTS=$HERE/results
JSONDIR=$RESULTS/hyperfine
OUT=$RESULTS/exec.txt
RUNS=$(whole "${BENCH_EXEC_RUNS:-}" 500)
ROUNDS=$(whole "${BENCH_EXEC_ROUNDS:-}" 5)
WARMUP=$(whole "${BENCH_EXEC_WARMUP:-}" 20)
split_rounds 0 4
CC=${BENCH_CC:-gcc}

mkdir -p "$RESULTS" "$JSONDIR"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/keel-bench-$SUITE.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
START=$(date +%s)
LOAD0=$(cut -d" " -f1-3 /proc/loadavg 2>/dev/null)

# ------------------------------------------------------------------ tools
need_cc programs
find_timer

# ---------------------------------------------------------------- programs
cat >"$TMP/hello.c" <<'EOF'
#include <stdio.h>

int main(void)
{
    puts("hello, world");
    return 0;
}
EOF

# name, linking label, gcc flags
PROGRAMS="hello-static:static:-static hello-static-pie:static-pie:-static-pie hello-dynamic:dynamic-pie:-fPIE,-pie"
BUILT=""
for p in $PROGRAMS; do
    name=${p%%:*} rest=${p#*:}
    flags=$(echo "${rest#*:}" | tr , ' ')
    # shellcheck disable=SC2086  # flags are words
    if "$CC" -O2 $flags -o "$TMP/$name" "$TMP/hello.c" 2>"$TMP/cc.log"; then
        BUILT="$BUILT $p"
    else
        note "$name: '$CC -O2 $flags' failed ($(head -1 "$TMP/cc.log")): row skipped"
    fi
done

# ----------------------------------------------------------------- timing
# add_cmd NAME ARGS...: a command to time (see time_round in common.sh).
add_cmd() {
    _c=$1
    shift
    printf '%s\n' "$@" >"$TMP/cmd.$_c"
    echo "$_c" >>"$TMP/order"
    : >"$TMP/times.$_c"
}

# stats NAME: "mean sd median" in ms, 3 decimals.  exec/dir: "1.23x";
# the splits: "+0.123".
stats() { stats_of "$1" "mean sd median" 3; }
ratio() { fmt_ratio %.2fx "$@"; }
diff_ms() { fmt_diff %+.3f "$@"; }

# ----------------------------------------------------------------- checks
# Both ways must print the line and exit 0 before anything is timed; a way
# that fails is not timed and its columns show '-'.
FAIL=""
: >"$TMP/order"
# The floor: the cheapest keel command.  keel --version is an execve of keel
# (a static-pie binary), its libc's start-up, one printf and exit.
add_cmd keel-version "$KEEL" --version
for p in $BUILT; do
    name=${p%%:*}
    prog=$TMP/$name
    "$prog" >"$TMP/out.direct" 2>&1
    rc=$?
    if [ $rc -eq 0 ] && [ "$(cat "$TMP/out.direct")" = "hello, world" ]; then
        add_cmd "${name}_direct" "$prog"
    else
        FAIL="$FAIL  $name run directly: exit $rc: $(head -1 "$TMP/out.direct")
"
    fi
    "$KEEL" exec "$prog" >"$TMP/out.keel" 2>&1
    rc=$?
    if [ $rc -eq 0 ] && [ "$(cat "$TMP/out.keel")" = "hello, world" ]; then
        add_cmd "${name}_keel-exec" "$KEEL" exec "$prog"
    else
        FAIL="$FAIL  keel exec $name: exit $rc: $(head -1 "$TMP/out.keel")
"
    fi
    # --layout over what keel exec interprets: the program and its PT_INTERP.
    interp=$("$KEEL" exec --layout "$prog" 2>/dev/null | sed -n 's/^ *interpreter  *//p' | head -1)
    [ "$interp" = "(none)" ] && interp=
    # shellcheck disable=SC2086  # no interpreter: no word
    if "$KEEL" exec --layout "$prog" $interp >/dev/null 2>"$TMP/err.layout"; then
        # shellcheck disable=SC2086  # no interpreter: no word
        add_cmd "${name}_keel-layout" "$KEEL" exec --layout "$prog" $interp
    else
        FAIL="$FAIL  keel exec --layout $name $interp: $(head -1 "$TMP/err.layout")
"
    fi
done

# ------------------------------------------------------------------ timing
time_all

# ------------------------------------------------------------------ table
: >"$OUT"
ROW='%-17s %-11s %5s  %-15s %-15s %8s %6s  %-15s %9s %9s %9s'

# shellcheck disable=SC2046
set -- $(stats keel-version)
floor=$1 floor_sd=$2

emit "keel exec vs fork+execve: process start time of hello world, mean ± σ wall ms, output to /dev/null"
emit_runs
emit "keel:      $KEEL ($(cd "$HERE/.." && git describe --always --dirty 2>/dev/null || echo 'no git'); $(wc -c <"$KEEL" | tr -d ' ') bytes, $(od -An -tx1 -j16 -N1 "$KEEL" | tr -d ' ' | sed 's/^02$/ET_EXEC/; s/^03$/ET_DYN/'))"
emit "programs:  $CC -O2 [-static | -static-pie | -fPIE -pie] hello.c (puts(\"hello, world\")); $("$CC" --version | head -1)"
if [ -n "$HYPERFINE" ]; then timer="hyperfine -N ($("$HYPERFINE" --version)): it fork+execs each command itself"; else timer="shell loop, date +%s%N around each round's batch"; fi
emit "timer:     $timer"
emit "floor:     keel --version takes $(pm "$floor" "$floor_sd" | sed 's/~/±/') ms: fork+execve of keel itself, its start-up and exit, in every keel column"
emit "direct:    fork+execve(PROGRAM) by the timer: the kernel maps the program (and ld.so)"
emit "keel exec: fork+execve(keel), then keel maps the program (and ld.so) in-process and jumps to it"
emit "--layout:  keel exec --layout PROGRAM [LD.SO] >/dev/null: keel's interpreter over the same files, mapping nothing"
emit "exec/dir:  keel exec ms / direct ms, of the means (med x: of the medians): (execve keel + in-process load) / (execve program)"
emit "split:     exec-dir = what going through keel adds; lay-ver = --layout - floor: the interpreter (and a few printed lines);"
emit "           exec-lay = keel exec - --layout: mapping, stack, jump, and the program's own run (which direct has too)"
emit ""
emit "$(row program linking KiB 'direct' 'keel exec' exec/dir 'med x' '--layout' exec-dir lay-ver exec-lay)"
emit "$(row '' '' '' 'ms' 'ms' '' '' 'ms' 'ms' 'ms' 'ms')"

for p in $BUILT; do
    name=${p%%:*} rest=${p#*:}
    link=${rest%%:*}
    kib=$(($(wc -c <"$TMP/$name") / 1024))
    # shellcheck disable=SC2046
    set -- $(stats "${name}_direct")
    d_mean=$1 d_sd=$2 d_med=$3
    # shellcheck disable=SC2046
    set -- $(stats "${name}_keel-exec")
    k_mean=$1 k_sd=$2 k_med=$3
    # shellcheck disable=SC2046
    set -- $(stats "${name}_keel-layout")
    l_mean=$1 l_sd=$2
    emit "$(row "$name" "$link" "$kib" "$(pm "$d_mean" "$d_sd")" "$(pm "$k_mean" "$k_sd")" \
        "$(ratio "$k_mean" "$d_mean")" "$(ratio "$k_med" "$d_med")" "$(pm "$l_mean" "$l_sd")" \
        "$(diff_ms "$k_mean" "$d_mean")" "$(diff_ms "$l_mean" "$floor")" "$(diff_ms "$k_mean" "$l_mean")")"
done

emit_foot "failed (not timed: '-'):"
[ -z "$FAIL" ]
