#!/usr/bin/perl
# Issue 13's leftovers in dynamic outputs, each against ld.bfd's link of
# the same gcc line (lib/link/dyn_undefweak.c and the rest):
#   - undefined weak symbols no library defines, in -pie, -no-pie and
#     -shared: which get a .dynsym entry and which words a dynamic
#     relocation (ld.bfd's zero_undefweak: 0 unless the GOT or PLT reaches
#     them and no code addresses them directly);
#   - DT_PLTGOT and PLT0 when only .plt.got has entries (ld.bfd keeps
#     both: the tags and .plt's size as ld.bfd's, DT_PLTGOT at .got.plt,
#     or .got where -z now put .got.plt's words);
#   - -no-pie: data words against a library's symbol that got a copy or a
#     canonical PLT entry hold that address, with no relocation;
#   - TLS of a shared library from an executable: general dynamic and
#     descriptors relaxed to initial exec (R_X86_64_TPOFF64), main's
#     instructions as ld.bfd rewrites them; kept descriptors in -shared;
#   - -z nocopyreloc: dynamic relocations of the reference's own type in
#     place of copies (DT_TEXTREL in a PIE), ld.bfd's errors in -no-pie
#     and with -z text, with no output left.
# For each: keel links it; the program prints and exits as ld.bfd's; the
# dynamic relocations (type and symbol) and the .dynsym names are
# ld.bfd's; eu-elflint --gnu-ld says nothing of keel's output it does not
# say of ld.bfd's.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Programs qw(have);
use KeelTest qw(keel_setup run bfd_case);

my ($build, $keel, $tmp) = keel_setup('link_dynfix', need => ['ld.bfd (binutils)', 'gcc', 'readelf']);
my $src = "$FindBin::Bin/progs/link_dynfix";

