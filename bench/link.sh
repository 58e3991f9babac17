#!/bin/sh
# shellcheck disable=SC2015
# bench/link.sh KEEL: the link-editor.  `keel link` against ld.bfd, ld.gold,
# ld.lld and mold, linker-only: the command line gcc's driver gives collect2
# (from `gcc -### ...`, the program name dropped) is replayed by each
# linker, on three static links and five dynamic ones:
#
#   hello   gcc -static hello.o                        (tests/progs/link/hello.c)
#   cxx     g++ -static cxx.o -pthread                 (tests/progs/link/cxx.cc)
#   python  gcc -static pymain.o libpython3.11.a -lexpat -lz -lm -lutil
#   hello-pie, cxx-pie   the same objects, gcc's and g++'s default link: a
#           PIE against the shared glibc and libstdc++
#   python-pie  gcc pymain.o libpython3.11-pic.a -lexpat -lz -lm -lutil (PIE)
#   pyext   gcc -shared pyext.o: a Python extension module
#           (tests/progs/dynout/pyext.c), imported by python3.11
#   libpython   gcc -shared -Wl,--whole-archive libpython3.11-pic.a ...: all
#           of Python as one shared library, run by a pymain that ld.bfd
#           linked against ld.bfd's copy of it
#
# Every linker's output must run and print what ld.bfd's prints (and exit
# alike) before anything is timed; a linker that fails is a finding, listed
# with its first error line, and not timed.
#
#   sh bench/link.sh /abs/path/to/build/keel      (bench/run.sh calls it)
#
# Environment knobs (all optional):
#   BENCH_LINK_RUNS=N       timed runs per command in all (default 10, at least 5)
#   BENCH_LINK_FAST_RUNS=N  timed runs for a command whose check run took
#                           under 200 ms (default 40; at least BENCH_LINK_RUNS)
#   BENCH_LINK_ROUNDS=N     split them into N rounds; each round times every
#                           command in turn, so drift hits all rows alike (default 2)
#   BENCH_LINK_WARMUP=N     untimed warm-up runs per command and round (default 2)
#   BENCH_LINK_CASES="hello cxx python ..."   the cases to run (all eight)
#   BENCH_CC=CC, BENCH_CXX=CXX   the drivers (default gcc, g++)
#   BENCH_NO_INSTALL=1      never apt-get install a missing tool or library
#
# Writes the table to stdout and to bench/results/link.txt, each command's
# pooled run times (ns, one a line) to bench/results/hyperfine/link_*.times-ns.
# See bench/README.md ("keel link: the link-editor").
set -u

KEEL=${1:-}
if [ -z "$KEEL" ] || [ ! -x "$KEEL" ]; then
    echo "usage: sh bench/link.sh /abs/path/to/keel  (got '${KEEL}')" >&2
    exit 2
