#!/usr/bin/perl
# Defects found reviewing issue 12's work, each against an oracle:
#   - keel link --mapfile FIFO (or a directory holding one) must not hang:
#     a mapfile is an input, refused at once if it is not a regular file,
#     with the words keel link uses for such an input file ("PATH: not a
#     regular file (a FIFO)"); a character device (/dev/zero) likewise,
#     and never an output.
#   - -Map FILE that cannot be written: the link fails and leaves no
#     output, as ld.bfd's (an output left beside exit 1 looks up to date
#     to make, which then never relinks).
#   - --sort-section=name|alignment on a static C program whose merged
#     strings and constants (.rodata.str1.1, .rodata.cst16) sort among
#     other .rodata input sections: the program prints and exits as
#     ld.bfd's link of the same line does (keel's crashed: the merged
#     inputs' records still named the pieces by their places before the
#     sort).
#   - keel_link_get_layout after a relocatable link (-r) through the API:
#     the link writes the object readelf calls REL, and asking for the
#     layout (twice) answers "none" (the layout describes executables;
#     docs/linker.md) instead of reading an executable's tables the -r
#     link never made (it crashed).
#   - an archive whose index names a member offset that is not a member
#     (ld.bfd: "malformed archive"): keel link and keel run both say which
#     offset, in hexadecimal (they printed "0xllx": the error formatter
#     knows %X, not %llx).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Cwd qw(abs_path);
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use POSIX ();
use Text::ParseWords qw(shellwords);
use Programs qw(have run_program status_text);

my $build = $ENV{KEEL_BUILD} // "$FindBin::Bin/../build";
my $keel = $ENV{KEEL} // "$build/keel";
plan skip_all => "no keel at $keel" unless -x $keel;
plan skip_all => 'no as (binutils)' unless have('as');
make_path("$build/t");
my $tmp = abs_path(tempdir('review_issue12.XXXXXX', DIR => "$build/t", CLEANUP => 1));
my $src = "$FindBin::Bin/progs/review_issue12";
my %env = (PATH => '/usr/local/bin:/usr/bin:/bin', LC_ALL => 'C', HOME => '/');
my $runs = 0;
# a hang dies of SIGALRM after 10 s, and fails the test
sub run { return run_program(env => \%env, dir => $tmp, before => sub { alarm 10 }, @_, base => "$tmp/run" . ++$runs) }

my $r = run(argv => ['as', "$src/start.s", '-o', "$tmp/start.o"]);
is($r->{status}, 0, 'as assembles the input') or diag($r->{err});

# --- a mapfile that is not a regular file
POSIX::mkfifo("$tmp/fifo.map", 0644) or BAIL_OUT("mkfifo: $!");
make_path("$tmp/mapdir");
POSIX::mkfifo("$tmp/mapdir/a.map", 0644) or BAIL_OUT("mkfifo: $!");
# the oracle: what keel link says of the same FIFO as an input file
$r = run(argv => [$keel, 'link', "$tmp/start.o", "$tmp/fifo.map", '-o', "$tmp/oracle"]);
like($r->{err}, qr/\Q$tmp\E\/fifo\.map: not a regular file \(a FIFO\)/, 'a FIFO input file: refused at once')
    or diag($r->{err});
for my $c (['a FIFO', "$tmp/fifo.map", 'a FIFO'], ['a directory holding a FIFO', "$tmp/mapdir", 'a FIFO'],
           ['a character device', '/dev/zero', 'a character device']) {
    my ($name, $path, $kind) = @$c;
    unlink "$tmp/out";
    $r = run(argv => [$keel, 'link', "$tmp/start.o", '--mapfile', $path, '-o', "$tmp/out"]);
    is(status_text($r->{status}), 'exit 1', "--mapfile $name: keel link ends at once, exit 1") or diag($r->{err});
    like($r->{err}, qr/: not a regular file \(\Q$kind\E\)/, "--mapfile $name: 'not a regular file ($kind)'")
        or diag($r->{err});
    ok(!-e "$tmp/out", "--mapfile $name: no output");
}

