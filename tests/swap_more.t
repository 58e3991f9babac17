#!/usr/bin/perl
# Live swap (issue 15, items 3 and 7): where the other threads are when a
# swap stops them.  tests/unit/load_swap_more.c (see there) places a
# thread blocking every signal, inside a function being replaced, below
# a return address into the object, below a return address inside the
# entry bytes the swap rewrites, and holding a function pointer in a
# register, blocking every signal for a while after it took the swap's
# signal before, and checks that each swap commits or is refused as it must;
# then that old entries of many generations reach the live function in
# at most two jumps, and that a swap's work (the entries it redirects)
# does not grow with the swaps before it.
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
my $prog = "$build/tests/load_swap_more";
plan skip_all => "no $prog (make first)" unless -x $prog;
plan skip_all => 'no gcc' unless grep { -x "$_/gcc" } split /:/, $ENV{PATH};

my $src = "$FindBin::Bin/progs/swapmore";
make_path("$build/t");
my $dir = tempdir('swap_more.XXXXXX', DIR => "$build/t", CLEANUP => 1);
for my $v (1, 2) {
    my $out = `gcc -O1 -fPIC -DVER=$v -DVERSTR='"$v"' -c '$src/m.c' -o '$dir/m$v.o' 2>&1`;
    BAIL_OUT("gcc m.c: $out") if $?;
}
my $text = `timeout 300 '$prog' '$dir' 2>&1`;
my $status = $?;
my $n = 0;
for (split /\n/, $text) {
    if (/^(not ok|ok) \d+ - (.*)$/) {
        ok($1 eq 'ok', $2);
        $n++;
    }
}
is($n, 8, 'the program reported its eight checks') or diag($text);
is($status, 0, 'exits 0') or diag($text);
done_testing();