fi
case $KEEL in /*) ;; *) KEEL=$(pwd)/$KEEL ;; esac

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/common.sh
. "$HERE/common.sh"
SUITE="link"
SRC=$HERE/link
PROGS=$(dirname "$HERE")/tests/progs/link
PYEXT=$(dirname "$HERE")/tests/progs/dynout/pyext.c
RESULTS=$HERE/results
JSONDIR=$RESULTS/hyperfine
OUT=$RESULTS/link.txt
RUNS=$(whole "${BENCH_LINK_RUNS:-}" 10)
FAST_RUNS=$(whole "${BENCH_LINK_FAST_RUNS:-}" 40)
ROUNDS=$(whole "${BENCH_LINK_ROUNDS:-}" 2)
WARMUP=$(whole "${BENCH_LINK_WARMUP:-}" 2)
split_rounds 5 3
PER_SLOW=$PER
PER_FAST=$(per_round "$FAST_RUNS" "$PER_SLOW")
FAST_RUNS=$((PER_FAST * ROUNDS))
ALL_CASES="hello cxx python hello-pie cxx-pie python-pie pyext libpython"
CASES=${BENCH_LINK_CASES:-$ALL_CASES}
CC=${BENCH_CC:-gcc}
CXX=${BENCH_CXX:-g++}
LIBDIR=/usr/lib/x86_64-linux-gnu
PYA=$LIBDIR/libpython3.11.a
PYPIC=/usr/lib/python3.11/config-3.11-x86_64-linux-gnu/libpython3.11-pic.a
PYINC=/usr/include/python3.11

mkdir -p "$RESULTS" "$JSONDIR"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/keel-bench-$SUITE.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
START=$(date +%s)
LOAD0=$(cut -d" " -f1-3 /proc/loadavg 2>/dev/null)

# ------------------------------------------------------------------ tools
# need FILE PACKAGE: FILE exists, or PACKAGE installs it.
need() { [ -e "$1" ] || { apt_install "$2" && [ -e "$1" ]; }; }
# tool NAME PACKAGE: NAME's path, installing PACKAGE when it is missing.
tool() { command -v "$1" 2>/dev/null || { apt_install "$2" >&2 && command -v "$1" 2>/dev/null; }; }

need_cc programs
find_timer
BFD=$(tool ld.bfd binutils) || BFD=
GOLD=$(tool ld.gold binutils) || GOLD=
LLD=$(tool ld.lld lld) || LLD=
MOLD=$(tool mold mold) || MOLD=
TIME=/usr/bin/time
[ -x "$TIME" ] || { apt_install time && [ -x "$TIME" ]; } || TIME=
if [ -z "$BFD" ]; then
    echo "bench: no ld.bfd (binutils): nothing to check the links against, link suite skipped" >&2
    exit 1
fi
[ -n "$GOLD" ] || note "ld.gold: not found (and not installable here): its rows are skipped"
[ -n "$LLD" ] || note "ld.lld: not found (not root, or apt-get install lld failed): its rows are skipped"
[ -n "$MOLD" ] || note "mold: not found (not root, or apt-get install mold failed): its rows are skipped"
[ -n "$TIME" ] || note "/usr/bin/time: not found: peak RSS is not recorded ('-')"

# ---------------------------------------------------------------- programs
# The objects, compiled -O2 as tests/link.t does; then each case's driver
# command, whose collect2 line is what every linker runs.
BUILT=""
for c in $CASES; do
    case $c in
    hello)
        "$CC" -O2 -c "$PROGS/hello.c" -o "$TMP/hello.o" 2>"$TMP/cc.log" &&
            set -- "$CC" -static "$TMP/hello.o" -o "$TMP/hello" ;;
    cxx)
        { command -v "$CXX" >/dev/null 2>&1 || { [ "$CXX" = g++ ] && apt_install g++; }; } &&
            "$CXX" -O2 -c "$PROGS/cxx.cc" -o "$TMP/cxx.o" 2>"$TMP/cc.log" &&
            set -- "$CXX" -static "$TMP/cxx.o" -o "$TMP/cxx" -pthread ;;
    python)
        need "$PYA" libpython3.11-dev && need "$LIBDIR/libexpat.a" libexpat1-dev &&
            need "$LIBDIR/libz.a" zlib1g-dev ||
            { note "python: $PYA, libexpat.a or libz.a missing and not installable: case skipped"; continue; }
        "$CC" -O2 -c "$SRC/pymain.c" -o "$TMP/pymain.o" 2>"$TMP/cc.log" &&
            set -- "$CC" -static "$TMP/pymain.o" "$PYA" -lexpat -lz -lm -lutil -o "$TMP/python" ;;
    hello-pie)
        "$CC" -O2 -c "$PROGS/hello.c" -o "$TMP/hello-pie.o" 2>"$TMP/cc.log" &&
            set -- "$CC" "$TMP/hello-pie.o" -o "$TMP/hello-pie" ;;
    cxx-pie)
        { command -v "$CXX" >/dev/null 2>&1 || { [ "$CXX" = g++ ] && apt_install g++; }; } &&
            "$CXX" -O2 -c "$PROGS/cxx.cc" -o "$TMP/cxx-pie.o" 2>"$TMP/cc.log" &&
            set -- "$CXX" "$TMP/cxx-pie.o" -o "$TMP/cxx-pie" -pthread ;;
    python-pie)
        need "$PYPIC" libpython3.11-dev && need "$LIBDIR/libexpat.so" libexpat1-dev &&
            need "$LIBDIR/libz.so" zlib1g-dev ||
            { note "python-pie: $PYPIC, libexpat.so or libz.so missing and not installable: case skipped"; continue; }
        "$CC" -O2 -fPIE -c "$SRC/pymain.c" -o "$TMP/pymain-pie.o" 2>"$TMP/cc.log" &&
            set -- "$CC" "$TMP/pymain-pie.o" "$PYPIC" -lexpat -lz -lm -lutil -o "$TMP/python-pie" ;;
    pyext)
        need "$PYINC/Python.h" libpython3.11-dev && command -v python3.11 >/dev/null 2>&1 ||
            { note "pyext: no python3.11 or its headers: case skipped"; continue; }
        "$CC" -O2 -fPIC -I"$PYINC" -c "$PYEXT" -o "$TMP/pyext.o" 2>"$TMP/cc.log" &&
            set -- "$CC" -shared "$TMP/pyext.o" -o "$TMP/keelext.so" ;;
    libpython)
        need "$PYPIC" libpython3.11-dev && need "$LIBDIR/libexpat.so" libexpat1-dev &&
            need "$LIBDIR/libz.so" zlib1g-dev ||
            { note "libpython: $PYPIC, libexpat.so or libz.so missing and not installable: case skipped"; continue; }
        "$CC" -O2 -fPIE -c "$SRC/pymain.c" -o "$TMP/pymain-dyn.o" 2>"$TMP/cc.log" &&
            set -- "$CC" -shared -Wl,-soname,libkeelpy.so -Wl,--whole-archive "$PYPIC" -Wl,--no-whole-archive \
                -lexpat -lz -lm -lutil -o "$TMP/libkeelpy.so" ;;
    *) echo "bench: unknown case '$c' in BENCH_LINK_CASES ($ALL_CASES)" >&2; exit 2 ;;
    esac || { note "$c: cannot compile ($(head -1 "$TMP/cc.log" 2>/dev/null)): case skipped"; continue; }
    echo "$*" >"$TMP/driver.$c"
    # the line of -### that runs collect2, without collect2 itself, one
    # argument a line.  gcc quotes it for a shell.
    line=$("$@" -### 2>&1 | grep -m1 '^ "\{0,1\}[^ ]*/collect2"\{0,1\} ')
    if [ -z "$line" ]; then
        note "$c: no collect2 line in '$* -###': case skipped"
        continue
    fi
    eval "set -- $line"
    shift
    printf '%s\n' "$@" >"$TMP/args.$c"
    BUILT="$BUILT $c"
