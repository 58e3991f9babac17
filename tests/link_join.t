#!/usr/bin/perl
# keel link of what gcc, g++, clang, clang++ and musl-gcc hand their
# linker by default (a PIE against the shared C library, libstdc++,
# libgcc_s, libm) and with -no-pie, against ld.bfd's link of the same
# collect2 line (lib/link/dyn_import.c, version_need.c):
#   - the two programs print the same and exit alike, lazily bound and
#     with LD_BIND_NOW=1;
#   - readelf -a and objdump -d read keel's without a warning, and
#     eu-elflint --gnu-ld says nothing of it it does not say of ld.bfd's;
#   - readelf -dW: the same DT_NEEDED list and the same set of tags;
#     readelf -SW: the same loaded sections (.plt.got, .gnu.version_r);
#   - readelf --dyn-syms -V: the same imported names and versions;
#   - linking twice gives identical bytes.
# Then a library of ours: copy relocations (stdout, environ and the
# library's array, from -fPIE and -fno-pic code), canonical PLT pointer
# equality, a definition the executable preempts; and the errors, with no
# output left.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Programs qw(slurp have);
use KeelTest qw(keel_setup run linker_args test_env);

my ($build, $keel, $tmp) = keel_setup('link_join', need => ['ld.bfd (binutils)', 'gcc', 'readelf']);
my $src = "$FindBin::Bin/progs/link";
my $jsrc = "$FindBin::Bin/progs/join";

# readelf -dW: the NEEDED names in order, and the set of tags
sub needed { my ($f) = @_; return join ' ', run(argv => ['readelf', '-dW', $f])->{out} =~ /\(NEEDED\)\s+Shared library: \[(.*?)\]/g }
sub tags {
    my ($f) = @_;
    my %t = map { $_ => 1 } run(argv => ['readelf', '-dW', $f])->{out} =~ /^\s*0x[0-9a-f]+ \((\w+)\)/mg;
    return join ' ', sort keys %t;
}
# readelf --dyn-syms: the undefined names with their versions (as
# name@VERSION), and the defined ones
sub dynsyms {
    my ($f, $undef) = @_;
    my @s;
    for (split /\n/, run(argv => ['readelf', '--dyn-syms', '-W', $f])->{out}) {
        my @w = split ' ';
        next unless @w >= 8 && $w[0] =~ /^\d+:$/ && $w[7] ne '';
        next if ($w[6] eq 'UND') != $undef;
        push @s, $w[7] =~ s/ \(\d+\)$//r;
    }
    return join ' ', sort @s;
}
# readelf -SW: the loaded sections' names (.plt.got, .gnu.version_r...),
# but empty ones (ld.bfd drops an empty .tm_clone_table)
sub alloc_sections {
    my ($f) = @_;
    my %n;
    for (split /\n/, run(argv => ['readelf', '-SW', $f])->{out}) {
        $n{$1} = 1 if /^\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+\S+\s+\S+\s+(\S+)\s+\S+\s+(\S*A\S*)\s/ && hex($2);
    }
    return join ' ', sort keys %n;
}
sub elflint {
    my ($f) = @_;
    my $r = run(argv => ['eu-elflint', '--gnu-ld', $f]);
    return grep { !/^No errors/ } split /\n/, $r->{out} . $r->{err};
}

my @cases = (
    ['gcc C hello', "gcc -O2 -c $src/hello.c -o hello.o", [qw(gcc hello.o -o hello)]],
    ['gcc threads, __thread, libm', "gcc -O2 -c $src/threads.c -o threads.o",
     [qw(gcc threads.o -o threads -pthread -lm)]],
    ['g++ iostream, exceptions, thread_local, threads', "g++ -O2 -c $src/cxx.cc -o cxx.o",
     [qw(g++ cxx.o -o cxx -pthread)]],
    ['clang C hello', "clang -O2 -c $src/hello.c -o hello-clang.o", [qw(clang -fuse-ld=bfd hello-clang.o -o hc)], 'clang'],
    ['clang++ exceptions, threads', "clang++ -O2 -c $src/cxx.cc -o cxx-clang.o",
     [qw(clang++ -fuse-ld=bfd cxx-clang.o -o cc -pthread)], 'clang++'],
    ['musl-gcc C hello (dynamic)', "musl-gcc -O2 -c $src/hello.c -o hello-musl.o", [qw(musl-gcc hello-musl.o -o hm)],
     'musl-gcc'],
);

