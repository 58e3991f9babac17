#!/usr/bin/perl
# The runtime loader under threads: tests/unit/load_stress.c loads and
# unloads objects in four threads (into a namespace, into its child, a
# batch unloaded with a cascade, into a child namespace created and
# destroyed each time) while three others look up symbols,
# addresses, dependents and object lists.  Run from the plain build, and
# from the ThreadSanitizer build (build-tsan, `make TSAN=1`) when it is
# there, where any data race fails the test.  The oracle for dependents is
# readelf -r: every one must be a relocation against base_fn.
use strict;
use warnings;
no warnings 'portable';
use FindBin;
use Test::More;
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use POSIX ();

plan skip_all => 'the loader runs x86-64 code only' unless (POSIX::uname())[4] eq 'x86_64';
my $build = $ENV{KEEL_BUILD} || "$FindBin::Bin/../build";
my $prog = "$build/tests/load_stress";
plan skip_all => "no $prog (make first)" unless -x $prog;
for my $tool (qw(gcc readelf)) {
    plan skip_all => "no $tool" unless grep { -x "$_/$tool" } split /:/, $ENV{PATH};
}
my $seconds = $ENV{KEEL_STRESS_SECONDS} || 2;

my $src = "$FindBin::Bin/progs/load_stress";
make_path("$build/t");
my $dir = tempdir('load_stress.XXXXXX', DIR => "$build/t", CLEANUP => 1);
my @objs = qw(base churn_a churn_b pair1 pair2);
for my $name (@objs) {
    system("gcc -O1 -fPIC -ffunction-sections -fdata-sections -c '$src/$name.c' -o '$dir/$name.o'") == 0
        or BAIL_OUT("gcc $name.c failed");
}

# Every relocation against base_fn: its type, offset and addend.
my @facts;
for my $name (grep { $_ ne 'base' } @objs) {
    for (`readelf -rW '$dir/$name.o'`) {
        next unless /^([0-9a-f]{16})\s+([0-9a-f]{16})\s+\S+\s+[0-9a-f]+\s+base_fn\s*([+-])\s*([0-9a-f]+)/;
        my $addend = ($3 eq '-' ? -1 : 1) * hex($4);
        push @facts, sprintf("dep %s.o %u %x %d", $name, hex($2) & 0xffffffff, hex($1), $addend);
    }
}
ok(@facts >= 2, scalar(@facts) . ' relocations against base_fn in churn_a.o, churn_b.o and pair1.o (readelf -r)');
open(my $f, '>', "$dir/facts") or die;
print $f "$_\n" for @facts;
close $f;

# One run: its TAP lines passed on, its exit status checked, and under
# ThreadSanitizer no report (halt_on_error makes the first one fatal).
sub run {
    my ($what, $bin, %env) = @_;
    local @ENV{ keys %env } = values %env;
    my $out = `'$bin' '$dir' $seconds '$dir/facts' 2>'$dir/stderr'`;
    my $status = $?;
    my $err = do { local (@ARGV, $/) = ("$dir/stderr"); <> } // '';
    my $count = 0;
    for my $line (split /\n/, $out) {
        if ($line =~ /^(not )?ok \d+ - (.*)$/) {
            ok(!$1, "$what: $2");
            $count++;
        } elsif ($line =~ /^# ?(.*)$/) {
            note("$what: $1");
        }
    }
    ok($status == 0 && $err !~ /ThreadSanitizer|AddressSanitizer|runtime error/,
       "$what: ran to the end and exited 0 (" .
       ($status & 127 ? 'signal ' . ($status & 127) : 'status ' . ($status >> 8)) . ", $count checks)")
        or diag($err =~ /(.{0,3000})/s);
    cmp_ok($count, '>=', 8, "$what: made its checks");
}

run('plain', $prog);

my $tsan = ($ENV{KEEL_TSAN_BUILD} || "$FindBin::Bin/../build-tsan") . "/tests/load_stress";
SKIP: {
    skip('no build-tsan/tests/load_stress (make TSAN=1 tsan-tests builds it)', 3) unless -x $tsan;
    run('ThreadSanitizer', $tsan, TSAN_OPTIONS => 'halt_on_error=1 exitcode=66 second_deadlock_stack=1');
}
done_testing();
