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
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Cwd qw(abs_path);
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use POSIX ();
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
