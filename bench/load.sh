#!/bin/sh
# shellcheck disable=SC2012,SC2015
# bench/load.sh KEEL: the runtime loader.  `keel run` loads relocatable
# objects and an archive, relocates them and runs main; this times it on two
# real Debian libraries against the same work done other ways:
#
#   python  pymain.o + libpython3.11-pic.a (-lz -lexpat -lm), `-c pass`
#   sqlite  sqlmain.o + libsqlite3.a (-lm): open :memory:, `select 1`
#
# against dlopen of the finished shared library (libpython3.11.so.1.0,
# libsqlite3.so.0; RTLD_NOW), the same objects linked by gcc into a PIE (the
# floor), llvm-jitlink and libtcc loading the same objects, and splits
# keel's own cost with `keel run --list` (load and relocate, run nothing),
# `keel run empty.o` and `--version` (process start).  Then the loaders'
# calls alone, timed inside a process (bench/load/inproc.c): keel_load of
# the inputs, dlopen of the library, and reading every byte of the inputs
# (what any loader of them pays at least).
#
#   sh bench/load.sh /abs/path/to/build/keel      (bench/run.sh calls it)
#
# Environment knobs (all optional):
#   BENCH_LOAD_RUNS=N    timed runs per command in all (default 20, at least 5)
#   BENCH_LOAD_ROUNDS=N  split them into N rounds; each round times every
#                        command in turn, so drift hits all rows alike (default 2)
#   BENCH_LOAD_WARMUP=N  untimed warm-up runs per command and round (default 2)
#   BENCH_LOAD_CASES="python sqlite"   the cases to run
#   BENCH_CC=CC          the compiler for the drivers (default gcc)
#   BENCH_NO_INSTALL=1   never apt-get install a missing tool or library
#
# keel-run must sit next to KEEL (the build tree's layout).  Writes the table
# to stdout and to bench/results/load.txt, each command's pooled run times
# (ns, one a line) to bench/results/hyperfine/load_*.times-ns.  See
# bench/README.md ("keel run: the runtime loader").
set -u

KEEL=${1:-}
if [ -z "$KEEL" ] || [ ! -x "$KEEL" ]; then
    echo "usage: sh bench/load.sh /abs/path/to/keel  (got '${KEEL}')" >&2
    exit 2
fi
case $KEEL in /*) ;; *) KEEL=$(pwd)/$KEEL ;; esac
KEEL_RUN=$(dirname "$KEEL")/keel-run
if [ ! -x "$KEEL_RUN" ]; then
    echo "bench: $KEEL_RUN (the dynamically linked keel that runs 'keel run') is missing: load suite skipped" >&2
    exit 1
fi

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/common.sh
. "$HERE/common.sh"
SUITE="load"
SRC=$HERE/load
RESULTS=$HERE/results
JSONDIR=$RESULTS/hyperfine
OUT=$RESULTS/load.txt
RUNS=$(whole "${BENCH_LOAD_RUNS:-}" 20)
ROUNDS=$(whole "${BENCH_LOAD_ROUNDS:-}" 2)
WARMUP=$(whole "${BENCH_LOAD_WARMUP:-}" 2)
split_rounds 5 3
CASES=${BENCH_LOAD_CASES:-python sqlite}
CC=${BENCH_CC:-gcc}
LIBDIR=/usr/lib/x86_64-linux-gnu
PYA=/usr/lib/python3.11/config-3.11-x86_64-linux-gnu/libpython3.11-pic.a
PYSO=$LIBDIR/libpython3.11.so.1.0
SQLA=$LIBDIR/libsqlite3.a
SQLSO=$LIBDIR/libsqlite3.so.0

mkdir -p "$RESULTS" "$JSONDIR"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/keel-bench-$SUITE.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
START=$(date +%s)
LOAD0=$(cut -d" " -f1-3 /proc/loadavg 2>/dev/null)

# ------------------------------------------------------------------ tools
# need FILE PACKAGE: FILE exists, or PACKAGE installs it.
need() { [ -e "$1" ] || { apt_install "$2" && [ -e "$1" ]; }; }

find_jitlink() {
    # versioned names: llvm-jitlink-14 (not llvm-jitlink-executor-14),
    # /usr/lib/llvm-14/bin/llvm-jitlink; the newest first
    command -v llvm-jitlink 2>/dev/null && return 0
    for c in $(ls /usr/bin/llvm-jitlink-[0-9]* /usr/lib/llvm-*/bin/llvm-jitlink 2>/dev/null | sort -V -r); do
        [ -x "$c" ] && { echo "$c"; return 0; }
    done
    return 1
}

