#!/bin/sh
# bench/map.sh [BUILD]: translations per second of lib/map on an OMAP
# table of 100,000 records (bench/map/omap_speed.c says how the table and
# the probes are made), one thread.  Goal (issue 16): over 20 million a
# second on one core.  Builds against BUILD/libkeel.a (default build/).
#
#   sh bench/map.sh                 BENCH_MAP_RECORDS=N  BENCH_MAP_ROUNDS=N
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
cc=${CC:-cc}
[ -f "$build/libkeel.a" ] || { echo "bench/map.sh: no $build/libkeel.a (make all)" >&2; exit 2; }
bin=$build/bench/omap_speed
mkdir -p "$build/bench"
$cc -std=c17 -O2 -D_GNU_SOURCE -Wall -Wextra -I"$root/include" -o "$bin" "$root/bench/map/omap_speed.c" "$build/libkeel.a"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
"$bin" "${BENCH_MAP_RECORDS:-100000}" "${BENCH_MAP_ROUNDS:-20}"

# Whole process, symbols only: keel map against eu-addr2line -f and
# llvm-symbolizer on the same 100,000 addresses of .text (uniformly
# random, fixed seed) of a large binary with its symbol table and no
# DWARF (BENCH_MAP_BINARY, default a copy of keel itself with
# --strip-debug), each reading them from standard input.
bin=${BENCH_MAP_BINARY:-$build/keel}
work=$build/bench/map-work
mkdir -p "$work"
strip --strip-debug -o "$work/binary" "$bin"
n=${BENCH_MAP_ADDRS:-100000}
# .text's address and size, then n addresses inside it
set -- $(readelf -SW "$work/binary" | awk '$2 == ".text" { print $4, $6 }')
perl -e 'my ($a, $s, $n) = (hex $ARGV[0], hex $ARGV[1], $ARGV[2]); srand(16);
         printf("%x\n", $a + int(rand($s))) for 1 .. $n' "$1" "$2" "$n" >"$work/addrs"
echo "whole process, $n addresses of $(basename "$bin")'s .text (0x$2 bytes, $(nm "$work/binary" | wc -l) symbols), symbols only:"
keel=$build/keel
# the same function names from all three, or the comparison means nothing
"$keel" map "$work/binary" <"$work/addrs" | awk '{ sub(/\+0x[0-9a-f]+$/, "", $3); print ($3 == "-" ? "??" : $3) }' >"$work/keel.out"
eu-addr2line -f -e "$work/binary" <"$work/addrs" | awk 'NR % 2 == 1 { sub(/\+0x[0-9a-f]+$/, ""); print }' >"$work/eu.out"
same=$(paste -d' ' "$work/keel.out" "$work/eu.out" | awk '$1 == $2' | wc -l)
echo "keel map and eu-addr2line -f name the same function for $same of $n addresses"
if command -v hyperfine >/dev/null 2>&1; then
    # through sh for the redirection (this hyperfine has no --input): the
    # same shell start for each
    hyperfine --warmup 1 --runs "${BENCH_RUNS:-5}" --export-json "$work/hyperfine.json" \
        "$keel map $work/binary <$work/addrs" \
        "eu-addr2line -f -e $work/binary <$work/addrs" \
        "llvm-symbolizer --obj=$work/binary --functions=linkage --no-inlines <$work/addrs" 2>&1 |
        grep -E 'Benchmark|Time|faster|±'
else
    for cmd in "$keel map $work/binary" "eu-addr2line -f -e $work/binary" \
        "llvm-symbolizer --obj=$work/binary --functions=linkage --no-inlines"; do
        s=$(date +%s.%N)
        $cmd <"$work/addrs" >/dev/null
        echo "$cmd: $(echo "$(date +%s.%N) - $s" | bc) s"
    done
fi

