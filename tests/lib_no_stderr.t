#!/usr/bin/perl
# Library code writes nothing to stdout or stderr (issue 12, item 7): what
# it says that is not an error goes to a diagnostics callback
# (include/keel/diag.h), and the tools install the one that prints it.
#   - no source file under lib/ names stderr, stdout or a function that
#     prints to them (comments and string literals aside);
#   - a client of libkeel.a linking an object without _start, with -t,
#     gets ld.bfd's warning and -t line through its callback (given per
#     link or process-wide), nothing when it gives none, and its own
#     stdout and stderr stay empty;
#   - keel link prints the same lines as ld.bfd, on the same streams,
#     a .gnu.warning longer than any fixed buffer whole.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Cwd qw(abs_path);
use File::Find;
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use Programs qw(slurp have run_program);

my $root = abs_path("$FindBin::Bin/..");
my $build = $ENV{KEEL_BUILD} // "$root/build";
my $keel = $ENV{KEEL} // "$build/keel";

# ---------------------------------------------------------------- the scan
# What prints to the standard streams, in C: the streams by name or
# descriptor, and the functions that print there without a FILE.
my $bad = qr/\b(?:stderr|stdout|STDERR_FILENO|STDOUT_FILENO|perror|printf|vprintf|puts|putchar|psignal|psiginfo
               |warnx?|vwarnx?|errx?|verrx?|error|error_at_line)\s*\(
             |\b(?:stderr|stdout)\b
             |\b(?:write|dprintf|vdprintf)\s*\(\s*[12]\s*,
             |\#\s*include\s*<err\.h>/x;
my @hits;
find({ no_chdir => 1, wanted => sub {
    return unless /\.[ch]$/;
    my $text = slurp($_);
    # comments and literals out, newlines kept for the line numbers
    $text =~ s{(/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')}
              { my $m = $1; $m =~ /^["']/ ? '""' : "\n" x ($m =~ tr/\n//) }gse;
    my $n = 0;
    for my $line (split /\n/, $text, -1) {
        $n++;
        next unless $line =~ $bad;
        push @hits, "$File::Find::name:$n: $line";
    }
} }, "$root/lib");
ok(!@hits, 'no file under lib/ writes to stdout or stderr') or diag(join("\n", @hits));

# ---------------------------------------------------------- the callback
my $client = "$build/tests/lib_diag";
SKIP: {
    skip "no $client (make test builds it)", 7 unless -x $client;
    skip 'no ld.bfd (binutils)', 7 unless have('ld.bfd');
    skip 'no gcc', 7 unless have('gcc');
    make_path("$build/t");
    my $tmp = abs_path(tempdir('lib_no_stderr.XXXXXX', DIR => "$build/t", CLEANUP => 1));
    my %env = (PATH => '/usr/local/bin:/usr/bin:/bin', LC_ALL => 'C', HOME => '/');
    my $runs = 0;
    my $run = sub { run_program(env => \%env, dir => $tmp, argv => [@_], base => "$tmp/run" . ++$runs) };
    my $cc = $run->('gcc', '-c', '-O2', '-o', 'nostart.o', "$FindBin::Bin/progs/lib_diag/nostart.c");
    die "gcc: $cc->{err}" if $cc->{status};

    # the oracle: ld.bfd's lines, without its name
    my $ld = $run->('ld.bfd', '-t', '-o', 'bfd.out', 'nostart.o');
    is($ld->{status}, 0, 'ld.bfd links an object without _start');
    (my $want_warning = $ld->{err}) =~ s/^ld\.bfd: //mg;
    like($want_warning, qr/cannot find entry symbol _start/, "ld.bfd warns: " . ($want_warning =~ s/\n\z//r));
    my $want = join('', map { "0 $_\n" } split /\n/, $ld->{out}) . join('', map { "2 $_\n" } split /\n/, $want_warning);

    my %got;
    for my $mode (qw(link global none)) {
        my $r = $run->($client, 'nostart.o', "$mode.out", "$mode.log", $mode);
        $got{$mode} = { %$r, log => slurp("$tmp/$mode.log") };
    }
    is_deeply([map { [$got{$_}{status}, $got{$_}{out}, $got{$_}{err}] } qw(link global none)],
              [map { [0, '', ''] } 1 .. 3], "the library printed nothing on the client's stdout and stderr")
        or diag(explain(\%got));
    is($got{link}{log} . $got{global}{log}, $want x 2,
       'a per-link and a process-wide callback get ld.bfd\'s -t line and warning, with their levels');
    is($got{none}{log}, '', 'with no callback, nothing is said');

    # the tool: ld.bfd's streams, "keel ld:" for "ld.bfd:"
    skip "no keel at $keel", 2 unless -x $keel;
    my $k = $run->($keel, 'link', '-t', '-o', 'keel.out', 'nostart.o');
    (my $want_err = $ld->{err}) =~ s/^ld\.bfd: /keel ld: /mg;
    is_deeply([$k->{status}, $k->{out}, $k->{err}], [0, $ld->{out}, $want_err],
              'keel link prints the -t line on stdout and the warning on stderr, as ld.bfd does');

    # a warning longer than any fixed buffer arrives whole
    $cc = $run->('gcc', '-c', '-O2', '-o', 'longwarn.o', "$FindBin::Bin/progs/lib_diag/longwarn.c");
    die "gcc: $cc->{err}" if $cc->{status};
    $ld = $run->('ld.bfd', '-o', 'bfd2.out', 'longwarn.o');
    $k = $run->($keel, 'link', '-o', 'keel2.out', 'longwarn.o');
    ($want_err = $ld->{err}) =~ s/^ld\.bfd: /keel ld: /mg;
    ok(length($want_err) > 1500 && $k->{status} == 0 && $k->{err} eq $want_err,
       'a .gnu.warning of ' . length($want_err) . ' bytes is said whole, as ld.bfd says it')
        or diag("keel said: $k->{err}");
}
done_testing();