need_cc drivers
find_timer
JITLINK=$(find_jitlink) || { apt_install llvm && JITLINK=$(find_jitlink); } || JITLINK=
[ -n "$JITLINK" ] || note "llvm-jitlink: not found (not root, or apt-get install llvm failed): its rows are skipped"
TCC_LIB=$LIBDIR/tcc
HAVE_TCC=1
{ need /usr/include/libtcc.h libtcc-dev && need "$TCC_LIB/libtcc1.a" tcc; } ||
    { HAVE_TCC=; note "libtcc: libtcc-dev or tcc (for libtcc1.a) missing and not installable: its rows are skipped"; }
OBJCOPY=$(command -v objcopy 2>/dev/null) || { apt_install binutils && OBJCOPY=$(command -v objcopy 2>/dev/null); } || OBJCOPY=

# ----------------------------------------------------------------- timing
# A way to do a case's work is a command prefix in $TMP/pre.NAME, one
# argument a line; the arguments that follow it (python's -c pass) are given
# when it runs.  run_way NAME ARGS... runs it.
way() {
    _n=$1
    shift
    printf '%s\n' "$@" >"$TMP/pre.$_n"
}
argv_of() {     # argv_of NAME ARGS...: the full argument list, one a line
    _n=$1
    shift
    cat "$TMP/pre.$_n"
    [ $# -eq 0 ] || printf '%s\n' "$@"
}
run_way() {
    argv_of "$@" >"$TMP/argv"
    set --
    while IFS= read -r a; do set -- "$@" "$a"; done <"$TMP/argv"
    "$@"
}

# check NAME EXPECT ARGS...: run the way once; it must exit 0 and print
# EXPECT ('*': anything).  A failure is listed under the table, and the way
# is then not timed.
FAIL=""
check() {
    _n=$1 _want=$2
    shift 2
    run_way "$_n" "$@" >"$TMP/out" 2>"$TMP/err"
    _rc=$?
    if [ $_rc -eq 0 ] && { [ "$_want" = '*' ] || [ "$(cat "$TMP/out")" = "$_want" ]; }; then
        return 0
    fi
    FAIL="$FAIL  $_n: exit $_rc: $(cat "$TMP/err" "$TMP/out" | grep . | head -1 | cut -c1-200)
"
    say "$_n failed its check (exit $_rc): $(head -c 300 "$TMP/err")"
    return 1
}

# add_cmd NAME ARGS...: the way NAME with ARGS, a command to time (see
# time_round in common.sh).
: >"$TMP/order"
add_cmd() {
    _c=$1
    shift
    argv_of "$_c" "$@" >"$TMP/cmd.$_c"
    echo "$_c" >>"$TMP/order"
    : >"$TMP/times.$_c"
}

# stats NAME: "median mean sd" in ms, 1 decimal.  keel/x and over: "1.23";
# the splits: "12.3".
stats() { stats_of "$1" "median mean sd" 1; }
istats() { stats_of "$1" "median mean sd" 2; }  # the in-process rows: a few ms
median() { stats "$1" | cut -d" " -f1; }
ratio() { fmt_ratio %.2f "$@"; }
diff_ms() { fmt_diff %.1f "$@"; }

# ------------------------------------------------------------------ build
cc_ok() {   # cc_ok WHAT CC-ARGS...: compile, or note why not
    _what=$1
    shift
    "$CC" "$@" 2>"$TMP/cc.log" && return 0
    note "$_what: '$CC $*' failed: $(grep -m1 . "$TMP/cc.log")"
    return 1
}

cc_ok empty.o -O2 -fPIC -c "$SRC/empty.c" -o "$TMP/empty.o" || exit 1
if [ -n "$HAVE_TCC" ]; then
    cc_ok tcc_run -O2 -DTCC_LIB_PATH="\"$TCC_LIB\"" "$SRC/tcc_run.c" -o "$TMP/tcc_run" -ltcc -ldl || HAVE_TCC=
fi
LIBGCC=$("$CC" -print-libgcc-file-name 2>/dev/null)
LIBKEEL=$(dirname "$KEEL")/libkeel.a
[ -f "$LIBKEEL" ] || note "in-process rows: $LIBKEEL is missing (build it: make), so they are skipped"
: >"$TMP/inorder"

# keel-dyn: keel-run under a name that is not keel-run is the whole keel,
# dynamically linked, so `keel-dyn --version` is keel-run's process start.
ln -s "$KEEL_RUN" "$TMP/keel-dyn"

way keel-version "$KEEL" --version
way keel-dyn-version "$TMP/keel-dyn" --version
check keel-version '*' && add_cmd keel-version
check keel-dyn-version '*' && add_cmd keel-dyn-version

# jitlink_probe CASE ARGS...: llvm-jitlink on the unmodified objects, once:
# its first error goes to the notes
jit_error() { grep -m1 . "$TMP/err" | sed 's/^JIT session error: //' | cut -c1-160; }

# ------------------------------------------------------------------ cases
CASES_RUN=""
for case in $CASES; do
    case $case in
    python)
        need "$PYA" libpython3.11-dev && need "$PYSO" libpython3.11 &&
            need "$LIBDIR/libz.so" zlib1g-dev && need "$LIBDIR/libexpat.so" libexpat1-dev ||
            { note "python: $PYA or $PYSO (or libz, libexpat) missing: case skipped"; continue; }
        cc_ok pymain.o -O2 -fPIC -c "$SRC/pymain.c" -o "$TMP/pymain.o" &&
            cc_ok dlopen_python -O2 "$SRC/dlopen_python.c" -o "$TMP/dlopen_python" -ldl || continue
        cc_ok python-static -O2 -pie "$TMP/pymain.o" "$PYA" -lz -lexpat -lm -o "$TMP/python-static"
        OBJ=$TMP/pymain.o ARCH=$PYA LIBS="-lz -lexpat -lm" DLOPEN=$TMP/dlopen_python SO=$PYSO
        CHECK_ARGS="-c print(40+2)" WANT=42 TIMED_ARGS="-c pass"
        ;;
    sqlite)
        need "$SQLA" libsqlite3-dev && need "$SQLSO" libsqlite3-0 ||
            { note "sqlite: $SQLA or $SQLSO missing: case skipped"; continue; }
        cc_ok sqlmain.o -O2 -fPIC -c "$SRC/sqlmain.c" -o "$TMP/sqlmain.o" &&
            cc_ok dlopen_sqlite -O2 "$SRC/dlopen_sqlite.c" -o "$TMP/dlopen_sqlite" -ldl || continue
        cc_ok sqlite-static -O2 -pie "$TMP/sqlmain.o" "$SQLA" -lm -o "$TMP/sqlite-static"
        OBJ=$TMP/sqlmain.o ARCH=$SQLA LIBS="-lm" DLOPEN=$TMP/dlopen_sqlite SO=$SQLSO
        CHECK_ARGS="" WANT=1 TIMED_ARGS=""
        ;;
    *) echo "bench: unknown case '$case' in BENCH_LOAD_CASES (python sqlite)" >&2; exit 2 ;;
    esac
    CASES_RUN="$CASES_RUN $case"
    say "$case: checking each way"
    c=$case
    # shellcheck disable=SC2086  # LIBS, CHECK_ARGS and TIMED_ARGS are words
    {
        way "${c}_keel-run" "$KEEL" run "$OBJ" "$ARCH" $LIBS --
        way "${c}_keel-run-direct" "$KEEL_RUN" "$OBJ" "$ARCH" $LIBS --
        way "${c}_keel-list" "$KEEL" run --list "$OBJ" "$ARCH" $LIBS
        way "${c}_keel-empty" "$KEEL" run "$TMP/empty.o"
        way "${c}_dlopen" "$DLOPEN"
        way "${c}_static" "$TMP/$c-static"
        for w in keel-run keel-run-direct dlopen static; do
            [ -x "$(head -1 "$TMP/pre.${c}_$w")" ] || continue
            check "${c}_$w" "$WANT" $CHECK_ARGS && add_cmd "${c}_$w" $TIMED_ARGS
        done
        # the in-process rows: inproc linked with the case's -l libraries
        # shellcheck disable=SC2086
        if [ -f "$LIBKEEL" ] && cc_ok "inproc ($c)" -O2 -I"$HERE/../include" "$SRC/inproc.c" "$LIBKEEL" \
            -o "$TMP/inproc_$c" -Wl,--no-as-needed $LIBS -ldl -lpthread; then
            for w in keel dlopen read; do
                case $w in
                keel) set -- "$OBJ" "$ARCH" ;;
                dlopen) set -- "$SO" ;;
                read) set -- "$OBJ" "$ARCH" ;;
                esac
                if "$TMP/inproc_$c" "$w" "$@" >"$TMP/out" 2>"$TMP/err" && grep -qx '[0-9][0-9]*' "$TMP/out"; then
                    printf '%s\n' "$TMP/inproc_$c" "$w" "$@" >"$TMP/in.${c}_$w"
                    echo "${c}_$w" >>"$TMP/inorder"
                    : >"$TMP/times.${c}_in-$w"
                else
                    FAIL="$FAIL  ${c}_in-$w: $(grep -m1 . "$TMP/err" | cut -c1-200)
