#!/usr/bin/perl
# Inputs that are not regular files (issue 11, item 22).  A FIFO with no
# writer used to hang every tool in open(); each entry point that opens a
# file by path must now answer at once, with exit status 1 (keel exec: the
# kernel's status, from tests/progs/execve.c), nothing on stdout and one
# line on stderr naming the file and saying what it is.  Every run has a
# time limit (SIGALRM after $limit seconds), so a hang fails the test
# instead of blocking it.
#
# The entry points: keel info (a file, a thin archive's member), keel exec
# (the program, --layout, --image, a PT_INTERP naming the FIFO), keel link
# (an input, a response file @FILE, a GROUP() entry of an input script, a
# thin archive's member), keel run (an input, -l finding a FIFO).  The
# other special files (a character device of our own, a socket, a
# directory) go through the main ones too.  Controls: each line with a
# regular file in the special file's place works, so the refusals are the
# special file's doing.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Cwd qw(abs_path);
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use POSIX ();
use Socket;
use Programs qw(slurp spew have run_program status_text build_all);
use Oracle ();

plan skip_all => 'keel exec and keel run work on x86-64 only' unless (POSIX::uname())[4] eq 'x86_64';
my $keel = abs_path(Oracle::keel_bin());
plan skip_all => 'no keel binary (' . Oracle::keel_bin() . ')' unless $keel && -x $keel;
plan skip_all => 'no gcc' unless have('gcc');
my $progs = "$FindBin::Bin/progs/tools";
my $parent = ($ENV{KEEL_BUILD} || 'build') . '/t';
make_path($parent);
my $tmp = abs_path(tempdir('tools_files.XXXXXX', DIR => $parent, CLEANUP => 1));

my %env = (PATH => '/usr/local/bin:/usr/bin:/bin', LC_ALL => 'C', HOME => '/');
defined $ENV{$_} and $env{$_} = $ENV{$_} for qw(ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS);
my $limit = 10;
my $runs = 0;
sub run {
    my (@argv) = @_;
    return run_program(env => \%env, argv => \@argv, base => "$tmp/run" . ++$runs,
                       before => sub { alarm $limit });
}

# ------------------------------------------------------------------ inputs

my $built = build_all(["$tmp/start.o", "gcc -O2 -fno-pie -c -o $tmp/start.o $progs/start.c"],
                      ["$tmp/foo.o", "gcc -O2 -fno-pie -c -o $tmp/foo.o $progs/foo.c"],
                      ["$tmp/hello.o", "gcc -O2 -c -o $tmp/hello.o $progs/hello.c"],
                      ["$tmp/execve", "gcc -O2 -o $tmp/execve $FindBin::Bin/progs/execve.c"],
                      # a dynamic program whose PT_INTERP is the FIFO
                      ["$tmp/interp-fifo", "gcc -O2 -o $tmp/interp-fifo $progs/hello.c "
                                           . "-Wl,--dynamic-linker=$tmp/fifo"],
                      ["$tmp/hello", "gcc -O2 -o $tmp/hello $progs/hello.c"]);
for (sort keys %$built) {
    BAIL_OUT("cannot build $_: " . slurp("$_.log")) unless $built->{$_};
}

# The special files.  The FIFO is executable, so that only its type stops
# execve; the character device is a private null device (c 1 3).
my %special;
$special{FIFO} = "$tmp/fifo";
POSIX::mkfifo($special{FIFO}, 0755) or BAIL_OUT("mkfifo: $!");
chmod 0755, $special{FIFO};
if (system("mknod $tmp/chardev c 1 3 2>/dev/null") == 0) {
    chmod 0755, "$tmp/chardev";
    $special{'character device'} = "$tmp/chardev";
} else {
    SKIP: { skip 'mknod fails here (not root): no character device case', 1 }
}
socket(my $sock, PF_UNIX, SOCK_STREAM, 0) or BAIL_OUT("socket: $!");
bind($sock, pack_sockaddr_un("$tmp/socket")) or BAIL_OUT("bind: $!");
$special{socket} = "$tmp/socket";
make_path("$tmp/directory");
$special{directory} = "$tmp/directory";