for my $case (@cases) {
    my ($name0, $compile, $driver, $tool) = @$case;
    for my $mode ('', '-no-pie') {
        my $name = $name0 . ($mode ? " $mode" : ' (PIE)');
        SKIP: {
            my $points = 11;
            skip "$name: no $tool", $points if $tool && !have($tool);
            my $c = run(argv => ['/bin/sh', '-c', $compile]);
            skip "$name: cannot compile: $c->{err}", $points if $c->{status};
            my @d = @$driver;
            splice @d, 1, 0, $mode if $mode;
            my @args = linker_args(@d);
            skip "$name: no linker line in '@d -###'", $points unless @args;
            my $tag = $name =~ s/\W+/-/gr;
            my $bfd = run(argv => ['ld.bfd', @args, '-o', "$tmp/$tag.bfd"]);
            skip "$name: ld.bfd fails on it: $bfd->{err}", $points if $bfd->{status};
            my $k = run(file => $keel, argv => [$keel, 'link', @args, '-o', "$tmp/$tag.keel"]);
            ok($k->{status} == 0 && -x "$tmp/$tag.keel", "$name: keel links it") or diag("keel link: $k->{err}");
            my ($dr, $kr) = (run(argv => ["$tmp/$tag.bfd"]), run(argv => ["$tmp/$tag.keel"]));
            ok($kr->{out} eq $dr->{out} && $kr->{err} eq $dr->{err} && $kr->{status} == $dr->{status} && $dr->{out} ne '',
               "$name: it prints what ld.bfd's link prints, and exits alike")
                or diag("ld.bfd's: status $dr->{status}, out '$dr->{out}', err '$dr->{err}'\n"
                        . "keel's:   status $kr->{status}, out '$kr->{out}', err '" . substr($kr->{err}, 0, 500) . "'");
            my $nr = run(argv => ["$tmp/$tag.keel"], env => { test_env(), LD_BIND_NOW => 1 });
            ok($nr->{out} eq $dr->{out} && $nr->{status} == $dr->{status}, "$name: alike with LD_BIND_NOW=1")
                or diag("status $nr->{status}, err " . substr($nr->{err}, 0, 300));
            my $re = run(argv => ['readelf', '-aW', "$tmp/$tag.keel"]);
            my $od = run(argv => ['objdump', '-d', "$tmp/$tag.keel"]);
            my $warn = join '', grep { /warning|error/i } split /^/m, $re->{err} . $od->{err};
            ok($re->{status} == 0 && $od->{status} == 0 && $warn eq '', "$name: readelf -a and objdump -d read it without a warning")
                or diag($warn);
            SKIP: {
                skip "$name: no eu-elflint", 1 unless have('eu-elflint');
                my %bfd = map { $_ => 1 } elflint("$tmp/$tag.bfd");
                my @more = grep { !$bfd{$_} } elflint("$tmp/$tag.keel");
                is(join("\n", @more), '', "$name: eu-elflint --gnu-ld says nothing it does not say of ld.bfd's");
            }
            is(needed("$tmp/$tag.keel"), needed("$tmp/$tag.bfd"), "$name: DT_NEEDED as ld.bfd's");
            is(alloc_sections("$tmp/$tag.keel"), alloc_sections("$tmp/$tag.bfd"), "$name: the loaded sections are ld.bfd's");
            is(tags("$tmp/$tag.keel"), tags("$tmp/$tag.bfd"), "$name: the same dynamic tags as ld.bfd's");
            is(dynsyms("$tmp/$tag.keel", 1), dynsyms("$tmp/$tag.bfd", 1), "$name: the same imports and versions as ld.bfd's");
            is(dynsyms("$tmp/$tag.keel", 0), dynsyms("$tmp/$tag.bfd", 0), "$name: the same exports (copies) as ld.bfd's");
            run(file => $keel, argv => [$keel, 'link', @args, '-o', "$tmp/$tag.again"]);
            ok(-e "$tmp/$tag.again" && slurp("$tmp/$tag.again") eq slurp("$tmp/$tag.keel"),
               "$name: linking again gives the same bytes");
        }
    }
}

