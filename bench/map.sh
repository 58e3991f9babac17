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