"
                fi
            done
        fi
        if check "${c}_keel-list" '*'; then
            add_cmd "${c}_keel-list"
            eval "${c}_sections=$(grep -c . "$TMP/out")"
        fi
        check "${c}_keel-empty" '' && add_cmd "${c}_keel-empty"

        if [ -n "$JITLINK" ]; then
            # llvm-jitlink: -lNAME looks in the -L directories, where libm is
            # a GNU ld script it cannot read: libm comes from llvm-jitlink's
            # own process (host symbols).  -args: main's argv, argv[0] first.
            # --debugger-support=false: its debug-object plugin rejects
            # libpython's .bss and adds work none of the peers do.
            jl_libs=$(echo "$LIBS" | sed 's/ *-lm//')
            way "${c}_jitlink" "$JITLINK" --debugger-support=false "$OBJ" "$ARCH" -L"$LIBDIR" $jl_libs -args "$OBJ"
            way "${c}_jitlink-empty" "$JITLINK" --debugger-support=false "$TMP/empty.o" -args empty.o
            if check "${c}_jitlink" "$WANT" $CHECK_ARGS; then
                add_cmd "${c}_jitlink" $TIMED_ARGS
            else
                note "$c: llvm-jitlink fails on the unmodified objects: $(jit_error)"
                # The known cause: SystemTap probe notes (.note.stapsdt, a
                # non-SHF_ALLOC section with relocations against text).
                # Time it on a copy of the archive without them, marked *.
                probes=$(readelf -SW "$ARCH" 2>/dev/null | awk '/^File: /{ f = $2 } / \.note\.stapsdt /{ sub(/.*\(/, "", f); sub(/\).*/, "", f); printf "%s ", f }')
                if [ -n "$probes" ] && [ -n "$OBJCOPY" ]; then
                    cp "$ARCH" "$TMP/$c-noprobes.a" &&
                        "$OBJCOPY" -R .note.stapsdt -R .rela.note.stapsdt "$TMP/$c-noprobes.a" 2>"$TMP/err"
                    way "${c}_jitlink-noprobes" "$JITLINK" --debugger-support=false "$OBJ" "$TMP/$c-noprobes.a" -L"$LIBDIR" $jl_libs -args "$OBJ"
                    if check "${c}_jitlink-noprobes" "$WANT" $CHECK_ARGS; then
                        add_cmd "${c}_jitlink-noprobes" $TIMED_ARGS
                        note "$c: llvm-jitlink* = on a copy of the archive with .note.stapsdt and .rela.note.stapsdt removed (objcopy -R) from the members that have them: ${probes% }"
                    fi
                fi
            fi
            check "${c}_jitlink-empty" '' && add_cmd "${c}_jitlink-empty"
        fi

        if [ -n "$HAVE_TCC" ]; then
            # libtcc resolves what the objects leave undefined against
            # libtcc1.a, the -l libraries and nothing else: gcc's helpers
            # (libgcc.a) must be given when the objects call one.
            way "${c}_libtcc" "$TMP/tcc_run" "$OBJ" "$ARCH" $LIBS --
            fail0=$FAIL
            if check "${c}_libtcc" "$WANT" $CHECK_ARGS; then
                add_cmd "${c}_libtcc" $TIMED_ARGS
            elif [ -n "$LIBGCC" ] && [ -f "$LIBGCC" ]; then
                note "$c: libtcc without libgcc.a: $(grep -m1 . "$TMP/err" | cut -c1-160); $LIBGCC added"
                way "${c}_libtcc" "$TMP/tcc_run" "$OBJ" "$ARCH" "$LIBGCC" $LIBS --
                # with libgcc.a it passes: the first try is a note, not a failure
                check "${c}_libtcc" "$WANT" $CHECK_ARGS && FAIL=$fail0 && add_cmd "${c}_libtcc" $TIMED_ARGS
            fi
            way "${c}_libtcc-empty" "$TMP/tcc_run" "$TMP/empty.o"
            check "${c}_libtcc-empty" '' && add_cmd "${c}_libtcc-empty"
        fi
    }
