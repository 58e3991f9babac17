#!/usr/bin/perl
# Shared libraries as inputs of keel link (lib/link/dso.c, dso_needed.c),
# against ld.bfd on the same command lines.  Where ld.bfd links, keel
# must resolve the same way and link (the output side: link_join.t);
# where ld.bfd
# fails, keel fails with the same messages, line for line (without the
# program's name, ` read as ').
#
#   - undefined references with libc.so and libm.so (GNU ld scripts) on
#     gcc's own link line;
#   - a library's DT_NEEDED library found as ld.bfd finds it: ld.bfd's
#     "undefined reference to symbol 'sqrt@@GLIBC_2.2.5'" and "DSO missing
#     from command line" when the program uses it too;
#   - -l search: the .so before the .a, -Bstatic, -l:FILE (the shared
#     libraries -t names, and the -y lines);
#   - a shared definition pulls no archive member (-y lines);
#   - --as-needed and AS_NEEDED in scripts (one of our own with INPUT and
#     nested AS_NEEDED): keel's DT_NEEDED list (KEEL_DEBUG_NEEDED) against
#     readelf -d of ld.bfd's link;
#   - a library's undefined references (--no-allow-shlib-undefined, the
#     default) and their archive members; a hidden version; -static;
#   - truncated and corrupt libraries: an error naming the file, no crash,
#     no output.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use KeelTest qw(keel_setup run sh linker_args);
use Programs qw(have);

my ($build, $keel, $tmp) = keel_setup('link_dsoin', need => ['ld.bfd (binutils)', 'gcc', 'readelf (binutils)']);
my $src = "$FindBin::Bin/progs/dsoin";
my $cc = 'gcc -O0 -fno-asynchronous-unwind-tables';

sh("$cc -fPIC -shared -o libl1.so $src/lib1.c -lm");
sh("$cc -fPIC -shared -o libfoo.so $src/foo.c");
sh("$cc -c $src/foo.c -o foo.o && rm -f libfoo.a && ar rc libfoo.a foo.o");
sh("$cc -fPIC -shared -o libbad.so $src/bad.c");
sh("$cc -fPIC -shared -o libdup.so $src/dup.c");
sh("$cc -fPIC -shared -o libnf.so $src/nf.c -L. -lfoo");
sh("$cc -fPIC -shared -o libcommon.so $src/common_lib.c");
sh("$cc -fcommon -c $src/weakdef.c -o weakdef.o");
sh("$cc -c $src/u.c -o u.o && rm -f libu.a && ar rc libu.a u.o");
sh("$cc -fPIC -shared -o libhv.so $src/hv.c -Wl,--version-script=$src/hv.map");
sh("$cc -fPIC -shared -o liba.so $src/a.c -Wl,-soname,liba.so.1");
sh("$cc -fPIC -shared -o libb.so $src/b.c");
sh("$cc -fPIC -shared -o libc_.so $src/c.c");
sh("cp $src/abc.ld abc.ld");
sh("$cc -c $src/$_.c -o $_.o") for qw(main_sqrt main_lib1 start_foo weak_foo main_ac main_b und);
sh("mkdir -p lq && cp libfoo.so lq/libq.so && cp libfoo.a lq/libq.a");

sub messages {
    my ($err) = @_;
    return join "\n", map { s/^(?:ld\.bfd|keel ld):\s?//r =~ s/`/'/gr } split /\n/, $err;
}

sub status { my ($s) = @_; return $s & 127 ? "signal " . ($s & 127) : "exit " . ($s >> 8) }

my $unsupported = qr/^outputs that use shared libraries are not supported yet \(shared library [^)]*\)$/m;