done

# What the program is run with, and what it prints (ld.bfd's link says).
# A shared library is run by what uses it: python3.11 imports the extension
# from a directory of its own; ld.bfd's pymain, linked against ld.bfd's
# libkeelpy.so, runs with each linker's copy.
PYSCRIPT='import json, re, collections; print(json.dumps({"a": [1, 2]}), re.sub("a+", "b", "caaat"), collections.Counter("hello").most_common(2))'
run_prog() {
    case $1 in
    python | python-pie) "$2" -S -c "$PYSCRIPT" ;;
    pyext)
        mkdir -p "$2.d" && cp "$2" "$2.d/keelext.so" &&
            PYTHONPATH="$2.d" python3.11 -c 'import keelext; c = keelext.Counter(); c.bump(); print(keelext.add(2, 3), keelext.greet("keel"), c.bump())' ;;
    libpython)
        mkdir -p "$2.d" && cp "$2" "$2.d/libkeelpy.so" &&
            { [ -x "$TMP/pydyn" ] || "$CC" "$TMP/pymain-dyn.o" -fuse-ld=bfd -L"$TMP/libpython.bfd.d" -lkeelpy -o "$TMP/pydyn"; } &&
            LD_LIBRARY_PATH="$2.d" "$TMP/pydyn" -S -c "$PYSCRIPT" ;;
    *) "$2" ;;
    esac
}

# ----------------------------------------------------------------- timing
# add_cmd NAME PER ARGS...: a command to time (see time_round in common.sh),
# PER runs a round.
add_cmd() {
    _c=$1
    printf '%s\n' "$2" >"$TMP/per.$_c"
    shift 2
    printf '%s\n' "$@" >"$TMP/cmd.$_c"
    echo "$_c" >>"$TMP/order"
    : >"$TMP/times.$_c"
}

# time_all with each command's own PER.
time_link_all() {
    ncmd=$(wc -l <"$TMP/order" | tr -d ' ')
    r=1
    while [ $r -le "$ROUNDS" ]; do
        say "round $r/$ROUNDS: $ncmd commands, $PER_SLOW runs each ($PER_FAST when under 200 ms) after $WARMUP warm-ups"
        while read -r c; do
            PER=$(cat "$TMP/per.$c")
            time_round "$c"
        done <"$TMP/order"
        r=$((r + 1))
    done
    while read -r name; do
        [ -e "$TMP/failed.$name" ] && FAIL="$FAIL  timing $name failed (hyperfine's message is on stderr)
"
    done <"$TMP/order"
}

