#!/usr/bin/perl
# Every program tests/link.t links statically (tests/lib/LinkPrograms.pm:
# glibc and musl C, threads, C++ with exceptions, iostream, thread_local
# and std::thread, gcc, g++, clang, clang++, musl-gcc) linked as each
# other kind of executable: the driver's default (a PIE against the
# shared C library), -no-pie and -static-pie (glibc's rcrt1.o; musl's
# through rcrt1.o, which musl-gcc's specs do not use: its line is made
# here from musl-gcc -static's).  Each is the line the driver gives its
# linker, run by ld.bfd and by keel link:
#   - keel's has ld.bfd's ELF type, prints what ld.bfd's prints and exits
#     alike; a dynamic one also with LD_BIND_NOW=1, and LD_DEBUG=bindings
#     shows the same bindings as for ld.bfd's (not musl's: its dynamic
#     linker has no LD_DEBUG);
#   - readelf -a and objdump -d read it without a warning;
#   - eu-elflint --gnu-ld finds nothing in it that it does not find in
#     ld.bfd's;
#   - linking twice gives identical bytes.
# Each program is compiled once; its objects serve every variant.
# Then shared libraries both ways (keel's library under ld.bfd's program,
# ld.bfd's under keel's): the same answers lazily and with LD_BIND_NOW=1,
# the same LD_DEBUG=bindings; and -no-pie words in writable data that
# point at imported functions: the dynamic relocations and bindings are
# ld.bfd's.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Programs qw(slurp have);
use KeelTest qw(keel_setup run linker_args test_env);
use LinkPrograms qw(link_programs);

my ($build, $keel, $tmp) = keel_setup('link_variants', need => ['ld.bfd (binutils)', 'gcc', 'readelf', 'objdump']);
my $src = "$FindBin::Bin/progs/link";
my $musl_rcrt1 = '/usr/lib/x86_64-linux-musl/rcrt1.o';

# eu-elflint's messages with the section and symbol numbers taken out (the
# two links number them differently).
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

# What LD_DEBUG=bindings says of a run: each binding (the file, the file
# it binds to, the symbol and its version), the process number taken out,
# the program's own name and the given directories made one word, sorted
# (the order in which ld.so walks the relocations is the link's).
sub bindings {
    my ($prog, $args, %env) = @_;
    my $r = run(argv => [$prog, @$args], env => { test_env(), %env, LD_DEBUG => 'bindings' });
    my %b;
    for (split /\n/, $r->{err}) {
        next unless s/^\s*\d+:\s+binding file //;
        s/\Q$prog\E/PROG/g;
        s{\Q$tmp\E/\w+/}{DIR/}g;
        $b{$_} = 1;
    }
    return join "\n", sort keys %b;
}

