#!/usr/bin/perl
# Loaded code named by the tools people use (lib/load/jit_names.c):
#   - gdb: `gdb -batch -ex run -ex bt` on a `keel run` program that aborts,
#     and on one stopped at a breakpoint on a loaded function, names the
#     loaded functions in the backtrace, with their source files (GDB's JIT
#     interface, the objects handed over with their sections' addresses);
#     with KEEL_GDB_JIT=0 they are not named (the control: what names them
#     is the registration).  gdb once hung for good on every program keel
#     run lends its symbols from (the lent library's /proc/self/fd path,
#     which gdb opened in its own process): the runs here are bounded;
#   - perf: `keel run --perf-map` writes /tmp/perf-PID.map, a line per
#     loaded function, checked against nm of the objects (names and sizes)
#     and `keel run --list` (each start inside a loaded text section);
#     `perf record` / `perf report` name the loaded function where the
#     program spends its time, when the kernel lets perf sample.
use strict;
use warnings;
no warnings 'portable'; # (64-bit addresses in hex)
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use KeelTest qw(keel_setup run sh);

my ($build, $keel, $tmp) = keel_setup('run_jit_names', need => ['gcc', 'nm (binutils)']);
my $src = "$FindBin::Bin/progs/addrmap";
sh("gcc -g -O2 -c $src/main.c -o main.o && gcc -g -O2 -c $src/helpers.c -o helpers.o && gcc -O2 -c $src/spin.c -o spin.o");

