#!/usr/bin/perl
# keel exec of #! scripts and of set-user-ID programs (issue 11, item 23),
# against the kernel's execve (tests/progs/execve.c).
#
#   - #! lines of every shape binfmt_script handles: with and without an
#     argument, blanks around them, a NUL, no newline, a name or an
#     argument cut by the 256-byte limit, CR LF, a relative interpreter,
#     nothing after #!; nested scripts up to and past the kernel's limit;
#     an interpreter missing, not executable, a directory, a FIFO; a script
#     without execute permission; PATH search; /bin/sh, env and python3
#     scripts.  tests/progs/tools/show.c, the interpreter, prints its argv,
#     AT_EXECFN and thread name: stdout, stderr and the exit status must be
#     the kernel's.  A refusal must have the kernel's exit status and one
#     line "keel: FILE: why".
#   - set-user-ID, set-group-ID and file-capability programs (as root,
#     with files chown'ed to nobody, and as nobody through setpriv): keel
#     refuses those execve would give rights to, and runs them with
#     --nosuid as the kernel does under no_new_privs.  Those that give no
#     rights (set-group-ID without group execute, set-user-ID to oneself,
#     a nosuid state) run as execve runs them.
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
plan skip_all => 'no gcc' unless have('gcc');
my $parent = ($ENV{KEEL_BUILD} || 'build') . '/t';
make_path($parent);
my $tmp = abs_path(tempdir('exec_script.XXXXXX', DIR => $parent, CLEANUP => 1));
chmod 0755, $tmp; # the runs as nobody below

my $built = build_all(["$tmp/show", "gcc -O2 -o $tmp/show $FindBin::Bin/progs/tools/show.c"],
                      ["$tmp/execve", "gcc -O2 -o $tmp/execve $FindBin::Bin/progs/execve.c"]);
for (sort keys %$built) {
    BAIL_OUT("cannot build $_: " . slurp("$_.log")) unless $built->{$_};
}
my $show = "$tmp/show";