# The linker's arguments as gcc gives them (collect2's line of -###),
# with -o's value replaced by OUT.
sub linker_args {
    my ($out, @driver) = @_;
    my $r = run(argv => [@driver, '-###']);
    for my $line (split /\n/, $r->{err}) {
        next unless $line =~ m{^ "?(\S*/(?:collect2|ld|ld\.bfd))"? };
        my @w = shellwords($line);
        shift @w;
        for my $i (0 .. $#w - 1) { $w[$i + 1] = $out if $w[$i] eq '-o' }
        return @w;
    }
    return;
}

# --- --sort-section with merged strings and constants
SKIP: {
    skip('no gcc or no ld.bfd', 6) unless have('gcc') && have('ld.bfd');
    my @o;
    for my $f ('sort_a', 'sort_b') {
        $r = run(argv => ['gcc', '-O2', '-fdata-sections', '-ffunction-sections', '-c', "$src/$f.c", '-o', "$tmp/$f.o"]);
        skip("gcc cannot compile $f.c: $r->{err}", 6) if $r->{status};
        push @o, "$tmp/$f.o";
    }
    my @driver = ('gcc', '-static', @o, '-o', "$tmp/x");
    skip("no static C library: gcc's linker line not found", 6) unless linker_args("$tmp/x", @driver);
    for my $how ('name', 'alignment') {
        $r = run(argv => ['ld.bfd', linker_args("$tmp/sort-$how.bfd", @driver), "--sort-section=$how"]);
        is($r->{status}, 0, "--sort-section=$how: ld.bfd links it") or diag($r->{err});
        my $want = run(argv => ["$tmp/sort-$how.bfd"]);
        $r = run(argv => [$keel, 'link', linker_args("$tmp/sort-$how", @driver), "--sort-section=$how"]);
        is($r->{status}, 0, "--sort-section=$how: keel links it") or diag($r->{err});
        my $got = run(argv => ["$tmp/sort-$how"]);
        ok($got->{out} eq $want->{out} && $got->{status} == $want->{status},
           "--sort-section=$how: keel's program prints and exits as ld.bfd's (" . status_text($got->{status}) . ')')
            or diag("ld.bfd's: $want->{out}\nkeel's: $got->{out}");
    }
}

# --- the layout of a relocatable link
SKIP: {
    my $unit = "$build/tests/review_layout_r";
    skip("no unit test at $unit (make all)", 3) unless -x $unit;
    skip('no readelf (binutils)', 3) unless have('readelf');
    $r = run(argv => [$unit, "$tmp/r.o", "$tmp/start.o"]);
    is(status_text($r->{status}), 'exit 0', 'keel_link_get_layout after -r: no crash') or diag($r->{err});
    is($r->{out}, "layout: none\n", 'keel_link_get_layout after -r: none, twice');
    $r = run(argv => ['readelf', '-h', "$tmp/r.o"]);
    like($r->{out}, qr/Type:\s+REL /, 'the -r link through the API wrote a relocatable object');
}

# --- an archive index naming no member
SKIP: {
    skip('no ar or ld.bfd (binutils)', 5) unless have('ar') && have('ld.bfd');
    for my $f ('use_foo', 'foo', 'start') {
        $r = run(argv => ['as', "$src/$f.s", '-o', "$tmp/$f.o"]);
        skip("as cannot assemble $f.s", 5) if $r->{status};
    }
    unlink "$tmp/ok.a";
    $r = run(argv => ['ar', 'rcs', "$tmp/ok.a", "$tmp/start.o", "$tmp/foo.o"]);
    is($r->{status}, 0, 'ar makes the archive') or diag($r->{err});
    # GNU ar's index: "!<arch>\n", the "/" member's 60-byte header, a
    # big-endian count and as many big-endian member offsets; each is
    # pointed 10 bytes into the second member's header
    my $ar = do { open(my $fh, '<:raw', "$tmp/ok.a") or die; local $/; <$fh> };
    my $n = unpack('N', substr($ar, 68, 4));
    my @off = unpack("N$n", substr($ar, 72, 4 * $n));
    my $bad = $off[-1] + 10;
    substr($ar, 72 + 4 * $_, 4) = pack('N', $bad) for 0 .. $n - 1;
    open(my $fh, '>:raw', "$tmp/bad.a") or die;
    print $fh $ar;
    close $fh or die;
    $r = run(argv => ['ld.bfd', '-e', 'main', "$tmp/use_foo.o", "$tmp/bad.a", '-o', "$tmp/bfd-bad"]);
    like($r->{err}, qr/malformed archive/, 'ld.bfd: the index is malformed') or diag($r->{err});
    my $want = sprintf('bad.a: the index names a member at offset 0x%x that is not there', $bad);
    $r = run(argv => [$keel, 'link', '-e', 'main', "$tmp/use_foo.o", "$tmp/bad.a", '-o', "$tmp/bad"]);
    isnt($r->{status}, 0, 'keel link: the malformed index is an error');
    like($r->{err}, qr/\Q$want\E/, "keel link: '$want'") or diag($r->{err});
    $r = run(argv => [$keel, 'run', "$tmp/use_foo.o", "$tmp/bad.a"]);
    like($r->{err}, qr/\Q$want\E/, "keel run: the same words") or diag($r->{err});
}

# --- a map that cannot be written
SKIP: {
    skip('no ld.bfd (binutils)', 4) unless have('ld.bfd');
    my $map = "$tmp/no-such-dir/out.map";
    unlink "$tmp/bfd.out";
    $r = run(argv => ['ld.bfd', "$tmp/start.o", '-Map', $map, '-o', "$tmp/bfd.out"]);
    isnt($r->{status}, 0, '-Map in a missing directory: ld.bfd fails');
    ok(!-e "$tmp/bfd.out", '-Map in a missing directory: ld.bfd leaves no output');
    unlink "$tmp/out";
    $r = run(argv => [$keel, 'link', "$tmp/start.o", '-Map', $map, '-o', "$tmp/out"]);
    is(status_text($r->{status}), 'exit 1', '-Map in a missing directory: keel link fails') or diag($r->{err});
    ok(!-e "$tmp/out", '-Map in a missing directory: keel link leaves no output, as ld.bfd');
}

done_testing();
