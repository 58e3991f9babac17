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
RESULTS=$HERE/results
JSONDIR=$RESULTS/hyperfine
OUT=$RESULTS/exec.txt
RUNS=${BENCH_EXEC_RUNS:-500}
ROUNDS=${BENCH_EXEC_ROUNDS:-5}
WARMUP=${BENCH_EXEC_WARMUP:-20}
[ "$ROUNDS" -ge 1 ] 2>/dev/null || ROUNDS=5
[ "$WARMUP" -ge 0 ] 2>/dev/null || WARMUP=20
[ "$RUNS" -ge 0 ] 2>/dev/null || RUNS=500
PER=$(((RUNS + ROUNDS - 1) / ROUNDS))       # runs per round, at least 4
[ "$PER" -ge 4 ] || PER=4
RUNS=$((PER * ROUNDS))
CC=${BENCH_CC:-gcc}

mkdir -p "$RESULTS" "$JSONDIR"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/keel-bench-exec.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
START=$(date +%s)
LOAD0=$(cut -d" " -f1-3 /proc/loadavg 2>/dev/null)

say() { echo "bench: $*" >&2; }

NOTES=""
note() { NOTES="$NOTES$*
"; say "$*"; }

# ------------------------------------------------------------------ tools
apt_install() {
    [ -z "${BENCH_NO_INSTALL:-}" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 || return 1
    say "installing $1 with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q "$1" >"$TMP/apt.log" 2>&1 ||
        { apt-get update -q >>"$TMP/apt.log" 2>&1 && apt-get install -y -q "$1" >>"$TMP/apt.log" 2>&1; } ||
        { say "apt-get install $1 failed:"; tail -3 "$TMP/apt.log" >&2; return 1; }
}

command -v "$CC" >/dev/null 2>&1 || { [ "$CC" = gcc ] && apt_install gcc; } ||
    { echo "bench: no C compiler '$CC': cannot build the programs, exec suite skipped" >&2; exit 1; }
HYPERFINE=$(command -v hyperfine 2>/dev/null) || { apt_install hyperfine && HYPERFINE=$(command -v hyperfine 2>/dev/null); } || HYPERFINE=
if [ -z "$HYPERFINE" ]; then
    [ "$(date +%N)" = N ] && { echo "bench: neither hyperfine nor a date with %N: cannot time" >&2; exit 1; }
    note "hyperfine: not found: each command and round is timed as one batch from a shell loop (the mean only; σ and median are over the round means; the shell's fork is in every figure)"
fi

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
# q WORD: WORD quoted for hyperfine -N, which splits its command like a shell.
q() {
    case $1 in
    *[!A-Za-z0-9_./=:+-]* | '') printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")" ;;
    *) printf '%s' "$1" ;;
    esac
}

# Each command to time is a file $TMP/cmd.NAME, one argument a line; the
# names, in timing order, are in $TMP/order.
add_cmd() {
    _c=$1
    shift
    printf '%s\n' "$@" >"$TMP/cmd.$_c"
    echo "$_c" >>"$TMP/order"
    : >"$TMP/times.$_c"
}

# time_round NAME: $PER timed runs of the command after $WARMUP warm-ups,
# appended to $TMP/times.NAME (ns, one a line).  A failure leaves
# $TMP/failed.NAME and the command out of later rounds.
time_round() {
    _c=$1
    [ -e "$TMP/failed.$_c" ] && return
    set --
    while IFS= read -r a; do set -- "$@" "$a"; done <"$TMP/cmd.$_c"
    if [ -n "$HYPERFINE" ]; then
        cmd=""
        for w in "$@"; do cmd="$cmd${cmd:+ }$(q "$w")"; done
        # -N: hyperfine fork+execs the command itself, no shell in between;
        # the command's stdout and stderr go to /dev/null.
        if ! "$HYPERFINE" -N --style none --warmup "$WARMUP" --runs "$PER" \
            --export-json "$TMP/hf.json" "$cmd" >"$TMP/hf.log" 2>&1; then
            say "hyperfine failed for: $cmd"
            sed 's/^/  /' "$TMP/hf.log" >&2
            : >"$TMP/failed.$_c"
            return
        fi
        # times[] in seconds, one number a line
        sed -n '/"times"/,/]/p' "$TMP/hf.json" | grep -o '[0-9][0-9.eE+-]*' |
            awk '{ printf "%.0f\n", $1 * 1e9 }' >>"$TMP/times.$_c"
    else
        i=0
        while [ $i -lt "$WARMUP" ]; do "$@" >/dev/null 2>&1; i=$((i + 1)); done
        s=$(date +%s%N)
        i=0
        while [ $i -lt "$PER" ]; do "$@" >/dev/null 2>&1; i=$((i + 1)); done
        e=$(date +%s%N)
        echo $(((e - s) / PER)) >>"$TMP/times.$_c"
    fi
}

