#!/bin/sh
# make install: the binary, headers, both libraries and keel.pc work for a
# program built against them with pkg-config.
echo "1..5"
root=$(cd "$(dirname "$0")/.." && pwd)
build=${KEEL_BUILD:-$root/build}
dest=$build/t/install
rm -rf "$dest"
# A plain build of its own: a sanitizer build (SAN=1 reaches here through
# MAKEFLAGS) would need the sanitizer runtime to link against.
if make -s -C "$root" install PREFIX="$dest" BUILD="$build/t/install-build" SAN= >/dev/null 2>&1; then
    echo "ok 1 - make install PREFIX=$dest"
else
    echo "not ok 1 - make install failed"
fi
[ -x "$dest/bin/keel" ] && "$dest/bin/keel" --version | grep -q '^keel ' &&
    echo "ok 2 - installed keel runs" || echo "not ok 2 - installed keel runs"
export PKG_CONFIG_PATH="$dest/lib/pkgconfig"
cat > "$build/t/count_sections.c" <<'C'
#include <fcntl.h>
#include <keel/elf.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
int main(int argc, char **argv)
{
    struct stat st;
    int fd = open(argv[1], O_RDONLY);
    if (fd < 0 || fstat(fd, &st) < 0)
        return 2;
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    keel_elf e;
    keel_error err;
    if (keel_elf_open(&e, p, (size_t)st.st_size, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    printf("%u\n", e.shnum);
    return 0;
}
C
cc=${CC:-cc}
if command -v pkg-config >/dev/null 2>&1; then
    cflags=$(pkg-config --cflags keel) libs=$(pkg-config --libs keel)
else
    cflags="-I$dest/include" libs="-L$dest/lib -lkeel"
fi
want=$(readelf -h /usr/bin/ls | awk '/Number of section headers/ {print $5}')
# shellcheck disable=SC2086
if $cc $cflags -o "$build/t/count_static" "$build/t/count_sections.c" "$dest/lib/libkeel.a" &&
   [ "$("$build/t/count_static" /usr/bin/ls)" = "$want" ]; then
    echo "ok 3 - a program linked with the installed libkeel.a reads /usr/bin/ls ($want sections, as readelf)"
else
    echo "not ok 3 - static libkeel.a"
fi
# shellcheck disable=SC2086
if $cc $cflags -o "$build/t/count_shared" "$build/t/count_sections.c" $libs &&
   [ "$(LD_LIBRARY_PATH=$dest/lib "$build/t/count_shared" /usr/bin/ls)" = "$want" ]; then
    echo "ok 4 - a program linked with the installed libkeel.so via keel.pc reads /usr/bin/ls"
else
    echo "not ok 4 - shared libkeel.so"
fi
grep -q "^Libs: -L\${libdir} -lkeel" "$dest/lib/pkgconfig/keel.pc" && [ -f "$dest/include/keel/elf.h" ] &&
    echo "ok 5 - keel.pc and headers installed" || echo "not ok 5 - keel.pc and headers installed"