# stats NAME: "median mean sd" in ms, 1 decimal.  keel/x: "1.23".
stats() { stats_of "$1" "median mean sd" 1; }
ratio() { fmt_ratio %.2f "$@"; }

# The ways to link: the name of a row and the command before the arguments.
# mold forks by default: the parent exits once the output is written and a
# child it does not wait for cleans up (so /usr/bin/time sees only the
# parent); --no-fork keeps it in one process, --threads=1 on one thread.
WAYS="keel bfd gold lld mold mold-nofork mold-1t"
way_cmd() {
    case $1 in
    keel) printf '%s\n' "$KEEL" link ;;
    bfd) printf '%s\n' "$BFD" ;;
    gold) [ -n "$GOLD" ] && printf '%s\n' "$GOLD" ;;
    lld) [ -n "$LLD" ] && printf '%s\n' "$LLD" ;;
    mold) [ -n "$MOLD" ] && printf '%s\n' "$MOLD" ;;
    mold-nofork) [ -n "$MOLD" ] && printf '%s\n' "$MOLD" --no-fork ;;
    mold-1t) [ -n "$MOLD" ] && printf '%s\n' "$MOLD" --no-fork --threads=1 ;;
    esac
}

# first_error LOG: the line that says why a link failed (linkers warn first:
# libpython's dlopen and getpwnam warnings), else the first line.
first_error() {
    grep -m1 -i -E 'error|undefined|cannot|unknown|unsupported|not supported|fatal|multiple definition' "$1" ||
        head -1 "$1"
}

# ----------------------------------------------------------------- checks
FAIL=""
FINDINGS=""
: >"$TMP/order"
for c in $BUILT; do
    # ld.bfd's first: the others are checked against its program
    for w in bfd $(echo "$WAYS" | sed 's/ bfd / /'); do
        way_cmd "$w" >"$TMP/pre" || continue
        # the arguments, with -o's value this way's own output file
        awk -v out="$TMP/$c.$w" 'prev == "-o" { $0 = out } { prev = $0; print }' "$TMP/args.$c" >>"$TMP/pre"
        set --
        while IFS= read -r a; do set -- "$@" "$a"; done <"$TMP/pre"
        say "check: $c, $w"
        rm -f "$TMP/$c.$w"
        t0=$(date +%s%N)
        if [ -n "$TIME" ]; then
            "$TIME" -f %M -o "$TMP/rss" "$@" >"$TMP/log.$c.$w" 2>&1
            rc=$?
            rss=$(tail -1 "$TMP/rss")
            case $rss in *[!0-9]* | '') rss=- ;; esac
        else
            "$@" >"$TMP/log.$c.$w" 2>&1
            rc=$?
            rss=-
        fi
        t1=$(date +%s%N)
        echo "$rss" >"$TMP/rss.$c.$w"
        wc -c <"$TMP/log.$c.$w" | tr -d ' ' >"$TMP/msgs.$c.$w"
        if [ $rc -ne 0 ] || [ ! -x "$TMP/$c.$w" ]; then
            what="  $c, $w: the link fails (exit $rc): $(first_error "$TMP/log.$c.$w" | cut -c1-200)
"
            [ "$w" = keel ] && FAIL="$FAIL$what" || FINDINGS="$FINDINGS$what"
            continue
        fi
        # mold's forked child may still be finishing; the output is complete
        # when the parent exits
        wc -c <"$TMP/$c.$w" | tr -d ' ' >"$TMP/size.$c.$w"
        (cd "$TMP" && run_prog "$c" "$TMP/$c.$w") >"$TMP/out.$c.$w" 2>"$TMP/err.$c.$w"
        echo $? >>"$TMP/out.$c.$w"
        if [ "$w" = bfd ]; then
            if [ "$(wc -l <"$TMP/out.$c.$w")" -lt 2 ]; then
                FAIL="$FAIL  $c: ld.bfd's program prints nothing (exit $(tail -1 "$TMP/out.$c.$w")): $(head -1 "$TMP/err.$c.$w"); case not timed