done

# ------------------------------------------------------------------ timing
time_all

# The in-process rows: each run a fresh process that prints the call's
# nanoseconds; rounds and runs as for the commands, interleaved.
r=1
while [ $r -le "$ROUNDS" ]; do
    while read -r name; do
        set --
        while IFS= read -r a; do set -- "$@" "$a"; done <"$TMP/in.$name"
        i=0
        while [ $i -lt "$WARMUP" ]; do "$@" >/dev/null 2>&1; i=$((i + 1)); done
    done <"$TMP/inorder"
    i=0
    while [ $i -lt "$PER" ]; do
        while read -r name; do
            set --
            while IFS= read -r a; do set -- "$@" "$a"; done <"$TMP/in.$name"
            c=${name%%_*} w=${name#*_}
            "$@" 2>/dev/null >>"$TMP/times.${c}_in-$w"
        done <"$TMP/inorder"
        i=$((i + 1))
    done
    r=$((r + 1))
done

# ------------------------------------------------------------------ table
: >"$OUT"
ROW='  %-16s %8s  %-14s %11s  %s'

emit "keel run vs dlopen, a static link, llvm-jitlink and libtcc: load + relocate + run, median wall ms"
emit_runs
emit "keel:      $KEEL ($(cd "$HERE/.." && git describe --always --dirty 2>/dev/null || echo 'no git')), keel-run next to it"
emit "drivers:   $("$CC" --version | head -1), -O2 (objects -fPIC)"
if [ -n "$HYPERFINE" ]; then timer="hyperfine -N ($("$HYPERFINE" --version)): it fork+execs each command itself, output to /dev/null"; else timer="shell loop, date +%s%N around each round's batch"; fi
emit "timer:     $timer"
[ -n "$JITLINK" ] && emit "jitlink:   $JITLINK ($("$JITLINK" --version 2>/dev/null | grep -i 'version' | head -1 | sed 's/^ *//'))"
[ -n "$HAVE_TCC" ] && emit "libtcc:    $(dpkg-query -W -f '${Package} ${Version}' libtcc-dev 2>/dev/null || echo 'libtcc.a'), runtime $TCC_LIB/libtcc1.a"
emit "keel/x:    keel run median / this row's median: above 1.00 keel is slower (the issue's goal: keel/dlopen <= 1.00)"
emit "over:      (keel run - static) / (this row - static), medians: the loaders' extra work over the linked program"
emit ""
# shellcheck disable=SC2046
set -- $(stats keel-version)
emit "$(row 'process start' 'median' 'mean ~ sd' '' '')"
emit "$(row 'keel --version' "$1" "$(pm "$2" "$3")" '' 'static-pie keel: execve, libc start-up, exit')"
# shellcheck disable=SC2046
set -- $(stats keel-dyn-version)
v_dyn=$1
emit "$(row 'keel-run start' "$1" "$(pm "$2" "$3")" '' 'keel-run (dynamic) as keel --version: + ld.so, libc.so')"

for c in $CASES_RUN; do
    case $c in
    python) title="python: pymain.o + $(basename "$PYA") -lz -lexpat -lm, main runs python -c pass" ;;
    sqlite) title="sqlite: sqlmain.o + $(basename "$SQLA") -lm, main opens :memory: and runs select 1" ;;
    esac
    k=$(median "${c}_keel-run")
    s=$(median "${c}_static")
    SO_OF=$( [ "$c" = python ] && echo "$PYSO" || echo "$SQLSO")
    emit ""
    emit "$title"
    emit "$(row 'way' 'median' 'mean ~ sd' 'keel/x  over' 'what')"
    for w in keel-run keel-run-direct keel-list keel-empty dlopen static jitlink jitlink-noprobes jitlink-empty libtcc libtcc-empty; do
        grep -qx "${c}_$w" "$TMP/order" || continue
        # shellcheck disable=SC2046
        set -- $(stats "${c}_$w")
        x=$(ratio "$k" "$1")
        o=
        case $w in keel-run | dlopen | jitlink | jitlink-noprobes | libtcc)
            o=$(ratio "$(diff_ms "$k" "$s")" "$(diff_ms "$1" "$s")") ;;
        esac
        case $w in
        keel-run) label='keel run' what='keel, execve keel-run, load + relocate, run main' ;;
        keel-run-direct) label='keel-run' what='the same started as keel-run: no hand-over execve' ;;
        keel-list) n=; eval "n=\${${c}_sections:-?}"; label='keel run --list' what="load + relocate (inert), print $n section lines; run nothing" ;;
        keel-empty) label='keel run empty' what='keel run empty.o: the fixed cost of keel run' ;;
        dlopen) label='dlopen' what="dlopen_$c: dlopen $(basename "$( [ "$c" = python ] && echo "$PYSO" || echo "$SQLSO")") RTLD_NOW, dlsym, call" ;;
        static) label='static link' what='the same objects linked by gcc -pie: the floor' ;;
        jitlink) label='llvm-jitlink' what='llvm-jitlink OBJ ARCHIVE -L -l..., runs main' ;;
        jitlink-noprobes) label='llvm-jitlink*' what='the same, on the archive without .note.stapsdt (see notes)' ;;
        jitlink-empty) label='jitlink empty' what='llvm-jitlink empty.o: its fixed cost (libLLVM start-up)' ;;
        libtcc) label='libtcc' what='tcc_add_file each, tcc_run (relocate, call main)' ;;
        libtcc-empty) label='libtcc empty' what='tcc_run empty.o: its fixed cost' ;;
        esac
        emit "$(row "$label" "$1" "$(pm "$2" "$3")" "$(printf '%5s %5s' "$x" "${o:-}")" "$what")"
    done
    if grep -q "^${c}_keel\$" "$TMP/inorder"; then
        emit "  in-process: the loader's call alone, in a fresh process each run (bench/load/inproc.c)"
        ik=$(istats "${c}_in-keel" | cut -d" " -f1)
        for w in keel dlopen read; do
            grep -qx "${c}_$w" "$TMP/inorder" || continue
            # shellcheck disable=SC2046
            set -- $(istats "${c}_in-$w")
            case $w in
            keel) label='keel_load' what='keel_ns_create + keel_load of the object and the archive (host symbols, constructors)' ;;
            dlopen) label='dlopen' what="dlopen $(basename "$SO_OF") RTLD_NOW | RTLD_GLOBAL" ;;
            read) label='read the inputs' what='mmap (MAP_POPULATE) the object and the archive and read every byte: any loader of them pays this' ;;
            esac
            emit "$(row "$label" "$1" "$(pm "$2" "$3")" "$(printf '%5s' "$(ratio "$ik" "$1")")" "$what")"
        done
    fi
    l=$(median "${c}_keel-list")
    e=$(median "${c}_keel-empty")
    d=$(median "${c}_dlopen")
    emit "  split:   --list - empty = $(diff_ms "$l" "$e") ms (load + relocate of the inputs, and printing the list);" \
        "run - --list = $(diff_ms "$k" "$l") ms (main's run, constructors, -l libraries);" \
        "empty - keel-run start = $(diff_ms "$e" "$v_dyn") ms (keel's hand-over execve, empty load)"
    emit "  over the static link: keel run +$(diff_ms "$k" "$s") ms, dlopen +$(diff_ms "$d" "$s") ms"
done

emit_foot "failed (not timed):"
# Only keel failing is a failure of this suite; the peers' failures are
# findings, listed above.
! printf '%s' "$FAIL" | grep -q '^  [a-z]*_keel'