# ---------------------------------------------------------------- gdb
SKIP: {
    skip 'no gdb (tests/deps.sh installs it)', 5 unless system('command -v gdb >/dev/null 2>&1') == 0;
    # gdb killed after 120 s: a hang is a failure, not a stuck suite
    my $gdb = sub {
        my ($env, $arg, @ex) = @_;
        # (LeakSanitizer cannot run under ptrace: a sanitizer build without it)
        return run(env => {%ENV, ASAN_OPTIONS => 'detect_leaks=0', %$env}, argv => ['timeout', '-s', 'KILL', '120', 'gdb', '-nx', '-batch',
                                                  (map { ('-ex', $_) } @ex), '--args', $keel, 'run', 'main.o',
                                                  'helpers.o', '--', $arg]);
    };
    my $r = $gdb->({}, '-1', 'run', 'bt'); # (a negative count: main aborts)
    my @frames = grep { /^#\d+/ } split /\n/, $r->{out};
    ok($r->{status} == 0 && @frames, 'gdb -batch -ex run -ex bt: the run ends, a backtrace')
        or diag "status $r->{status}: $r->{out} $r->{err}";
    ok((grep { /\bin main \(.*main\.c:\d+/ } @frames), "gdb: the aborting frame is the loaded main, at its line in main.c")
        or diag join "\n", @frames;

    $r = $gdb->({}, '3', 'set breakpoint pending on', 'break helper_a', 'run', 'bt');
    @frames = grep { /^#\d+/ } split /\n/, $r->{out};
    my @names = map { /^#\d+\s+(?:0x\S+ in )?(\w+)/ ? $1 : () } @frames;
    is(join(' ', @names[0 .. 3]), 'helper_a first second main', 'gdb: a breakpoint on a loaded function; the backtrace '
       . 'through four loaded functions of two objects, in order') or diag join "\n", @frames, $r->{err};
    ok((grep { /helper_a .*helpers\.c:\d+/ } @frames), 'gdb: helper_a at its line of helpers.c') or diag join "\n", @frames;

    $r = $gdb->({KEEL_GDB_JIT => '0'}, '-1', 'run', 'bt');
    @frames = grep { /^#\d+/ } split /\n/, $r->{out};
    ok(@frames && !(grep { /\bin main \(.*main\.c/ } @frames) && (grep { /\?\?/ } @frames),
       'gdb, KEEL_GDB_JIT=0: the loaded frames unnamed (what names them is the JIT registration)')
        or diag join "\n", @frames;
}

# ---------------------------------------------------------------- the list itself
# tests/unit/load_jit_names.c: with KEEL_GDB_JIT=1, a load registers the
# object's bytes with each loaded section's sh_addr its address, and an
# unload takes the entry back (no gdb needed)
SKIP: {
    skip "no $build/tests/load_jit_names (make builds it)", 1 unless -x "$build/tests/load_jit_names";
    my $u = run(argv => ["$build/tests/load_jit_names", 'helpers.o']);
    ok($u->{status} == 0 && $u->{out} =~ /^ok \d+ sections/, "GDB's JIT list: registered at load, sh_addr the places, "
       . 'taken back at unload') or diag "$u->{out} $u->{err}";
}

# after a live swap (tests/unit/load_jit_swap.c): the retired object stays
# in GDB's JIT list, the new one joins it, and the perf map names the
# swapped function at both addresses (retired code may still be running)
SKIP: {
    skip "no $build/tests/load_jit_swap (make builds it)", 1 unless -x "$build/tests/load_jit_swap";
    sh("gcc -O2 -fPIC -DVER=1 -c $FindBin::Bin/progs/swap/a.c -o swap1.o && gcc -O2 -fPIC -DVER=2 -c $FindBin::Bin/progs/swap/a.c -o swap2.o");
    my $u = run(argv => ["$build/tests/load_jit_swap", 'swap1.o', 'swap2.o', 'a_version', "$tmp/swap.perf.map"]);
    ok($u->{status} == 0 && $u->{out} =~ /^ok: a_version/, "after a swap: the retired code still named (GDB's JIT list, perf map)")
        or diag "$u->{out} $u->{err}";
}

# ---------------------------------------------------------------- perf's map
# Whether a perf map has a line for the function.
sub names {
    my ($map, $fn) = @_;
    open(my $f, '<', $map) or return 0;
    return scalar grep { / \Q$fn\E$/ } <$f>;
}
# (setarch -R: no address randomization, so that --list places the objects
# where this run did)
my @norand = system('setarch -R true >/dev/null 2>&1') == 0 ? ('setarch', '-R') : ();
# (the shell says its process number, then execs keel run: the same process)
my $r = run(argv => ['sh', '-c', 'echo $$; exec "$@"', 'sh', @norand, $keel, 'run', '--perf-map', 'main.o', 'helpers.o',
                     '--', '4']);
my ($pid) = $r->{out} =~ /^(\d+)/;
is($r->{status}, 0, 'keel run --perf-map runs the program') or diag $r->{err};
my @maps = grep { defined $pid && -f $_ } "/tmp/perf-$pid.map";
ok(@maps && names($maps[0], 'helper_a'), "keel run's own /tmp/perf-PID.map, naming helper_a")
    or diag "pid $pid: " . join ' ', glob('/tmp/perf-*.map');
my %line;
if (@maps) {
    open(my $f, '<', $maps[0]) or die;
    for (<$f>) {
        chomp;
        my ($start, $size, $name) = /^([0-9a-f]+) ([0-9a-f]+) (\S+)$/ or next;
        $line{$name} = [hex $start, hex $size];
    }
    unlink $maps[0];
}
# nm: every function of the two objects, with its size
my %nm;
for my $o ('main.o', 'helpers.o') {
    for (split /\n/, run(argv => ['nm', '-S', '--defined-only', $o])->{out}) {
        my ($v, $s, $t, $n) = split ' ';
        $nm{$n} = hex $s if defined $n && $t =~ /^[Tt]$/;
    }
}
my @missing = grep { !$line{$_} || $line{$_}[1] != $nm{$_} } sort keys %nm;
ok(keys(%nm) >= 6 && !@missing, 'perf map: a line for each of the ' . scalar(keys %nm) . ' functions nm lists, its size nm\'s')
    or diag "missing or wrong: @missing";
# keel run --list: the text sections, where a function must start
my $l = run(argv => [@norand, $keel, 'run', '--list', 'main.o', 'helpers.o']);
my @text = map { /^\s+0x([0-9a-f]+)\s+(\d+)\s+text\s/ ? [hex $1, $2] : () } split /\n/, $l->{out};
my @outside = grep { my $a = $line{$_}[0]; !grep { $a >= $_->[0] && $a < $_->[0] + $_->[1] } @text } grep { $line{$_} } keys %nm;
SKIP: {
    skip 'no setarch -R: the two runs place the objects apart', 1 unless @norand;
    ok(@text && %line && !@outside, 'perf map: each function starts in a text section keel run --list shows')
        or diag "outside: @outside\n$l->{out}";
}

# ---------------------------------------------------------------- perf
SKIP: {
    skip 'no perf (Debian linux-perf; tests/deps.sh installs it)', 3 unless system('command -v perf >/dev/null 2>&1') == 0;
    my $paranoid = 3;
    if (open(my $pf, '<', '/proc/sys/kernel/perf_event_paranoid')) { $paranoid = <$pf> + 0 }
    my $can = run(argv => ['perf', 'record', '-q', '-o', "$tmp/true.data", '--', 'sh', '-c', 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done']);
    skip "perf cannot sample here (perf_event_paranoid $paranoid, uid $>): the map file was checked above: "
         . substr($can->{err}, 0, 200), 2 if $can->{status} != 0 || !-s "$tmp/true.data";
    my $rec = run(argv => ['perf', 'record', '-q', '-o', "$tmp/spin.data", '--', $keel, 'run', '--perf-map', 'spin.o',
                           '--', '100000000']);
    is($rec->{status}, 0, 'perf record of keel run --perf-map') or diag $rec->{err};
    my $rep = run(argv => ['perf', 'report', '-i', "$tmp/spin.data", '--stdio', '--sort', 'sym']);
    my ($top) = grep { /%/ && !/^#/ } split /\n/, $rep->{out};
    like($top // '', qr/\bspin_loaded\b/, 'perf report: the loaded function where the time goes, named, first')
        or diag $rep->{out} . $rep->{err};
    # the run's map, read: gone (the maps naming spin_loaded are this test's)
    unlink grep { names($_, 'spin_loaded') } glob('/tmp/perf-*.map');
    my $norec = run(argv => ['perf', 'record', '-q', '-o', "$tmp/spin0.data", '--', $keel, 'run', 'spin.o', '--', '100000000']);
    $rep = run(argv => ['perf', 'report', '-i', "$tmp/spin0.data", '--stdio', '--sort', 'sym']);
    ($top) = grep { /%/ && !/^#/ } split /\n/, $rep->{out};
    unlike($top // '', qr/\bspin_loaded\b/, 'perf report without --perf-map: the loaded function unnamed (the control)');
}
done_testing();
