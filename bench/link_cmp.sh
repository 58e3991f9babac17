#!/bin/sh
# Byte-identity check for a change to the link-editor:
#   bench/link_cmp.sh OLD_KEEL NEW_KEEL tests/link.t ...
# runs the test files with a stand-in for keel that links each `keel link`
# line with OLD_KEEL (to OUT.cmp-old) and with NEW_KEEL (to OUT, which the
# test goes on with), compares the two outputs and exit codes, and prints
# how many were the same and every line that was not.  (The tests clear
# the environment, so the stand-in has the paths written into it.)
set -u
old=$(readlink -f "$1") new=$(readlink -f "$2")
shift 2
dir=$(mktemp -d /tmp/link_cmp.XXXXXX)
log=$dir/log
cat >"$dir/keel" <<WRAP
#!/bin/sh
[ "\$1" = link ] || exec "$new" "\$@"
out=a.out prev=
for a in "\$@"; do
    case \$prev in -o|--output) out=\$a ;; esac
    case \$a in -o?*) out=\${a#-o} ;; --output=*) out=\${a#--output=} ;; esac
    prev=\$a
done
(
    n=\$# prev=
    for a in "\$@"; do
        b=\$a
        case \$prev in -o|--output) b=\$a.cmp-old ;; esac
        case \$a in -o?*|--output=*) b=\$a.cmp-old ;; esac
        set -- "\$@" "\$b"
        prev=\$a
    done
    shift \$n
    [ "\$out" = a.out ] && set -- "\$@" -o a.out.cmp-old
    "$old" "\$@" >/dev/null 2>&1
    echo \$? >"\$out.cmp-rc"
)
"$new" "\$@"
rc=\$?
orc=\$(cat "\$out.cmp-rc" 2>/dev/null)
rm -f "\$out.cmp-rc"
if [ "\$orc" != "\$rc" ]; then
    echo "EXIT old=\$orc new=\$rc: \$*" >>"$log"
elif [ "\$rc" != 0 ]; then
    echo "failed-both: \$*" >>"$log"
elif cmp -s "\$out.cmp-old" "\$out"; then
    echo "same: \$*" >>"$log"
else
    echo "DIFFER: \$*" >>"$log"
fi
rm -f "\$out.cmp-old"
exit \$rc
WRAP
chmod +x "$dir/keel"
build=$(dirname "$new")
KEEL="$dir/keel" KEEL_BUILD="$build" prove "$@" >"$dir/prove" 2>&1
tail -1 "$dir/prove"
touch "$log"
awk '{print $1}' "$log" | sort | uniq -c
grep -v '^same\|^failed-both' "$log"
bad=$(grep -c -v '^same\|^failed-both' "$log")
rm -rf "$dir"
[ "$bad" = 0 ]
