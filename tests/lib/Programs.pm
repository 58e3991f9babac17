package Programs;
# Running programs for the tests that compare keel against a real run of
# the same program (exec_run.t, run.t): a child with its own stdin, stdout,
# stderr, environment and time limit; statuses as text; where two outputs
# first differ; building in parallel.
use strict;
use warnings;
use POSIX ();
use Exporter 'import';
our @EXPORT_OK = qw(slurp spew have run_program status_text first_difference build_all);

sub slurp { open(my $fh, '<:raw', $_[0]) or return ''; local $/; my $s = <$fh>; return $s // '' }
sub spew { open(my $fh, '>:raw', $_[0]) or die "$_[0]: $!"; print $fh $_[1]; close $fh or die }
sub have { system("command -v $_[0] >/dev/null 2>&1") == 0 }

# Run one program.  Options: base => the path prefix for its .in/.out/.err
# files (required), argv => [ARGV0, ARGS...], file => what to exec (default
# ARGV0; without a '/' it is looked up in PATH), env => {...} (required),
# stdin, dir => the working directory, before => code the child runs just
# before exec.  Returns {status, out, err}.
sub run_program {
    my (%o) = @_;
    my $base = $o{base};
    spew("$base.in", $o{stdin} // '');
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        # The child never returns into the test (no END blocks, no cleanup).
        eval {
            open(STDIN, '<', "$base.in") && open(STDOUT, '>', "$base.out") && open(STDERR, '>', "$base.err")
                or POSIX::_exit(120);
            chdir($o{dir}) or POSIX::_exit(122) if defined $o{dir};
            %ENV = %{ $o{env} };
            my $no_core = pack('Q2', 0, 0);
            syscall(160, 4, $no_core); # setrlimit(RLIMIT_CORE, {0, 0}): no core files from deaths the tests cause
            alarm 60; # survives exec (and keel's exec): a hung program dies of SIGALRM
            $o{before}->() if $o{before};
            my $file = $o{file} // $o{argv}[0];
            exec { $file } @{ $o{argv} } or print STDERR "cannot exec $file: $!\n";
        };
        print STDERR $@ if $@;
        POSIX::_exit(121);
    }
    waitpid($pid, 0);
    return { status => $?, out => slurp("$base.out"), err => slurp("$base.err") };
}

sub status_text {
    my ($s) = @_;
    return sprintf('killed by signal %d%s', $s & 127, $s & 128 ? ' (core dumped)' : '') if $s & 127;
    return 'exit ' . ($s >> 8);
}

# Where two texts first differ, for diag; $label names the first (the
# oracle's run: "direct", "linked").
sub first_difference {
    my ($want, $got, $label) = @_;
    $label //= 'direct';
    my @w = split /\n/, $want, -1;
    my @g = split /\n/, $got, -1;
    for my $i (0 .. ($#w > $#g ? $#w : $#g)) {
        my ($x, $y) = ($w[$i] // '(no line)', $g[$i] // '(no line)');
        return sprintf("line %d:\n  %-7s %s\n  keel:   %s", $i + 1, "$label:", $x, $y) if $x ne $y;
    }
    return 'same lines';
}

# Build everything, two jobs at a time.  Each job: [output file, shell
# command]; it succeeded when the command did and the output exists.  Its
# log is OUTPUT.log.  Returns {output => success}.
sub build_all {
    my (@jobs) = @_;
    my (%running, %ok);
    while (@jobs || %running) {
        while (@jobs && keys %running < 2) {
            my $job = shift @jobs;
            my $pid = fork // die "fork: $!";
            if (!$pid) {
                open(STDOUT, '>', "$job->[0].log") && open(STDERR, '>&', \*STDOUT) or POSIX::_exit(1);
                exec('/bin/sh', '-c', $job->[1]) or POSIX::_exit(1);
            }
            $running{$pid} = $job;
        }
        my $pid = wait;
        last if $pid < 0;
        my $job = delete $running{$pid};
        $ok{ $job->[0] } = $? == 0 && -e $job->[0];
    }
    return \%ok;
}

1;
