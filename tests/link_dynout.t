#!/usr/bin/perl
# keel link's dynamic output (issue 13, the output side): position-
# independent executables that relocate themselves (gcc -static-pie),
# PIEs of objects that need no shared library, and shared objects.  Each
# is linked from the line gcc's driver gives its linker, by ld.bfd and by
# keel:
#   - keel's is an ET_DYN that prints what ld.bfd's prints, exits alike;
#   - readelf -a and objdump -d read it without a warning;
#   - eu-elflint --gnu-ld says nothing of it that it does not also say of
#     ld.bfd's;
#   - its dynamic tags and program header kinds are ld.bfd's, its dynamic
#     relocations of the same types and counts;
#   - linking twice gives the same bytes;
# a program that prints where a global is runs at a different address
# each time (ASLR moves a PIE).  A shared library (below).  Then the
# errors, in ld.bfd's words and with no output left: an absolute 32-bit
# relocation against a symbol and against a section, a dynamic relocation
# in a read-only section with -z text; in a shared object, a PC-relative
# reference to a preemptible symbol and (-z defs) an undefined one.
# musl: Debian's has no rcrt1.o, so musl-gcc -static-pie makes a dynamic
# PIE against libc.so (shared inputs: not this file's).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Programs qw(slurp spew have);
use KeelTest qw(keel_setup run linker_args test_env bfd_case);

my ($build, $keel, $tmp) = keel_setup('link_dynout', need => ['ld.bfd (binutils)', 'gcc', 'readelf', 'objdump']);
my $progs = "$FindBin::Bin/progs";

# The dynamic tags a file has (their names), sorted.
sub tags {
    my ($file) = @_;
    my $r = run(argv => ['readelf', '-dW', $file]);
    return join ' ', sort map { /^\s*0x[0-9a-f]+\s+\((\w+)\)/ ? $1 : () } split /\n/, $r->{out};
}

# The dynamic relocations' types and their counts (R_X86_64_NONE, which
# ld.bfd leaves where it dropped one, does nothing and is not counted).
sub reloc_counts {
    my ($file) = @_;
    my $r = run(argv => ['readelf', '-rW', $file]);
    my %n;
    $n{$_}++ for grep { !/_NONE$/ } $r->{out} =~ /^[0-9a-f]+\s+[0-9a-f]+\s+(R_\w+)/mg;
    return join ' ', map {"$_=$n{$_}"} sort keys %n;
}

# eu-elflint's messages with the section and symbol numbers taken out
# (the two links number them differently).
sub lint {
    my ($file) = @_;
    my $r = run(argv => ['eu-elflint', '--gnu-ld', $file]);
    my %m;
    for (split /\n/, $r->{out} . $r->{err}) {
        next if /^No errors/;
        s/\[\s*\d+\]/[N]/g;
        s/(symbol|offset|entry) \d+/$1 N/g;
        s/\Q$file\E/FILE/g;
        $m{$_} = 1;
    }
    return \%m;
}

