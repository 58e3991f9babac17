#!/bin/sh
# Install the Debian packages the tests use that a fresh machine may lack.
# As root this installs them; otherwise it says which tests will skip.
need=""
command -v powerpc64-linux-gnu-as >/dev/null 2>&1 || need="$need binutils-powerpc64-linux-gnu"
command -v s390x-linux-gnu-as >/dev/null 2>&1 || need="$need binutils-s390x-linux-gnu"
command -v readelf >/dev/null 2>&1 || need="$need binutils"
command -v prove >/dev/null 2>&1 || need="$need perl"
command -v llvm-ar >/dev/null 2>&1 || need="$need llvm"
# map_pdb.t: real PDBs (clang --target=x86_64-pc-windows-msvc, lld-link, llvm-pdbutil)
command -v clang >/dev/null 2>&1 || need="$need clang"
command -v lld-link >/dev/null 2>&1 || need="$need lld"
command -v musl-gcc >/dev/null 2>&1 || need="$need musl-tools"
command -v eu-elflint >/dev/null 2>&1 || need="$need elfutils" # link_segments.t, run_export.t, link_relocatable.t
# run.t, run_export.t: Python from its static PIC archive, lib-dynload modules
[ -e /usr/lib/python3.11/config-3.11-x86_64-linux-gnu/libpython3.11-pic.a ] || need="$need libpython3.11-dev"
[ -x /usr/bin/python3.11 ] || need="$need python3.11"
command -v strace >/dev/null 2>&1 || need="$need strace" # load_patch.t (no W+X mmap), link_output.t (signals)
command -v gdb >/dev/null 2>&1 || need="$need gdb" # link_review.t, run_jit_names.t
command -v ld.lld >/dev/null 2>&1 || need="$need lld" # link_addrmap.t: lld's --symbol-ordering-file
command -v perf >/dev/null 2>&1 || need="$need linux-perf" # run_jit_names.t: perf report of loaded code
# review13.t: libtool.m4, whose probes of the linker it runs
[ -e /usr/share/aclocal/libtool.m4 ] || need="$need libtool"
# resolve_input.t: real members to hold the parsed input against readelf
[ -e /usr/lib/x86_64-linux-gnu/libz.a ] || need="$need zlib1g-dev"
[ -e /usr/lib/x86_64-linux-gnu/libexpat.a ] || need="$need libexpat1-dev"
[ -e /usr/include/sqlite3.h ] && [ -e /usr/lib/x86_64-linux-gnu/libsqlite3.a ] || need="$need libsqlite3-dev"
# exec_script.t: a file-capability program (setcap), runs as nobody (setpriv)
command -v setcap >/dev/null 2>&1 || need="$need libcap2-bin"
command -v setpriv >/dev/null 2>&1 || need="$need util-linux"
# i386 static executables for the interpreter's ELF32 tests
echo 'int main(void){return 0;}' | gcc -m32 -static -x c - -o /dev/null >/dev/null 2>&1 || need="$need gcc-multilib"
[ -n "$need" ] || exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "tests/deps.sh: installing$need"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends $need >/dev/null 2>&1 ||
        { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q --no-install-recommends $need >/dev/null 2>&1; } ||
        echo "tests/deps.sh: could not install$need; the tests that need them will say they skip"
else
    echo "tests/deps.sh: not root, cannot install$need; the tests that need them will say they skip"
fi
exit 0
