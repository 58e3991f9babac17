#!/bin/sh
# keel info on bad inputs.  For a bad file: exit status 1 and exactly one
# line on stderr, "keel: FILE: message", whose message gives the offset of
# the fault in 0x-hex where there is one.  For bad usage: exit status 2 and
# the complaint first on stderr (the usage text follows it).  Never death by
# a signal (an exit status above 128).  Inputs are generated under
# $KEEL_BUILD/t/cli_errors.
root=$(cd "$(dirname "$0")/.." && pwd)
: "${KEEL_BUILD:=$root/build}"
: "${KEEL:=$KEEL_BUILD/keel}"
t=$KEEL_BUILD/t/cli_errors
rm -rf "$t"
mkdir -p "$t/a-directory" || exit 1

# ------------------------------------------------------------------ inputs

: >"$t/empty"
printf 'hello, world\nthis is text, not ELF\n' >"$t/text"

# A real program cut at several sizes: inside e_ident, inside the ELF
# header, right after it, inside the section data, one byte short.
prog=/usr/bin/ls
[ -f "$prog" ] || prog=$KEEL
full=$(wc -c <"$prog")
cuts="1 10 16 40 63 64 100 1000 4096 $((full / 2)) $((full - 1))"
for n in $cuts; do
    head -c "$n" "$prog" >"$t/prog.$n"
done

# An ar member header: name, date, uid, gid, mode, size, then the
# terminator given as $2 (a good one is a backquote and a newline).
ar_header() {
    printf '%-16s%-12s%-6s%-6s%-8s%-10s%s' "$1" 0 0 0 644 "$3" "$2"
}
{ printf '!<arch>\n'; ar_header a.o/ 'xx' 4; printf 'abcd'; } >"$t/bad-terminator.a"
{ printf '!<arch>\n'; ar_header a.o/ '`
' 12a4; printf 'abcd'; } >"$t/bad-size.a"
{ printf '!<arch>\n'; ar_header a.o/ '`
' 100; printf 'abcd'; } >"$t/member-past-end.a"
lib=/usr/lib/x86_64-linux-gnu/libBrokenLocale.a
if [ -f "$lib" ]; then
    head -c 1000 "$lib" >"$t/cut-library.a"
else
    # the same shape: a member whose data the cut runs into
    { printf '!<arch>\n'; ar_header a.o/ '`
' 2000; head -c 932 "$prog"; } >"$t/cut-library.a"
fi

# ------------------------------------------------------------------- cases

# file | expected exit status | whether the message must carry a 0x offset | TODO
cases=$(cat <<EOF
$t/empty|1|yes|
$t/text|1|yes|
$t/prog.1|1|yes|
$t/prog.10|1|yes|
$t/prog.16|1|yes|
$t/prog.40|1|yes|
$t/prog.63|1|yes|
$t/prog.64|1|yes|
$t/prog.100|1|yes|
$t/prog.1000|1|yes|
$t/prog.4096|1|yes|
$t/prog.$((full / 2))|1|yes|
$t/prog.$((full - 1))|1|yes|
$t/no-such-file|1|no|
$t/a-directory|1|no|
$t/bad-terminator.a|1|yes|
$t/bad-size.a|1|yes|
$t/member-past-end.a|1|yes|
$t/cut-library.a|1|yes|
EOF
)
nfiles=$(printf '%s\n' "$cases" | wc -l)
echo "1..$((nfiles + 4))"
n=0

point() { # ok(0/1) description [todo]
    n=$((n + 1))
    if [ "$1" = 0 ]; then r="ok"; else r="not ok"; fi
    if [ -n "${3:-}" ]; then
        echo "$r $n - $2 # TODO $3"
    else
        echo "$r $n - $2"
    fi
}

diag() {
    sed 's/^/#   /' "$@"
}

# Why a bad-file run does not meet the contract; nothing if it does.
check_file() { # file rc need0x
    lines=$(wc -l <"$t/stderr")
    line=$(head -n 1 "$t/stderr")
    if [ "$rc" -gt 128 ]; then
        echo "died by signal $((rc - 128))"
    elif [ "$rc" -ne "$2" ]; then
        echo "exit status $rc, expected $2"
    elif [ "$lines" -ne 1 ]; then
        echo "$lines lines on stderr, expected 1"
    else
        case $line in
        "keel: $1: "?*) ;;
        *) echo "stderr is not 'keel: $1: message'" ;;
        esac
        if [ "$3" = yes ]; then
            case $line in
            *0x[0-9a-f]*) ;;
            *) echo "the message has no 0x offset" ;;
            esac
        fi
    fi
}

while IFS='|' read -r file want need0x todo; do
    "$KEEL" info "$file" >/dev/null 2>"$t/stderr"
    rc=$?
    why=$(check_file "$file" "$want" "$need0x")
    if [ -z "$why" ]; then
        point 0 "keel info ${file#"$t"/}: exit $want, one line 'keel: FILE: message'" "$todo"
    else
        point 1 "keel info ${file#"$t"/}: exit $want, one line 'keel: FILE: message'" "$todo"
        echo "#   $why"
        diag "$t/stderr"
    fi
done <<EOF
$cases
EOF

# Usage errors: status 2, the complaint first on stderr.
usage_case() { # description expected-first-line args...
    desc=$1
    first=$2
    shift 2
    "$KEEL" info "$@" >/dev/null 2>"$t/stderr"
    rc=$?
    if [ "$rc" -eq 2 ] && [ "$(head -n 1 "$t/stderr")" = "$first" ]; then
        point 0 "$desc: exit 2, '$first'"
    else
        point 1 "$desc: exit 2, '$first'"
        echo "#   exit status $rc"
        diag "$t/stderr"
    fi
}
usage_case "unknown long option" "keel info: unknown option '--no-such-option'" --no-such-option "$t/text"
usage_case "unknown short option" "keel info: unknown option '-Z'" -Z "$t/text"
usage_case "no input files" "keel info: no input files"

# The same program uncut: exit 0 and nothing on stderr, so that the cases
# above fail if keel stops reading good input.
"$KEEL" info "$prog" >/dev/null 2>"$t/stderr"
rc=$?
if [ "$rc" -eq 0 ] && [ ! -s "$t/stderr" ]; then
    point 0 "keel info $prog: exit 0, nothing on stderr"
else
    point 1 "keel info $prog: exit 0, nothing on stderr"
    echo "#   exit status $rc"
    diag "$t/stderr"
fi
