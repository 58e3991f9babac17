#!/usr/bin/perl
# keel link against ld.bfd on what sections, notes, TLS and relocations
# real code brings (issue 11): each case links the same objects with
# ld.bfd and with keel and compares what readelf or objdump shows of the
# two, or the two programs' runs.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Cwd qw(abs_path);
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use Text::ParseWords qw(shellwords);
use Programs qw(slurp spew have run_program);

my $build = $ENV{KEEL_BUILD} // "$FindBin::Bin/../build";
my $keel = $ENV{KEEL} // "$build/keel";
plan skip_all => "no keel at $keel" unless -x $keel;
plan skip_all => 'no ld.bfd (binutils)' unless have('ld.bfd');
plan skip_all => 'no gcc' unless have('gcc');
make_path("$build/t");
my $tmp = abs_path(tempdir('link_sections.XXXXXX', DIR => "$build/t", CLEANUP => 1));
my $src = "$FindBin::Bin/progs/link_sections";
my %env = (PATH => '/usr/local/bin:/usr/bin:/bin', LC_ALL => 'C', HOME => '/');
my $runs = 0;
sub run { return run_program(env => \%env, dir => $tmp, @_, base => "$tmp/run" . ++$runs) }
sub sh { my $r = run(argv => ['/bin/sh', '-c', $_[0]]); return $r }

# The linker's arguments gcc's driver gives for a static link of @objs to
# $out (the line of -### that runs collect2 or ld, without the program).
sub static_args {
    my ($out, @objs) = @_;
    my $r = run(argv => ['gcc', '-static', @objs, '-o', $out, '-###']);
    for my $line (split /\n/, $r->{err}) {
        next unless $line =~ m{^ "?(\S*/(?:collect2|ld|ld\.bfd))"? };
        my @w = shellwords($line);
        shift @w;
        return @w;
    }
    return;
}

# Link the same line with ld.bfd (to $out.bfd) and keel (to $out.keel).
sub link_both {
    my ($out, @args) = @_;
    my $b = run(argv => ['ld.bfd', @args, '-o', "$out.bfd"]);
    my $k = run(file => $keel, argv => [$keel, 'link', @args, '-o', "$out.keel"]);
    return ($b, $k);
}

sub objdump_code {
    my ($file) = @_;
    my $d = run(argv => ['objdump', '-d', '--no-show-raw-insn', $file]);
    # the instructions and their absolute targets, without addresses
    # (the two links place _start differently) or symbolic names
    return join "\n", map { s/^\s*[0-9a-f]+:\s*//r =~ s/\s*<[^>]*>//r =~ s/\s+$//r }
        grep { /^\s*[0-9a-f]+:\t/ } split /\n/, $d->{out};
}

# ------------------------------------------- item 13: relocation against symbol 0
{
    sh("gcc -c $src/stn_undef.s -o stn_undef.o");
    my ($b, $k) = link_both("$tmp/stn", 'stn_undef.o');
    ok($k->{status} == 0, 'a relocation against STN_UNDEF is linked') or diag($k->{err});
    my ($want, $got) = (objdump_code("$tmp/stn.bfd"), objdump_code("$tmp/stn.keel"));
    ok($b->{status} == 0 && $want =~ /jmp\s+0\b/ && $got eq $want,
       'STN_UNDEF: S = 0, the code reaches ld.bfd\'s targets')
        or diag("ld.bfd:\n$want\nkeel:\n$got");
}

# The PT_TLS line's fields: [offset, vaddr, paddr, filesz, memsz, flags, align].
sub pt_tls {
    my ($file) = @_;
    my $r = run(argv => ['readelf', '-lW', $file]);
    my ($line) = $r->{out} =~ /^\s*TLS\s+(.*)$/m;
    return $line ? [split ' ', $line] : undef;
}

# Two runs alike: same output, same status, and the oracle's succeeded.
sub runs_alike {
    my ($name, $bfd, $kl, @argv) = @_;
    my ($dr, $kr) = (run(argv => [$bfd, @argv]), run(argv => [$kl, @argv]));
    ok($dr->{status} == 0 && $dr->{out} ne '' && $kr->{out} eq $dr->{out} && $kr->{status} == $dr->{status},
       "$name: the program runs as ld.bfd's link runs")
        or diag("ld.bfd's: status $dr->{status}, out '$dr->{out}' err '$dr->{err}'\n"
                . "keel's:   status $kr->{status}, out '$kr->{out}', err '" . substr($kr->{err}, 0, 300) . "'");
}

# ------------------------------------------- item 4: TLS commons after .tbss
SKIP: {
    my $c = sh("gcc -c $src/tcommon.s -o tcommon.o && gcc -O2 -c $src/tcommon_main.c -o tcommon_main.o");
    skip "cannot build the TLS common test: $c->{err}", 4 if $c->{status};
    my @args = static_args('tcommon', 'tcommon_main.o', 'tcommon.o');
    skip 'no gcc linker line', 4 unless @args;
    my ($b, $k) = link_both("$tmp/tcommon", @args);
    ok($k->{status} == 0, 'TLS common: keel links it') or diag($k->{err});
    my ($want, $got) = (pt_tls("$tmp/tcommon.bfd"), pt_tls("$tmp/tcommon.keel"));
    ok($want && $got && hex($got->[4]) == hex($want->[4]),
       'TLS common: PT_TLS memsz is ld.bfd\'s (' . ($want ? $want->[4] : '?') . '), the common inside it')
        or diag('ld.bfd: ' . join(' ', @{ $want // [] }) . "\nkeel:   " . join(' ', @{ $got // [] }));
    my $syms = run(argv => ['readelf', '-sW', "$tmp/tcommon.keel"])->{out};
    my ($tb, $tc) = map { $syms =~ /^\s*\d+:\s+([0-9a-f]+)\s+\d+\s+TLS\s+GLOBAL\s+\S+\s+\d+\s+\Q$_\E\s*$/m ? hex($1) : undef } qw(tb tcom);
    ok(defined $tb && defined $tc && ($tc >= $tb + 32 || $tc + 64 <= $tb) && $got && $tc + 64 <= hex($got->[4]),
       'TLS common: its TLS offset is its own, within the block')
        or diag("tb " . ($tb // 'none') . ", tcom " . ($tc // 'none'));
    runs_alike('TLS common', "$tmp/tcommon.bfd", "$tmp/tcommon.keel");
}

done_testing();