# ------------------------------------------------ a library of our own
my $lib = run(argv => ['/bin/sh', '-c', "gcc -O2 -fPIC -shared $jsrc/lib.c -o libjoin.so"]);
die "libjoin.so: $lib->{err}" if $lib->{status};
for my $mode (['-fPIE', '', 'PIE'], ['-fno-pic', '-no-pie', '-no-pie']) {
    my ($cflag, $lflag, $what) = @$mode;
    my $name = "copies, canonical PLT, preemption ($what)";
    run(argv => ['/bin/sh', '-c', "gcc -O2 $cflag -c $jsrc/main.c -o jm.o"]);
    my @args = linker_args('gcc', ($lflag ? $lflag : ()), 'jm.o', '-L.', '-ljoin', '-o', 'jm');
    my $b = run(argv => ['ld.bfd', @args, '-o', "$tmp/jm.bfd"]);
    my $k = run(file => $keel, argv => [$keel, 'link', @args, '-o', "$tmp/jm.keel"]);
    ok($k->{status} == 0, "$name: keel links") or diag($k->{err});
    my %env = (test_env(), LD_LIBRARY_PATH => $tmp);
    my ($br, $kr) = (run(argv => ["$tmp/jm.bfd"], env => \%env), run(argv => ["$tmp/jm.keel"], env => \%env));
    # the library's sum sees the executable's copy (1055 = 55 + 1000), of
    # the library's size; its function's address is the executable's; its
    # call of lib_hook reaches the executable's (2)
    like($kr->{out}, qr/^sum 1055 size 160 equal 1 hook 2 call 15 env 1$/, "$name: the program's answers")
        or diag("err $kr->{err}");
    is($kr->{out}, $br->{out}, "$name: as ld.bfd's link prints");
    my $rel = run(argv => ['readelf', '-rW', "$tmp/jm.keel"])->{out};
    my @copies = sort map { s/@.*//r } $rel =~ /R_X86_64_COPY\s+\S+\s+(\S+)/g;
    my @bcopies = sort map { s/@.*//r } run(argv => ['readelf', '-rW', "$tmp/jm.bfd"])->{out} =~ /R_X86_64_COPY\s+\S+\s+(\S+)/g;
    is("@copies", "@bcopies", "$name: the COPY relocations are ld.bfd's (@bcopies)");
    my ($size) = run(argv => ['readelf', '--dyn-syms', '-W', "$tmp/jm.keel"])->{out} =~ /\s(\d+) OBJECT\s+GLOBAL\s+DEFAULT\s+\d+ lib_table\b/;
    is($size // 'none', 160, "$name: the copy of lib_table has the library's size in .dynsym");
    my $bind = run(argv => ["$tmp/jm.keel"], env => { %env, LD_DEBUG => 'bindings' });
    like($bind->{err}, qr/binding file \S*libjoin\.so \[0\] to \S*jm\.keel \[0\]: normal symbol `lib_hook'/,
         "$name: LD_DEBUG=bindings: the library's lib_hook binds to the executable's");
}

# ------------------------------------------------ Python, dynamically
# pymain.o with libpython3.11-pic.a as a PIE against the shared glibc,
# with -E so that the interpreter's C modules (sqlite3, decimal, ctypes)
# bind to its symbols, as python3.11 does
SKIP: {
    my $py = '/usr/lib/python3.11/config-3.11-x86_64-linux-gnu/libpython3.11-pic.a';
    skip "no $py", 2 unless -e $py;
    my $c = run(argv => ['/bin/sh', '-c', "printf 'extern int Py_BytesMain(int, char **);\\nint main(int c, char **v) "
                         . "{ return Py_BytesMain(c, v); }\\n' > pymain.c && gcc -O2 -c pymain.c -o pymain.o"]);
    skip "cannot compile pymain.c: $c->{err}", 2 if $c->{status};
    my @args = linker_args('gcc', '-Wl,-E', 'pymain.o', $py, qw(-lexpat -lz -lm -lutil -o python));
    my $b = run(argv => ['ld.bfd', @args, '-o', "$tmp/py.bfd"]);
    skip "ld.bfd fails on the Python line: $b->{err}", 2 if $b->{status};
    my $k = run(file => $keel, argv => [$keel, 'link', @args, '-o', "$tmp/py.keel"]);
    ok($k->{status} == 0, 'Python (PIE, -E): keel links it') or diag($k->{err});
    my @pa = ('-c', 'import json, sqlite3, decimal, ctypes; print(json.dumps([1]), decimal.Decimal(1) / 3, '
                  . 'ctypes.c_int(3).value, sqlite3.connect(":memory:").execute("select 6*7").fetchone())');
    my ($br, $kr) = (run(argv => ["$tmp/py.bfd", @pa]), run(argv => ["$tmp/py.keel", @pa]));
    ok($kr->{status} == 0 && $kr->{out} eq $br->{out} && $br->{out} =~ /^\[1\] 0\.333/,
       'Python (PIE, -E): runs a script with C modules as ld.bfd\'s link does') or diag("keel's: $kr->{out} $kr->{err}\nld.bfd's: $br->{out} $br->{err}");
}

# ------------------------------------------------ a library's thread-local variables
{
    my $c = run(argv => ['/bin/sh', '-c', "gcc -O2 -fPIC -shared $jsrc/tlslib.c -o libjtls.so"]);
    die "libjtls.so: $c->{err}" if $c->{status};
    for my $mode (['-fPIE', '', 'PIE, initial-exec', 'TPOFF64'], ['-fno-pic', '-no-pie', '-no-pie, initial-exec', 'TPOFF64'],
                  ['-fPIC', '', 'PIE, general dynamic relaxed to initial-exec as ld.bfd', 'TPOFF64']) {
        my ($cflag, $lflag, $what, $rel) = @$mode;
        my $name = "imported TLS ($what)";
        run(argv => ['/bin/sh', '-c', "gcc -O2 $cflag -c $jsrc/tlsmain.c -o jt.o"]);
        my @args = linker_args('gcc', ($lflag ? $lflag : ()), 'jt.o', '-L.', '-ljtls', '-pthread', '-o', 'jt');
        my $b = run(argv => ['ld.bfd', @args, '-o', "$tmp/jt.bfd"]);
        my $k = run(file => $keel, argv => [$keel, 'link', @args, '-o', "$tmp/jt.keel"]);
        ok($k->{status} == 0, "$name: keel links") or diag($k->{err});
        my %env = (test_env(), LD_LIBRARY_PATH => $tmp);
        my ($br, $kr) = (run(argv => ["$tmp/jt.bfd"], env => \%env), run(argv => ["$tmp/jt.keel"], env => \%env));
        ok($kr->{out} eq $br->{out} && $kr->{status} == $br->{status} && $br->{out} =~ /^tv 43 tarr 4 thread 56$/,
           "$name: prints what ld.bfd's link prints (" . ($br->{out} =~ s/\n//r) . ")") or diag("keel's: $kr->{out} $kr->{err}");
        like(run(argv => ['readelf', '-rW', "$tmp/jt.keel"])->{out}, qr/R_X86_64_$rel\s+\S+\s+tv\b/,
             "$name: an R_X86_64_$rel relocation against tv");
    }
}

# ------------------------------------------------ errors, no output left
{
    run(argv => ['/bin/sh', '-c', "gcc -O2 -fPIC -shared $jsrc/protlib.c -o libprot.so && gcc -O2 -fPIE -c $jsrc/protmain.c -o pm.o"
                 . " && gcc -O2 -fPIC -shared $jsrc/undef.c -o libundef.so && gcc -O2 -c $jsrc/undefmain.c -o um.o"]);
    for my $case (['an undefined symbol only a shared library references', ['um.o', '-L.', '-lundef'],
                   qr/undefined reference to [`']nowhere'/],
                  ['a copy relocation against a protected symbol', ['pm.o', '-L.', '-lprot'],
                   qr/copy relocation against non-copyable protected symbol `prot_var'/]) {
        my ($name, $objs, $want) = @$case;
        my @args = linker_args('gcc', @$objs, '-o', 'x');
        my $b = run(argv => ['ld.bfd', @args, '-o', "$tmp/err.bfd"]);
        unlink "$tmp/err.keel";
        my $k = run(file => $keel, argv => [$keel, 'link', @args, '-o', "$tmp/err.keel"]);
        SKIP: {
            skip "$name: ld.bfd links it ($b->{err})", 2 unless $b->{status};
            like($k->{err}, $want, "$name: keel says so") or diag("keel: $k->{err}\nld.bfd: $b->{err}");
            ok($k->{status} != 0 && !-e "$tmp/err.keel", "$name: keel fails, no output");
        }
    }
}

# -shared allows a library's undefined references by default, as ld.bfd
# (--no-allow-shlib-undefined makes them its error)
{
    run(argv => ['/bin/sh', '-c', "printf 'void lib_undef(void);\\nvoid f(void) { lib_undef(); }\\n' > su.c"
                 . " && gcc -O2 -fPIC -c su.c -o su.o"]);
    my @args = linker_args(qw(gcc -shared su.o -L. -lundef -o su.so));
    my $b = run(argv => ['ld.bfd', @args, '-o', "$tmp/su.bfd"]);
    my $k = run(file => $keel, argv => [$keel, 'link', @args, '-o', "$tmp/su.keel"]);
    ok($b->{status} == 0 && $k->{status} == 0 && -e "$tmp/su.keel",
       '-shared against a library with an undefined reference: links, as ld.bfd') or diag("keel: $k->{err}");
    $k = run(file => $keel, argv => [$keel, 'link', @args, '--no-allow-shlib-undefined', '-o', "$tmp/su2.keel"]);
    ok($k->{status} != 0 && $k->{err} =~ /undefined reference to [`']nowhere'/ && !-e "$tmp/su2.keel",
       '... and with --no-allow-shlib-undefined, the error and no output') or diag("keel: $k->{err}");
}

done_testing();