# A regular file for the controls, and the kind's words for the refusals.
my %regular = (object => "$tmp/foo.o");
sub says { my ($kind) = @_; return qr/not a regular file \(an? \Q$kind\E\)/ }

# ------------------------------------------------------------------- checks

# A refusal: no signal (no SIGALRM: no hang), STATUS, no stdout, one line on
# stderr from PREFIX naming FILE with WHY (any_stdout => 1: a listing may
# come before the refusal).
sub refused {
    my ($name, $r, %o) = @_;
    my $status = $o{status} // 'exit 1';
    ok(status_text($r->{status}) eq $status, "$name: $status, at once")
        or diag('got ' . status_text($r->{status}) . ($r->{status} & 127 ? ' (a hang: killed by the alarm)' : '')
                . ", stderr: $r->{err}");
    like($r->{err}, qr/\A$o{prefix}: [^\n]*\Q$o{file}\E[^\n]*: $o{why}\n\z/, "$name: the message")
        or diag("stdout: $r->{out}");
    is($r->{out}, '', "$name: nothing on stdout") unless $o{any_stdout};
}

sub works {
    my ($name, $r) = @_;
    ok($r->{status} == 0, "$name (control): works") or diag(status_text($r->{status}) . ": $r->{err}");
}

# execve's own status for FILE (126: EACCES for a file that is not regular).
sub execve_status { return status_text(run("$tmp/execve", $_[0], $_[0])->{status}) }

# ------------------------------------------------------ every kind of file

for my $kind (sort keys %special) {
    my $f = $special{$kind};
    my $why = says($kind);
    refused("keel info, $kind", run($keel, 'info', $f), prefix => 'keel', file => $f, why => $why);
    my $st = execve_status($f);
    refused("keel exec, $kind", run($keel, 'exec', $f), prefix => 'keel', file => $f, why => $why,
            status => $st);
    refused("keel exec --layout, $kind", run($keel, 'exec', '--layout', $f), prefix => 'keel', file => $f,
            why => $why);
    refused("keel exec --image, $kind", run($keel, 'exec', '--image', $f, '-o', "$tmp/image"), prefix => 'keel',
            file => $f, why => $why);
    ok(!-e "$tmp/image", "keel exec --image, $kind: no output");
    # ld.bfd says "cannot find DIR: file format not recognized" for a
    # directory; keel's older words for it stay.
    refused("keel link, $kind", run($keel, 'link', '-o', "$tmp/out", "$tmp/start.o", $f), prefix => 'keel ld',
            file => $f, why => $kind eq 'directory' ? qr/(?:Is a directory|$why)/ : $why);
    refused("keel run, $kind", run($keel, 'run', "$tmp/hello.o", $f), prefix => 'keel', file => $f, why => $why);
}
is(execve_status($special{FIFO}), 'exit 126', 'execve refuses the FIFO (EACCES), the status keel exec must give');

# Controls for the lines above, a regular file in the special file's place.
works('keel info', run($keel, 'info', $regular{object}));
works('keel exec', run($keel, 'exec', "$tmp/hello"));
works('keel exec --layout', run($keel, 'exec', '--layout', "$tmp/hello"));
works('keel link', run($keel, 'link', '-o', "$tmp/out", "$tmp/start.o", "$tmp/foo.o"));
works('keel run', run($keel, 'run', "$tmp/hello.o"));

# ------------------------------------------------- the FIFO's other routes

my $fifo = $special{FIFO};
my $why = says('FIFO');

# PT_INTERP: the kernel refuses an interpreter that is not regular (EACCES).
refused('keel exec, PT_INTERP naming a FIFO', run($keel, 'exec', "$tmp/interp-fifo"), prefix => 'keel',
        file => $fifo, why => $why, status => execve_status("$tmp/interp-fifo"));

# A response file.
refused('keel link @FIFO', run($keel, 'link', '-o', "$tmp/out", "$tmp/start.o", "\@$fifo"), prefix => 'keel ld',
        file => "\@$fifo", why => $why);
spew("$tmp/response", "$tmp/foo.o\n");
works('keel link @FILE', run($keel, 'link', '-o', "$tmp/out", "$tmp/start.o", "\@$tmp/response"));

