#!/bin/sh
# check-freestanding.sh CC OUTDIR DIR...: the parts a kernel or boot loader
# links must build with no libc at all: no host headers (only the
# compiler's own stddef/stdint/stdarg/stdbool), and objects that call
# nothing but the memory primitives a freestanding C environment provides,
# plus, for 32-bit x86, libgcc's 64-bit arithmetic helpers (-lgcc).
set -eu
cc=$1 out=$2
shift 2
inc=$($cc -print-file-name=include)
status=0
for arch in 64 32; do
    if [ "$arch" = 32 ]; then
        flags="-m32 -fno-pic"
        ld_emul="-m elf_i386"
        allowed='memcpy|memset|memmove|memcmp|__udivdi3|__umoddi3|__udivmoddi4|__divdi3|__moddi3|__ctzdi2|__clzdi2'
        # a compiler without 32-bit support is a skip, said plainly
        if ! echo 'int x;' | $cc -m32 -ffreestanding -nostdinc -x c -c -o /dev/null - 2>/dev/null; then
            echo "freestanding: $cc cannot build 32-bit x86 here; 32-bit check skipped"
            continue
        fi
    else
        flags=""
        ld_emul=""
        allowed='memcpy|memset|memmove|memcmp'
    fi
    dir=$out/freestanding$arch
    rm -rf "$dir"
    mkdir -p "$dir"
    for d in "$@"; do
        for f in "$d"/*.c; do
            # shellcheck disable=SC2086
            $cc -std=c17 -Wall -Wextra -Werror -O2 $flags -ffreestanding -nostdlib -nostdinc \
                -isystem "$inc" -Iinclude -c "$f" -o "$dir/$(echo "$f" | tr / _).o"
        done
    done
    # shellcheck disable=SC2086
    ld $ld_emul -r -o "$dir/all.o" "$dir"/*_*.o
    undef=$(nm -u "$dir/all.o" | awk '{print $2}' | tr '\n' ' ')
    bad=$(nm -u "$dir/all.o" | awk '{print $2}' | grep -v -x -E "$allowed" || true)
    if [ -n "$bad" ]; then
        echo "freestanding: $* ($arch-bit, $cc) needs what a freestanding build lacks: $bad"
        status=1
    else
        echo "freestanding: $* build with -ffreestanding -nostdlib -nostdinc ($arch-bit, $cc); undefined: ${undef:-none}"
    fi
done
exit $status