# readelf -rW: each dynamic relocation as "TYPE SYMBOL", sorted (ld.bfd's
# R_X86_64_NONE padding left out: room it reserved and did not use)
sub relocs {
    my ($f) = @_;
    my @r;
    for (split /\n/, run(argv => ['readelf', '-rW', $f])->{out}) {
        next unless /^[0-9a-f]{16}\s+[0-9a-f]{16}\s+(R_\w+)\s*(?:[0-9a-f]{16}\s+(\S+))?/;
        next if $1 eq 'R_X86_64_NONE';
        push @r, $1 . ' ' . ($2 // '');
    }
    return join "\n", sort @r;
}
# readelf --dyn-syms: "NAME BIND UND|DEF", sorted
sub dynsyms {
    my ($f) = @_;
    my @s;
    for (split /\n/, run(argv => ['readelf', '--dyn-syms', '-W', $f])->{out}) {
        my @w = split ' ';
        next unless @w >= 8 && $w[0] =~ /^\d+:$/;
        push @s, join ' ', $w[7] =~ s/@.*//r, $w[4], $w[6] eq 'UND' ? 'UND' : 'DEF';
    }
    return join "\n", sort @s;
}
sub elflint {
    my ($f) = @_;
    my $r = run(argv => ['eu-elflint', '--gnu-ld', $f]);
    return grep { !/^No errors/ } split /\n/, $r->{out} . $r->{err};
}

# One case: compile, link the driver's line with ld.bfd and keel, compare.
# run: run both (an executable); extra: more checks, given both outputs.
sub case {
    my (%c) = @_;
    my $name = $c{name};
    my $tag = $name =~ s/\W+/-/gr;
    SKIP: {
        my $points = 4 + ($c{run} ? 1 : 0) + ($c{extra_points} // 0);
        my @args = bfd_case(%c, points => $points, out => "$tmp/$tag.bfd");
        my $k = run(file => $keel, argv => [$keel, 'link', @args, '-o', "$tmp/$tag.keel"]);
        ok($k->{status} == 0 && -e "$tmp/$tag.keel", "$name: keel links it") or diag("keel link: $k->{err}");
        if ($c{run}) { # (a shared library is not run)
            my ($dr, $kr) = (run(argv => ["$tmp/$tag.bfd"]), run(argv => ["$tmp/$tag.keel"]));
            ok($kr->{out} eq $dr->{out} && $kr->{status} == $dr->{status} && $kr->{err} eq $dr->{err},
               "$name: it prints what ld.bfd's link prints, and exits alike")
                or diag("ld.bfd's: status $dr->{status}, out '$dr->{out}', err '$dr->{err}'\n"
                        . "keel's:   status $kr->{status}, out '$kr->{out}', err '" . substr($kr->{err}, 0, 300) . "'");
        }
        is(relocs("$tmp/$tag.keel"), relocs("$tmp/$tag.bfd"), "$name: readelf -rW: ld.bfd's dynamic relocations");
        is(dynsyms("$tmp/$tag.keel"), dynsyms("$tmp/$tag.bfd"), "$name: readelf --dyn-syms: ld.bfd's names");
        SKIP: {
            skip "$name: no eu-elflint", 1 unless have('eu-elflint');
            my %bfd = map { $_ => 1 } elflint("$tmp/$tag.bfd");
            my @more = grep { !$bfd{$_} } elflint("$tmp/$tag.keel");
            is(join("\n", @more), '', "$name: eu-elflint --gnu-ld says nothing it does not say of ld.bfd's");
        }
        $c{extra}->("$tmp/$tag.bfd", "$tmp/$tag.keel") if $c{extra};
    }
}

# 1, 2: undefined weak symbols that no library defines
case(name => 'weak undefined, PIE', compile => "gcc -O2 -fPIE -c $src/weak.c -o weak.o",
     driver => [qw(gcc weak.o -o weak)], run => 1);
case(name => 'weak undefined, -no-pie', compile => "gcc -O2 -fno-pic -c $src/weak.c -o weak-np.o",
     driver => [qw(gcc -no-pie weak-np.o -o weak-np)], run => 1);
case(name => 'weak undefined, -shared', compile => "gcc -O2 -fPIC -c $src/weaklib.c -o weaklib.o",
     driver => [qw(gcc -shared weaklib.o -o libweak.so)]);
for my $mode (['PIE'], ['-no-pie', '-no-pie'], ['-shared', '-shared']) {
    my ($label, @opt) = @$mode;
    case(name => "weak undefined reached each way, $label", compile => "gcc -c $src/weakrefs.s -o weakrefs.o",
         driver => [qw(gcc), @opt, qw(weakrefs.o -o weakrefs)], run => !@opt || $opt[0] ne '-shared');
}
# a call from non-PIC code: its PLT entry, unless code also takes its
# address (then 0: the call goes to 0, as ld.bfd's)
case(name => 'weak undefined call, -no-pie', compile => "gcc -c $src/weakcall.s -o weakcall.o",
     driver => [qw(gcc -no-pie weakcall.o -o weakcall)], run => 1, extra_points => 1,
     extra => sub {
         my ($b, $k) = @_;
         my $call = sub { (run(argv => ['objdump', '-d', $_[0]])->{out} =~ /<main>:\n(?:.*\n){3}\s*\S+:\s+(?:\S\S )+\s*call\s+(\S+)/)[0] // 'none' };
         is($call->($k), $call->($b), "weak undefined call, -no-pie: main's call goes where ld.bfd's does");
     });

# 3: only .plt.got entries
sub pltgot_checks {
    my ($name) = @_;
    return (extra_points => 3, extra => sub {
        my ($b, $k) = @_;
        my $tags = sub { join ' ', sort(run(argv => ['readelf', '-dW', $_[0]])->{out} =~ /^\s*0x[0-9a-f]+ \((\w+)\)/mg) };
        is($tags->($k), $tags->($b), "$name: the dynamic tags are ld.bfd's");
        my $plt = sub { run(argv => ['readelf', '-SW', $_[0]])->{out} =~ /\s\.plt\s+PROGBITS\s+\S+\s+\S+\s+(\S+)/ ? hex($1) : 0 };
        is($plt->($k), $plt->($b), "$name: .plt's size is ld.bfd's (PLT0)");
        my $at = sub {
            my $f = $_[0];
            my ($v) = run(argv => ['readelf', '-dW', $f])->{out} =~ /\(PLTGOT\)\s+0x([0-9a-f]+)/;
            my $sh = run(argv => ['readelf', '-SW', $f])->{out};
            my ($g) = $sh =~ /\s\.got\.plt\s+PROGBITS\s+([0-9a-f]+)/;
            ($g) = $sh =~ /\s\.got\s+PROGBITS\s+([0-9a-f]+)/ unless defined $g;
            return defined $v && defined $g && hex($v) == hex($g) ? 'the GOT of the PLT' : 'DT_PLTGOT ' . ($v // 'none');
        };
        is($at->($k), $at->($b), "$name: DT_PLTGOT names the PLT's GOT, as ld.bfd's");
    });
}
case(name => '.plt.got only, -shared', compile => "gcc -c $src/pltgot_only.s -o pltgot_only.o",
     driver => [qw(gcc -shared pltgot_only.o -o libpltgot.so)], pltgot_checks('.plt.got only, -shared'));
case(name => '.plt.got only, PIE', compile => "gcc -O2 -c $src/pltgot_only.c -o pltgot_only-c.o",
     driver => [qw(gcc pltgot_only-c.o -o pltgot)], run => 1, pltgot_checks('.plt.got only, PIE'));
case(name => '.plt.got only, PIE -z now', compile => "gcc -O2 -c $src/pltgot_only.c -o pltgot_only-c.o",
     driver => [qw(gcc -Wl,-z,now pltgot_only-c.o -o pltgot-now)], run => 1, pltgot_checks('.plt.got only, PIE -z now'));

# 4: -no-pie words against copies and canonical PLT entries
case(name => 'copies in a pointer table, -no-pie', compile => "gcc -O2 -fno-pic -c $src/copyword.c -o copyword.o",
     driver => [qw(gcc -no-pie copyword.o -o copyword)], run => 1);

# 5: an import's TLS
my $tlslib = "gcc -shared -fPIC -O2 $src/tls_lib.c -o libdftls.so";
sub main_code {
    my ($f) = @_;
    my $d = run(argv => ['objdump', '-d', '--no-show-raw-insn', $f])->{out};
    my ($m) = $d =~ /<main>:\n(.*?\n\s*[0-9a-f]+:\s+ret)/s;
    return ($m // 'no main') =~ s/^\s*[0-9a-f]+://mgr =~ s/#.*//mgr =~ s/0x[0-9a-f]+|[0-9a-f]+ <[^>]*>//gr;
}
for my $dialect ('gnu', 'gnu2') {
    for my $mode ('', '-no-pie') {
        my $name = "an import's TLS, -mtls-dialect=$dialect" . ($mode ? " $mode" : ' (PIE)');
        case(name => $name,
             compile => "$tlslib && gcc -fPIC -O2 -mtls-dialect=$dialect -c $src/tls_main.c -o tls-$dialect.o",
             driver => [qw(gcc), ($mode ? $mode : ()), "tls-$dialect.o", '-o', 'tls', '-L.', '-ldftls', "-Wl,-rpath,$tmp"],
             run => 1, extra_points => 1,
             extra => sub {
                 my ($b, $k) = @_;
                 is(main_code($k), main_code($b), "$name: main's instructions are ld.bfd's");
             });
    }
}
case(name => "an import's TLS descriptor, -shared",
     compile => "$tlslib && gcc -fPIC -O2 -mtls-dialect=gnu2 -c $src/tls_use.c -o tls_use.o",
     driver => [qw(gcc -shared tls_use.o -o libtlsuse.so -L. -ldftls)]);

# 6: -z nocopyreloc
sub alike_status {
    my ($name) = @_;
    return (extra_points => 1, extra => sub {
        my ($b, $k) = @_;
        my ($br, $kr) = (run(argv => [$b]), run(argv => [$k]));
        my $norm = sub { $_[0] =~ s{\S*/[\w.-]+\.(?:bfd|keel)}{PROG}gr };
        ok($kr->{status} == $br->{status} && $kr->{out} eq $br->{out} && $norm->($kr->{err}) eq $norm->($br->{err}),
           "$name: it runs as ld.bfd's (status $br->{status}, the dynamic linker's words)")
            or diag("ld.bfd's: $br->{status} $br->{err}\nkeel's: $kr->{status} $kr->{err}");
    });
}
case(name => '-z nocopyreloc, PIE', compile => "gcc -O2 -fPIE -c $src/nocopy.c -o nocopy-pie.o",
     driver => [qw(gcc -Wl,-z,nocopyreloc nocopy-pie.o -o nocopy)], alike_status('-z nocopyreloc, PIE'));
for my $mode (['PIE'], ['-no-pie', '-no-pie']) {
    my ($label, @opt) = @$mode;
    my $name = "-z nocopyreloc, a PC-relative data word, $label";
    case(name => $name, compile => "gcc -c $src/nocopy_data.s -o nocopy_data.o",
         driver => [qw(gcc), @opt, qw(-Wl,-z,nocopyreloc nocopy_data.o -o nocopy-data)], alike_status($name));
}
for my $e (['-no-pie, -fno-pic', '-fno-pic', '-no-pie'], ['PIE, -z text', '-fPIE', '-Wl,-z,text']) {
    my ($label, $cflag, $lflag) = @$e;
    my $name = "-z nocopyreloc, $label: ld.bfd's error";
    SKIP: {
        run(argv => ['/bin/sh', '-c', "gcc -O2 $cflag -c $src/nocopy.c -o nocopy-e.o"]);
        my @args = KeelTest::linker_args('gcc', $lflag, '-Wl,-z,nocopyreloc', 'nocopy-e.o', '-o', 'nce');
        skip "$name: no linker line", 2 unless @args;
        my $b = run(argv => ['ld.bfd', @args, '-o', "$tmp/nce.bfd"]);
        my $k = run(file => $keel, argv => [$keel, 'link', @args, '-o', "$tmp/nce.keel"]);
        my $norm = sub { join "\n", grep { !/final link failed|NOTE:/ } map { s/^(?:ld\.bfd|keel ld): //r } split /\n/, $_[0] };
        ok($b->{status} != 0 && $k->{status} != 0 && $norm->($k->{err}) eq $norm->($b->{err}),
           "$name: it fails as ld.bfd's link does, in its words") or diag("ld.bfd: $b->{err}\nkeel: $k->{err}");
        ok(!-e "$tmp/nce.keel", "$name: no output left");
    }
}

done_testing();