"
                continue 2
            fi
        elif ! cmp -s "$TMP/out.$c.$w" "$TMP/out.$c.bfd" || ! cmp -s "$TMP/err.$c.$w" "$TMP/err.$c.bfd"; then
            what="  $c, $w: the program's output or exit status differs from ld.bfd's: $(diff "$TMP/out.$c.bfd" "$TMP/out.$c.$w" | grep -m1 '^>' ; head -1 "$TMP/err.$c.$w")
"
            [ "$w" = keel ] && FAIL="$FAIL$what" || FINDINGS="$FINDINGS$what"
            continue
        fi
        per=$PER_SLOW
        [ $((t1 - t0)) -lt 200000000 ] && per=$PER_FAST
        add_cmd "${c}_$w" "$per" "$@"
        if [ "$c" = python ] && [ "$w" = keel ]; then
            # issue 14's speed check: the same link with a 200-line mapfile
            # (bench/mapfile200.sh), timed in the same rounds
            sh "$HERE/mapfile200.sh" >"$TMP/200.map"
            if "$@" --mapfile "$TMP/200.map" >"$TMP/log.python.keel-map" 2>&1 &&
                (cd "$TMP" && run_prog python "$TMP/$c.$w") >"$TMP/out.python.keel-map" 2>/dev/null; then
                add_cmd python_keel-map "$per" "$@" --mapfile "$TMP/200.map"
            else
                FAIL="$FAIL  python, keel with a 200-line mapfile: the link or its program fails: $(first_error "$TMP/log.python.keel-map" | cut -c1-200)
"
            fi
        fi
    done
done

# ------------------------------------------------------------------ timing
time_link_all

# ------------------------------------------------------------------ table
: >"$OUT"
ROW='  %-18s %8s  %-14s %7s  %10s %10s  %s'

version() {
    case $1 in
    keel) echo "$(cd "$HERE/.." && git describe --always --dirty 2>/dev/null || echo 'no git'), $(od -An -tx1 -j16 -N1 "$KEEL" | tr -d ' ' | sed 's/^02$/ET_EXEC/; s/^03$/ET_DYN (static-pie)/'), a second thread copying the inputs" ;;
    bfd) "$BFD" --version | head -1 ;;
    gold) "$GOLD" --version | head -1 ;;
    lld) "$LLD" --version | head -1 ;;
    mold) "$MOLD" --version | head -1 ;;
    esac
}

emit "keel link vs ld.bfd, ld.gold, ld.lld and mold: linker-only time (the collect2 line of gcc -###, replayed), median wall ms"
emit "runs:      $RUNS timed per command ($FAST_RUNS when its check run took under 200 ms): $ROUNDS rounds, each after $WARMUP warm-ups; a round times every command in turn"
emit "date:      $(date -u '+%Y-%m-%d %H:%M UTC')   host: $(uname -m), nproc $(nproc 2>/dev/null || echo '?'), $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo 2>/dev/null | head -1), Linux $(uname -r)"
emit "load:      $LOAD0 (1/5/15-min load average at start; other work on the machine inflates these figures)"
emit "keel:      $KEEL ($(version keel))"
for w in bfd gold lld mold; do
    way_cmd "$w" >/dev/null && emit "$(printf '%-10s %s' "$w:" "$(version "$w")")"
done
emit "drivers:   $("$CC" --version | head -1); -O2 objects; the -plugin options stay on every line (see notes)"
if [ -n "$HYPERFINE" ]; then timer="hyperfine -N ($("$HYPERFINE" --version)): it fork+execs each command itself, output to /dev/null"; else timer="shell loop, date +%s%N around each round's batch"; fi
emit "timer:     $timer"
emit "keel/x:    keel's median / this row's median: above 1.00 keel is slower"
emit "maxRSS:    /usr/bin/time -f %M of the one untimed check run (KiB); mold's default row is its parent only (it forks), see mold --no-fork"

# The goals: keel/mold under 1.00 for the static links (the link-editor's
# first issue), under 0.75 for the dynamic ones (dynamic output's issue).
goal() { case $1 in hello | cxx | python) echo 1.00 ;; *) echo 0.75 ;; esac; }

