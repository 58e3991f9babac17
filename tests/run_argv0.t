#!/usr/bin/perl
# keel run's argv[0] (issue 11, item 24).  tests/progs/tools/argv0.c
# prints what a program knows of its name (argv, program_invocation_name
# and _short_name, /proc/self/comm) and warns through warnx().  It runs
# linked by gcc as $tmp/argv0, exec'd with a given argv[0], and as
# `keel run [--argv0 NAME] argv0.o -- ARGS`: stdout, stderr and the exit
# status must be the same.  Without --argv0, keel run names the program
# as `cc -o argv0 argv0.o` would: its first input without the .o.
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
my $parent = ($ENV{KEEL_BUILD} || 'build') . '/t';
make_path($parent);
my $tmp = abs_path(tempdir('run_argv0.XXXXXX', DIR => $parent, CLEANUP => 1));

my $src = "$FindBin::Bin/progs/tools/argv0.c";
my $built = build_all(["$tmp/argv0.o", "gcc -O2 -c -o $tmp/argv0.o $src"],
                      ["$tmp/argv0", "gcc -O2 -o $tmp/argv0 $src"]);
for (sort keys %$built) {
    BAIL_OUT("cannot build $_: " . slurp("$_.log")) unless $built->{$_};
}

my %env = (PATH => '/usr/local/bin:/usr/bin:/bin', LC_ALL => 'C', HOME => '/');
defined $ENV{$_} and $env{$_} = $ENV{$_} for qw(ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS);
my $runs = 0;
sub run { return run_program(env => \%env, @_, base => "$tmp/run" . ++$runs) }

my @args = ('one', 'two words', '');

# The linked program exec'd with ARGV0, and keel run with KEEL_ARGS (from
# the directory DIR) must agree.
sub compare {
    my ($name, $argv0, $keel_args, %o) = @_;
    my $d = run(file => "$tmp/argv0", argv => [$argv0, @args], %o);
    my $k = run(file => $keel, argv => [$keel, 'run', @$keel_args, '--', @args], %o);
    ok($d->{out} =~ /^argv\[0\] \Q$argv0\E$/m, "$name: the linked program's argv[0] is '$argv0'")
        or diag($d->{out});
    ok($k->{out} eq $d->{out}, "$name: stdout") or diag(first_difference($d->{out}, $k->{out}, 'linked'));
    ok($k->{err} eq $d->{err}, "$name: stderr (warnx)") or diag(first_difference($d->{err}, $k->{err}, 'linked'));
    is(status_text($k->{status}), status_text($d->{status}), "$name: status");
}

compare('the default, an object named by its path', "$tmp/argv0", ["$tmp/argv0.o"]);
compare('the default, an object in the working directory', 'argv0', ['argv0.o'], dir => $tmp);
compare('--argv0 NAME', 'a name with spaces', ['--argv0', 'a name with spaces', "$tmp/argv0.o"]);
compare('--argv0 PATH', '/some/where/tool', ['--argv0', '/some/where/tool', "$tmp/argv0.o"]);
compare('--argv0 after the input', 'later', ["$tmp/argv0.o", '--argv0', 'later']);

# --argv0 where nothing runs is said to be ignored; without NAME, a usage
# error.
my $r = run(file => $keel, argv => [$keel, 'run', '--list', '--argv0', 'x', "$tmp/argv0.o"]);
ok($r->{status} == 0 && $r->{err} =~ /^keel run: --argv0 ignored/m, '--argv0 with --list: said to be ignored')
    or diag(status_text($r->{status}) . ": $r->{err}");
$r = run(file => $keel, argv => [$keel, 'run', "$tmp/argv0.o", '--argv0']);
is(status_text($r->{status}), 'exit 2', '--argv0 without NAME: a usage error');

# --help says what the default is.
$r = run(file => $keel, argv => [$keel, 'run', '--help']);
like($r->{out}, qr/--argv0 NAME/, '--help documents --argv0');

done_testing();
