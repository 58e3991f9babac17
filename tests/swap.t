#!/usr/bin/perl
# Live swap (issue 15): keel_swap in a running, multi-threaded program.
#
# tests/progs/swap/a.c is compiled (gcc -fPIC) in versions: a1.o and a2.o
# (answers 1 and 2), and the refusals: a_missing.o lacks a_extra, which
# b.o uses; a_size.o's array is twice as long, with no transfer function;
# a_xfail.o's transfer function fails; a_broken.o does not load
# (undefined 'nosuch'); a_xfer.o's transfer function carries the array
# over.  tests/unit/load_swap.c (see there) runs four threads calling A
# while it swaps A for A' and back (SWAPS times, 1000 unless
# KEEL_SWAP_COUNT says, within KEEL_SWAP_SECONDS when the machine is too
# busy for all of them: then at least 100), and checks the answers, the
# state carried over, the lookups, the edges and /proc/self/maps, and
# that no increment was lost; then C++ (u.cc stays, v.cc is swapped):
# an object made before the swap calls the new virtual function, and
# exceptions cross between new code and code loaded before.  Run with
# KEEL_BUILD=build-tsan, the same under ThreadSanitizer (cooperative).
use strict;
use warnings;
use FindBin;
use Test::More;
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use POSIX ();

my $root = "$FindBin::Bin/..";
plan skip_all => 'the loader runs x86-64 code only' unless (POSIX::uname())[4] eq 'x86_64';
my $build = $ENV{KEEL_BUILD} || "$root/build";
my $prog = "$build/tests/load_swap";
plan skip_all => "no $prog (make first)" unless -x $prog;
for my $tool (qw(gcc g++)) {
    plan skip_all => "no $tool" unless grep { -x "$_/$tool" } split /:/, $ENV{PATH};
}

my $src = "$FindBin::Bin/progs/swap";
make_path("$build/t");
my $dir = tempdir('swap.XXXXXX', DIR => "$build/t", CLEANUP => 1);
my %objs = (
    a1 => '-DVER=1',
    a2 => '-DVER=2',
    a_missing => '-DVER=2 -DMISSING',
    a_size => '-DVER=2 -DARR=32',
    a_xfail => '-DVER=2 -DARR=32 -DXFER=-1',
    a_broken => '-DVER=2 -DBROKEN',
    a_xfer => '-DVER=3 -DARR=32 -DXFER=0',
);
for my $name (sort keys %objs) {
    my $out = `gcc -O1 -fPIC $objs{$name} -c '$src/a.c' -o '$dir/$name.o' 2>&1`;
    BAIL_OUT("gcc a.c ($name): $out") if $?;
}
my $out = `gcc -O1 -fPIC -c '$src/b.c' -o '$dir/b.o' 2>&1`;
BAIL_OUT("gcc b.c: $out") if $?;
# C++: u.cc stays, v.cc is swapped (v1.o for v2.o)
for my $cc (['u', ''], ['v1', '-DVER=1'], ['v2', '-DVER=2']) {
    my ($name, $flags) = @$cc;
    my $file = $name eq 'u' ? 'u' : 'v';
    $out = `g++ -O1 -fPIC $flags -c '$src/$file.cc' -o '$dir/$name.o' 2>&1`;
    BAIL_OUT("g++ $file.cc: $out") if $?;
}

our $swaps = $ENV{KEEL_SWAP_COUNT} || 1000;
my $seconds = $ENV{KEEL_SWAP_SECONDS} || 60;

sub run_prog {
    my ($what, $bin, %env) = @_;
    local @ENV{keys %env} = values %env;
    my $text = `timeout 600 '$bin' '$dir' $swaps $seconds 2>&1`;
    my $status = $?;
    my $n = 0;
    for (split /\n/, $text) {
        if (/^(not ok|ok) \d+ - (.*)$/) {
            ok($1 eq 'ok', "$what: $2");
            $n++;
        } elsif (/^# (.*)/) {
            my $line = $1;
            note "$what: $line";
            diag "$what: $line" if $line =~ /world stopped|swaps done/;
        }
    }
    ok($n >= 20, "$what: the program reported its checks") or diag($text);
    is($status, 0, "$what: exits 0") or diag($text);
}

# KEEL_BUILD=build-tsan (.ci/run's ThreadSanitizer step) runs the
# ThreadSanitizer build: there every swap is cooperative (load_swap.c says
# why), and a race TSan sees fails the run (exit 66).
my $tsan = `nm '$prog' 2>/dev/null` =~ /\b__tsan_init\b/;
run_prog($tsan ? 'ThreadSanitizer' : 'plain', $prog,
         TSAN_OPTIONS => $ENV{TSAN_OPTIONS} || 'halt_on_error=1 exitcode=66 second_deadlock_stack=1');

done_testing();