my $libpy = '/usr/lib/python3.11/config-3.11-x86_64-linux-gnu/libpython3.11-pic.a';
# name => [compile command (in $tmp), driver command, file it needs, program arguments, tool it needs]
my @cases = (
    ['glibc C hello', "gcc -O2 -c $progs/link/hello.c -o hello.o", [qw(gcc -static-pie hello.o -o hello)]],
    ['relocations of a PIE (pointers, TLS, IFUNC, weak)', "gcc -O2 -fPIE -c $progs/dynout/pie.c -o pie.o",
     [qw(gcc -static-pie pie.o -o pie)]],
    ['threads, __thread, libm', "gcc -O2 -c $progs/link/threads.c -o threads.o",
     [qw(gcc -static-pie threads.o -o threads -pthread -lm)]],
    ['C++ iostream, exceptions, thread_local, threads', "g++ -O2 -c $progs/link/cxx.cc -o cxx.o",
     [qw(g++ -static-pie cxx.o -o cxx -pthread)]],
    ['static-pie Python (libpython3.11-pic.a)',
     "printf 'extern int Py_BytesMain(int, char **);\\nint main(int c, char **v) { return Py_BytesMain(c, v); }\\n' > pymain.c && gcc -O2 -c pymain.c -o pymain.o",
     ['gcc', '-static-pie', 'pymain.o', $libpy, qw(-lexpat -lz -lm -lutil -o python)], $libpy,
     ['-S', '-c', 'import json, re; print(json.dumps({"a": [1, 2]}), re.sub("a+", "b", "caaat"))']],
    ['clang C hello', "clang -O2 -c $progs/link/hello.c -o hello-clang.o",
     [qw(clang -static-pie -fuse-ld=bfd hello-clang.o -o hello-clang)], undef, undef, 'clang'],
    ['clang++ exceptions, threads (--eh-frame-hdr)', "clang++ -O2 -c $progs/link/cxx.cc -o cxx-clang.o",
     [qw(clang++ -static-pie -fuse-ld=bfd cxx-clang.o -o cxx-clang -pthread)], undef, undef, 'clang++'],
    ['start-up and shutdown order (.ctors/.dtors too), __start_/__stop_',
     "gcc -O2 -c $progs/link/order_a.c -o oa.o && gcc -O2 -c $progs/link/order_b.c -o ob.o"
         . " && gcc -c $progs/link/order_init.s -o oi.o && gcc -c $progs/link/order_ctors.s -o oc.o",
     [qw(gcc -static-pie oa.o ob.o oi.o oc.o -o order)]],
    ['TLS alignment, sections (-g)', "gcc -O2 -g -ffunction-sections -fdata-sections -c $progs/link/edge.c -o edge.o",
     [qw(gcc -static-pie edge.o -o edge)]],
    ['SQLite', "printf '#include <sqlite3.h>\\n#include <stdio.h>\\nint main(void) { sqlite3 *db; sqlite3_open(\":memory:\", &db); puts(sqlite3_libversion()); return sqlite3_close(db); }\\n' > sql.c && gcc -O2 -c sql.c -o sql.o",
     [qw(gcc -static-pie sql.o -lsqlite3 -lm -o sql)], '/usr/lib/x86_64-linux-gnu/libsqlite3.a'],
    # -pie of objects that need no shared library: PT_INTERP, PT_PHDR, the
    # dynamic linker relocates it
    ['-pie without libraries (raw system calls)', "gcc -O2 -fPIE -c $progs/dynout/raw.c -o raw.o",
     [qw(gcc -pie -nostdlib raw.o -o raw)]],
);

# The program headers' types and the interpreter they ask for.
sub phdrs {
    my ($file) = @_;
    my $r = run(argv => ['readelf', '-lW', $file]);
    my @t = sort map { /^\s+([A-Z_]+)\s+0x/ ? $1 : () } split /\n/, $r->{out};
    my ($interp) = $r->{out} =~ /Requesting program interpreter: ([^\]]+)/;
    return join(' ', @t) . ($interp ? " interp $interp" : '');
}

