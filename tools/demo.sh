#!/bin/sh
# make demo: keel's jobs on real files of this machine.
keel=${1:-build/keel}
case $keel in /*) ;; *) keel=$(pwd)/$keel ;; esac # it is also linked to as ld below
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

say "The file header, sections and segments of /usr/bin/ls"
run "$keel" info -h -S -l /usr/bin/ls

say "Symbols with versions (first lines of libc.so.6's dynamic symbol table)"
"$keel" info -s /usr/lib/x86_64-linux-gnu/libc.so.6 | head -16

say "Relocations of the C runtime start file"
run "$keel" info -r /usr/lib/x86_64-linux-gnu/crt1.o

say "Notes and dynamic entries of /usr/bin/ls"
run "$keel" info -n -d /usr/bin/ls

say "An archive: glibc's libc.a (member list and index, first lines)"
"$keel" info -A -c /usr/lib/x86_64-linux-gnu/libc.a | head -12

say "The same for scripts: --json (sections of crt1.o, first lines)"
"$keel" info --json -S /usr/lib/x86_64-linux-gnu/crt1.o | head -c 600; echo ' ...'

say "The executable interpreter directing a load (record-only client), /usr/bin/ls as a PIE at 0x555555554000"
run "$keel" exec --layout --bias 0x555555554000 /usr/bin/ls

say "The user-space exec client: /usr/bin programs run inside keel's own process"
run "$keel" exec /usr/bin/ls -la /usr
run "$keel" exec /usr/bin/python3.11 -c 'import sys; print("python", sys.version.split()[0], "argv", sys.argv)'
run "$keel" exec /usr/bin/perl -e 'print "perl $^V; exit 3\n"; exit 3' ; echo "exit status $?"

hello=${TMPDIR:-/tmp}/keel-demo-hello.$$
printf '#include <stdio.h>\nint main(void) { puts("hello from a boot image"); return 0; }\n' > "$hello.c"
if cc -static -O2 -o "$hello" "$hello.c" 2>/dev/null; then
    say "The boot-image client: a static executable as one flat image, against objcopy -O binary"
    run "$keel" exec --image "$hello" -o "$hello.img"
    objcopy -O binary "$hello" "$hello.objcopy"
    skip=$(( $(readelf -SW "$hello" | awk '$0 ~ /^ *\[ *1\]/ {print "0x"$5; exit}') - 0x400000 ))
    if tail -c +$((skip + 1)) "$hello.img" | cmp -s - "$hello.objcopy"; then
        echo "identical to objcopy's image from the first section on ($skip bytes of headers before it)"
    else
        echo "DIFFERS from objcopy's image"
    fi
fi
rm -f "$hello" "$hello.c" "$hello.img" "$hello.objcopy"

say "The runtime loader: Debian's libpython3.11-pic.a loaded into keel's process, section by section"
pydir=/usr/lib/python3.11/config-3.11-x86_64-linux-gnu
demo=${TMPDIR:-/tmp}/keel-demo-run.$$
mkdir -p "$demo"
printf 'extern int Py_BytesMain(int, char **);\nint main(int c, char **v) { return Py_BytesMain(c, v); }\n' > "$demo/pymain.c"
if [ -f "$pydir/libpython3.11-pic.a" ] && cc -O2 -fPIC -c -o "$demo/pymain.o" "$demo/pymain.c" 2>/dev/null; then
    run "$keel" run "$demo/pymain.o" "$pydir/libpython3.11-pic.a" -lz -lexpat -lm -- -c 'import json, sys; print(json.dumps({"python": sys.version.split()[0], "loaded by": "keel run"}))'
    printf '$ %s\n' "$keel run --list ... | sections and objects loaded"
    "$keel" run --list "$demo/pymain.o" "$pydir/libpython3.11-pic.a" -lz -lexpat -lm |
        awk '/^[^ ]/ {o++} /^ / {s++} END {print o " objects, " s " sections"}'
    printf '$ %s\n' "$keel run --deps ... | the dependency edges (first lines, and how many)"
    "$keel" run --deps "$demo/pymain.o" "$pydir/libpython3.11-pic.a" -lz -lexpat -lm > "$demo/deps"
    head -4 "$demo/deps"; echo "... $(wc -l < "$demo/deps") edges"
fi
cat > "$demo/greet.cc" <<'EOF2'
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>
thread_local std::string who = "main thread";
static void fail(int n) { throw std::runtime_error("error " + std::to_string(n) + " thrown in loaded code"); }
int main() {
    std::thread t([] { who = "a second thread"; std::printf("hello from %s\n", who.c_str()); });
    t.join();
    try { fail(42); } catch (const std::exception &e) { std::printf("caught: %s\n", e.what()); }
    std::printf("hello from %s\n", who.c_str());
}
EOF2
if c++ -O2 -fPIC -c -o "$demo/greet.o" "$demo/greet.cc" 2>/dev/null; then
    say "C++ under the loader: thread_local (keel's own TLS blocks), exceptions through registered .eh_frame"
    run "$keel" run -lstdc++ "$demo/greet.o"
fi
rm -rf "$demo"

say "The link-editor: gcc -static with keel as its ld, against ld.bfd"
demo=${TMPDIR:-/tmp}/keel-demo-link.$$
mkdir -p "$demo"
ln -s "$keel" "$demo/ld"
cat > "$demo/prog.cc" <<'EOF2'
#include <iostream>
#include <stdexcept>
#include <thread>
thread_local int counter = 1;
int main() {
    std::thread t([] { counter += 41; std::cout << "thread says " << counter << std::endl; });
    t.join();
    try { throw std::runtime_error("thrown and caught"); } catch (const std::exception &e) { std::cout << e.what() << std::endl; }
}
EOF2
if g++ -O2 -c -o "$demo/prog.o" "$demo/prog.cc" 2>/dev/null; then
    run g++ -static -B"$demo" -pthread -o "$demo/prog.keel" "$demo/prog.o"
    run "$demo/prog.keel"
    g++ -static -pthread -o "$demo/prog.bfd" "$demo/prog.o"
    t0=$(date +%s%N); g++ -static -B"$demo" -pthread -o "$demo/prog.keel" "$demo/prog.o"; t1=$(date +%s%N)
    g++ -static -pthread -o "$demo/prog.bfd" "$demo/prog.o"; t2=$(date +%s%N)
    echo "g++ -static with keel: $(( (t1 - t0) / 1000000 )) ms, with ld.bfd: $(( (t2 - t1) / 1000000 )) ms (the compiler driver included; make bench for linker-only ratios)"
    readelf -lW "$demo/prog.keel" | sed -n '/Program Headers/,/Section to Segment/p' | head -12
fi
rm -rf "$demo"

say "Mapfiles: the layout edited by a Solaris mapfile (version 2)"
demo=${TMPDIR:-/tmp}/keel-demo-mapfile.$$
mkdir -p "$demo"
ln -s "$keel" "$demo/ld"
cat > "$demo/hot.c" <<'EOF2'
#include <stdio.h>
__attribute__((section("hot_code"), noinline)) int hot(int x) { return x * 3 + 1; }
int main(void) { int s = 0; for (int i = 0; i < 1000; i++) s += hot(i); printf("hot() summed to %d, at %p\n", s, (void *)hot); return 0; }
EOF2
cat > "$demo/hot.map" <<'EOF2'
$mapfile_version 2
# the hot code in a text segment of its own, at a fixed address
LOAD_SEGMENT hot {
    VADDR = 0x10000000;
    FLAGS = READ EXECUTE;
    ASSIGN_SECTION { IS_NAME = hot_code; };
};
EOF2
if cc -O2 -c -o "$demo/hot.o" "$demo/hot.c" 2>/dev/null; then
    sed 's/^/    /' "$demo/hot.map"
    run cc -static -B"$demo" -Wl,--mapfile,"$demo/hot.map" -o "$demo/hot" "$demo/hot.o"
    run "$demo/hot"
    readelf -lW "$demo/hot" | grep -E '^ +LOAD'
    printf '$ %s\n' "cc -static -B... -Wl,--print-mapfile hot.o | the built-in model, as a mapfile (first segments)"
    cc -static -B"$demo" -Wl,--print-mapfile -o "$demo/hot2" "$demo/hot.o" | sed -n '4,12p'
fi
rm -rf "$demo"

say "Live swap: keel run --watch, an object recompiled while its program runs"
demo=${TMPDIR:-/tmp}/keel-demo-swap.$$
mkdir -p "$demo"
cat > "$demo/main.c" <<'EOF2'
#include <stdio.h>
#include <unistd.h>
extern int tick(void);
extern const char *version(void);
int main(void) { for (int n = 0; n < 40; n = tick()) { printf("%d %s\n", n, version()); fflush(stdout); usleep(50000); } return 0; }
EOF2
printf 'static int counter;\nint tick(void) { return ++counter; }\nconst char *version(void) { return VERSION; }\n' > "$demo/ver.c"
if cc -O1 -fPIC -c -o "$demo/main.o" "$demo/main.c" 2>/dev/null &&
    cc -O1 -fPIC -DVERSION='"the first build"' -c -o "$demo/ver.o" "$demo/ver.c" 2>/dev/null; then
    printf '$ %s\n' "$keel run --watch main.o ver.o &   # then, while it runs: cc -c -DVERSION=... ver.c -o ver.o"
    "$keel" run --watch "$demo/main.o" "$demo/ver.o" > "$demo/out" 2> "$demo/err" &
    pid=$!
    sleep 0.6
    cc -O1 -fPIC -DVERSION='"a recompiled build"' -c -o "$demo/ver.o" "$demo/ver.c"
    wait "$pid"
    # the lines around the swap: the counter goes on, the string changes
    awk '/recompiled/ && !done { print prev; print; done = 1; next } { prev = $0 } END { print "... " $0 }' "$demo/out"
    sed 's/^/stderr: /' "$demo/err"
fi
rm -rf "$demo"

say "Bad input: a clear error and a non-zero exit, never a crash"
tmp=${TMPDIR:-/tmp}/keel-demo.$$
head -c 3000 /usr/bin/ls > "$tmp"
printf '$ %s\n' "$keel info $tmp   # /usr/bin/ls cut at 3000 bytes"
"$keel" info "$tmp" >/dev/null; echo "exit status $?"
rm -f "$tmp"

big=/usr/lib/x86_64-linux-gnu/libLLVM-15.so.1
[ -f "$big" ] || big=/usr/lib/x86_64-linux-gnu/libc.so.6
say "Speed: all parts of $(basename "$big") ($(du -h "$big" | cut -f1)), keel vs readelf"
t0=$(date +%s%N); "$keel" info -h -S -l -s -r -d -n "$big" >/dev/null; t1=$(date +%s%N)
readelf -W -h -S -l -s -r -d -n "$big" >/dev/null 2>&1; t2=$(date +%s%N)
echo "keel $(( (t1 - t0) / 1000000 )) ms, readelf $(( (t2 - t1) / 1000000 )) ms (make bench for medians and ratios)"