SUMMARY=""
for c in $BUILT; do
    case $c in
    hello) title="hello: $(sed "s|$TMP/||g" "$TMP/driver.$c") (tests/progs/link/hello.c)" ;;
    cxx) title="cxx: $(sed "s|$TMP/||g" "$TMP/driver.$c") (tests/progs/link/cxx.cc: iostream, exceptions, thread_local, std::thread)" ;;
    python | python-pie) title="$c: $(sed "s|$TMP/||g" "$TMP/driver.$c"), runs python -S -c 'import json, re, collections; ...'" ;;
    hello-pie | cxx-pie) title="$c: $(sed "s|$TMP/||g" "$TMP/driver.$c") (gcc's default link: PIE, shared glibc)" ;;
    pyext) title="pyext: $(sed "s|$TMP/||g" "$TMP/driver.$c") (tests/progs/dynout/pyext.c, imported by python3.11)" ;;
    libpython) title="libpython: $(sed "s|$TMP/||g" "$TMP/driver.$c"), run by a pymain linked against it" ;;
    esac
    emit ""
    emit "$title"
    emit "$(row 'linker' 'median' 'mean ~ sd' 'keel/x' 'maxRSS KiB' 'output B' 'runs')"
    k=$(stats "${c}_keel" | cut -d' ' -f1)
    for w in $WAYS; do
        way_cmd "$w" >/dev/null || continue
        # shellcheck disable=SC2046
        set -- $(stats "${c}_$w")
        case $w in
        keel) label='keel link' ;;
        bfd) label='ld.bfd' ;;
        gold) label='ld.gold' ;;
        lld) label='ld.lld' ;;
        mold) label='mold' ;;
        mold-nofork) label='mold --no-fork' ;;
        mold-1t) label='mold --threads=1' ;;
        esac
        n=-
        [ -s "$TMP/times.${c}_$w" ] && n=$(wc -l <"$TMP/times.${c}_$w" | tr -d ' ')
        emit "$(row "$label" "$1" "$(pm "$2" "$3")" "$( [ "$w" = keel ] || ratio "$k" "$1")" \
            "$(cat "$TMP/rss.$c.$w" 2>/dev/null || echo -)" "$(cat "$TMP/size.$c.$w" 2>/dev/null || echo -)" "$n")"
    done
    x=$(ratio "$k" "$(stats "${c}_mold" | cut -d' ' -f1)")
    case $x in
    -) SUMMARY="$SUMMARY  $c: keel/mold -
" ;;
    *) SUMMARY="$SUMMARY  $c: keel/mold $x ($(awk -v x="$x" -v g="$(goal "$c")" 'BEGIN { print (x < g) ? "goal met" : "goal not met" }'), $(goal "$c")), keel/ld.bfd $(ratio "$k" "$(stats "${c}_bfd" | cut -d' ' -f1)"), keel/mold --threads=1 $(ratio "$k" "$(stats "${c}_mold-1t" | cut -d' ' -f1)")
" ;;
    esac
done

if [ -s "$TMP/times.python_keel-map" ]; then
    km=$(stats python_keel-map | cut -d' ' -f1)
    kp=$(stats python_keel | cut -d' ' -f1)
    x=$(ratio "$km" "$kp")
    SUMMARY="$SUMMARY  python with a 200-line mapfile (bench/mapfile200.sh): $km ms, $x times the link without ($(awk -v x="$x" 'BEGIN { print (x != "-" && x <= 1.05) ? "goal met" : "goal not met" }'), 1.05)
"
fi
emit ""
emit "the goals (keel/mold < 1.00 static, < 0.75 dynamic; peak RSS below mold's; a 200-line mapfile within 5%):"
printf '%s' "$SUMMARY" | tee -a "$OUT"
if [ -n "$FINDINGS" ]; then
    emit ""
    emit "peers that fail (not timed):"
    printf '%s' "$FINDINGS" | tee -a "$OUT"
fi
note "-plugin liblto_plugin.so and its -plugin-opt options are on every line: ld.bfd and ld.gold load the plugin (and find no LTO input); ld.lld 14 ignores -plugin and gcc's -plugin-opt= values; mold accepts them and would load the plugin only for a GCC LTO object; keel link ignores them"
note "the outputs are written to $(df -P "$TMP" 2>/dev/null | awk 'NR == 2 { print $1 }') (${TMPDIR:-/tmp}), each timed run over the last one's file"
emit_foot "keel failed (not timed):"
# Only keel failing is a failure of this suite; the peers' failures are
# findings, listed above.
[ -z "$FAIL" ]