my $lint = have('eu-elflint');
for my $case (@cases) {
    my ($name, $compile, $driver, $needs, $prog_args, $tool) = @$case;
    SKIP: {
        my $points = 8;
        my $tag = $name =~ s/\W+/-/gr;
        my @args = bfd_case(name => $name, compile => $compile, driver => $driver, tool => $tool, needs => $needs,
                            points => $points, out => "$tmp/$tag.bfd");
        my $k = run(file => $keel, argv => [$keel, 'link', @args, '-o', "$tmp/$tag.keel"]);
        my $h = run(argv => ['readelf', '-hW', "$tmp/$tag.keel"]);
        ok($k->{status} == 0 && $h->{out} =~ /Type:\s+DYN/, "$name: keel link writes a position-independent executable")
            or diag("keel link: $k->{err}");
        my @pa = @{ $prog_args // [] };
        my ($dr, $kr) = (run(argv => ["$tmp/$tag.bfd", @pa]), run(argv => ["$tmp/$tag.keel", @pa]));
        ok($kr->{out} eq $dr->{out} && $kr->{err} eq $dr->{err} && $kr->{status} == $dr->{status} && $dr->{out} ne '',
           "$name: it prints what ld.bfd's link prints, and exits alike")
            or diag("ld.bfd's: status $dr->{status}, out '$dr->{out}', err '$dr->{err}'\n"
                    . "keel's:   status $kr->{status}, out '$kr->{out}', err '" . substr($kr->{err}, 0, 500) . "'");
        my $re = run(argv => ['readelf', '-aW', "$tmp/$tag.keel"]);
        my $od = run(argv => ['objdump', '-d', "$tmp/$tag.keel"]);
        my $warn = join '', grep { /warning|error/i } split /^/m, $re->{err} . $od->{err};
        ok($re->{status} == 0 && $od->{status} == 0 && $warn eq '',
           "$name: readelf -a and objdump -d read it without a warning") or diag($warn);
        SKIP: {
            skip "$name: no eu-elflint (elfutils)", 1 unless $lint;
            my ($lb, $lk) = (lint("$tmp/$tag.bfd"), lint("$tmp/$tag.keel"));
            my @new = grep { !$lb->{$_} } sort keys %$lk;
            ok(!@new, "$name: eu-elflint --gnu-ld finds nothing it does not find in ld.bfd's")
                or diag(join "\n", @new[0 .. ($#new > 9 ? 9 : $#new)]);
        }
        is(tags("$tmp/$tag.keel"), tags("$tmp/$tag.bfd"), "$name: the dynamic tags are ld.bfd's");
        is(phdrs("$tmp/$tag.keel"), phdrs("$tmp/$tag.bfd"), "$name: the program headers are ld.bfd's kinds");
        is(reloc_counts("$tmp/$tag.keel"), reloc_counts("$tmp/$tag.bfd"),
           "$name: the dynamic relocations are ld.bfd's types and counts");
        run(file => $keel, argv => [$keel, 'link', @args, '-o', "$tmp/$tag.again"]);
        ok(-e "$tmp/$tag.again" && slurp("$tmp/$tag.again") eq slurp("$tmp/$tag.keel"),
           "$name: linking again gives the same bytes");
    }
}

# ASLR: a PIE runs at a new base each time (the kernel's, if it randomizes)
SKIP: {
    my $tag = 'relocations-of-a-PIE-pointers-TLS-IFUNC-weak-';
    skip 'the PIE was not linked', 1 unless -x "$tmp/$tag.keel";
    skip 'address space randomization is off', 1 if slurp('/proc/sys/kernel/randomize_va_space') =~ /^0/;
    my @at = map { run(argv => ["$tmp/$tag.keel", 'addr'])->{out} } 1 .. 3;
    ok($at[0] =~ /^0x[0-9a-f]+$/ && ($at[0] ne $at[1] || $at[1] ne $at[2]),
       "a PIE runs where ASLR puts it: a global at @{[ map { s/\n//r } @at ]}");
}

# -E in a PIE: the symbol policy (export_policy.c) exports its globals;
# ld.bfd's .dynsym has the same, the link-editor's own too (__bss_start,
# _edata, _end, __start_/__stop_: dyn_linker_syms.c)
SKIP: {
    skip 'the PIE object was not built', 2 unless -e "$tmp/pie.o";
    my @args = linker_args(qw(gcc -static-pie -Wl,-E pie.o -o pieE));
    run(argv => ['ld.bfd', @args, '-o', "$tmp/pieE.bfd"]);
    my $k = run(file => $keel, argv => [$keel, 'link', @args, '-o', "$tmp/pieE.keel"]);
    my %b = map { $_ => 1 } split /\n/, dynsyms("$tmp/pieE.bfd");
    my @k = split /\n/, dynsyms("$tmp/pieE.keel");
    my %kk = map { $_ => 1 } @k;
    my @extra = grep { !$b{$_} } @k;
    my @missing = grep { !$kk{$_} } sort keys %b;
    ok($k->{status} == 0 && @k > 100 && !@extra && !@missing, '-E in a PIE: ld.bfd\'s dynamic symbols ('
           . scalar(@k) . '), the link-editor\'s own too')
        or diag("keel only: @extra[0 .. ($#extra > 5 ? 5 : $#extra)]\nld.bfd only: @missing[0 .. ($#missing > 5 ? 5 : $#missing)]");
    # (ld.bfd 2.40's own -E static PIE of it crashes at start-up: the
    # oracle is its link without -E)
    my ($rk, $rb) = map { run(argv => [$_]) } "$tmp/pieE.keel", "$tmp/relocations-of-a-PIE-pointers-TLS-IFUNC-weak-.bfd";
    ok($rk->{out} eq $rb->{out} && $rk->{status} == $rb->{status} && $rb->{out} ne '',
       '-E in a PIE: it runs as ld.bfd\'s link without -E does');
}

# ---------------------------------------------------------------- -shared
# A library keel links (gcc -shared -nostdlib: it needs no shared library
# at link time; printf is the dynamic linker's to bind), against ld.bfd's
# link of the same line: the same dynamic symbols, tags and relocation
# kinds; used by a program ld.bfd links against it, lazily and with
# LD_BIND_NOW=1, and by dlopen, printing what ld.bfd's library makes
# them print; the program's lib_preempt preempts the library's own.
sub dynsyms {
    my ($file) = @_;
    my $r = run(argv => ['readelf', '--dyn-syms', '-W', $file]);
    my @s;
    for (split /\n/, $r->{out}) {
        next unless /^\s*\d+:\s+[0-9a-f]+\s+\d+\s+(\w+)\s+(\w+)\s+(\w+)\s+(\w+)\s+(\S+)$/;
        push @s, join(' ', $5, $1, $2, $3, $4 eq 'UND' ? 'UND' : 'defined');
    }
    return join "\n", sort @s;
}

SKIP: {
    my $points = 12;
    my $c = run(argv => ['/bin/sh', '-c', "gcc -O2 -fPIC -c $progs/dynout/lib.c -o lib.o && mkdir -p k b"]);
    skip "cannot compile the library: $c->{err}", $points if $c->{status};
    for my $now (0, 1) {
        my @args = linker_args('gcc', '-shared', '-nostdlib', 'lib.o', '-o', 'libdyn.so', '-Wl,-soname,libdyn.so',
                               $now ? ('-Wl,-z,now') : ());
        my $sfx = $now ? '-now' : '';
        my $b = run(argv => ['ld.bfd', @args, '-o', "$tmp/b/libdyn.so$sfx"]);
        my $k = run(file => $keel, argv => [$keel, 'link', @args, '-o', "$tmp/k/libdyn.so$sfx"]);
        if ($now) {
            is(tags("$tmp/k/libdyn.so-now"), tags("$tmp/b/libdyn.so-now"),
               '-shared -z now: the dynamic tags are ld.bfd\'s (FLAGS BIND_NOW, FLAGS_1 NOW)')
                or diag($k->{err});
            # the flags' values, each -z keyword that sets one
            for my $z (qw(now nodelete origin nodlopen global)) {
                my @a = (@args, '-z', $z);
                run(argv => ['ld.bfd', @a, '-o', "$tmp/b/z.so"]);
                run(file => $keel, argv => [$keel, 'link', @a, '-o', "$tmp/k/z.so"]);
                my ($fb, $fk) = map { join '', grep {/FLAGS/} split /^/m, run(argv => ['readelf', '-d', $_])->{out} }
                    "$tmp/b/z.so", "$tmp/k/z.so";
                ok($fb ne '' && $fk eq $fb, "-shared -z $z: DT_FLAGS and DT_FLAGS_1 as ld.bfd sets them") or diag("keel: $fk\nld.bfd: $fb");
            }
            next;
        }
        my $h = run(argv => ['readelf', '-hW', "$tmp/k/libdyn.so"]);
        ok($k->{status} == 0 && $b->{status} == 0 && $h->{out} =~ /Type:\s+DYN \(Shared object/,
           '-shared: keel link writes a shared object') or diag("keel: $k->{err}\nld.bfd: $b->{err}");
        is(dynsyms("$tmp/k/libdyn.so"), dynsyms("$tmp/b/libdyn.so"), '-shared: .dynsym holds ld.bfd\'s symbols');
        is(tags("$tmp/k/libdyn.so"), tags("$tmp/b/libdyn.so"), '-shared: the dynamic tags are ld.bfd\'s');
        is(reloc_counts("$tmp/k/libdyn.so"), reloc_counts("$tmp/b/libdyn.so"),
           '-shared: the dynamic relocations are ld.bfd\'s types and counts');
        my $re = run(argv => ['readelf', '-aW', "$tmp/k/libdyn.so"]);
        my $od = run(argv => ['objdump', '-d', "$tmp/k/libdyn.so"]);
        my $warn = join '', grep { /warning|error/i } split /^/m, $re->{err} . $od->{err};
        ok($warn eq '', '-shared: readelf -a and objdump -d read it without a warning') or diag($warn);
        SKIP: {
            skip 'no eu-elflint (elfutils)', 1 unless $lint;
            my ($lb, $lk) = (lint("$tmp/b/libdyn.so"), lint("$tmp/k/libdyn.so"));
            my @new = grep { !$lb->{$_} } sort keys %$lk;
            ok(!@new, '-shared: eu-elflint --gnu-ld finds nothing it does not find in ld.bfd\'s') or diag(join "\n", @new);
        }
        run(file => $keel, argv => [$keel, 'link', @args, '-o', "$tmp/k/again.so"]);
        ok(slurp("$tmp/k/again.so") eq slurp("$tmp/k/libdyn.so"), '-shared: linking again gives the same bytes');
    }
    my $u = run(argv => ['/bin/sh', '-c', "gcc -O2 $progs/dynout/uselib.c -Lk -ldyn -o use-k && "
                                          . "gcc -O2 $progs/dynout/uselib.c -Lb -ldyn -o use-b && gcc -O2 $progs/dynout/dl.c -o dl -ldl"]);
    ok($u->{status} == 0, 'ld.bfd links a program against the library keel made') or diag($u->{err});
    for my $bind ('lazy', 'LD_BIND_NOW=1') {
        my %e = (test_env(), $bind eq 'lazy' ? () : (LD_BIND_NOW => 1));
        my $rk = run(env => { %e, LD_LIBRARY_PATH => "$tmp/k" }, argv => ["$tmp/use-k"]);
        my $rb = run(env => { %e, LD_LIBRARY_PATH => "$tmp/b" }, argv => ["$tmp/use-b"]);
        ok($rk->{status} == 0 && $rk->{out} eq $rb->{out} && $rk->{out} =~ /^preempted 29$/m,
           "-shared ($bind): the program prints what it prints with ld.bfd's library, lib_preempt preempted")
            or diag("keel's library: $rk->{status} '$rk->{out}' $rk->{err}\nld.bfd's: '$rb->{out}'");
    }
    my ($dk, $db) = (run(argv => ["$tmp/dl", "$tmp/k/libdyn.so"]), run(argv => ["$tmp/dl", "$tmp/b/libdyn.so"]));
    ok($dk->{status} == 0 && $dk->{out} eq $db->{out} && $dk->{out} =~ /add \d+/, '-shared: dlopen and dlsym find its symbols')
        or diag("keel's: $dk->{status} '$dk->{out}'\nld.bfd's: '$db->{out}'");
}

# ---------------------------------------------------------------- errors
# Each error as ld.bfd words it (its own message is the oracle), and no
# output file.
SKIP: {
    my @args = linker_args(qw(gcc -static-pie hello.o -o hello));
    skip 'no gcc linker line', 6 unless @args && -e "$tmp/hello.o";
    spew("$tmp/abs32.s", ".text\n.globl main\nmain:\n  movl \$counter, %eax\n  ret\n.data\n.globl counter\ncounter: .long 1\n"
                         . ".section .note.GNU-stack,\"\",\@progbits\n");
    spew("$tmp/sec32.s", ".text\n.globl main\nmain:\n  movl \$here, %eax\n  ret\n.data\nhere: .long 1\n"
                         . ".section .note.GNU-stack,\"\",\@progbits\n");
    spew("$tmp/ro.s", ".text\n.globl main\nmain:\n  xorl %eax, %eax\n  ret\n.section .rodata\n.quad main\n"
                      . ".section .note.GNU-stack,\"\",\@progbits\n");
    for my $e (['abs32', 'an absolute 32-bit relocation against a symbol', qr/can not be used when making a PIE/],
               ['sec32', 'against a section', qr/can not be used when making a PIE/],
               ['ro', 'a dynamic relocation in a read-only section (-z text)', qr/read-only segment has dynamic relocations/]) {
        my ($obj, $what, $re) = @$e;
        run(argv => ['gcc', '-c', "$obj.s", '-o', "$obj.o"]);
        my @a = map { $_ eq 'hello.o' ? "$obj.o" : $_ } @args;
        my $b = run(argv => ['ld.bfd', @a, '-o', "$tmp/$obj.bfd"]);
        my ($want) = grep {/$re/} split /\n/, $b->{err};
        $want = ($want // '') =~ s/^\S*ld(?:\.bfd)?: //r;
        my $k = run(file => $keel, argv => [$keel, 'link', @a, '-o', "$tmp/$obj.out"]);
        ok($want ne '' && index($k->{err}, $want) >= 0, "$what: ld.bfd's words ($want)")
            or diag("keel: $k->{err}\nld.bfd: $b->{err}");
        ok($k->{status} != 0 && !-e "$tmp/$obj.out", "$what: exit status not 0, no output file");
    }
}

# -shared with the symbol policy's options (export_policy.c): a version
# script's local:, -Bsymbolic, -Bsymbolic-functions change what is
# exported and what is preemptible, as with ld.bfd
SKIP: {
    skip 'the library object was not built', 3 unless -e "$tmp/lib.o";
    spew("$tmp/v.map", "{ global: lib_add; lib_hello; local: *; };\n");
    for my $o (['--version-script', 'v.map'], ['-Bsymbolic'], ['-Bsymbolic-functions']) {
        my @a = ('-shared', @$o, 'lib.o');
        run(argv => ['ld.bfd', @a, '-o', "$tmp/b/pol.so"]);
        my $k = run(file => $keel, argv => [$keel, 'link', @a, '-o', "$tmp/k/pol.so"]);
        my ($wk, $wb) = map { dynsyms($_) . "\n" . tags($_) . "\n" . reloc_counts($_) } "$tmp/k/pol.so", "$tmp/b/pol.so";
        is($wk, $wb, "-shared @$o: ld.bfd's dynamic symbols, tags, relocations") or diag($k->{err});
    }
}

# -shared with thread-local storage: general and local dynamic, hidden,
# initial exec; the program reads and writes them in two threads
SKIP: {
    my $c = run(argv => ['/bin/sh', '-c', "gcc -O2 -fPIC -c $progs/dynout/tls_lib.c -o tls_lib.o && mkdir -p tk tb"]);
    skip "cannot compile the TLS library: $c->{err}", 6 if $c->{status};
    my @args = linker_args(qw(gcc -shared -nostdlib tls_lib.o -o libtls.so));
    my $b = run(argv => ['ld.bfd', @args, '-o', "$tmp/tb/libtls.so"]);
    my $k = run(file => $keel, argv => [$keel, 'link', @args, '-o', "$tmp/tk/libtls.so"]);
    ok($k->{status} == 0, '-shared with TLS: keel links it') or diag($k->{err});
    is(dynsyms("$tmp/tk/libtls.so"), dynsyms("$tmp/tb/libtls.so"), '-shared with TLS: .dynsym holds ld.bfd\'s symbols');
    is(tags("$tmp/tk/libtls.so") . ' ' . reloc_counts("$tmp/tk/libtls.so"),
       tags("$tmp/tb/libtls.so") . ' ' . reloc_counts("$tmp/tb/libtls.so"),
       '-shared with TLS: ld.bfd\'s tags and relocations (DTPMOD64, DTPOFF64, TPOFF64)');
    my $u = run(argv => ['/bin/sh', '-c', "gcc -O2 $progs/dynout/tls_use.c -Ltk -ltls -pthread -o tls-use"]);
    ok($u->{status} == 0, '-shared with TLS: ld.bfd links a program against it') or diag($u->{err});
    for my $bind ('lazy', 'LD_BIND_NOW=1') {
        my %e = (test_env(), $bind eq 'lazy' ? () : (LD_BIND_NOW => 1));
        my $rk = run(env => { %e, LD_LIBRARY_PATH => "$tmp/tk" }, argv => ["$tmp/tls-use"]);
        my $rb = run(env => { %e, LD_LIBRARY_PATH => "$tmp/tb" }, argv => ["$tmp/tls-use"]);
        ok($rk->{status} == 0 && $rk->{out} eq $rb->{out} && $rb->{out} =~ /thread/,
           "-shared with TLS ($bind): the program prints what it prints with ld.bfd's library")
            or diag("keel's: $rk->{status} '$rk->{out}' $rk->{err}\nld.bfd's: '$rb->{out}'");
    }
}

# A Python C extension module (functions and a type) linked by keel with
# the normal gcc -shared line (against libc.so.6), imported by the system python3.11 as the one
# ld.bfd links is
SKIP: {
    my $inc = '/usr/include/python3.11';
    skip 'no python3.11 or its headers', 3 unless have('python3.11') && -e "$inc/Python.h";
    my $c = run(argv => ['/bin/sh', '-c', "gcc -O2 -fPIC -I$inc -c $progs/dynout/pyext.c -o pyext.o && mkdir -p pk pb"]);
    skip "cannot compile the extension: $c->{err}", 3 if $c->{status};
    my @args = linker_args(qw(gcc -shared pyext.o -o keelext.so));
    my $b = run(argv => ['ld.bfd', @args, '-o', "$tmp/pb/keelext.so"]);
    my $k = run(file => $keel, argv => [$keel, 'link', @args, '-o', "$tmp/pk/keelext.so"]);
    ok($k->{status} == 0 && $b->{status} == 0, 'a Python extension: keel links it') or diag($k->{err});
    is(dynsyms("$tmp/pk/keelext.so"), dynsyms("$tmp/pb/keelext.so"), 'a Python extension: ld.bfd\'s .dynsym');
    my $py = 'import keelext; c = keelext.Counter(); c.bump(); '
        . 'print(keelext.add(2, 3), keelext.greet("keel"), c.bump(), keelext.__doc__)';
    my ($rk, $rb) = map { run(env => { test_env(), PYTHONPATH => "$tmp/$_" }, argv => ['python3.11', '-c', $py]) } qw(pk pb);
    ok($rk->{status} == 0 && $rk->{out} eq $rb->{out} && $rb->{out} =~ /^5 hello, keel 2/,
       'a Python extension: python3.11 imports it and calls its functions and type as with ld.bfd\'s')
        or diag("keel's: $rk->{status} '$rk->{out}' $rk->{err}\nld.bfd's: '$rb->{out}' $rb->{err}");
}

# -shared: a PC-relative reference to a preemptible symbol (an object not
# built -fPIC), and an undefined symbol with -z defs
SKIP: {
    skip 'the library object was not built', 4 unless -e "$tmp/lib.o";
    spew("$tmp/nopic.c", "int shared_var = 1;\nint get(void) { return shared_var; }\n");
    run(argv => [qw(gcc -O2 -fno-pic -c nopic.c -o nopic.o)]);
    my $b = run(argv => [qw(ld.bfd -shared nopic.o -o), "$tmp/np.bfd"]);
    my ($want) = grep {/can not be used when making a shared object/} split /\n/, $b->{err};
    $want = ($want // '') =~ s/^\S*ld(?:\.bfd)?: //r;
    my $k = run(file => $keel, argv => [$keel, 'link', '-shared', 'nopic.o', '-o', "$tmp/np.so"]);
    ok($want ne '' && index($k->{err}, $want) >= 0, "-shared, a PC32 reference to a preemptible symbol: ld.bfd's words ($want)")
        or diag("keel: $k->{err}\nld.bfd: $b->{err}");
    ok($k->{status} != 0 && !-e "$tmp/np.so", '... exit status not 0, no output file');
    $k = run(file => $keel, argv => [$keel, 'link', '-shared', '-z', 'defs', 'lib.o', '-o', "$tmp/defs.so"]);
    like($k->{err}, qr/lib\.c:\(\.text\+0x[0-9a-f]+\): undefined reference to 'printf'/,
         '-shared -z defs: an undefined symbol is an error, at its place');
    ok($k->{status} != 0 && !-e "$tmp/defs.so", '... exit status not 0, no output file');
}

done_testing();
