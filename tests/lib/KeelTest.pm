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
our @EXPORT_OK = qw(keel_setup run test_env sh linker_args);

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

1;
