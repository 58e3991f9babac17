# shellcheck shell=sh
# bench/common.sh: the shell helpers the bench suites share.  Sourced, not
# run:  . "$HERE/common.sh"  (POSIX sh, like the scripts).
#
# Sourcing it only defines functions and sets NOTES="".  Before calling them
# a script sets (they are read when a function runs, not when sourced):
#   SUITE    the suite's name, "info", "exec" or "load": the prefix of the
#            files stats_of and emit_foot name in $JSONDIR, and need_cc's
#            message (the scripts also name their $TMP after it)
#   TMP      its scratch directory: apt.log, hf.json, hf.log, and the
#            cmd.NAME, times.NAME, failed.NAME and order files of the timing
#   OUT      the table file, which emit appends to
# and, for the timing and table helpers only exec.sh and load.sh use:
#   PER, WARMUP   timed and warm-up runs per command and round (split_rounds)
#   ROUNDS, RUNS  the number of rounds, and RUNS = PER * ROUNDS (emit_runs)
#   HYPERFINE     hyperfine's path or empty (find_timer sets it)
#   JSONDIR       where stats_of copies each command's pooled times
#   ROW           the printf format of a table row, for row
#   FAIL          the failures time_all adds to and emit_foot lists ("" first)
#   CC            the C compiler, for need_cc
#   HERE          bench/ (emit_foot names files relative to its parent)
#   START, LOAD0  date +%s and the 1/5/15-min load average at the start
#
# What differs between the suites stays in the scripts as thin wrappers:
# stats() over stats_of (which fields, in which order, how many decimals),
# ratio() over fmt_ratio and diff_ms() over fmt_diff (their printf formats),
# and the heading emit_foot gives the failures.

say() { echo "bench: $*" >&2; }

# note TEXT: say it now, and list it under the table.
NOTES=""
note() { NOTES="$NOTES$*
"; say "$*"; }

# ------------------------------------------------------------------ knobs

# whole VALUE DEFAULT: VALUE when it is a whole number, else DEFAULT (an
# unset or mistyped knob takes the suite's default).
whole() { if [ "$1" -ge 0 ] 2>/dev/null; then echo "$1"; else echo "$2"; fi; }

# per_round TOTAL LEAST: the runs a round takes so that $ROUNDS rounds give
# at least TOTAL runs, and never fewer than LEAST (the spread needs them).
per_round() {
    _p=$((($1 + ROUNDS - 1) / ROUNDS))
    [ "$_p" -ge "$2" ] || _p=$2
    echo "$_p"
}

# split_rounds LEAST_RUNS LEAST_PER: RUNS, ROUNDS and WARMUP (read from the
# suite's knobs with whole) brought to their least values, PER set, and RUNS
# rounded up to PER * ROUNDS, what the timing helpers run.
split_rounds() {
    [ "$ROUNDS" -ge 1 ] || ROUNDS=1
    [ "$RUNS" -ge "$1" ] || RUNS=$1
    PER=$(per_round "$RUNS" "$2")
    RUNS=$((PER * ROUNDS))
}

# ------------------------------------------------------------------ tools
# apt_install PKG...: install Debian packages when we are root and may.
apt_install() {
    [ -z "${BENCH_NO_INSTALL:-}" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 || return 1
    say "installing $* with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q "$@" >"$TMP/apt.log" 2>&1 ||
        { apt-get update -q >>"$TMP/apt.log" 2>&1 && apt-get install -y -q "$@" >>"$TMP/apt.log" 2>&1; } ||
        { say "apt-get install $* failed:"; tail -3 "$TMP/apt.log" >&2; return 1; }
}

# find_hyperfine: HYPERFINE=its path, installing it when it may; empty when
# there is none.
find_hyperfine() {
    HYPERFINE=$(command -v hyperfine 2>/dev/null) ||
        { apt_install hyperfine && HYPERFINE=$(command -v hyperfine 2>/dev/null); } || HYPERFINE=
}

# need_cc WHAT: $CC is there (or gcc installs), or the suite exits; WHAT is
# what it would have built.
need_cc() {
    command -v "$CC" >/dev/null 2>&1 || { [ "$CC" = gcc ] && apt_install gcc; } ||
        { echo "bench: no C compiler '$CC': cannot build the $1, $SUITE suite skipped" >&2; exit 1; }
}

# find_timer: find_hyperfine; without it, time_round falls back to a shell
# loop of date +%s%N (and the notes say so), or the suite exits.
find_timer() {
    find_hyperfine
    if [ -z "$HYPERFINE" ]; then
        [ "$(date +%N)" = N ] && { echo "bench: neither hyperfine nor a date with %N: cannot time" >&2; exit 1; }
        note "hyperfine: not found: each command and round is timed as one batch from a shell loop (the mean only; σ and median are over the round means; the shell's fork is in every figure)"
    fi
}

# ----------------------------------------------------------------- timing
# q WORD: WORD quoted for hyperfine -N, which splits its command like a shell.
q() {
    case $1 in
    *[!A-Za-z0-9_./=:+-]* | '') printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")" ;;
    *) printf '%s' "$1" ;;
    esac
}

