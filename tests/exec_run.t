#!/usr/bin/perl
# keel exec FILE ARGS (tools/exec_run.c, the user-space exec client) against
# the kernel's execve.  Every program here runs twice, directly and as
# `keel exec FILE ARGS`, with the same arguments, environment, standard
# input, resource limits and signal state, and the two runs must agree:
# the same stdout, the same exit status or death by the same signal ($?),
# and the same stderr where it is deterministic.
#
#   - tests/progs/startup.c, built by gcc and clang as -static,
#     -static-pie, -pie and -no-pie, and by musl-gcc static (and dynamic,
#     if such a program runs here): it prints what a correct process start
#     decides (argv, environ, the auxiliary vector checked against the
#     program's own headers, dl_iterate_phdr, TLS in two threads,
#     constructors, atexit, malloc, stdin, setjmp, signals, a deep stack),
#     then exits with a status given per run, or kills itself by SIGUSR1;
#   - tests/progs/cxx.cc, by g++ and clang++, dynamic and static:
#     iostreams, exceptions, std::thread, thread_local, std::terminate;
#   - system programs: ls, python3.11, perl, dash, env;
#   - PATH search, --argv0, the auxiliary vector as ld.so shows it, and
#     /proc/self/{cmdline,environ,auxv,comm} (where PR_SET_MM_MAP works);
#   - files that must not run: each gets the kernel's status (127 for a
#     missing file, 126 otherwise, as tests/progs/execve.c reports the
#     kernel's refusal) and keel's one-line message.  An i386 program, which
#     this kernel does run, keel must refuse as the wrong architecture.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Cwd qw(abs_path);
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use POSIX ();
use Programs qw(slurp spew have run_program status_text first_difference build_all);
use Oracle ();

plan skip_all => 'keel exec runs programs in-process only on x86-64' unless (POSIX::uname())[4] eq 'x86_64';
my $keel = abs_path(Oracle::keel_bin());
plan skip_all => 'no keel binary (' . Oracle::keel_bin() . ')' unless $keel && -x $keel;
my $progs = "$FindBin::Bin/progs";
# Not under /tmp: ls -la / below lists /tmp, whose time changes with it.
my $parent = ($ENV{KEEL_BUILD} || 'build') . '/t';
make_path($parent);
my $tmp = abs_path(tempdir('exec_run.XXXXXX', DIR => $parent, CLEANUP => 1));

# The one environment every run gets (keel hands its own on to the program).
my %env = (PATH => '/usr/local/bin:/usr/bin:/bin', LC_ALL => 'C', HOME => '/',
           KEEL_T_VAR => 'a value, with = and  spaces');
defined $ENV{$_} and $env{$_} = $ENV{$_} for qw(ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS);
# A standard input of some size, the same every time.
my $stdin = join '', map { "line $_: " . ('abc ' x ($_ % 13)) . "\n" } 1 .. 1500;

# ------------------------------------------------------------------ helpers

# Run one program (Programs::run_program): argv => [ARGV0, ARGS...], file
# => what to exec (default ARGV0; without a '/' it is looked up in PATH),
# env (default %env), stdin, before => code the child runs just before
# exec.  Returns {status, out, err}.
my $runs = 0;
sub run { return run_program(env => \%env, @_, base => "$tmp/run" . ++$runs) }

