#!/usr/bin/perl
# keel run --watch (issue 15, item 6): a program prints a counter and a
# version string, both from watch_ver.o; the test recompiles that object
# in place with another string while the program runs, and the output
# must go on with the new string after the old counter (no restart, no
# state lost), with keel run's one line on stderr for the swap.
use strict;
use warnings;
use FindBin;
use Test::More;
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use POSIX ();
use Time::HiRes qw(sleep time);

my $root = "$FindBin::Bin/..";
plan skip_all => 'the loader runs x86-64 code only' unless (POSIX::uname())[4] eq 'x86_64';
my $build = $ENV{KEEL_BUILD} || "$root/build";
my $keel = $ENV{KEEL} || "$build/keel";
plan skip_all => "no $keel (make first)" unless -x $keel;
plan skip_all => 'no gcc' unless grep { -x "$_/gcc" } split /:/, $ENV{PATH};

my $src = "$FindBin::Bin/progs/swap";
make_path("$build/t");
my $dir = tempdir('swap_watch.XXXXXX', DIR => "$build/t", CLEANUP => 1);
sub cc {
    my ($file, $out, @flags) = @_;
    my $msg = `gcc -O1 -fPIC @flags -c '$src/$file' -o '$out' 2>&1`;
    BAIL_OUT("gcc $file: $msg") if $?;
}
cc('watch_main.c', "$dir/main.o");
cc('watch_ver.c', "$dir/ver.o", q(-DVERSION='"one"'));

my $pid = fork();
BAIL_OUT("fork: $!") unless defined $pid;
if (!$pid) {
    open STDOUT, '>', "$dir/out" or die;
    open STDERR, '>', "$dir/err" or die;
    exec $keel, 'run', '--watch', "$dir/main.o", "$dir/ver.o" or die;
}
sub lines { open my $f, '<', "$dir/out" or return (); return <$f>; }
my $t0 = time;
sleep 0.05 while (() = lines()) < 10 && time - $t0 < 60;
ok(scalar(() = lines()) >= 10, 'the program runs and prints');
# recompiled in place, as `gcc -c -o ver.o` does
cc('watch_ver.c', "$dir/ver.o", q(-DVERSION='"two"'));
$t0 = time;
sleep 0.05 while !grep({ /two/ } lines()) && time - $t0 < 60;
sleep 0.3;
kill 'TERM', $pid;
waitpid($pid, 0);
my @out = lines();
chomp @out;
my ($first_two) = grep { $out[$_] =~ /two$/ } 0 .. $#out;
ok(defined $first_two && $first_two > 0, 'the new string appears') or diag(join "\n", @out[-5 .. -1]);
my $bad = 0;
for my $i (1 .. $#out) {
    my ($a) = $out[$i - 1] =~ /^(\d+)/;
    my ($b) = $out[$i] =~ /^(\d+)/;
    $bad++ unless defined $a && defined $b && $b == $a + 1;
}
ok(!$bad, 'the counter goes on by one across the swap (its state carried over)')
    or diag(join "\n", @out);
ok(!grep({ /two/ } @out[0 .. $first_two - 1]) && !grep({ /one/ } @out[$first_two .. $#out]),
   'one before, two after') if defined $first_two;
open my $e, '<', "$dir/err";
my @err = <$e>;
ok(grep({ m{^keel run: swapped \Q$dir\E/ver\.o: \d+ references rewritten, .* world stopped [\d.]+ us} } @err) == 1,
   'one line on stderr for the swap') or diag(join '', @err);
note(join '', @err);
done_testing();
