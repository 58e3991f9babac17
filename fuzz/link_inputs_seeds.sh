#!/bin/sh
# Seeds for the link fuzzer (fuzz/link_inputs.c, input format in
# fuzz/link_one.h):
#
#   sh fuzz/link_inputs_seeds.sh CORPUS_DIR
#
# Small freestanding programs that link whole (their own _start, no C
# library): data and code that point at each other, strings to merge,
# TLS, commons, weak symbols, an IFUNC, GOT references, constructors,
# COMDAT groups, .eh_frame, debug info, a CET property note.  Each is
# compiled by gcc and clang (whichever are there) in a few models, alone
# and as two files with the separator (an object and its library as an
# object or an archive), some with an options part (--gc-sections,
# --eh-frame-hdr, build IDs, -Map).  Each seed is at most 64 KiB
# (fuzz/run.sh's -max_len); fuzz/run.sh adds the inputs that once made the
# fuzzer fail, kept in fuzz/seeds/link_inputs/.
set -u

out=${1:-}
if [ -z "$out" ]; then
    echo "usage: sh fuzz/link_inputs_seeds.sh CORPUS_DIR" >&2
    exit 2
fi
mkdir -p "$out" || exit 1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/keel-link-seeds.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
max_len=65536
sep='
--keel-fuzz-next--
'

cat >"$tmp/main.c" <<'EOF'
extern int lib_value, lib_fn(int);
extern __thread int lib_tls;
static __thread int local_tls = 5;
int common_a;
__attribute__((weak)) int weak_value = 3;
static const char *const words[] = {"alpha", "beta", "gamma", "alpha"};
static int table[] = {1, 2, 3};
int *table_ptr = &table[1];
static int ran;
__attribute__((constructor)) static void init(void) { ran = 1; }
static int twice(int x) { return 2 * x; }
static int (*resolve_sum(void))(int) { return twice; }
int sum(int) __attribute__((ifunc("resolve_sum")));
int main(void)
{
    int n = 0;
    for (int i = 0; i < 4; i++)
        n += words[i][0];
    return n + *table_ptr + lib_fn(lib_value) + lib_tls + local_tls + weak_value + common_a + ran + sum(1);
}
__attribute__((noreturn)) void _start(void)
{
    long r = main();
    __asm__ volatile("syscall" ::"a"(60), "D"(r));
    __builtin_unreachable();
}
EOF
cat >"$tmp/lib.c" <<'EOF'
int lib_value = 7;
__thread int lib_tls = 2;
int common_a;
static const char greeting[] = "alpha";
int lib_fn(int x) { return x + greeting[0]; }
int unused_fn(int x) { return x * 3; }
EOF
cat >"$tmp/comdat.cc" <<'EOF'
template <typename T> T twice(T x) { return x + x; }
inline int shared(int x) { static int calls; return x + ++calls; }
struct S { virtual int f() { return 1; } };
#ifndef SECOND /* the library; SECOND has the same COMDAT groups only */
extern "C" int lib_fn(int x) { S s; return twice(x) + shared(x) + s.f(); }
extern "C" int lib_value = 1;
extern "C" { __thread int lib_tls = 4; }
#else
int second_fn(int x) { S s; return twice(x) + shared(x) + s.f(); }
#endif
EOF

n=0
keep() { # keep NAME FILE: into the corpus when small enough
    [ -f "$2" ] || return 0
    [ "$(wc -c <"$2")" -le "$max_len" ] || return 0
    cp -f "$2" "$out/seed-$1"
    n=$((n + 1))
}
# join OUT FILE... [OPTIONS-BYTES]: files with the separator between them
join() {
    dst=$1
    shift
    : >"$dst"
    first=1
    for f in "$@"; do
        [ $first = 1 ] || printf '%s' "$sep" >>"$dst"
        first=0
        case $f in
        opt:*) # opt:N[,N]: the options' bytes, in decimal
            for b in $(echo "${f#opt:}" | tr , ' '); do
                # shellcheck disable=SC2059  # an octal escape made here
                printf "\\$(printf %03o "$b")" >>"$dst"
            done ;;
        *) cat "$f" >>"$dst" ;;
        esac
    done
}