# stats NAME: "mean sd median" in ms over the pooled times ('-' when none);
# sd is the sample standard deviation, as hyperfine's.
stats() {
    if [ -e "$TMP/failed.$1" ] || [ ! -e "$TMP/times.$1" ]; then echo "- - -"; return; fi
    cp "$TMP/times.$1" "$JSONDIR/exec_$1.times-ns"
    sort -n "$TMP/times.$1" | awk '{ v[NR] = $1; s += $1 } END {
        if (NR == 0) { print "- - -"; exit }
        m = s / NR
        for (i = 1; i <= NR; i++) q += (v[i] - m) ^ 2
        med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        if (NR > 1) printf "%.3f %.3f %.3f\n", m / 1e6, sqrt(q / (NR - 1)) / 1e6, med / 1e6
        else printf "%.3f - -\n", m / 1e6 }'
}

# pm MEAN SD: "mean ~ sd", the ~ a one-byte stand-in for the two-byte ±,
# which row() puts back after printf has padded the columns by bytes.
pm() { if [ "$2" = - ]; then printf '%s\n' "$1"; else printf '%s ~ %s\n' "$1" "$2"; fi; }
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a == "-" || b == "-" || b + 0 <= 0) print "-"; else printf "%.2fx\n", a / b }'
}
diff_ms() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-") print "-"; else printf "%+.3f\n", a - b }'
}

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
ncmd=$(wc -l <"$TMP/order" | tr -d ' ')
r=1
while [ $r -le "$ROUNDS" ]; do
    say "round $r/$ROUNDS: $ncmd commands, $PER runs each after $WARMUP warm-ups"
    while read -r c; do time_round "$c"; done <"$TMP/order"
    r=$((r + 1))
done
while read -r name; do
    [ -e "$TMP/failed.$name" ] && FAIL="$FAIL  timing $name failed (hyperfine's message is on stderr)
"
done <"$TMP/order"

# ------------------------------------------------------------------ table
: >"$OUT"
emit() { printf '%s\n' "$*" | tee -a "$OUT"; }
# shellcheck disable=SC2059
row() { printf "$ROW" "$@" | sed 's/ ~ / ± /g'; }
ROW='%-17s %-11s %5s  %-15s %-15s %8s %6s  %-15s %9s %9s %9s'

# shellcheck disable=SC2046
set -- $(stats keel-version)
floor=$1 floor_sd=$2

emit "keel exec vs fork+execve: process start time of hello world, mean ± σ wall ms, output to /dev/null"
emit "runs:      $RUNS timed per command: $ROUNDS rounds of $PER, each after $WARMUP warm-ups; a round times every command in turn"
emit "date:      $(date -u '+%Y-%m-%d %H:%M UTC')   host: $(uname -m), $(nproc 2>/dev/null || echo '?') cpu, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo 2>/dev/null | head -1), Linux $(uname -r)"
emit "load:      $LOAD0 (1/5/15-min load average at start; other work on the machine inflates these figures)"
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

emit ""
if [ -n "$FAIL" ]; then
    emit "failed (not timed: '-'):"
    printf '%s' "$FAIL" | tee -a "$OUT"
fi
if [ -n "$NOTES" ]; then
    emit "notes:"
    printf '%s' "$NOTES" | sed 's/^/  /' | tee -a "$OUT"
fi
TOP=$(dirname "$HERE")
emit "load at end: $(cut -d" " -f1-3 /proc/loadavg 2>/dev/null)"
emit "total bench time: $(($(date +%s) - START)) s; table in ${OUT#"$TOP/"}, run times in ${JSONDIR#"$TOP/"}/exec_*.times-ns"
[ -z "$FAIL" ]
