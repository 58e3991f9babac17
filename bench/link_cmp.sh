#!/bin/sh
# Byte-identity check for a change to the link-editor:
#   bench/link_cmp.sh OLD_KEEL NEW_KEEL tests/link.t ...
# runs the test files with a stand-in for keel that links each `keel link`
# line with OLD_KEEL (to OUT.cmp-old) and with NEW_KEEL (to OUT, which the
# test goes on with), compares the two outputs, standard outputs and exit
# codes, and prints how many were the same and every line that was not
# (and the tests' failures).  Lines that write no file (--keel-print-plan,
# --help, --version) are run alike by both, their standard outputs
# compared.  (The tests clear the environment, so the stand-in has the
# paths written into it.)
set -u
old=$(readlink -f "$1") new=$(readlink -f "$2")
shift 2
dir=$(mktemp -d /tmp/link_cmp.XXXXXX)
log=$dir/log
cat >"$dir/keel" <<WRAP
#!/bin/bash
# (keel run as ld by a symlink keeps its name: such lines are not compared)
[ "\$1" = link ] || exec -a "\$0" "$new" "\$@"
out=a.out prev=
for a in "\$@"; do
    case \$prev in -o|--output) out=\$a ;; esac
    case \$a in -o?*) out=\${a#-o} ;; --output=*) out=\${a#--output=} ;; esac
    prev=\$a
done
rename=yes
for a in "\$@"; do
    case \$a in --keel-print-plan|--help|--version|-v|-V) rename= ;; esac
done
(
    n=\$# prev=
    for a in "\$@"; do
        b=\$a
        if [ -n "\$rename" ]; then
            case \$prev in -o|--output) b=\$a.cmp-old ;; esac
            case \$a in -o?*|--output=*) b=\$a.cmp-old ;; esac
        fi
        set -- "\$@" "\$b"
        prev=\$a
    done
    shift \$n
    [ "\$out" = a.out ] && [ -n "\$rename" ] && set -- "\$@" -o a.out.cmp-old
    "$old" "\$@" >"\$out.cmp-old-stdout" 2>/dev/null
    echo \$? >"\$out.cmp-rc"
)
"$new" "\$@" >"\$out.cmp-new-stdout"
rc=\$?
cat "\$out.cmp-new-stdout"
orc=\$(cat "\$out.cmp-rc" 2>/dev/null)
if [ "\$orc" != "\$rc" ]; then
    echo "EXIT old=\$orc new=\$rc: \$*" >>"$log"
elif ! cmp -s "\$out.cmp-old-stdout" "\$out.cmp-new-stdout"; then
    echo "DIFFER (standard output): \$*" >>"$log"
elif [ "\$rc" != 0 ]; then
    echo "failed-both: \$*" >>"$log"
elif [ -z "\$rename" ] || { [ ! -e "\$out" ] && [ ! -e "\$out.cmp-old" ]; }; then
    echo "same (no output file): \$*" >>"$log"
elif cmp -s "\$out.cmp-old" "\$out"; then
    echo "same: \$*" >>"$log"
else
    echo "DIFFER: \$*" >>"$log"
fi
rm -f "\$out.cmp-old" "\$out.cmp-rc" "\$out.cmp-old-stdout" "\$out.cmp-new-stdout"
exit \$rc
WRAP
chmod +x "$dir/keel"
build=$(dirname "$new")
KEEL="$dir/keel" KEEL_BUILD="$build" prove "$@" >"$dir/prove" 2>&1
grep -E 'Failed|Wstat|^Result' "$dir/prove"
touch "$log"
awk '{print $1}' "$log" | sort | uniq -c
grep -v '^same\|^failed-both' "$log"
bad=$(grep -c -v '^same\|^failed-both' "$log")
grep -q '^Result: PASS' "$dir/prove" || bad=$((bad + 1))
rm -rf "$dir"
[ "$bad" = 0 ]
