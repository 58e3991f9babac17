#!/usr/bin/perl
# KEEL_LOAD_TIMES (docs/loader.md, "Where a load's time goes"): with it
# set, the loader says a line per load phase through the diagnostics
# callback, which keel run prints on stderr as "keel: load: PHASE N us",
# and the regions' and the scratch's sizes; unset or 0, nothing.
# The program's own output is the oracle: tests/progs/load_times/ linked
# by gcc (main.o and an archive holding twice.o) prints the same stdout
# and stderr line, and exits the same, as keel run of the same objects,
# whatever the variable says.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Cwd qw(abs_path);
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use POSIX ();
use Programs qw(slurp have run_program status_text first_difference build_all);
use Oracle ();

plan skip_all => 'keel run works on x86-64 only' unless (POSIX::uname())[4] eq 'x86_64';
my $keel = abs_path(Oracle::keel_bin());
plan skip_all => 'no keel binary (' . Oracle::keel_bin() . ')' unless $keel && -x $keel;
plan skip_all => 'no gcc' unless have('gcc');
plan skip_all => 'no ar' unless have('ar');
my $parent = ($ENV{KEEL_BUILD} || 'build') . '/t';
make_path($parent);
my $tmp = abs_path(tempdir('load_times.XXXXXX', DIR => $parent, CLEANUP => 1));

my $src = "$FindBin::Bin/progs/load_times";
my $built = build_all(["$tmp/main.o", "gcc -O2 -fPIC -c -o $tmp/main.o $src/main.c"],
                      ["$tmp/twice.o", "gcc -O2 -fPIC -c -o $tmp/twice.o $src/twice.c"]);
for (sort keys %$built) {
    BAIL_OUT("cannot build $_: " . slurp("$_.log")) unless $built->{$_};
}
system("ar rcs $tmp/libtwice.a $tmp/twice.o") == 0 or BAIL_OUT('ar failed');
system("gcc -o $tmp/main $tmp/main.o $tmp/libtwice.a") == 0 or BAIL_OUT('gcc cannot link the program');

my %env = (PATH => '/usr/local/bin:/usr/bin:/bin', LC_ALL => 'C', HOME => '/');
defined $ENV{$_} and $env{$_} = $ENV{$_} for qw(ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS);
my $runs = 0;
sub run {
    my ($extra, @argv) = @_;
    return run_program(env => {%env, %$extra}, argv => \@argv, base => "$tmp/run" . ++$runs);
}

my $linked = run({}, "$tmp/main", 'arg');
my @keel = ($keel, 'run', "$tmp/main.o", "$tmp/libtwice.a", '--', 'arg');

# The phases of one keel_load, in order (load.c marks them).
my @phases = ('map inputs', 'parse inputs', 'pull members', 'survey relocations', 'measure',
              'allocate, populate', 'place (copy)', 'resolve, relocate', 'ctors list, reserve', 'protect',
              'commit', 'constructors', 'release scratch');

for my $case ([{}, 'unset'], [{KEEL_LOAD_TIMES => '0'}, '0'], [{KEEL_LOAD_TIMES => '1'}, '1']) {
    my ($extra, $what) = @$case;
    my $k = run($extra, @keel);
    is($k->{out}, $linked->{out}, "KEEL_LOAD_TIMES $what: stdout as the linked program's")
        or diag(first_difference($linked->{out}, $k->{out}, 'linked'));
    is(status_text($k->{status}), status_text($linked->{status}), "KEEL_LOAD_TIMES $what: status");
    my @ours = grep { /^keel: load: / } split /\n/, $k->{err};
    my $rest = join('', map {"$_\n"} grep { !/^keel: load: / } split /\n/, $k->{err});
    is($rest, $linked->{err}, "KEEL_LOAD_TIMES $what: the program's own stderr, unchanged");
    if ($what ne '1') {
        is(scalar @ours, 0, "KEEL_LOAD_TIMES $what: no phase lines") or diag(join "\n", @ours);
        next;
    }
    my (@seen, %sizes, @bad);
    for (@ours) {
        if (/^keel: load: (\S.*?)\s+(\d+\.\d) us$/) {
            push @seen, $1;
        } elsif (/^keel: load: (\S.*?)\s+(\d+)$/) {
            $sizes{$1} = $2;
        } else {
            push @bad, $_;
        }
    }
    is(scalar @bad, 0, 'KEEL_LOAD_TIMES 1: every line is a phase and microseconds, or a name and a size')
        or diag(join "\n", @bad);
    is_deeply(\@seen, \@phases, 'KEEL_LOAD_TIMES 1: the phases, once each, in order') or diag(join "\n", @ours);
    # the regions: whole pages, of which some bytes are written at load;
    # main.o and twice.o have text (and main's format strings, read-only)
    my $ok = $sizes{'region text'} && $sizes{'region text written'};
    for my $r ('region text', 'region read-only', 'region read-write') {
        my ($size, $written) = ($sizes{$r}, $sizes{"$r written"});
        $ok &&= defined $size && defined $written && $size % 4096 == 0 && $written <= $size;
    }
    ok($ok, 'KEEL_LOAD_TIMES 1: each region\'s size in whole pages, and the bytes of it written')
        or diag(join "\n", @ours);
    ok(defined $sizes{'scratch used'} && defined $sizes{'scratch held'} &&
       $sizes{'scratch used'} > 0 && $sizes{'scratch used'} <= $sizes{'scratch held'},
       'KEEL_LOAD_TIMES 1: the scratch used, at most what was held') or diag(join "\n", @ours);
}

done_testing();
