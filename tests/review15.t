#!/usr/bin/perl
# Review of live swap and keel run --watch (issue 15) as a C programmer
# using hot reload would meet them.  Each case runs a program under
# `keel run --watch`, recompiles one of its objects, and judges by the
# program's own output (and its child's exit status).
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

my $src = "$FindBin::Bin/progs/review15";
make_path("$build/t");

sub cc {
    my ($file, $out, @flags) = @_;
    my $msg = `gcc -fPIC @flags -c '$src/$file' -o '$out' 2>&1`;
    BAIL_OUT("gcc $file: $msg") if $?;
}
sub slurp { my ($f) = @_; open my $h, '<', $f or return (); my @l = <$h>; chomp @l; return @l; }
sub count { my @l = slurp(@_); return scalar @l; }
# keel run --watch DIR/main.o DIR/ver.o ARGS, its output in DIR/out, DIR/err
sub start {
    my ($dir, @args) = @_;
    my $pid = fork();
    BAIL_OUT("fork: $!") unless defined $pid;
    if (!$pid) {
        open STDOUT, '>', "$dir/out" or die;
        open STDERR, '>', "$dir/err" or die;
        exec $keel, 'run', '--watch', "$dir/main.o", "$dir/ver.o", '--', @args or die;
    }
    return $pid;
}
# waits (60 s at most) until the code says yes
sub wait_for {
    my ($what) = @_;
    my $t0 = time;
    sleep 0.05 until $what->() || time - $t0 > 60;
    return $what->();
}
sub swapped_or_refused {
    my ($dir, $n) = @_;
    return sub { my @e = grep { /keel run: .*ver\.o/ } slurp("$dir/err"); @e >= $n };
}

# 1. A -O0 program keeps the string version() returned in a local of
# main's frame while it sleeps: a pointer into ver.o's read-only data, on
# main's stack.  That data stays mapped after a swap, but every stop was
# refused for it ("has 0x... in what is being replaced, on its stack"),
# 1001 times: with a debug build, no swap of ver.o could ever happen.
{
    my $dir = tempdir('review15.XXXXXX', DIR => "$build/t", CLEANUP => 1);
    cc('stack_main.c', "$dir/main.o", '-O0', '-g');
    cc('ver.c', "$dir/ver.o", '-O0', '-g', q(-DVERSION='"one"'));
    my $pid = start($dir);
    wait_for(sub { count("$dir/out") >= 5 });
    cc('ver.c', "$dir/ver.o", '-O0', '-g', q(-DVERSION='"two"'));
    wait_for(swapped_or_refused($dir, 1));
    wait_for(sub { grep { /two$/ } slurp("$dir/out") });
    kill 'TERM', $pid;
    waitpid($pid, 0);
    my @err = slurp("$dir/err");
    ok((grep { /^keel run: swapped \Q$dir\E\/ver\.o:/ } @err) == 1,
       '-O0: a pointer to the old read-only data on a stack does not refuse the swap')
        or diag(join "\n", @err);
    ok((grep { /two$/ } slurp("$dir/out")), '-O0: the new string appears');
}