sub link_both {
    my ($name, $args, %o) = @_;
    my $tag = $name =~ s/\W+/_/gr;
    my ($bo, $ko) = ("$tmp/$tag.bfd", "$tmp/$tag.keel");
    my $b = run(argv => ['ld.bfd', @$args, '-o', $bo]);
    my %kenv = (test_env(), KEEL_DEBUG_NEEDED => 1, %{ $o{env} // {} });
    my $k = run(file => $keel, argv => [$keel, 'link', @$args, '-o', $ko], env => \%kenv);
    return ($b, $k, $bo, $ko);
}

sub test_env { return KeelTest::test_env() }

# ld.bfd fails: keel fails the same way, with the same messages
sub fails_as_bfd {
    my ($name, $args, %o) = @_;
    my ($b, $k, $bo, $ko) = link_both($name, $args, %o);
    ok($b->{status} != 0, "$name: ld.bfd fails") or diag($b->{err});
    is(status($k->{status}), status($b->{status}), "$name: keel exits as ld.bfd does");
    ok(!-e $ko, "$name: no output");
    my $got = join "\n", grep { !/^needed: / } split /\n/, messages($k->{err});
    is($got, messages($b->{err}), "$name: ld.bfd's messages, line for line");
}

# the NEEDED list of ld.bfd's output
sub bfd_needed {
    my ($out) = @_;
    my $r = run(argv => ['readelf', '-d', $out]);
    return [map { /\[(.*)\]/ ? $1 : () } grep {/\(NEEDED\)/} split /\n/, $r->{out}];
}

sub keel_needed { my ($k) = @_; return [map { /^needed: (.*)$/ ? $1 : () } split /\n/, messages($k->{err})] }

# the lines of -y
sub traced { my ($r) = @_; return [grep {/: (?:definition of|reference to) /} split /\n/, messages($r->{err})] }

# ld.bfd links: keel resolves as it does, then says it cannot write the output yet
sub links_as_bfd {
    my ($name, $args, %o) = @_;
    my ($b, $k, $bo, $ko) = link_both($name, $args, %o);
    is($b->{status}, 0, "$name: ld.bfd links") or diag($b->{err});
    is(status($k->{status}), 'exit 0', "$name: keel links") or diag($k->{err});
    ok(-e $ko, "$name: an output");
    is_deeply(keel_needed($k), bfd_needed($bo), "$name: keel's DT_NEEDED list is ld.bfd's");
    is_deeply(traced($k), traced($b), "$name: -y lines as ld.bfd's") if $o{traced};
    my @other = grep { !/^needed: / && !/: (?:definition of|reference to) / && $_ !~ $unsupported }
        split /\n/, messages($k->{err});
    is(join("\n", @other), '', "$name: keel says nothing else") unless $o{trace};
    return ($b, $k);
}

# gcc's line with its first --as-needed (Debian's default, before the
# inputs) made --no-as-needed; libgcc_s's own --as-needed stays
sub no_as_needed {
    my $done;
    return map { !$done && $_ eq '--as-needed' ? ($done = '--no-as-needed') : $_ } @_;
}

# gcc's link line (collect2's arguments), the output left for -o
my @gcc = linker_args('gcc', '-no-pie', "$tmp/und.o", '-lm', '-o', "$tmp/x");
SKIP: {
    skip 'gcc shows no link line', 1 unless @gcc;

    # --------------------------------------------------- undefined references
    fails_as_bfd('undefined references, with libc.so and libm.so', [@gcc]);

    # ------------------------------------------- a library's DT_NEEDED library
    my @l1 = linker_args('gcc', '-no-pie', "$tmp/main_sqrt.o", "-L$tmp", '-ll1', '-o', "$tmp/x");
    fails_as_bfd('DSO missing from command line', [@l1]);
    my @l1ok = linker_args('gcc', '-no-pie', "$tmp/main_lib1.o", "-L$tmp", '-ll1', '-o', "$tmp/x");
    links_as_bfd('the library needs libm, the program does not', [@l1ok, '-y', 'sqrt'], traced => 1);
    links_as_bfd('-lm given, --no-as-needed', [no_as_needed @l1, '-lm']);

    # ------------------------------------------------------------ --as-needed
    my @ac = linker_args('gcc', '-no-pie', "$tmp/main_ac.o", "-L$tmp", '-la', '-lb', '-lc_', '-o', "$tmp/x");
    links_as_bfd('--as-needed (gcc\'s): only the libraries used', [@ac]);
    links_as_bfd('--no-as-needed: every library named', [no_as_needed @ac]);
    my @script = linker_args('gcc', '-no-pie', "$tmp/main_ac.o", "$tmp/abc.ld", '-o', "$tmp/x");
    links_as_bfd('a script of ours: INPUT, nested AS_NEEDED', [no_as_needed @script]);
    my @scriptb = linker_args('gcc', '-no-pie', "$tmp/main_b.o", "$tmp/abc.ld", '-o', "$tmp/x");
    links_as_bfd('the script: the AS_NEEDED library used', [no_as_needed @scriptb]);
    my @before = linker_args('gcc', '-no-pie', "-L$tmp", '-Wl,--as-needed', '-la', "$tmp/main_ac.o", '-lc_', '-o', "$tmp/x");
    fails_as_bfd('--as-needed library before its user: not needed', [@before]);
}

SKIP: {
    skip 'no g++', 1 unless have('g++');
    sh("g++ -O0 -c $src/cxx.cc -o cxx.o");
    my @cxx = linker_args('g++', '-no-pie', "$tmp/cxx.o", '-o', "$tmp/x");
    skip 'g++ shows no link line', 1 unless @cxx;
    links_as_bfd('C++ with threads: libstdc++, libgcc_s, libm, libc', [@cxx]);
}

# ------------------------------------------------------- without a C library
# a DT_NEEDED library: not searched in -L (ld.bfd's warning), found by
# -rpath-link, -rpath and LD_LIBRARY_PATH; a named --as-needed library not
# used counts as not named
fails_as_bfd('a needed library only -L has: not found', ['start_foo.o', '-L.', '-lnf']);
fails_as_bfd('-rpath-link: found, DSO missing', ['start_foo.o', '-L.', '-lnf', '-rpath-link', $tmp]);
fails_as_bfd('-rpath: found, DSO missing', ['start_foo.o', '-L.', '-lnf', "-rpath=$tmp"]);
fails_as_bfd('an unused --as-needed library a library needs: DSO missing',
             ['--as-needed', '-L.', '-lfoo', '--no-as-needed', 'start_foo.o', '-lnf']);
{
    my %e = (LD_LIBRARY_PATH => $tmp);
    my $b = run(argv => ['ld.bfd', 'start_foo.o', '-L.', '-lnf', '-o', 'llp.bfd'], env => { test_env(), %e });
    my $k = run(file => $keel, argv => [$keel, 'link', 'start_foo.o', '-L.', '-lnf', '-o', 'llp.keel'],
                env => { test_env(), %e });
    ok($b->{status}, 'LD_LIBRARY_PATH: ld.bfd fails');
    is(messages($k->{err}), messages($b->{err}), 'LD_LIBRARY_PATH: found, DSO missing, as ld.bfd says');
}
fails_as_bfd('DSO missing: a library referenced it first, and ld.bfd names it',
             ['-L.', '-lnf', '--as-needed', '-lfoo', 'start_foo.o']);
links_as_bfd('--as-needed after a library that needs it: needed for the program',
             ['start_foo.o', '-L.', '-lnf', '--as-needed', '-lfoo']);
links_as_bfd('a weak reference only: no DSO missing', ['weak_foo.o', '-L.', '-lnf', '-rpath-link', $tmp]);
links_as_bfd('a needed library found serves the library', ['start_foo.o', '-L.', '-lnf', '-lfoo', '-rpath-link', $tmp]);

fails_as_bfd('a library\'s undefined reference (--no-allow-shlib-undefined by default)',
             ['start_foo.o', '-L.', '-lbad']);
links_as_bfd('--allow-shlib-undefined', ['start_foo.o', '-L.', '-lbad', '--allow-shlib-undefined']);
fails_as_bfd('two libraries\'s undefined references, each name once', ['start_foo.o', '-L.', '-lbad', '-ldup', '-lbad']);
for my $o (qw(ignore-all ignore-in-shared-libs)) {
    links_as_bfd("--unresolved-symbols=$o", ['start_foo.o', '-L.', '-lbad', "--unresolved-symbols=$o"]);
}
for my $o (qw(report-all ignore-in-object-files)) {
    fails_as_bfd("--unresolved-symbols=$o", ['start_foo.o', '-L.', '-lbad', "--unresolved-symbols=$o"]);
}
for my $o ('--warn-unresolved-symbols', '--noinhibit-exec') {
    my ($b, $k) = link_both($o, ['start_foo.o', '-L.', '-lbad', $o]);
    is($b->{status}, 0, "$o: ld.bfd links");
    my @said = grep { $_ !~ $unsupported && !/^needed: / } split /\n/, messages($k->{err});
    is(join("\n", @said), messages($b->{err}), "$o: a library's undefined reference said as ld.bfd says it");
    is(status($k->{status}), 'exit 0', "$o: then keel links");
}
links_as_bfd('the same library twice: needed once', ['start_foo.o', '-L.', '-lfoo', '-lfoo']);
links_as_bfd('a library\'s reference pulls an archive member', ['start_foo.o', '-L.', '-lbad', '-lu', '-y', 'undef_in_lib', '-y', 'foo'],
             traced => 1);
links_as_bfd('a shared definition pulls no archive member', ['start_foo.o', './libfoo.so', 'libfoo.a', '-y', 'foo'],
             traced => 1);
links_as_bfd('an archive member before the library wins', ['start_foo.o', 'libfoo.a', './libfoo.so', '-y', 'foo'],
             traced => 1);
fails_as_bfd('only a hidden version: no definition', ['start_foo.o', './libhv.so']);
links_as_bfd('a weak definition and a common after the library', ['start_foo.o', './libcommon.so', 'weakdef.o', '-y', 'foo', '-y', 'bar_common'],
             traced => 1);
links_as_bfd('a weak definition and a common before the library', ['start_foo.o', 'weakdef.o', './libcommon.so', '-y', 'foo', '-y', 'bar_common'],
             traced => 1);
fails_as_bfd('-static: a library named', ['-static', 'start_foo.o', './libfoo.so']);
fails_as_bfd('--as-needed before the reference', ['--as-needed', '-L.', '-lfoo', 'start_foo.o']);
links_as_bfd('--as-needed, a weak reference only', ['weak_foo.o', '--as-needed', '-L.', '-lfoo', '-y', 'foo'], traced => 1);

# ------------------------------------------------------------- -l search
sub so_traced {
    my ($r) = @_;
    my %seen;
    return [grep { !$seen{$_}++ } grep {/\.(?:so|a)$/} map { s/^\((.*)\).*$/$1/r } split /\n/, $r->{out}];
}
for my $case (['-l: the .so before the .a', ['-Llq', '-lq']],
              ['-Bstatic: the .a', ['-Llq', '-Bstatic', '-lq']],
              ['-Bstatic then -Bdynamic', ['-Llq', '-Bstatic', '-Bdynamic', '-lq']],
              ['-l:libq.a', ['-Llq', '-l:libq.a']],
              ['-l:libq.so', ['-Llq', '-l:libq.so']]) {
    my ($name, $args) = @$case;
    my ($b, $k) = link_both($name, ['start_foo.o', @$args, '-t']);
    is_deeply(so_traced($k), so_traced($b), "$name: -t names the library ld.bfd loads") or diag(explain([$b->{out}, $k->{out}]));
}

# ------------------------------------ libraries without section headers
# read through the dynamic segment (dso_dynamic.c): keel resolves as
# ld.bfd does with the same library whole (ld.bfd 2.40 itself finds no
# symbol in such a library)
sub no_headers {
    my ($in, $out) = @_;
    my $b = do { local $/; open my $f, '<', "$tmp/$in" or die; binmode $f; <$f> };
    substr($b, 0x28, 8) = pack('V V', 0, 0);   # e_shoff
    substr($b, 0x3c, 4) = pack('v v', 0, 0);   # e_shnum, e_shstrndx
    open my $f, '>', "$tmp/$out" or die;
    binmode $f;
    print $f $b;
    close $f;
    return $b;
}
sh("$cc -fPIC -shared -o libfoo_sysv.so $src/foo.c -Wl,--hash-style=sysv");
sh("$cc -fPIC -shared -o libl1_sysv.so $src/lib1.c -lm -Wl,--hash-style=sysv");
for my $case (['libfoo.so', 'start_foo.o', ['-y', 'foo']], ['libfoo_sysv.so', 'start_foo.o', ['-y', 'foo']],
              ['libhv.so', 'start_foo.o', ['-y', 'foo']], ['libl1_sysv.so', 'main_lib1.o', ['-y', 'lib1', '-y', 'sqrt']],
              ['libl1.so', 'main_lib1.o', ['-y', 'lib1', '-y', 'sqrt']]) {
    my ($lib, $obj, $y) = @$case;
    (my $nosh = $lib) =~ s/\.so$/_nosh.so/;
    no_headers($lib, $nosh);
    my $name = "$lib without section headers";
    my $b = run(argv => ['ld.bfd', $obj, "./$lib", @$y, '--allow-shlib-undefined', '-o', "$tmp/nosh.bfd"]);
    my $k = run(file => $keel, argv => [$keel, 'link', $obj, "./$nosh", @$y, '--allow-shlib-undefined', '-o', 'nosh.keel'],
                env => { test_env(), KEEL_DEBUG_NEEDED => 1 });
    my $kerr = messages($k->{err}) =~ s/_nosh\.so/.so/gr;
    my $ok = $b->{status} == 0;
    is_deeply($ok ? [map { s/_nosh\.so$/.so/r } @{ keel_needed($k) }] : [], $ok ? bfd_needed("$tmp/nosh.bfd") : [], "$name: DT_NEEDED list as ld.bfd's with the whole library");
    is_deeply([grep {/: (?:definition of|reference to) /} split /\n/, $kerr], traced($b), "$name: -y lines as ld.bfd's");
    if ($ok) {
        is(status($k->{status}), 'exit 0', "$name: resolved and linked") or diag($kerr);
    } else {
        is(join("\n", grep { !/: (?:definition of|reference to) / } split /\n/, $kerr),
           join("\n", grep { !/: (?:definition of|reference to) / } split /\n/, messages($b->{err})),
           "$name: ld.bfd's messages");
    }
}
{   # DT_SYMTAB made to point past the loaded bytes
    my $b = no_headers('libfoo_sysv.so', 'libfoo_lie.so');
    my $phoff = unpack('V', substr($b, 0x20, 4));
    my ($phentsize, $phnum) = unpack('v v', substr($b, 0x36, 4));
    for my $i (0 .. $phnum - 1) {
        my ($type, undef, $off, undef, undef, $filesz) = unpack('V V Q< Q< Q< Q<', substr($b, $phoff + $i * $phentsize, 48));
        next unless $type == 2;    # PT_DYNAMIC
        for (my $o = $off; $o + 16 <= $off + $filesz; $o += 16) {
            my ($tag) = unpack('Q<', substr($b, $o, 8));
            substr($b, $o + 8, 8) = pack('V V', 0x7fff0000, 0) if $tag == 6;    # DT_SYMTAB
        }
    }
    open my $f, '>', "$tmp/libfoo_lie.so" or die;
    binmode $f;
    print $f $b;
    close $f;
    my $k = run(file => $keel, argv => [$keel, 'link', 'start_foo.o', './libfoo_lie.so', '-o', 'lie.out']);
    like($k->{err}, qr/libfoo_lie\.so: dynamic segment: DT_SYMTAB 0x7fff0000 is not in the file's loaded bytes/,
         'a dynamic segment that lies: the file and the tag named');
    ok(($k->{status} >> 8) == 1 && !-e "$tmp/lie.out", 'a dynamic segment that lies: exit 1, no output');
}

# ------------------------------------------------------------ bad libraries
my $good = do { local $/; open my $f, '<', "$tmp/libfoo.so" or die; binmode $f; <$f> };
my $crashes = 0;
my @bad;
for my $cut (16, 64, 200, 1000, int(length($good) / 2), length($good) - 100) {
    push @bad, ["truncated at $cut", substr($good, 0, $cut)];
}
# e_shoff, e_shnum, each section's sh_offset and sh_size made huge in turn
{
    my ($shoff) = unpack('Q<', substr($good, 0x28, 8));
    my ($shentsize, $shnum) = unpack('v v', substr($good, 0x3a, 4));
    my $b = $good;
    substr($b, 0x28, 8) = pack('V V', 0xffffffff, 0xffff);
    push @bad, ['e_shoff past the end', $b];
    for my $i (1 .. $shnum - 1) {
        for my $field ([0x18, 'sh_offset'], [0x20, 'sh_size'], [0x28, 'sh_link']) {
            my $c = $good;
            substr($c, $shoff + $i * $shentsize + $field->[0], $field->[0] == 0x28 ? 4 : 8) =
                $field->[0] == 0x28 ? pack('V', 0x7fff) : pack('V V', 0xffff0000, 0x7fffffff);
            push @bad, ["section $i: $field->[1]", $c];
        }
    }
}
for my $case (@bad) {
    my ($name, $bytes) = @$case;
    open my $f, '>', "$tmp/libbad_in.so" or die;
    binmode $f;
    print $f $bytes;
    close $f;
    unlink "$tmp/bad.out";
    my $k = run(file => $keel, argv => [$keel, 'link', 'start_foo.o', 'libbad_in.so', '-o', 'bad.out']);
    $crashes++ if $k->{status} & 127 || $k->{err} =~ /AddressSanitizer|runtime error/;
    # (a part of the library keel does not read may be broken: then it links)
    ok((($k->{status} >> 8) == 1 && $k->{err} =~ /libbad_in\.so/ && !-e "$tmp/bad.out")
           || ($k->{status} == 0 && -e "$tmp/bad.out"),
       "corrupt library, $name: an error naming the file and no output, or an output") or diag($k->{err});
}
is($crashes, 0, 'no corrupt library crashes keel');

done_testing();