# The same program through keel exec: keel gets FILE and ARGS, and --argv0
# when ARGV0 differs from FILE.
sub run_keel {
    my (%o) = @_;
    my @argv = @{ $o{argv} };
    my $file = $o{file} // $argv[0];
    my @opt = $argv[0] eq $file ? () : ('--argv0', $argv[0]);
    return run(%o, file => $keel, argv => [$keel, 'exec', @opt, $file, @argv[1 .. $#argv]]);
}

# Compare a keel run with the direct one.  Options: stderr => 1 (compare
# it), status => the status both must have (checks the oracle too),
# out_ok => a pattern the direct stdout must match (that the program did
# run).
sub compare {
    my ($name, $d, $k, %o) = @_;
    my ($dout, $kout) = ($d->{out}, $k->{out});
    ok($kout eq $dout && (!$o{out_ok} || $dout =~ $o{out_ok}), "$name: stdout")
        or diag($kout ne $dout ? 'keel differs from the direct run at ' . first_difference($dout, $kout)
                               : "the direct run did not print what it should: $dout");
    my ($ds, $ks) = (status_text($d->{status}), status_text($k->{status}));
    ok($ks eq $ds && (!defined $o{status} || $ds eq $o{status}), "$name: $ds")
        or diag("direct: $ds, keel: $ks" . (defined $o{status} ? ", expected $o{status}" : '')
                . ($k->{err} ne '' ? "\nkeel's stderr: $k->{err}" : ''));
    if ($o{stderr}) {
        ok($k->{err} eq $d->{err}, "$name: stderr") or diag(first_difference($d->{err}, $k->{err}));
    }
}


sub elf_type {
    open(my $fh, '<:raw', $_[0]) or return 0;
    read($fh, my $h, 18) == 18 or return 0;
    return unpack('v', substr($h, 16, 2));
}

# Whether an ELF file has a PT_INTERP (is dynamically linked).
sub has_interp {
    open(my $fh, '<:raw', $_[0]) or return 0;
    read($fh, my $h, 64) == 64 or return 0;
    my ($phoff, $phentsize, $phnum) = (unpack('Q', substr($h, 32, 8)), unpack('v v', substr($h, 54, 4)));
    for my $i (0 .. $phnum - 1) {
        seek($fh, $phoff + $i * $phentsize, 0) && read($fh, my $ph, 4) == 4 or return 0;
        return 1 if unpack('V', $ph) == 3;
    }
    return 0;
}

# ------------------------------------------------------------------ builds

# What cannot be built here is reported as a skipped point, with the reason.
my @skips;
my @startup; # [name, compiler, flags]
for my $cc ('gcc', 'clang') {
    if (!have($cc)) { push @skips, "startup.c built by $cc: no $cc here"; next }
    push @startup, ["$cc-static", $cc, '-static'], ["$cc-static-pie", $cc, '-fPIE -static-pie'],
        ["$cc-pie", $cc, '-fPIE -pie'], ["$cc-no-pie", $cc, '-fno-pie -no-pie'];
}
if (have('musl-gcc')) { push @startup, ['musl-static', 'musl-gcc', '-static'], ['musl-dynamic', 'musl-gcc', ''] }
else { push @skips, 'startup.c built by musl-gcc: no musl-gcc here (Debian package musl-tools)' }
my @cxx;
for my $cxx ('g++', 'clang++') {
    if (!have($cxx)) { push @skips, "cxx.cc built by $cxx: no $cxx here"; next }
    push @cxx, ["$cxx-dynamic", $cxx, ''], ["$cxx-static", $cxx, '-static'];
}
my $cc = have('gcc') ? 'gcc' : have('cc') ? 'cc' : undef;
plan skip_all => 'no C compiler' unless $cc || @startup;
$cc //= $startup[0][1];
my $startup_c = "$progs/startup.c";
my @jobs = (map({ ["$tmp/startup-$_->[0]", "$_->[1] -O2 -pthread $_->[2] -o $tmp/startup-$_->[0] $startup_c"] }
                 @startup),
            map({ ["$tmp/cxx-$_->[0]", "$_->[1] -O2 -pthread $_->[2] -o $tmp/cxx-$_->[0] $progs/cxx.cc"] } @cxx),
            ["$tmp/execve", "$cc -O2 -o $tmp/execve $progs/execve.c"],
            ["$tmp/mm_probe", "$cc -O2 -o $tmp/mm_probe $progs/mm_probe.c"],
            ["$tmp/i386", "$cc -m32 -static -O2 -pthread -o $tmp/i386 $startup_c"],
            ["$tmp/object.o", "$cc -O2 -c -o $tmp/object.o $startup_c && chmod +x $tmp/object.o"],
            ["$tmp/library.so", "$cc -O2 -shared -fPIC -pthread -o $tmp/library.so $startup_c"]);
my $built = build_all(@jobs);
for (@jobs) {
    next if $built->{ $_->[0] } || $_->[0] =~ m{/i386$}; # the i386 case says why itself
    push @skips, "$_->[0]: '$_->[1]' fails here";
    diag("cannot build $_->[0] with '$_->[1]':\n" . slurp("$_->[0].log"));
}
for my $why (@skips) {
    SKIP: { skip $why, 1 }
}

# ------------------------------------------------------- the startup program

my @startup_built = grep { $built->{"$tmp/startup-$_->[0]"} } @startup;
my $exit_code = 10;
for my $v (@startup_built) {
    my ($name) = @$v;
    my $prog = "$tmp/startup-$name";
    my @args = ('two words', '', "tab\there", "\x{fc}nicode \xc3\xa9", '--flag=1');
    if ($name eq 'musl-dynamic') {
        # It needs /lib/ld-musl-x86_64.so.1, which musl-tools may not provide.
        my $d = run(argv => [$prog, 0, $prog]);
        if ($d->{status} != 0) {
            SKIP: { skip 'startup.c built by musl-gcc, dynamic: it does not run directly here ('
                         . status_text($d->{status}) . ')', 1 }
            next;
        }
    }
    my $code = $exit_code++;
    my %run = (argv => [$prog, $code, $prog, @args], stdin => $stdin);
    compare("startup $name, exit($code)", run(%run), run_keel(%run), status => "exit $code", stderr => 1,
            out_ok => qr/^AT_EXECFN '\Q$prog\E' = argv\[2\]\n.*^exit $code\natexit b\natexit a\ndtor102\ndtor101\n\z/ms);
    # Blocked and ignored signals pass through execve; the program then
    # kills itself with SIGUSR1.
    %run = (argv => [$prog, 'signal', $prog], stdin => '',
            before => sub {
                $SIG{HUP} = 'IGNORE';
                POSIX::sigprocmask(POSIX::SIG_BLOCK(), POSIX::SigSet->new(28, 22)); # SIGWINCH, SIGTTOU
            });
    compare("startup $name, SIGUSR1", run(%run), run_keel(%run), status => 'killed by signal 10', stderr => 1,
            out_ok => qr/^blocked:.* 22\b.* 28\b.*\nignored:.* 1\b.*raising SIGUSR1\n\z/ms);
}

# ------------------------------------------------------------ the C++ program

for my $v (@cxx) {
    my ($name) = @$v;
    my $prog = "$tmp/cxx-$name";
    next unless $built->{$prog};
    my %run = (argv => [$prog, 7, 'x y'], stdin => "the quick brown fox jumps over the lazy dog the end\n");
    compare("c++ $name, return 7", run(%run), run_keel(%run), status => 'exit 7', stderr => 1,
            out_ok => qr/^caught Error 'thrown from the bottom' depth 0\n.*^destroy global first\n\z/ms);
    %run = (argv => [$prog, 'uncaught'], stdin => '');
    compare("c++ $name, uncaught exception", run(%run), run_keel(%run), status => 'killed by signal 6', stderr => 1,
            out_ok => qr/^throwing, uncaught\n\z/m);
}

# ---------------------------------------------------------- system programs

SKIP: {
    skip 'no /usr/bin/ls', 2 unless -x '/usr/bin/ls';
    # Other tests, running in parallel, create and remove files in /tmp,
    # which changes /tmp's line in the listing between the two runs: a
    # difference counts only if it is there three times running.  /proc's
    # link count is the number of processes, which they change too.
    my ($d, $k);
    # (and the link column's width follows the widest count: /proc's, when
    # the processes go from 99 to 100, so runs of spaces count as one)
    my $mask = sub { $_[0]{out} =~ s/^(\S+\s+)\d+(\s.*\sproc)$/$1(processes)$2/m; $_[0]{out} =~ s/ +/ /g };
    for my $try (1 .. 3) {
        $d = run(argv => ['/usr/bin/ls', '-la', '/']);
        $k = run_keel(argv => ['/usr/bin/ls', '-la', '/']);
        $mask->($_) for $d, $k;
        last if $d->{out} eq $k->{out};
    }
    compare('ls -la /', $d, $k, status => 'exit 0', stderr => 1, out_ok => qr/^total \d+\n/);
}

my $python = '/usr/bin/python3.11';
my $py_script = <<'EOF';
import sys, os, json, hashlib, re, collections, decimal, struct, zlib
print("argv", sys.argv)
print("environ", sorted(os.environ.items()))
print("json", json.dumps({"b": [1, 2.5, None], "a": "x"}, sort_keys=True))
print("sha256", hashlib.sha256(b"keel exec").hexdigest())
print("re", re.sub(r"(\w+)@(\w+)", r"\2 at \1", "user@host and me@there"))
print("counter", collections.Counter("mississippi").most_common(3))
print("decimal", decimal.Decimal(1) / decimal.Decimal(7))
print("zlib", zlib.crc32(struct.pack("<QQ", 2**63, 12345)))
data = sys.stdin.read()
print("stdin", len(data), hashlib.md5(data.encode()).hexdigest())
sys.exit(3)
EOF
SKIP: {
    skip "no $python", 3 unless -x $python;
    my %run = (argv => [$python, '-c', $py_script, 'arg one', '', 'arg=three'], stdin => $stdin);
    compare('python3.11 -c SCRIPT', run(%run), run_keel(%run), status => 'exit 3', stderr => 1,
            out_ok => qr/^argv \['-c', 'arg one', '', 'arg=three'\]$/m);
}

SKIP: {
    skip 'no /usr/bin/perl', 3 unless -x '/usr/bin/perl';
    my $script = 'print "args: ", join("|", @ARGV), "\n$0\n$ENV{KEEL_T_VAR}\n";'
               . ' my $n = 0; $n += length while <STDIN>; print "stdin $n\n"; warn "to stderr\n"; exit 7';
    my %run = (argv => ['/usr/bin/perl', '-e', $script, 'x', 'y z', ''], stdin => $stdin);
    compare('perl -e SCRIPT', run(%run), run_keel(%run), status => 'exit 7', stderr => 1,
            out_ok => qr/^args: x\|y z\|\n-e\n/);
}

SKIP: {
    skip 'no /bin/sh', 3 unless -x '/bin/sh';
    my %run = (argv => ['/bin/sh', '-c', 'echo $0 $#; echo "$@"; read line; echo "$line"; exit 5', 'a', 'b', 'c d']);
    $run{stdin} = $stdin;
    compare('/bin/sh -c', run(%run), run_keel(%run), status => 'exit 5', stderr => 1,
            out_ok => qr/^a 2\nb c d\nline 1: abc\n\z/);
}

SKIP: {
    skip 'no /usr/bin/env', 2 unless -x '/usr/bin/env';
    # env -i sets the environment in exactly this order for both runs, and
    # env prints it in environ's order.
    my @vars = ('Z_FIRST=1', 'A_SECOND=two words', 'EMPTY=', 'EQ=a=b=c', 'PATH=/usr/bin:/bin');
    my $d = run(argv => ['/usr/bin/env', '-i', @vars, '/usr/bin/env']);
    my $k = run(argv => ['/usr/bin/env', '-i', @vars, $keel, 'exec', '/usr/bin/env']);
    compare('env under env -i', $d, $k, status => 'exit 0', stderr => 1,
            out_ok => qr/\A\QZ_FIRST=1\E\n.*\nPATH=\/usr\/bin:\/bin\n\z/s);
}

# ------------------------------------------------------ PATH search, --argv0

SKIP: {
    skip 'no ls in PATH', 2 unless -x '/usr/bin/ls' || -x '/bin/ls';
    my %run = (argv => ['ls', '-d', '/']);
    compare('PATH search: keel exec ls -d /', run(%run), run_keel(%run), status => 'exit 0', stderr => 1,
            out_ok => qr{^/\n\z});
}
if (my ($v) = grep { $_->[0] eq 'gcc-pie' } @startup_built) {
    # The first PATH entry holds a copy without execute permission: execvp
    # and keel both pass it by and run the second.
    make_path("$tmp/path-a", "$tmp/path-b");
    system('cp', "$tmp/startup-gcc-pie", "$tmp/path-a/startup-in-path") == 0 or die;
    system('cp', "$tmp/startup-gcc-pie", "$tmp/path-b/startup-in-path") == 0 or die;
    chmod 0644, "$tmp/path-a/startup-in-path";
    my %e = (%env, PATH => "$tmp/path-a:$tmp/path-b:/usr/bin:/bin");
    my %run = (argv => ['startup-in-path', 4, "$tmp/path-b/startup-in-path"], env => \%e);
    compare('PATH search: a program of this test', run(%run), run_keel(%run), status => 'exit 4', stderr => 1,
            out_ok => qr{^argv\[0\] 'startup-in-path'\n.*^AT_EXECFN '\Q$tmp\E/path-b/startup-in-path' = argv\[2\]$}ms);
    %run = (argv => ['a different argv[0]', 6, "$tmp/startup-gcc-pie"], file => "$tmp/startup-gcc-pie");
    compare('--argv0', run(%run), run_keel(%run), status => 'exit 6', stderr => 1,
            out_ok => qr{^argv\[0\] 'a different argv\[0\]'\n.*^comm 'startup-gcc-pie'$}ms);
} else {
    SKIP: { skip 'PATH search and --argv0 with a program of this test: no gcc -pie build of startup.c', 1 }
}

# ------------------------------------------- the auxiliary vector, /proc/self

SKIP: {
    skip 'no /usr/bin/true', 3 unless -x '/usr/bin/true';
    # glibc's ld.so prints the auxiliary vector it was given.  Addresses
    # differ from run to run; the rest must not.
    my $mask = sub {
        join '', map { s/^(AT_(?:SYSINFO_EHDR|PHDR|BASE|ENTRY|RANDOM)):\s+0x[0-9a-f]+$/$1: (address)/r . "\n" }
            split /\n/, $_[0]{out};
    };
    my %run = (argv => ['/usr/bin/true'], env => { %env, LD_SHOW_AUXV => 1 });
    my ($d, $k) = (run(%run), run_keel(%run));
    # A dynamic keel (the SAN=1 build) gets the variable too: its own ld.so
    # prints keel's vector first.  The program's is the second one.
    if (has_interp($keel) && $d->{out} =~ /\A(\w+:)/) {
        my $first = $1;
        $k->{out} =~ s/\A.*?\n(?=\Q$first\E)//s;
    }
    ($d->{out}, $k->{out}) = ($mask->($d), $mask->($k));
    compare('LD_SHOW_AUXV=1 true: the auxiliary vector', $d, $k, status => 'exit 0',
            out_ok => qr/^AT_PHDR: \(address\)\n.*^AT_EXECFN:\s+\/usr\/bin\/true\n/ms);
}

SKIP: {
    skip "no $python", 3 unless -x $python;
    skip 'tests/progs/mm_probe.c could not be built', 3 unless $built->{"$tmp/mm_probe"};
    my $probe = run(argv => ["$tmp/mm_probe"]);
    chomp(my $why = $probe->{out});
    skip "/proc/self/cmdline cannot describe the new program: $why", 3 if $probe->{status} != 0;
    # What PR_SET_MM_MAP and PR_SET_NAME make the kernel report.  (Not
    # /proc/self/exe: the kernel refuses to change it while keel's own
    # image is still mapped.)
    my $script = <<'EOF';
import struct
print("cmdline", open("/proc/self/cmdline", "rb").read())
print("environ", open("/proc/self/environ", "rb").read())
print("comm", open("/proc/self/comm").read().strip())
raw = open("/proc/self/auxv", "rb").read()
pairs = [struct.unpack_from("<QQ", raw, i) for i in range(0, len(raw), 16)]
address = {3, 7, 9, 15, 25, 31, 33}  # PHDR BASE ENTRY PLATFORM RANDOM EXECFN SYSINFO_EHDR
print("auxv", [(t, "address" if t in address else v) for t, v in pairs if t != 16])
print("hwcap", [v for t, v in pairs if t == 16])
EOF
    my %run = (argv => [$python, '-c', $script, 'one', 'two words', ''], stdin => '');
    compare('/proc/self/{cmdline,environ,comm,auxv}', run(%run), run_keel(%run), status => 'exit 0', stderr => 1,
            out_ok => qr/^cmdline b'\/usr\/bin\/python3.11\\x00-c\\x00.*\\x00one\\x00two words\\x00\\x00'\n/);
}

# ------------------------------------------------------ what must not run

# The kernel's answer comes from tests/progs/execve.c: 127 and "No such
# file or directory" for a missing file, 126 for a refusal.  keel must give
# the same status, nothing on stdout, and one line "keel: FILE: why".
sub refused {
    my ($name, $file, $message, %o) = @_;
    my $d = run(file => "$tmp/execve", argv => ['execve', $file, $file]);
    my $k = run_keel(argv => [$file]);
    my ($ds, $ks) = (status_text($d->{status}), status_text($k->{status}));
    ok($ks eq $ds && $k->{out} eq '' && $d->{out} eq '', "$name: $ds, as execve") or
        diag("execve: $ds, stdout '" . substr($d->{out}, 0, 200) . "', stderr $d->{err}"
             . "keel:   $ks, stdout '" . substr($k->{out}, 0, 200) . "', stderr $k->{err}");
    like($k->{err}, qr/\Akeel: \Q$file\E: $message\n\z/, "$name: keel's message");
}

SKIP: {
    skip 'tests/progs/execve.c could not be built, so there is no oracle for refusals', 1
        unless $built->{"$tmp/execve"};
    refused('a missing file', "$tmp/no-such-program", 'cannot open: No such file or directory');
    refused('a name not in PATH', 'no-such-program-in-path', 'not found in PATH');
    spew("$tmp/text", "echo this is a shell script without #!\nexit 3\n");
    chmod 0755, "$tmp/text";
    refused('a text file', "$tmp/text", 'not executable: neither ELF nor a.out \(.*\)');
    spew("$tmp/empty", '');
    chmod 0755, "$tmp/empty";
    refused('an empty file', "$tmp/empty", 'not executable: .*');
    make_path("$tmp/a-directory");
    refused('a directory', "$tmp/a-directory", '.+');
    SKIP: {
        skip 'no object file built', 2 unless $built->{"$tmp/object.o"};
        refused('a relocatable object (.o)', "$tmp/object.o", 'not executable: ELF type 1 .*');
    }
    if (my ($v) = grep { $_->[0] =~ /-static$/ } @startup_built) {
        # A static program with e_machine set to AArch64 (183): the kernel
        # refuses it (ENOEXEC), and so must keel.
        my $foreign = "$tmp/foreign-machine";
        my $elf = slurp("$tmp/startup-$v->[0]");
        substr($elf, 18, 2) = pack('v', 183);
        spew($foreign, $elf);
        chmod 0755, $foreign;
        refused('an AArch64 ELF', $foreign, 'wrong architecture: machine 183 .*');
        # Without execute permission, execve refuses (EACCES).
        my $noexec = "$tmp/no-execute-permission";
        system('cp', "$tmp/startup-$v->[0]", $noexec) == 0 or die;
        chmod 0644, $noexec;
        refused('an ELF program without execute permission', $noexec, 'cannot execute: Permission denied');
    }
}
SKIP: {
    skip "no i386 program: '$cc -m32 -static' cannot build one (gcc-multilib missing?)", 3
        unless $built->{"$tmp/i386"};
    # This kernel runs it (IA32 emulation), when it has that; keel must not
    # run it at all, and say why.
    my $prog = "$tmp/i386";
    my $d = run(argv => [$prog, 0, $prog]);
    my $k = run_keel(argv => [$prog, 0, $prog]);
    is(status_text($k->{status}), 'exit 126', 'an i386 program: keel refuses it, exit 126');
    ok($k->{out} eq '' && ($d->{status} != 0 || $d->{out} =~ /^exit 0$/m), 'an i386 program: nothing of it runs')
        or diag("keel's stdout: $k->{out}");
    like($k->{err}, qr/\Akeel: \Q$prog\E: wrong architecture: machine 3 .*\n\z/, "an i386 program: keel's message");
}
SKIP: {
    skip 'no shared object built', 2 unless $built->{"$tmp/library.so"};
    # An ET_DYN with no entry point: the kernel maps it and jumps to its
    # first byte, which is not executable.  keel does the same.
    my %run = (argv => ["$tmp/library.so"]);
    compare('a shared object run as a program', run(%run), run_keel(%run), status => 'killed by signal 11',
            stderr => 1);
}

done_testing();