# Each command to time is a file $TMP/cmd.NAME, one argument a line, with an
# empty $TMP/times.NAME; the names, in timing order, are in $TMP/order (the
# scripts' add_cmd writes them).

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

# time_all: $ROUNDS rounds, each timing every command of $TMP/order in turn;
# a command whose timing failed is added to $FAIL.
time_all() {
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
}

# stats_of NAME FIELDS DECIMALS: FIELDS, the three words mean, sd and median
# in some order, in ms with DECIMALS decimals over the pooled times of NAME
# ("- - -" when there are none or it failed; with a single time there is no
# sd, and it and the fields after it are '-').  sd is the sample standard
# deviation, as hyperfine's.  Copies the times to
# $JSONDIR/${SUITE}_NAME.times-ns.
stats_of() {
    if [ -e "$TMP/failed.$1" ] || [ ! -s "$TMP/times.$1" ]; then echo "- - -"; return; fi
    cp "$TMP/times.$1" "$JSONDIR/${SUITE}_$1.times-ns"
    sort -n "$TMP/times.$1" | awk -v fields="$2" -v dp="$3" '{ v[NR] = $1; s += $1 } END {
        m = s / NR
        for (i = 1; i <= NR; i++) q += (v[i] - m) ^ 2
        x["mean"] = m
        x["median"] = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        if (NR > 1) x["sd"] = sqrt(q / (NR - 1))
        n = split(fields, f, " ")
        out = ""; none = 0
        for (i = 1; i <= n; i++) {
            if (f[i] == "sd" && NR < 2) none = 1
            out = out (i > 1 ? " " : "") (none ? "-" : sprintf("%." dp "f", x[f[i]] / 1e6))
        }
        print out }'
}

# fmt_ratio FORMAT A B: A / B by printf FORMAT; '-' when either is '-' or B
# is not positive.
fmt_ratio() {
    awk -v f="$1" -v a="$2" -v b="$3" 'BEGIN {
        if (a == "-" || b == "-" || b + 0 <= 0) print "-"; else printf f "\n", a / b }'
}
# fmt_diff FORMAT A B: A - B by printf FORMAT; '-' when either is '-'.
fmt_diff() {
    awk -v f="$1" -v a="$2" -v b="$3" 'BEGIN { if (a == "-" || b == "-") print "-"; else printf f "\n", a - b }'
}

# ------------------------------------------------------------------ table
emit() { printf '%s\n' "$*" | tee -a "$OUT"; }
# pm MEAN SD: "mean ~ sd", the ~ a one-byte stand-in for the two-byte ±,
# which row() puts back after printf has padded the columns by bytes.
pm() { if [ "$2" = - ]; then printf '%s\n' "$1"; else printf '%s ~ %s\n' "$1" "$2"; fi; }
# shellcheck disable=SC2059
row() { printf "$ROW" "$@" | sed 's/ ~ / ± /g'; }

# emit_runs: the runs:, date: and load: lines of a table's head.
emit_runs() {
    emit "runs:      $RUNS timed per command: $ROUNDS rounds of $PER, each after $WARMUP warm-ups; a round times every command in turn"
    emit "date:      $(date -u '+%Y-%m-%d %H:%M UTC')   host: $(uname -m), $(nproc 2>/dev/null || echo '?') cpu, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo 2>/dev/null | head -1), Linux $(uname -r)"
    emit "load:      $LOAD0 (1/5/15-min load average at start; other work on the machine inflates these figures)"
}

# emit_foot HEADING: the table's foot: $FAIL under HEADING, the notes, the
# load average and where the files are.
emit_foot() {
    emit ""
    if [ -n "$FAIL" ]; then
        emit "$1"
        printf '%s' "$FAIL" | tee -a "$OUT"
    fi
    if [ -n "$NOTES" ]; then
        emit "notes:"
        printf '%s' "$NOTES" | sed 's/^/  /' | tee -a "$OUT"
    fi
    TOP=$(dirname "$HERE")
    emit "load at end: $(cut -d" " -f1-3 /proc/loadavg 2>/dev/null)"
    emit "total bench time: $(($(date +%s) - START)) s; table in ${OUT#"$TOP/"}, run times in ${JSONDIR#"$TOP/"}/${SUITE}_*.times-ns"
}
