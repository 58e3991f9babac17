#!/bin/sh
# Seeds for the address-map reader fuzzer (fuzz/addrmap_reader.c):
#
#   sh fuzz/addrmap_reader_seeds.sh CORPUS_DIR
#
# The .keel.addrmap sections of real links by keel (build/keel, or $KEEL):
# the address-map tests' small program (tests/progs/addrmap) linked
# statically with --gc-sections, with an ordering file, with both, and
# with --address-map alone (an identity map), each cut out by objcopy.
# Without keel, gcc or objcopy there are no seeds (the fuzzer starts from
# the run's other seeds).
set -u
out=${1:-}
if [ -z "$out" ]; then
    echo "usage: sh fuzz/addrmap_reader_seeds.sh CORPUS_DIR" >&2
    exit 2
fi
mkdir -p "$out" || exit 1
root=$(cd "$(dirname "$0")/.." && pwd)
keel=${KEEL:-$root/build/keel}
[ -x "$keel" ] && command -v gcc >/dev/null 2>&1 && command -v objcopy >/dev/null 2>&1 || exit 0
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/ld" && ln -s "$keel" "$tmp/ld/ld" || exit 1
src=$root/tests/progs/addrmap
gcc -O2 -ffunction-sections -c "$src/main.c" -o "$tmp/main.o" &&
    gcc -O2 -ffunction-sections -c "$src/helpers.c" -o "$tmp/helpers.o" || exit 1
printf 'helper_b\nmain\nhelper_a\nsecond\nfirst\n' >"$tmp/order.txt"
n=0
for opts in "-Wl,--gc-sections" "-Wl,--symbol-ordering-file=$tmp/order.txt" \
    "-Wl,--gc-sections -Wl,--symbol-ordering-file=$tmp/order.txt" "-Wl,--address-map"; do
    n=$((n + 1))
    # shellcheck disable=SC2086 # the options are words
    gcc -static -B"$tmp/ld" "$tmp/main.o" "$tmp/helpers.o" $opts -o "$tmp/prog$n" >/dev/null 2>&1 &&
        objcopy --dump-section .keel.addrmap="$out/real-addrmap-$n" "$tmp/prog$n" 2>/dev/null
done
exit 0
