#!/bin/sh
# Seeds for the loader fuzzer (fuzz/load_objects.c):
#
#   sh fuzz/load_objects_seeds.sh CORPUS_DIR
#
# Small relocatable objects that load in an inert namespace with no host
# fallback, so they reference nothing outside themselves: functions and
# data that point at each other, a jump table, TLS, commons, weak symbols,
# visibility, COMDAT groups (C++ inline functions, a template, a vtable),
# constructors.  Each source is compiled by gcc and clang (whichever are
# there) in a few combinations of -fPIC, -fPIE and -fno-pic, -O0 to -O2,
# with and without -ffunction-sections -fdata-sections (COMBOS below), so
# the corpus holds the relocation types the compilers emit for them.  The
# fixed TLS sources under -fPIE/-fno-pic use local-exec TLS, which the
# loader refuses with a message: seeds of its error path.  Two objects with mutual references are also written end to
# end (a.o then b.o): the target loads such an input as a batch of two,
# split where the second ELF header starts.  Each seed is kept only if it is
# at most 64 KiB (fuzz/run.sh's -max_len).
set -u

out=${1:-}
if [ -z "$out" ]; then
    echo "usage: sh fuzz/load_objects_seeds.sh CORPUS_DIR" >&2
    exit 2
fi
mkdir -p "$out" || exit 1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/keel-load-seeds.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
max_len=65536

cat >"$tmp/funcs.c" <<'EOF'
static int counter;
int table[4] = {1, 2, 3, 4};
int *table_ptr = &table[2];
const char *const names[] = {"zero", "one", "two"};
static int twice(int x) { return 2 * x; }
int (*op)(int) = twice;
__attribute__((noinline)) int add(int a, int b) { counter++; return a + b + table[a & 3]; }
int pick(int x)
{
    switch (x) {   /* a jump table at -O2 */
    case 0: return add(x, 1);
    case 1: return op(x);
    case 2: return *table_ptr;
    case 3: return names[1][0];
    case 4: return counter;
    case 5: return add(x, x);
    default: return -1;
    }
}
EOF
cat >"$tmp/tls.c" <<'EOF'
static __thread int local_tls = 3;
__thread int global_tls;
__thread char tls_buf[64];
int tls_sum(int i) { global_tls += i; tls_buf[i & 63] = (char)i; return local_tls + global_tls + tls_buf[0]; }
EOF
cat >"$tmp/misc.c" <<'EOF'
int common_a;
char common_buf[100];
__attribute__((weak)) int weak_value = 7;
__attribute__((weak)) int weak_fn(int x) { return x + weak_value; }
__attribute__((visibility("hidden"))) int hidden_fn(int x) { return x * 3; }
__attribute__((visibility("internal"))) int internal_fn(int x) { return x - 1; }
__attribute__((visibility("protected"))) int protected_fn(int x) { return x ^ 5; }
static int ctor_ran;
__attribute__((constructor)) static void ctor(void) { ctor_ran = 1; }
__attribute__((destructor)) static void dtor(void) { ctor_ran = 0; }
long size_of_buf(void) { extern char common_buf[]; return (long)sizeof common_buf + ctor_ran; }
int misc(int x) { return weak_fn(hidden_fn(internal_fn(protected_fn(x)))) + common_a; }
EOF
cat >"$tmp/a.c" <<'EOF'
extern int b_value;
extern int b_fn(int);
int a_value = 10;
int *a_ptr = &b_value;
int a_fn(int x) { return x > 0 ? b_fn(x - 1) + *a_ptr : a_value; }
EOF
cat >"$tmp/b.c" <<'EOF'
extern int a_value;
extern int a_fn(int);
int b_value = 20;
int *b_ptr = &a_value;
int b_fn(int x) { return x > 0 ? a_fn(x - 1) + *b_ptr : b_value; }
EOF
cat >"$tmp/comdat.cc" <<'EOF'
template <typename T> T twice(T x) { return x + x; }
inline int shared_inline(int x) { static int calls; return x + ++calls; }
struct S { virtual int f() { return 1; } };
int use_comdat(int x) { S s; return twice(x) + shared_inline(x) + twice<long>(x) + s.f(); }
EOF

n=0
keep() {   # keep NAME FILE: copy into the corpus when small enough
    [ -f "$2" ] || return 0
    [ "$(wc -c <"$2")" -le "$max_len" ] || return 0
    cp -f "$2" "$out/seed-$1"
    n=$((n + 1))
}

# compiler:flags, the flags comma-separated: each relocation model and
# section layout at least once, without compiling every combination (the
# corpus is seeded on every fuzz run, CI's included)
COMBOS="gcc:-fPIC,-O2 gcc:-fPIC,-O0,-ffunction-sections,-fdata-sections gcc:-fPIE,-O2,-ffunction-sections
gcc:-fno-pic,-O2 clang:-fPIC,-O2,-ffunction-sections,-fdata-sections clang:-fno-pic,-O0 clang:-fPIE,-O1"
for combo in $COMBOS; do
    cc=${combo%%:*}
    flags=$(echo "${combo#*:}" | tr , ' ')
    command -v "$cc" >/dev/null 2>&1 || continue
    case $cc in gcc) cxx=g++ ;; *) cxx=clang++ ;; esac
    tag=$(echo "$combo" | tr -d ,: | sed 's/-ffunction-sections/-fs/; s/-fdata-sections/-ds/')
    # shellcheck disable=SC2086  # flags are words
    for src in funcs tls misc a b; do
        "$cc" -c $flags -fcommon "$tmp/$src.c" -o "$tmp/$src.o" 2>/dev/null && keep "$src-$tag.o" "$tmp/$src.o"
    done
    if [ -f "$tmp/a.o" ] && [ -f "$tmp/b.o" ]; then
        cat "$tmp/a.o" "$tmp/b.o" >"$tmp/ab.o" && keep "a+b-$tag.o" "$tmp/ab.o"
    fi
    if command -v "$cxx" >/dev/null 2>&1; then
        # shellcheck disable=SC2086
        "$cxx" -c $flags -fno-exceptions -fno-rtti "$tmp/comdat.cc" -o "$tmp/comdat.o" 2>/dev/null &&
            keep "comdat-$tag.o" "$tmp/comdat.o"
    fi
    rm -f "$tmp"/*.o
done
# an archive: members loaded on demand
if command -v gcc >/dev/null 2>&1 && command -v ar >/dev/null 2>&1; then
    gcc -c -O2 -fPIC "$tmp/a.c" -o "$tmp/a.o" && gcc -c -O2 -fPIC "$tmp/b.c" -o "$tmp/b.o" &&
        gcc -c -O2 -fPIC "$tmp/funcs.c" -o "$tmp/funcs.o" &&
        ar rcs "$tmp/lib.a" "$tmp/a.o" "$tmp/b.o" "$tmp/funcs.o" && keep "lib.a" "$tmp/lib.a"
fi
echo "$n"