COMBOS="gcc:-O2,-fno-pic gcc:-O0,-fPIE,-g1 gcc:-O2,-fPIC,-ffunction-sections,-fdata-sections,-fcf-protection
clang:-O1,-fno-pic clang:-O2,-fPIC,-ffunction-sections"
for combo in $COMBOS; do
    cc=${combo%%:*}
    flags=$(echo "${combo#*:}" | tr , ' ')
    command -v "$cc" >/dev/null 2>&1 || continue
    case $cc in gcc) cxx=g++ ;; *) cxx=clang++ ;; esac
    tag=$(echo "$combo" | tr -d ,: | sed 's/-ffunction-sections/-fs/; s/-fdata-sections/-ds/; s/-fcf-protection/-cet/')
    common="-ffreestanding -fno-stack-protector -fcommon -nostdlib"
    # shellcheck disable=SC2086  # flags are words
    "$cc" -c $flags $common "$tmp/main.c" -o "$tmp/main.o" 2>/dev/null || continue
    # shellcheck disable=SC2086
    "$cc" -c $flags $common "$tmp/lib.c" -o "$tmp/lib.o" 2>/dev/null || continue
    rm -f "$tmp/lib.a"
    ar rc "$tmp/lib.a" "$tmp/lib.o" 2>/dev/null
    join "$tmp/s1" "$tmp/main.o" "$tmp/lib.o" && keep "main+lib-$tag" "$tmp/s1"
    join "$tmp/s2" "$tmp/main.o" "$tmp/lib.a" && keep "main+lib.a-$tag" "$tmp/s2"
    join "$tmp/s3" "$tmp/main.o" "$tmp/lib.o" opt:3 && keep "main+lib-gc-ehhdr-$tag" "$tmp/s3"
    join "$tmp/s4" "$tmp/main.o" "$tmp/lib.a" opt:36,3 && keep "main+lib.a-sha1-map-group-$tag" "$tmp/s4"
    join "$tmp/s5" "$tmp/main.o" "$tmp/lib.o" opt:28 && keep "main+lib-hex-norelro-$tag" "$tmp/s5"
    keep "main-alone-$tag" "$tmp/main.o"
    # the library as a shared library, versioned (lib/link/dso.c reads its
    # .dynsym, versions and .dynamic; keel writes no dynamic executable yet)
    echo 'SEED_1 { global: *; };' >"$tmp/v.map"
    # shellcheck disable=SC2086
    if "$cc" $flags -fPIC -shared -nostdlib -Wl,-soname,libseed.so -Wl,--version-script="$tmp/v.map" \
        "$tmp/lib.c" -o "$tmp/lib.so" 2>/dev/null; then
        join "$tmp/s7" "$tmp/main.o" "$tmp/lib.so" && keep "main+lib.so-$tag" "$tmp/s7"
        join "$tmp/s8" "$tmp/main.o" "$tmp/lib.so" "$tmp/lib.a" opt:0,1 && keep "main+lib.so+lib.a-group-$tag" "$tmp/s8"
    fi
    if command -v "$cxx" >/dev/null 2>&1 &&
        "$cxx" -c $flags $common -fno-exceptions -fno-rtti "$tmp/comdat.cc" -o "$tmp/comdat.o" 2>/dev/null &&
        "$cxx" -c $flags $common -fno-exceptions -fno-rtti -DSECOND "$tmp/comdat.cc" -o "$tmp/comdat2.o" 2>/dev/null; then
        join "$tmp/s6" "$tmp/main.o" "$tmp/comdat.o" "$tmp/comdat2.o" && keep "main+comdat2-$tag" "$tmp/s6"
    fi
    rm -f "$tmp"/*.o "$tmp"/*.so "$tmp"/s*
done
echo "$n"
