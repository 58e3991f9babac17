package KeelTest;
# The prelude the link tests share: where keel is, a skip of the whole
# test when keel or a tool it needs is missing, a temporary directory
# under build/t, running programs there with a fixed environment, and
# the linker's arguments a compiler driver gives (gcc -###).
#
#   use lib "$FindBin::Bin/lib";
#   use KeelTest qw(keel_setup run linker_args);
#   my ($build, $keel, $tmp) = keel_setup('link', need => ['ld.bfd (binutils)', 'gcc']);
use strict;
use warnings;
use Exporter 'import';
use Cwd qw(abs_path);
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use FindBin;
use Test::More;
use Text::ParseWords qw(shellwords);
use Programs qw(have run_program);
our @EXPORT_OK = qw(keel_setup run test_env sh linker_args bfd_case);

my ($tmp, %env);
my $runs = 0;

# ($build, $keel, $tmp) for the test; plans skip_all when keel is not
# built or a needed tool is not on PATH.  need: ["TOOL[ (why)]", ...],
# each skipped as "no TOOL[ (why)]"; path: PATH for the programs run.
sub keel_setup {
    my ($name, %o) = @_;
    my $build = $ENV{KEEL_BUILD} // "$FindBin::Bin/../build";
    my $keel = $ENV{KEEL} // "$build/keel";
    plan skip_all => "no keel at $keel" unless -x $keel;
    for my $need (@{ $o{need} // [] }) {
        my ($tool) = split ' ', $need;
        plan skip_all => "no $need" unless have($tool);
    }
    make_path("$build/t");
    $tmp = abs_path(tempdir("$name.XXXXXX", DIR => "$build/t", CLEANUP => 1));
    %env = (PATH => $o{path} // '/usr/local/bin:/usr/bin:/bin', LC_ALL => 'C', HOME => '/');
    return ($build, $keel, $tmp);
}

# The environment programs run with, to extend for one run.
sub test_env { return %env }

# Run a program in the test's directory (Programs::run_program's options).
sub run { return run_program(env => \%env, dir => $tmp, @_, base => "$tmp/run" . ++$runs) }

# A shell command that must work: dies with its stderr if not.
sub sh {
    my ($cmd) = @_;
    my $r = run(argv => ['/bin/sh', '-c', $cmd]);
    die "$cmd: $r->{err}" if $r->{status};
    return $r;
}

# The linker's arguments the driver command gives (the line of -### that
# runs collect2 or ld), or the empty list.
sub linker_args {
    my (@driver) = @_;
    my $r = run(argv => [@driver, '-###']);
    for my $line (split /\n/, $r->{err}) {
        next unless $line =~ m{^ "?(\S*/(?:collect2|ld|ld\.bfd))"? };
        my @w = shellwords($line);
        shift @w;
        return @w;
    }
    return;
}

# One case of a test that links what a compiler driver hands its linker,
# ld.bfd's link being the oracle: compile (a shell line), take the
# driver's linker line, link it with ld.bfd (plus bfd_args) to out.
# Returns the linker line; inside a SKIP block, skips the case's points
# checks, saying why, when its tool or input is missing, the compile
# fails, the driver names no linker or ld.bfd refuses the line.
#   my @args = bfd_case(name => ..., compile => ..., driver => [...],
#                       tool => ..., needs => FILE, points => N,
#                       out => "$tmp/x.bfd", bfd_args => [...]);
sub bfd_case {
    my (%c) = @_;
    my ($name, $points) = @c{qw(name points)};
    skip "$name: no $c{tool}", $points if $c{tool} && !have($c{tool});
    skip "$name: no $c{needs}", $points if $c{needs} && !-e $c{needs};
    my $cc = run(argv => ['/bin/sh', '-c', $c{compile}]);
    skip "$name: cannot compile: $cc->{err}", $points if $cc->{status};
    my @args = linker_args(@{ $c{driver} });
    skip "$name: no linker line in '@{ $c{driver} } -###'", $points unless @args;
    my $bfd = run(argv => ['ld.bfd', @args, @{ $c{bfd_args} // [] }, '-o', $c{out}]);
    skip "$name: ld.bfd fails on it: $bfd->{err}", $points if $bfd->{status};
    return @args;
}

1;
