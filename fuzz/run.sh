#!/bin/sh
# Time-boxed libFuzzer runs:  sh fuzz/run.sh SECONDS BIN...
#
# For each fuzzer binary: seed build-fuzz/corpus-NAME from small real files
# on this machine (gcc's crt*.o, crt1.o, a small static library, small
# programs, an ELF32 object when there is one) and from the valid images
# and archives the malformed-input test generates, then fuzz for SECONDS.
# The corpus is kept between runs, so each run starts where the last one
# stopped; fuzz/seeds/NAME/ (in the repo) holds the inputs that once made
# NAME fail, copied in on every run.  Exits non-zero if any fuzzer finds a crash, a leak, a timeout
# or an out-of-memory input, and prints the reproducer's path.
set -u

if [ $# -lt 2 ]; then
    echo "usage: sh fuzz/run.sh SECONDS BIN..." >&2
    exit 2
fi
secs=$1
shift
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
out=build-fuzz
max_len=65536

# Copy a file into the corpus if it is a regular file the fuzzer can take
# whole (libFuzzer would cut anything longer than -max_len).
seed_file() {
    [ -f "$2" ] || return 0
    size=$(wc -c <"$2")
    [ "$size" -gt 0 ] && [ "$size" -le "$max_len" ] || return 0
    cp -f "$2" "$1/real-$(echo "$2" | tr '/' '_')"
}

is_elf() {
    [ "$(head -c 4 "$1" 2>/dev/null | od -An -c | tr -d ' \n')" = '177ELF' ]
}

# An ELF32 object: one that is installed, else one the compiler makes.
seed_elf32() {
    for f in /usr/lib32/crt1.o /usr/i686-linux-gnu/lib/crt1.o /usr/lib/gcc/x86_64-linux-gnu/*/32/crtbegin.o; do
        if [ -f "$f" ]; then
            seed_file "$1" "$f"
            return 0
        fi
    done
    tmp=$out/elf32-seed.o
    if echo 'int keel_seed(int x) { return x + 1; }' | ${CC:-cc} -m32 -c -x c - -o "$tmp" 2>/dev/null; then
        cp -f "$tmp" "$1/gen-elf32.o"
    fi
}

seed() {
    corpus=$1
    mkdir -p "$corpus"
    for f in /usr/lib/gcc/x86_64-linux-gnu/*/crt*.o /usr/lib/x86_64-linux-gnu/crt1.o \
             /usr/lib/x86_64-linux-gnu/crti.o /usr/lib/x86_64-linux-gnu/crtn.o \
             /usr/lib/x86_64-linux-gnu/libdl.a /usr/lib/x86_64-linux-gnu/libBrokenLocale.a; do
        seed_file "$corpus" "$f"
    done
    # a few small programs: dynamic sections, versions, notes, RELR
    n=0
    for f in /usr/bin/*; do
        [ "$n" -lt 8 ] || break
        if [ -f "$f" ] && [ ! -L "$f" ] && is_elf "$f" && [ "$(wc -c <"$f")" -le "$max_len" ]; then
            seed_file "$corpus" "$f"
            n=$((n + 1))
        fi
    done
    seed_elf32 "$corpus"
    # every structure the reader knows, ELF32 big-endian included
    for t in build/tests/elf_malformed build-san/tests/elf_malformed; do
        if [ -x "$t" ]; then
            KEEL_SEED_DIR=$corpus "$t" >/dev/null 2>&1
            break
        fi
    done
}

status=0
# targets that write files (the whole link) do it under build-fuzz/tmp:
# what a crash leaves behind stays there
mkdir -p "$out/tmp"
TMPDIR=$root/$out/tmp
export TMPDIR
for bin in "$@"; do
    name=$(basename "$bin")
    corpus=$out/corpus-$name
    artifacts=$out/artifacts-$name
    log=$out/$name.log
    mkdir -p "$artifacts"
    seed "$corpus"
    # a target's own seeds, when it has a generator for them, and every
    # input that once made it fail (fuzz/seeds/NAME/, kept in the repo)
    [ -f "fuzz/${name}_seeds.sh" ] && sh "fuzz/${name}_seeds.sh" "$corpus" >/dev/null 2>&1
    for f in fuzz/seeds/"$name"/*; do
        [ -f "$f" ] && cp -f "$f" "$corpus/found-$(basename "$f")"
    done
    echo "fuzz: $name for ${secs}s, corpus $corpus ($(find "$corpus" -type f | wc -l) inputs)"
    "$bin" -max_total_time="$secs" -max_len=$max_len -rss_limit_mb=2048 -timeout=25 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1
    rc=$?
    # the last status line: "#N DONE cov: C ft: F corp: K/S exec/s: E rss: R"
    grep -E '^#[0-9]+' "$log" | tail -n 1 | sed "s/^/fuzz: $name: /"
    grep -E '^stat::number_of_executed_units' "$log" | sed "s/^/fuzz: $name: /"
    found=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log")
    if [ $rc -ne 0 ] || [ -n "$found" ]; then
        status=1
        echo "fuzz: $name FAILED (exit $rc); see $log"
        grep -E '^==[0-9]+==ERROR|^SUMMARY|runtime error|keel reader broke' "$log" | head -n 5 | sed "s/^/fuzz: $name: /"
        for f in $found; do
            echo "fuzz: $name: reproducer: $f  (run: $bin $f; once fixed, keep it in fuzz/seeds/$name/)"
        done
    fi
done
exit $status