# A GROUP() entry of an input script.
spew("$tmp/group.ld", "GROUP ( $fifo )\n");
refused('keel link, GROUP(FIFO) in an input script', run($keel, 'link', '-o', "$tmp/out", "$tmp/start.o",
                                                          "$tmp/group.ld"),
        prefix => 'keel ld', file => $fifo, why => $why);
spew("$tmp/group-ok.ld", "GROUP ( $tmp/foo.o )\n");
works('keel link, GROUP(FILE)', run($keel, 'link', '-o', "$tmp/out", "$tmp/start.o", "$tmp/group-ok.ld"));

# A thin archive's member: made from a regular file, then replaced by the
# FIFO.
make_path("$tmp/thin");
system("cp $tmp/foo.o $tmp/thin/member.o && cd $tmp/thin && ar rcT thin.a member.o") == 0
    or BAIL_OUT('ar rcT fails');
works('keel link, a thin archive', run($keel, 'link', '-o', "$tmp/out", "$tmp/start.o", "$tmp/thin/thin.a"));
works('keel info, a thin archive', run($keel, 'info', "$tmp/thin/thin.a"));
unlink("$tmp/thin/member.o");
POSIX::mkfifo("$tmp/thin/member.o", 0644) or BAIL_OUT("mkfifo: $!");
refused("keel link, a thin archive's member that is a FIFO",
        run($keel, 'link', '-o', "$tmp/out", "$tmp/start.o", "$tmp/thin/thin.a"), prefix => 'keel ld',
        file => "$tmp/thin/member.o", why => $why);
refused("keel info, a thin archive's member that is a FIFO", run($keel, 'info', "$tmp/thin/thin.a"),
        prefix => 'keel', file => "$tmp/thin/member.o", why => $why, any_stdout => 1); # the archive's table

# keel run -l finding a FIFO where the shared library would be.
make_path("$tmp/lib");
POSIX::mkfifo("$tmp/lib/libfifo.so", 0644) or BAIL_OUT("mkfifo: $!");
refused('keel run -l, the library a FIFO', run($keel, 'run', "-L$tmp/lib", '-lfifo', "$tmp/hello.o"),
        prefix => 'keel run', file => "$tmp/lib/libfifo.so", why => $why);

# ------------------------------------------ keel exec --image -o SPECIAL

# An output that is a device or a FIFO is written through (as ld.bfd
# writes through), never replaced by a rename; the image must be the one
# written to a regular file.
works('keel exec --image -o FILE', run($keel, 'exec', '--image', "$tmp/hello", '-o', "$tmp/image.regular"));
my $image = slurp("$tmp/image.regular");
ok(length $image, 'the regular image is not empty');
SKIP: {
    skip 'no character device of our own (mknod fails here)', 3 unless $special{'character device'};
    my $dev = $special{'character device'};
    works('keel exec --image -o DEVICE', run($keel, 'exec', '--image', "$tmp/hello", '-o', $dev));
    ok(-c $dev, 'the device is still a device');
    is((stat $dev)[6], 1 << 8 | 3, '... the same one (1, 3)');
}
my $r = run($keel, 'exec', '--image', "$tmp/hello", '-o', $fifo);
ok(status_text($r->{status}) eq 'exit 1' && $r->{err} =~ /\Akeel: \Q$fifo\E: cannot write: a FIFO with no reader
\z/,
   'keel exec --image -o FIFO, no reader: refused at once') or diag(status_text($r->{status}) . ": $r->{err}");
ok(-p $fifo, '... and the FIFO is still a FIFO');
# With a reader: this process holds the read end (opened without
# blocking) while keel writes; the image fits in the pipe's buffer.
ok(length $image < 65536, 'the image fits in a pipe buffer (64 KiB)');
sysopen(my $rd, $fifo, POSIX::O_RDONLY | POSIX::O_NONBLOCK) or BAIL_OUT("open $fifo: $!");
works('keel exec --image -o FIFO, a reader', run($keel, 'exec', '--image', "$tmp/hello", '-o', $fifo));
my $got = '';
while (sysread($rd, my $chunk, 65536)) { $got .= $chunk }
close $rd;
ok($got eq $image, '... it reads the image a regular file gets');
ok(-p $fifo, '... and the FIFO is still a FIFO');

done_testing();