# Where two sorted lists of lines first differ, for diag.
sub diff_lines {
    my ($want, $got) = @_;
    my %w = map { $_ => 1 } split /\n/, $want;
    my %g = map { $_ => 1 } split /\n/, $got;
    my @only_b = grep { !$g{$_} } sort keys %w;
    my @only_k = grep { !$w{$_} } sort keys %g;
    return join "\n", (map {"only ld.bfd's: $_"} @only_b[0 .. ($#only_b > 4 ? 4 : $#only_b)]),
        (map {"only keel's:   $_"} @only_k[0 .. ($#only_k > 4 ? 4 : $#only_k)]);
}

sub elf_type { return run(argv => ['readelf', '-hW', $_[0]])->{out} =~ /Type:\s+(\w+)/ ? $1 : 'none' }

# musl-gcc -static-pie gives a dynamic PIE (its specs know no
# -static-pie); musl's own static-pie line is its -static one with
# rcrt1.o for Scrt1.o and gcc's -static-pie options.
sub musl_static_pie {
    my (@driver) = @_;
    my @args = linker_args($driver[0], '-static', @driver[1 .. $#driver]);
    return unless @args && -e $musl_rcrt1;
    my @out;
    for (my $i = 0; $i < @args; $i++) {
        if ($args[$i] eq '-dynamic-linker') { $i++; next }
        if ($args[$i] =~ m{/Scrt1\.o$}) { push @out, $musl_rcrt1; next }
        push @out, $args[$i];
        push @out, qw(-pie --no-dynamic-linker -z text) if $args[$i] eq '-static';
    }
    return @out;
}

my $lint = have('eu-elflint');
for my $case (link_programs($src)) {
    my ($name0, $compile, $driver, $tool, $needs, $prog_args, $pic) = @$case;
    $name0 =~ s/^static //; # link.t's "static Python": here each kind of link
    my @variants = (['PIE', []], ['-no-pie', ['-no-pie']], ['-static-pie', ['-static-pie']]);
    my $cc;
    for my $variant (@variants) {
        my ($vname, $flags) = @$variant;
        my $name = "$name0 ($vname)";
        my $points = $vname eq '-static-pie' ? 5 : $driver->[0] eq 'musl-gcc' ? 6 : 7;
        SKIP: {
            skip "$name: no $tool", $points if $tool && !have($tool);
            # the PIE kinds take an archive's position-independent build
            my @d = map { $vname ne '-no-pie' && $pic && $pic->{$_} ? $pic->{$_} : $_ } @$driver;
            skip "$name: no $_", $points for grep { m{^/} && !-e } @d;
            skip "$name: no $needs", $points if $needs && !-e $needs;
            $cc //= run(argv => ['/bin/sh', '-c', $compile]);
            skip "$name: cannot compile: $cc->{err}", $points if $cc->{status};
            my @args;
            if ($vname eq '-static-pie' && $d[0] eq 'musl-gcc') {
                skip "$name: no $musl_rcrt1 (musl-dev)", $points unless -e $musl_rcrt1;
                @args = musl_static_pie(@d);
            } else {
                @args = linker_args($d[0], @$flags, @d[1 .. $#d]);
            }
            skip "$name: no linker line for '@d'", $points unless @args;
            my $tag = $name =~ s/\W+/-/gr;
            my $bfd = run(argv => ['ld.bfd', @args, '-o', "$tmp/$tag.bfd"]);
            skip "$name: ld.bfd fails on it: $bfd->{err}", $points if $bfd->{status};

            my $k = run(file => $keel, argv => [$keel, 'link', @args, '-o', "$tmp/$tag.keel"]);
            my $type = elf_type("$tmp/$tag.bfd");
            ok($k->{status} == 0 && -x "$tmp/$tag.keel" && elf_type("$tmp/$tag.keel") eq $type,
               "$name: keel links it, an ELF $type as ld.bfd's") or diag("keel link: $k->{err}");
            my @pa = @{ $prog_args // [] };
            my ($dr, $kr) = (run(argv => ["$tmp/$tag.bfd", @pa]), run(argv => ["$tmp/$tag.keel", @pa]));
            ok($kr->{out} eq $dr->{out} && $kr->{err} eq $dr->{err} && $kr->{status} == $dr->{status} && $dr->{out} ne '',
               "$name: it prints what ld.bfd's link prints, and exits alike")
                or diag("ld.bfd's: status $dr->{status}, out '$dr->{out}', err '$dr->{err}'\n"
                        . "keel's:   status $kr->{status}, out '$kr->{out}', err '" . substr($kr->{err}, 0, 500) . "'");
            if ($vname ne '-static-pie') {
                my $nr = run(argv => ["$tmp/$tag.keel", @pa], env => { test_env(), LD_BIND_NOW => 1 });
                ok($nr->{out} eq $dr->{out} && $nr->{status} == $dr->{status}, "$name: alike with LD_BIND_NOW=1")
                    or diag("status $nr->{status}, err " . substr($nr->{err}, 0, 300));
                if ($d[0] ne 'musl-gcc') { # (musl's dynamic linker has no LD_DEBUG)
                    my ($bb, $kb) = (bindings("$tmp/$tag.bfd", \@pa), bindings("$tmp/$tag.keel", \@pa));
                    ok($kb eq $bb && $bb ne '', "$name: LD_DEBUG=bindings shows ld.bfd's bindings ("
                           . scalar(() = $bb =~ /^/mg) . ')') or diag(diff_lines($bb, $kb));
                }
            }
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
            run(file => $keel, argv => [$keel, 'link', @args, '-o', "$tmp/$tag.again"]);
            ok(-e "$tmp/$tag.again" && slurp("$tmp/$tag.again") eq slurp("$tmp/$tag.keel"),
               "$name: linking again gives the same bytes");
            unlink "$tmp/$tag.again";
        }
    }
}

# ------------------------------------------------ shared libraries both ways
# tests/progs/join's library (an array the executable copies, a function
# it preempts, one whose address it compares) linked by keel and by
# ld.bfd from gcc -shared's line; the program linked by ld.bfd against
# keel's library and by keel against ld.bfd's: each runs as ld.bfd's
# program with ld.bfd's library, lazily and with LD_BIND_NOW=1, and
# LD_DEBUG=bindings shows the same bindings.
{
    my $j = "$FindBin::Bin/progs/join";
    my $c = run(argv => ['/bin/sh', '-c', "gcc -O2 -fPIC -c $j/lib.c -o jl.o && gcc -O2 -fPIE -c $j/main.c -o jm.o"
                         . ' && mkdir -p k b']);
    die "join sources: $c->{err}" if $c->{status};
    my @lib = linker_args('gcc', '-shared', '-Wl,-soname,libjoin.so', 'jl.o', '-o', 'libjoin.so');
    my $lb = run(argv => ['ld.bfd', @lib, '-o', "$tmp/b/libjoin.so"]);
    my $lk = run(file => $keel, argv => [$keel, 'link', @lib, '-o', "$tmp/k/libjoin.so"]);
    ok($lb->{status} == 0 && $lk->{status} == 0, 'a shared library: keel links it') or diag("$lk->{err}$lb->{err}");
    my @prog = linker_args(qw(gcc jm.o -Lb -ljoin -o jm));
    my $pb = run(argv => ['ld.bfd', @prog, '-o', "$tmp/jm.bfd"]);
    my $pk = run(file => $keel, argv => [$keel, 'link', @prog, '-o', "$tmp/jm.keel"]);
    ok($pb->{status} == 0 && $pk->{status} == 0, 'a program of the library: keel links it') or diag($pk->{err});
    my $want = run(argv => ["$tmp/jm.bfd"], env => { test_env(), LD_LIBRARY_PATH => "$tmp/b" });
    my $wantb = bindings("$tmp/jm.bfd", [], LD_LIBRARY_PATH => "$tmp/b");
    for my $pair (["ld.bfd's program, keel's library", 'jm.bfd', 'k'], ["keel's program, ld.bfd's library", 'jm.keel', 'b'],
                  ["keel's program, keel's library", 'jm.keel', 'k']) {
        my ($what, $exe, $dir) = @$pair;
        my %e = (LD_LIBRARY_PATH => "$tmp/$dir");
        my $r = run(argv => ["$tmp/$exe"], env => { test_env(), %e });
        my $n = run(argv => ["$tmp/$exe"], env => { test_env(), %e, LD_BIND_NOW => 1 });
        ok($r->{status} == 0 && $r->{out} eq $want->{out} && $want->{out} =~ /^sum 1055 .* env 1$/,
           "$what: prints what ld.bfd's link of both prints (" . ($want->{out} =~ s/\n//r) . ')')
            or diag("status $r->{status}: $r->{out} $r->{err}");
        ok($n->{status} == 0 && $n->{out} eq $want->{out}, "$what: the same with LD_BIND_NOW=1")
            or diag("status $n->{status}: $n->{out} $n->{err}");
        my $got = bindings("$tmp/$exe", [], %e);
        $got =~ s/PROG/$tmp\/$exe/g; # (each file its own name: the program's made one)
        my $w = $wantb =~ s/PROG/$tmp\/$exe/gr;
        ok($got eq $w && $w =~ /normal symbol `lib_hook'/, "$what: LD_DEBUG=bindings shows ld.bfd's bindings")
            or diag(diff_lines($w, $got));
    }
}

# ------------------------------------------------ -no-pie: words that point at imported functions
# A word in writable data holding an imported function's address
# (tests/progs/variants/fptr_main.c, -fno-pic): ld.bfd leaves a relocation
# by the symbol, unless the function has a canonical PLT entry (its
# address taken in code), whose address it then writes in the word.  The
# dynamic relocations (type and symbol) are ld.bfd's, and so are the
# bindings and the answers (pointer equality with the library's view).
{
    my $v = "$FindBin::Bin/progs/variants";
    my $c = run(argv => ['/bin/sh', '-c', "mkdir -p fp && gcc -O2 -fPIC -shared $v/fptr_lib.c -o fp/libfp.so"
                         . " && gcc -O2 -fno-pic -c $v/fptr_main.c -o fm.o"]);
    die "fptr sources: $c->{err}" if $c->{status};
    my @args = linker_args(qw(gcc -no-pie fm.o -Lfp -lfp -o fm));
    my $b = run(argv => ['ld.bfd', @args, '-o', "$tmp/fm.bfd"]);
    my $k = run(file => $keel, argv => [$keel, 'link', @args, '-o', "$tmp/fm.keel"]);
    ok($b->{status} == 0 && $k->{status} == 0, 'function pointers in data (-no-pie): keel links') or diag($k->{err});
    my %e = (LD_LIBRARY_PATH => "$tmp/fp");
    my ($rb, $rk) = map { run(argv => ["$tmp/fm.$_"], env => { test_env(), %e }) } qw(bfd keel);
    ok($rk->{out} eq $rb->{out} && $rb->{out} eq "1 1 2 equal 1 1 1\n",
       'function pointers in data (-no-pie): the calls and pointer equality as ld.bfd\'s') or diag("$rk->{out} $rk->{err}");
    my @rels = map { join "\n", sort map { /^[0-9a-f]+\s+[0-9a-f]+\s+(R_\w+)\s+[0-9a-f]+\s+(\w+)/ ? "$1 $2" : () }
                     split /\n/, run(argv => ['readelf', '-rW', "$tmp/fm.$_"])->{out} } qw(bfd keel);
    is($rels[1], $rels[0], 'function pointers in data (-no-pie): the dynamic relocations are ld.bfd\'s (no R_X86_64_64 '
                               . 'for the word of a function with a canonical PLT entry)');
    my ($bb, $kb) = map { bindings("$tmp/fm.$_", [], %e) } qw(bfd keel);
    ok($kb eq $bb && $bb =~ /`g'/, 'function pointers in data (-no-pie): LD_DEBUG=bindings shows ld.bfd\'s bindings')
        or diag(diff_lines($bb, $kb));
}

done_testing();