my %env = (PATH => '/usr/local/bin:/usr/bin:/bin', LC_ALL => 'C', HOME => '/');
defined $ENV{$_} and $env{$_} = $ENV{$_} for qw(ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS);
my $runs = 0;
sub run {
    my (%o) = @_;
    return run_program(env => { %env, %{ $o{env} // {} } }, %o, base => "$tmp/run" . ++$runs,
                       before => sub { alarm 20 });
}

# FILE run by execve (through PREFIX, e.g. setpriv) and by keel exec
# [OPTS] (through KEEL_PREFIX): ARGV0 and ARGS as given.
sub direct {
    my ($file, %o) = @_;
    my @pre = @{ $o{prefix} // [] };
    return run(%o, file => $pre[0] // "$tmp/execve",
               argv => [@pre, "$tmp/execve", $file, $o{argv0} // $file, @{ $o{args} // [] }]);
}
sub keel {
    my ($file, %o) = @_;
    my @pre = @{ $o{keel_prefix} // [] };
    return run(%o, file => $pre[0] // $keel, argv => [@pre, $keel, 'exec', @{ $o{opts} // [] }, $file,
                                                      @{ $o{args} // [] }]);
}

# Both runs, compared: stdout, the status, and stderr unless it is keel's
# own (a refusal: then one line "keel: ...").
sub compare {
    my ($name, $file, %o) = @_;
    my $d = direct($file, %o);
    my $k = keel($file, %o);
    my ($ds, $ks) = (status_text($d->{status}), status_text($k->{status}));
    my $refused = $d->{err} =~ /^execve: /;
    ok($ks eq $ds, "$name: $ds, as execve") or diag("execve: $ds: $d->{err}\nkeel: $ks: $k->{err}");
    ok($k->{out} eq $d->{out}, "$name: stdout") or diag(first_difference($d->{out}, $k->{out}));
    if ($refused) {
        like($k->{err}, qr/\Akeel: [^\n]*\n\z/, "$name: one line from keel") or diag("execve: $d->{err}");
        like($k->{err}, $o{why}, "$name: keel says why") if $o{why};
    } elsif (defined $o{keel_err}) {
        like($k->{err}, $o{keel_err}, "$name: keel's stderr");
    } else {
        ok($k->{err} eq $d->{err}, "$name: stderr") or diag(first_difference($d->{err}, $k->{err}));
    }
    like($d->{out}, $o{out_ok}, "$name: the direct run printed what it should") if $o{out_ok};
    return ($d, $k);
}

sub script {
    my ($name, $text, $mode) = @_;
    spew("$tmp/$name", $text);
    chmod $mode // 0755, "$tmp/$name";
    return "$tmp/$name";
}

my @args = ('x', 'two words', '');

# ------------------------------------------------------------- #! lines

compare('#! and the interpreter', script('plain', "#!$show\necho not run\n"), args => \@args,
        out_ok => qr/^argv\[1\] <\Q$tmp\E\/plain>$/m);
compare('#! with an argument', script('arg', "#!$show one\n"), args => \@args, out_ok => qr/^argv\[1\] <one>$/m);
compare('blanks around the name and the argument, the argument with spaces in it',
        script('blanks', "#! \t$show \t one  two\t \t\nrest\n"), args => \@args,
        out_ok => qr/^argv\[1\] <one  two>$/m);
compare('no newline: the file ends after the name', script('no-newline', "#!$show"), args => \@args);
compare('a NUL inside the argument ends it', script('nul-arg', "#!$show one\0two\n"), out_ok => qr/^argv\[1\] <one>$/m);
compare('a NUL after the name: no argument', script('nul-name', "#!$show\0 junk\n"), out_ok => qr/^argc 2$/m);
my $long_arg = 'a' x 400;
# With no newline in the first 256 bytes the kernel ends the line at
# index 255: the argument keeps 252 bytes less the interpreter's path.
my $kept = 252 - length($show);
compare('an argument cut by the 256-byte limit', script('long-arg', "#!$show $long_arg\n"),
        out_ok => qr/^argv\[1\] <a{$kept}>$/m);
# "#!", the name, a space: 3 + length bytes; the newline at index 255 is
# the last byte execve reads, at 256 the first it does not.
for my $at (255, 256) {
    my $bs = 'b' x ($at - 3 - length($show));
    compare("the newline at byte $at", script("exact$at", "#!$show $bs\nx\n"),
            out_ok => $at == 255 ? qr/^argv\[1\] <\Q$bs\E>$/m : qr/^argv\[1\] <b{10,}>$/m);
}
compare('a name cut by the 256-byte limit', script('long-name', '#!' . ('/' x 300) . "\n"), why => qr/256/);
compare('#! and nothing', script('empty-line', "#!\n"));
compare('#! and blanks', script('blank-line', "#!  \t \nx\n"));
compare('#! alone, two bytes', script('two-bytes', '#!'));
compare('CR LF: the CR is part of the name', script('crlf', "#!$show\r\n"));
compare('an interpreter missing', script('missing', "#!$tmp/no-such-interpreter\n"),
        why => qr/no-such-interpreter: cannot open: No such file or directory/);
spew("$tmp/not-executable", slurp($show));
chmod 0644, "$tmp/not-executable";
compare('an interpreter not executable', script('noexec-interp', "#!$tmp/not-executable\n"));
make_path("$tmp/a-directory");
compare('an interpreter that is a directory', script('dir-interp', "#!$tmp/a-directory\n"));
POSIX::mkfifo("$tmp/fifo", 0755) or BAIL_OUT("mkfifo: $!");
chmod 0755, "$tmp/fifo";
compare('an interpreter that is a FIFO', script('fifo-interp', "#!$tmp/fifo\n"), why => qr/a FIFO/);
compare('a script without execute permission', script('noexec', "#!$show\n", 0644));
compare('a relative interpreter, from the working directory', script('relative', "#!./show rel\n"), dir => $tmp,
        out_ok => qr/^argv\[0\] <\.\/show>$/m);
compare('a script found in PATH', 'path-script', env => { PATH => "$tmp:/usr/bin:/bin" }, args => \@args,
        out_ok => qr/^argv\[1\] <\Q$tmp\E\/path-script>$/m) if script('path-script', "#!$show\n");
compare("the interpreter's exit status", script('status', "#!$show\n"), env => { SHOW_STATUS => 42 });
compare('--argv0 is dropped, as execve drops argv[0]', script('argv0', "#!$show\n"), argv0 => 'other-name',
        opts => ['--argv0', 'other-name'], keel_err => qr/\Akeel: [^\n]*--argv0 ignored[^\n]*\n\z/);

like(run(file => $keel, argv => [$keel, 'exec', '--help'])->{out}, qr/^\s+--nosuid\s/m, 'keel exec --help: --nosuid');

# Nested: script N runs script N-1, down to script 0 that names show.
script('nest0', "#!$show level0\n");
for my $n (1 .. 7) {
    my $p = $n - 1;
    script("nest$n", "#!$tmp/nest$p level$n\n");
    compare("$n script(s) in front of a script", "$tmp/nest$n", args => \@args,
            $n >= 5 ? (why => qr/too many levels/) : ());
}
# A missing interpreter at the depth where the limit strikes: the kernel
# opens it before it counts the level.
script('deep0', "#!$tmp/no-such-interpreter\n");
script("deep$_", "#!$tmp/deep" . ($_ - 1) . "\n") for 1 .. 6;
compare('a missing interpreter beyond the limit', "$tmp/deep6");
compare('a missing interpreter at the limit', "$tmp/deep5");

# Real interpreters.
compare('a /bin/sh script', script('sh', "#!/bin/sh\necho \"\$0\" \"\$#\" \"\$@\"\nexit 5\n"), args => \@args,
        out_ok => qr/^\Q$tmp\E\/sh 3 x two words $/m);
SKIP: {
    skip 'no python3', 3 unless have('python3');
    compare('an env python3 script',
            script('py', "#!/usr/bin/env python3\nimport sys\nprint(sys.argv)\nsys.exit(3)\n"), args => \@args,
            out_ok => qr/py', 'x', 'two words', ''\]/);
}

# ------------------------------------------------- set-user-ID and friends

# keel must refuse what execve would run with the file's rights (GAINS:
# what the direct run shows of them), with a message naming WHAT; with
# --nosuid it must run it as the kernel does under no_new_privs.
sub refused_setid {
    my ($name, $file, $what, $gains, %o) = @_;
    my $d = direct($file, %o);
    my $k = keel($file, %o);
    ok($d->{status} == 0 && $d->{out} =~ $gains, "$name: execve runs it with the file's rights")
        or diag(status_text($d->{status}) . ": $d->{out}$d->{err}");
    is(status_text($k->{status}), 'exit 126', "$name: keel refuses it");
    like($k->{err}, qr/\Akeel: \Q$file\E: \Q$what\E[^\n]*your own rights[^\n]*--nosuid[^\n]*\n\z/,
         "$name: keel says why, and how to run it anyway");
    is($k->{out}, '', "$name: nothing runs");
    compare("$name, --nosuid: as execve under no_new_privs", $file, %o, opts => ['--nosuid'],
            prefix => [@{ $o{prefix} // ['setpriv'] }, '--no-new-privs']);
}

SKIP: {
    skip 'not root: cannot make set-user-ID files of other owners', 1 if $> != 0;
    skip 'no setpriv (util-linux)', 1 unless have('setpriv');
    my $nobody = 65534;
    my $copy = sub {
        my ($name, $uid, $gid, $mode) = @_;
        spew("$tmp/$name", slurp($show));
        chown $uid, $gid, "$tmp/$name" or die "chown: $!";
        chmod $mode, "$tmp/$name" or die "chmod: $!";
        return "$tmp/$name";
    };
    my $suid = $copy->('suid-nobody', $nobody, 0, 04755);
    refused_setid('set-user-ID to nobody, run by root', $suid, "set-user-ID (uid $nobody)",
                  qr/^uid 0 euid $nobody /m);
    refused_setid('set-group-ID to nogroup, run by root', $copy->('sgid-nogroup', 0, $nobody, 02755),
                  "set-group-ID (gid $nobody)", qr/ egid $nobody /m);
    compare('set-group-ID without group execute: no set-group-ID, runs',
            $copy->('sgid-no-gx', 0, $nobody, 02745), out_ok => qr/ egid 0 /);
    compare('set-user-ID to root, run by root: nothing to gain, runs', $copy->('suid-root', 0, 0, 04755),
            out_ok => qr/ euid 0 /);
    my $nnp = ['setpriv', '--no-new-privs'];
    compare('set-user-ID under no_new_privs: the kernel ignores it, keel runs it', $suid, prefix => $nnp,
            keel_prefix => $nnp, out_ok => qr/ euid 0 /);
    my $as_nobody = ['setpriv', "--reuid=$nobody", "--regid=$nobody", '--clear-groups'];
    refused_setid('set-user-ID to root, run by nobody', "$tmp/suid-root", 'set-user-ID (uid 0)',
                  qr/^uid $nobody euid 0 /m, prefix => $as_nobody, keel_prefix => $as_nobody);
    SKIP: {
        my $caps = $copy->('caps', 0, 0, 0755);
        skip 'setcap fails here (no file capabilities on this file system?)', 1
            unless have('setcap') && system("setcap cap_net_raw+ep $caps 2>/dev/null") == 0;
        refused_setid('file capabilities, run by nobody', $caps, 'file capabilities', qr/^CapPrm:\s+0*2000$/m,
                      prefix => $as_nobody, keel_prefix => $as_nobody);
        compare('file capabilities, run by root: nothing to gain, runs', $caps);
    }
}

done_testing();