# 2. fork() after a swap.  The first swap moves main.o's and ver.o's code
# into memfds mapped shared; a child forked then shared them with its
# parent, so the parent's next swap rewrote the child's calls to jump to
# code the child never had: the child died of SIGSEGV.
{
    my $dir = tempdir('review15.XXXXXX', DIR => "$build/t", CLEANUP => 1);
    cc('fork_main.c', "$dir/main.o", '-O2');
    cc('ver.c', "$dir/ver.o", '-O2', q(-DVERSION='"one"'));
    my $pid = start($dir, "$dir/stop");
    wait_for(sub { count("$dir/out") >= 5 });
    cc('ver.c', "$dir/ver.o", '-O2', q(-DVERSION='"two"'));
    wait_for(sub { grep { /^child \d+ two$/ } slurp("$dir/out") });
    cc('ver.c', "$dir/ver.o", '-O2', q(-DVERSION='"three"'));
    wait_for(sub { grep { /^\d+ three$/ } slurp("$dir/out") });
    # the child runs on after the parent's second swap
    my $seen = sub { my @o = slurp("$dir/out"); my ($t) = grep { $o[$_] =~ /three$/ } 0 .. $#o;
                     defined $t && grep { /^child / } @o[$t .. $#o] };
    wait_for(sub { $seen->() >= 3 || grep { /^child status/ } slurp("$dir/out") });
    open my $f, '>', "$dir/stop";
    close $f;
    wait_for(sub { grep { /^child status/ } slurp("$dir/out") });
    kill 'TERM', $pid;
    waitpid($pid, 0);
    my @out = slurp("$dir/out");
    my ($status) = map { /^child status (-?\d+)/ ? $1 : () } @out;
    is($status, 0, 'fork: the child, not swapped, exits normally after its parent swaps again')
        or diag(join "\n", @out[-8 .. -1], slurp("$dir/err"));
    my @child = grep { /^child \d+/ } @out;
    ok(@child && !grep({ !/ two$/ } @child), 'fork: the child calls its own version() all along ("two")')
        or diag(join "\n", @child);
}

# 3. C++, swapped twice.  A swap's constructors (a global's, which
# registers its destructor with __cxa_atexit) asked the namespace's read
# lock while the swap held it to write: the lock failed (EDEADLK) and its
# unlock let the swap's own lock go, so the swap's last unlock broke the
# lock, and the next swap waited for it for ever.
{
    my $dir = tempdir('review15.XXXXXX', DIR => "$build/t", CLEANUP => 1);
    my $cxx = sub {
        my ($file, $out, @flags) = @_;
        my $msg = `g++ -O1 -fPIC @flags -c '$src/$file' -o '$out' 2>&1`;
        BAIL_OUT("g++ $file: $msg") if $?;
    };
    $cxx->('cxx_main.cc', "$dir/main.o");
    $cxx->('cxx_ver.cc', "$dir/ver.o", q(-DVERSION='"one"'));
    my $pid = fork();
    BAIL_OUT("fork: $!") unless defined $pid;
    if (!$pid) {
        open STDOUT, '>', "$dir/out" or die;
        open STDERR, '>', "$dir/err" or die;
        exec $keel, 'run', '--watch', "$dir/main.o", "$dir/ver.o", '-lstdc++' or die;
    }
    wait_for(sub { count("$dir/out") >= 5 });
    $cxx->('cxx_ver.cc', "$dir/ver.o", q(-DVERSION='"two"'));
    wait_for(sub { grep { /^\d+ two$/ } slurp("$dir/out") });
    $cxx->('cxx_ver.cc', "$dir/ver.o", q(-DVERSION='"three"'));
    my $t0 = time;
    sleep 0.05 while waitpid($pid, POSIX::WNOHANG()) == 0 && time - $t0 < 60;
    if (kill 0, $pid) {
        kill 'KILL', $pid;
        waitpid($pid, 0);
    }
    my @out = slurp("$dir/out");
    my @err = slurp("$dir/err");
    ok((grep { /^\d+ three$/ } @out) && (grep { /^keel run: swapped/ } @err) == 2,
       'C++: a second swap after one whose constructors registered a destructor')
        or diag(join "\n", @out[-3 .. -1], @err);
    # 4. The global's destructor, registered by the constructors of each
    # version: the second version's registration (made while it was not
    # yet in the namespace) went to glibc as it was, so the second swap
    # could not keep it from running: two destructors at exit, on the
    # same carried-over state (a container's buffer would be freed twice).
    my @global = grep { /^global destroyed/ } @out;
    is(scalar @global, 1, 'C++: after two swaps, the global is destroyed once') or diag(join "\n", @global);
    # 5. The function-local static's destructor, registered at its first
    # use by the first version: the new code never registers it again
    # (its guard is carried over as set), and the retired record never
    # ran: after a swap, its destructor was lost.
    my @local = grep { /^local static destroyed/ } @out;
    ok(@local == 1 && $local[0] =~ /^local static destroyed by three after \d+$/,
       'C++: after two swaps, the function-local static is destroyed once, by the live code')
        or diag(join "\n", @local);
}

# 6. TODO: a thread blocked in nanosleep (poll, select, sleep, usleep,
# epoll_wait likewise) when a swap stops the world returns early with
# EINTR, once per stop (two per swap): the stop is a signal with a handler
# (SIGRTMIN+6), and Linux never restarts these calls after a handler, with
# SA_RESTART or not (signal(7)).  read() on a pipe, futex waits
# (pthread_cond_wait, sem_wait) are restarted.  Measured with the API: 100
# swaps, a thread in 200 ms nanosleeps saw 200 EINTRs, one in poll 200,
# sleep(1) returned early 98 times.  Not small to fix: a thread blocked in
# the kernel could be left running (its place read from
# /proc/self/task/T/syscall) only if it could not wake during the commit,
# which nothing guarantees, and each stopped thread moves its own TLS.
# A program must treat EINTR as a signal-using library's users do.
{
    my $dir = tempdir('review15.XXXXXX', DIR => "$build/t", CLEANUP => 1);
    cc('sleep_main.c', "$dir/main.o", '-O1');
    cc('ver.c', "$dir/ver.o", '-O1', q(-DVERSION='"one"'));
    my $pid = start($dir);
    wait_for(sub { count("$dir/out") >= 3 });
    cc('ver.c', "$dir/ver.o", '-O1', q(-DVERSION='"two"'));
    wait_for(swapped_or_refused($dir, 1));
    wait_for(sub { grep { /two$/ } slurp("$dir/out") });
    kill 'TERM', $pid;
    waitpid($pid, 0);
    my @out = slurp("$dir/out");
    ok((grep { /two$/ } @out), 'nanosleep: the swap happened') or diag(join "\n", slurp("$dir/err"));
    TODO: {
        local $TODO = 'a swap stop interrupts nanosleep/poll with EINTR (signal(7): never restarted)';
        my @eintr = grep { /^EINTR$/ } @out;
        is(scalar @eintr, 0, 'nanosleep: a swap does not make a sleeping thread see EINTR');
    }
}

done_testing();
