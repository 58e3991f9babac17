#!/usr/bin/perl
# keel run --watch with --list and --deps (issue 15, item 7): after each
# swap the loaded sections and the edges are printed (stderr), as they
# are then.  The program (tests/progs/swapmore/wmain.c and wver.c) runs;
# ver.o is recompiled in place so that version() calls wmain_suffix in
# main.o (a new edge); what keel run prints after the swap must be what
# `keel run --list --deps` prints of the same files loaded afresh (the
# oracle), addresses aside: the new edge, no retired section.
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

make_path("$build/t");
my $dir = tempdir('swap_watch_deps.XXXXXX', DIR => "$build/t", CLEANUP => 1);
sub cc {
    my ($file, $out, @flags) = @_;
    my $msg = `gcc -O1 -fPIC -ffunction-sections @flags -c '$file' -o '$out' 2>&1`;
    BAIL_OUT("gcc $file: $msg") if $?;
}
cc("$FindBin::Bin/progs/swapmore/wmain.c", "$dir/main.o");
cc("$FindBin::Bin/progs/swapmore/wver.c", "$dir/ver.o", q(-DVERSION='"one"'));

my $pid = fork();
BAIL_OUT("fork: $!") unless defined $pid;
if (!$pid) {
    open STDOUT, '>', "$dir/out" or die;
    open STDERR, '>', "$dir/err" or die;
    exec $keel, 'run', '--watch', '--list', '--deps', "$dir/main.o", "$dir/ver.o" or die;
}
sub slurp { open my $f, '<', $_[0] or return ''; local $/; return <$f>; }
my $t0 = time;
sleep 0.05 while (() = slurp("$dir/out") =~ /\n/g) < 5 && time - $t0 < 60;
ok(slurp("$dir/out") =~ /^4 one$/m, 'the program runs under --watch --list --deps');
cc("$FindBin::Bin/progs/swapmore/wver.c", "$dir/ver.o", q(-DVERSION='"two"'), '-DSUFFIX');
$t0 = time;
sleep 0.05 while slurp("$dir/err") !~ /-> \S*main\.o:wmain_suffix/ && time - $t0 < 60;
sleep 0.3;
kill 'TERM', $pid;
waitpid($pid, 0);
my $err = slurp("$dir/err");
ok(slurp("$dir/out") =~ /^\d+ two$/m, 'the new version runs');
my ($after) = $err =~ /^keel run: swapped [^\n]*\n(.*)\z/ms;
ok(defined $after, 'a swap, then the listing on stderr') or diag($err);
$after //= '';
$after =~ s/^keel run: .*\n//mg;    # any later line of keel run's own

# the oracle: the same files loaded afresh
my $fresh = `'$keel' run --list --deps '$dir/main.o' '$dir/ver.o' 2>&1`;
is($?, 0, 'keel run --list --deps of the new files') or diag($fresh);
sub canon {
    my @l = split /\n/, $_[0];
    s/0x[0-9a-f]+\s+//i for @l;    # --list's addresses differ, the rest not
    return join "\n", sort @l;
}
is(canon($after), canon($fresh), 'after the swap: the sections and edges of a fresh load of the new files');
like($after, qr/ver\.o:version\+0x[0-9a-f]+ -> \S*main\.o:wmain_suffix/,
     'the new edge (ver.o:version -> main.o:wmain_suffix) is there');
unlike(slurp("$dir/err") =~ /\A(.*?)^keel run: swapped/ms ? $1 : '', qr/wmain_suffix \(/,
       'nothing of it before the swap');
done_testing();