# The same through keel's address map: a keel-linked SQLite program (the
# link tests' line) whose .text an ordering file reversed, so that it
# carries .keel.addrmap; keel map gives each address its section, symbol,
# input section and original address (the map's lookups on top of the
# symbols), the others the function only.  BENCH_MAP_SQLITE: the archive.
sqlite=${BENCH_MAP_SQLITE:-/usr/lib/x86_64-linux-gnu/libsqlite3.a}
if [ ! -f "$sqlite" ]; then
    echo "no $sqlite (libsqlite3-dev): no figure through the address map"
    exit 0
fi
mkdir -p "$work/ld"
ln -sf "$keel" "$work/ld/ld"
printf '#include <sqlite3.h>\n#include <stdio.h>\nint main(void) { sqlite3 *db; sqlite3_open(":memory:", &db); puts(sqlite3_libversion()); return sqlite3_close(db); }\n' >"$work/sql.c"
gcc -O2 -c "$work/sql.c" -o "$work/sql.o"
gcc -static -B"$work/ld" "$work/sql.o" "$sqlite" -lm -o "$work/sql.plain" 2>/dev/null
nm -n --defined-only "$work/sql.plain" | awk '$2 ~ /^[Tt]$/ { print $3 }' | tac >"$work/rev.txt"
gcc -static -B"$work/ld" "$work/sql.o" "$sqlite" -lm -Wl,--symbol-ordering-file="$work/rev.txt" \
    -Wl,--no-warn-symbol-ordering -o "$work/mapped" 2>/dev/null
readelf -SW "$work/mapped" | grep -q '\.keel\.addrmap' || { echo "no .keel.addrmap in $work/mapped" >&2; exit 1; }
# (the section's index may be "[ 7]": two fields)
set -- $(readelf -SW "$work/mapped" | perl -ne 'print "$1 $2\n" if /\]\s+\.text\s+\S+\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)/')
perl -e 'my ($a, $s, $n) = (hex $ARGV[0], hex $ARGV[1], $ARGV[2]); srand(16);
         printf("%x\n", $a + int(rand($s))) for 1 .. $n' "$1" "$2" "$n" >"$work/maddrs"
echo "whole process, $n addresses of a keel-linked SQLite program's .text (0x$2 bytes, $(nm "$work/mapped" | wc -l) symbols), with .keel.addrmap (0x$(readelf -SW "$work/mapped" | perl -ne 'print $1 if /\]\s+\.keel\.addrmap\s+\S+\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)/') bytes):"
"$keel" map "$work/mapped" <"$work/maddrs" | awk '{ sub(/\+0x[0-9a-f]+$/, "", $3); print ($3 == "-" ? "??" : $3) }' >"$work/mkeel.out"
eu-addr2line -f -e "$work/mapped" <"$work/maddrs" | awk 'NR % 2 == 1 { sub(/\+0x[0-9a-f]+$/, ""); print }' >"$work/meu.out"
same=$(paste -d' ' "$work/mkeel.out" "$work/meu.out" | awk '$1 == $2' | wc -l)
inputs=$("$keel" map "$work/mapped" <"$work/maddrs" | awk '$4 != "-" && $5 == "->" && $6 ~ /^0x/' | wc -l)
echo "keel map and eu-addr2line -f name the same function for $same of $n addresses; keel map gives $inputs an input section and an original address"
if command -v hyperfine >/dev/null 2>&1; then
    hyperfine --warmup 1 --runs "${BENCH_RUNS:-5}" --export-json "$work/hyperfine-map.json" \
        "$keel map $work/mapped <$work/maddrs" \
        "eu-addr2line -f -e $work/mapped <$work/maddrs" \
        "llvm-symbolizer --obj=$work/mapped --functions=linkage --no-inlines <$work/maddrs" 2>&1 |
        grep -E 'Benchmark|Time|faster|±'
else
    for cmd in "$keel map $work/mapped" "eu-addr2line -f -e $work/mapped" \
        "llvm-symbolizer --obj=$work/mapped --functions=linkage --no-inlines"; do
        s=$(date +%s.%N)
        $cmd <"$work/maddrs" >/dev/null
        echo "$cmd: $(echo "$(date +%s.%N) - $s" | bc) s"
    done
fi
