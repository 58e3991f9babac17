#!/usr/bin/perl
# Live swap at scale (issue 15's proof): a small object (tests/progs/
# swapscale/s.c, s1.o and s2.o) swapped 200 times (KEEL_SWAP_SCALE_COUNT)
# in a namespace that also holds libpython3.11-pic.a's members (177 of its
# 179, pulled by the small object's reference to Py_BytesMain; no main),
# while two threads call it; after each swap its call into python answers
# for the new version, and nothing of python's was touched.
# tests/unit/load_swap_scale.c says what is checked.  The stop and whole
# swap times are printed (diag), not checked; bench/swap.sh measures them.
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
my $prog = "$build/tests/load_swap_scale";
plan skip_all => "no $prog (make first)" unless -x $prog;
plan skip_all => 'no gcc' unless grep { -x "$_/gcc" } split /:/, $ENV{PATH};
my $libpython = '/usr/lib/python3.11/config-3.11-x86_64-linux-gnu/libpython3.11-pic.a';
plan skip_all => "no $libpython (Debian package libpython3.11-dev)" unless -e $libpython;

my $src = "$FindBin::Bin/progs/swapscale";
make_path("$build/t");
my $dir = tempdir('swap_scale.XXXXXX', DIR => "$build/t", CLEANUP => 1);
for my $v (1, 2) {
    my $out = `gcc -O1 -fPIC -DVER=$v -c '$src/s.c' -o '$dir/s$v.o' 2>&1`;
    BAIL_OUT("gcc s.c: $out") if $?;
}
my $swaps = $ENV{KEEL_SWAP_SCALE_COUNT} || 200;
# python's own allocations are not freed at exit (no Py_Finalize)
local $ENV{ASAN_OPTIONS} = join(':', grep { defined && $_ ne '' } $ENV{ASAN_OPTIONS}, 'detect_leaks=0');
my $text = `timeout 600 '$prog' '$dir' '$libpython' $swaps 2>&1`;
my $status = $?;
plan skip_all => $1 if $text =~ /^1\.\.0 # SKIP (.*)$/m;
my $n = 0;
for (split /\n/, $text) {
    if (/^(not ok|ok) \d+ - (.*)$/) {
        ok($1 eq 'ok', $2);
        $n++;
    } elsif (/^# (.*)/) {
        diag($1);
    }
}
ok($n >= 8, 'the program reported its checks') or diag($text);
is($status, 0, 'exits 0') or diag($text);
done_testing();
