package LinkPrograms;
# The programs tests/link.t links statically and tests/link_variants.t
# links as every other kind of executable (PIE, -no-pie, -static-pie):
# one list, so that both run the same programs.
#
#   my @cases = link_programs("$FindBin::Bin/progs/link");
#
# Each case: [name, compile command (run in the test's directory), the
# driver command for the link without its output kind (the caller adds
# -static, -no-pie...), the tool it needs, a file it needs, the program's
# arguments, {archive => its position-independent build}].  The last is
# for archives of non-PIC code (Debian's libpython3.11.a): a PIE or a
# -static-pie link takes the -pic.a that Debian ships beside it.
use strict;
use warnings;
use Exporter 'import';
our @EXPORT_OK = qw(link_programs);

my $py = '/usr/lib/x86_64-linux-gnu/libpython3.11.a';
my $py_pic = '/usr/lib/python3.11/config-3.11-x86_64-linux-gnu/libpython3.11-pic.a';
my $sqlite = '/usr/lib/x86_64-linux-gnu/libsqlite3.a';

sub link_programs {
    my ($src) = @_;
    return (
        ['gcc C hello', "gcc -O2 -c $src/hello.c -o hello.o", [qw(gcc hello.o -o hello)]],
        ['gcc threads, __thread, libm', "gcc -O2 -c $src/threads.c -o threads.o",
         [qw(gcc threads.o -o threads -pthread -lm)]],
        ['g++ iostream, exceptions, threads', "g++ -O2 -c $src/cxx.cc -o cxx.o", [qw(g++ cxx.o -o cxx -pthread)]],
        ['clang C hello', "clang -O2 -c $src/hello.c -o hello-clang.o",
         [qw(clang -fuse-ld=bfd hello-clang.o -o hello-clang)], 'clang'],
        # clang passes --eh-frame-hdr: the unwinder finds the FDEs through it
        ['clang++ exceptions, threads (--eh-frame-hdr)', "clang++ -O2 -c $src/cxx.cc -o cxx-clang.o",
         [qw(clang++ -fuse-ld=bfd cxx-clang.o -o cxx-clang -pthread)], 'clang++'],
        ['musl-gcc C hello', "musl-gcc -O2 -c $src/hello.c -o hello-musl.o",
         [qw(musl-gcc hello-musl.o -o hello-musl)], 'musl-gcc'],
        ['a thin archive', "gcc -O2 -c $src/hello.c -o hello-thin.o && rm -f libthin.a && ar rcsT libthin.a hello-thin.o",
         ['gcc', '-Wl,-u,main', 'libthin.a', '-o', 'hello-thin']],
        ['start-up and shutdown order (.ctors/.dtors too), __start_/__stop_',
         "gcc -O2 -c $src/order_a.c -o oa.o && gcc -O2 -c $src/order_b.c -o ob.o && gcc -c $src/order_init.s -o oi.o"
             . " && gcc -c $src/order_ctors.s -o oc.o",
         [qw(gcc oa.o ob.o oi.o oc.o -o order)]],
        ['TLS alignment, a global only the debug information names (-g, sections)',
         "gcc -O2 -g -ffunction-sections -fdata-sections -c $src/edge.c -o edge.o",
         [qw(gcc edge.o -o edge)]],
        ['-u takes an archive member nothing references',
         "gcc -O2 -c $src/uopt_main.c -o um.o && gcc -O2 -c $src/uopt_member.c -o uo.o && rm -f libuopt.a && ar rcs libuopt.a uo.o",
         ['gcc', 'um.o', '-Wl,-u,uopt_entry', 'libuopt.a', '-o', 'uopt']],
        ['static Python', "printf 'extern int Py_BytesMain(int, char **);\\nint main(int c, char **v) { return Py_BytesMain(c, v); }\\n' > pymain.c && gcc -O2 -c pymain.c -o pymain.o",
         ['gcc', 'pymain.o', $py, qw(-lexpat -lz -lm -lutil -o python)], undef, $py,
         ['-S', '-c', 'import json, re, collections; print(json.dumps({"a": [1, 2]}), re.sub("a+", "b", "caaat"), '
                      . 'collections.Counter("hello").most_common(2))'],
         { $py => $py_pic }],
        ['SQLite', "printf '#include <sqlite3.h>\\n#include <stdio.h>\\nint main(void) { sqlite3 *db; sqlite3_open(\":memory:\", &db); puts(sqlite3_libversion()); return sqlite3_close(db); }\\n' > sql.c && gcc -O2 -c sql.c -o sql.o",
         [qw(gcc sql.o -lsqlite3 -lm -o sql)], undef, $sqlite],
    );
}

1;
