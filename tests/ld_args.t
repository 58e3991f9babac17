#!/usr/bin/perl
# The link-editor's command line (tools/ld.c) without linking: keel link
# --keel-print-plan prints the inputs it resolved (path, group, whole-archive,
# as-needed) and the options, and stops.
#
#   - the link lines gcc, g++, clang and musl-gcc show with -static -###
#     (collect2's arguments) resolve every input to the path ld.bfd opens
#     for the same arguments (ld.bfd --trace, linking for real);
#   - -l search order (-L in order, wherever it stands, then the default
#     directories), -l:FILE, -Bstatic/-Bdynamic (the .so first),
#     -nostdlib, groups, --whole-archive, --as-needed, --push-state;
#   - response files with GNU quoting, nested; options with one or two
#     dashes, joined or separate values;
#   - errors, exit status 1: an unknown option, a missing library or file,
#     another emulation, LTO inputs (gcc's slim objects, clang's
#     bitcode; a fat LTO object is accepted); -z with an unknown keyword
#     warns as ld.bfd does;
#   - keel run as ld, ld.keel and ld.keel-*, and through gcc -B and clang
#     -fuse-ld=.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Cwd qw(abs_path);
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use Text::ParseWords qw(shellwords);
use POSIX ();
use Programs qw(slurp spew have);
use Oracle ();

plan skip_all => 'the link-editor is for x86-64 hosts' unless (POSIX::uname())[4] eq 'x86_64';
my $keel = abs_path(Oracle::keel_bin());
plan skip_all => 'no keel binary (' . Oracle::keel_bin() . ')' unless $keel && -x $keel;
plan skip_all => 'no gcc' unless have('gcc');
my $progs = "$FindBin::Bin/progs/ld";
my $parent = ($ENV{KEEL_BUILD} || 'build') . '/t';
make_path($parent);
my $tmp = abs_path(tempdir('ld_args.XXXXXX', DIR => $parent, CLEANUP => 1));

# ------------------------------------------------------------------ helpers

# Run a program with its arguments (no shell); {status, out, err}.
my $runs = 0;
sub run {
    my (@argv) = @_;
    my $base = "$tmp/run" . ++$runs;
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        open(STDIN, '<', '/dev/null') && open(STDOUT, '>', "$base.out") && open(STDERR, '>', "$base.err")
            or POSIX::_exit(120);
        exec { $argv[0] } @argv or POSIX::_exit(121);
    }
    waitpid($pid, 0);
    return { status => $? >> 8, signal => $? & 127, out => slurp("$base.out"), err => slurp("$base.err") };
}

sub sh { system('/bin/sh', '-c', $_[0]) == 0 }

# keel link ARGS --keel-print-plan: the parsed plan, {inputs => [{path,
# group, whole, as_needed}], opt => {name => [values]}}, or the failed run.
sub plan_of {
    my (@args) = @_;
    my $r = run($keel, 'link', '--keel-print-plan', @args);
    return $r if $r->{status} || $r->{signal};
    my (@in, %opt);
    for (split /\n/, $r->{out}) {
        if (/^input group=(\d+) whole-archive=(yes|no) as-needed=(yes|no) (.*)$/) {
            push @in, { group => $1, whole => $2 eq 'yes', as_needed => $3 eq 'yes', path => $4 };
        } elsif (/^(\S+) (.*)$/) {
            push @{ $opt{$1} }, $2;
        }
    }
    return { %$r, inputs => \@in, opt => \%opt };
}

sub paths { return [map { $_->{path} } @{ $_[0]{inputs} || [] }] }

# The files ld.bfd opens for a command line (--trace), each once, in the
# order it first opens them; not the files GNU ld input scripts (glibc's
# libm.a) name, which keel_link opens itself.
sub bfd_trace {
    my (@args) = @_;
    my $r = run('ld.bfd', @args, '-t', '-o', "$tmp/bfd.out");
    my (%seen, @files, %in_script);
    for (split /\n/, $r->{out}) {
        s/^\((.*)\)[^)]*$/$1/; # an archive member: (lib.a)member.o
        next unless -e $_;
        push @files, $_ unless $seen{$_}++;
        $in_script{$_} = 1 for script_files($_);
    }
    return ($r, [grep { !$in_script{$_} } @files]);
}

# The absolute paths a GNU ld script names (none for other files).
sub script_files {
    my ($path) = @_;
    return () unless -T $path;
    my $text = slurp($path);
    return () unless $text =~ /\b(GROUP|INPUT)\s*\(/;
    return $text =~ m{(/[^\s(),]+)}g;
}

sub uniq { my %s; return [grep { !$s{$_}++ } @{ $_[0] }] }

# The driver's link line for -static -### ARGS: the linker's arguments,
# with gcc's LTO resolution file moved into $tmp.
sub link_line {
    my ($driver, @args) = @_;
    my $r = run($driver, '-static', '-###', @args);
    my @lines = grep { /^ \S/ } split /\n/, $r->{err};
    my ($line) = grep { /collect2/ } @lines;
    $line //= $lines[-1];
    return undef unless defined $line;
    my @w = shellwords($line);
    shift @w;
    s{^(-plugin-opt=-fresolution=).*}{$1$tmp/lto.res} for @w;
    return \@w;
}

# keel's plan and ld.bfd's trace for one command line agree on every input.
sub agrees_with_bfd {
    my ($name, $args) = @_;
    my $p = plan_of(@$args);
    ok(!$p->{status} && @{ $p->{inputs} }, "$name: keel parses the link line") or diag($p->{err});
    my ($b, $files) = bfd_trace(@$args);
    ok(!$b->{status}, "$name: ld.bfd links it") or diag($b->{err});
    is_deeply(uniq(paths($p)), $files, "$name: every input resolves to the file ld.bfd opens");
    return $p;
}

# ------------------------------------------------------------------ inputs

my %built;
for (['hello.o', "gcc -c $progs/hello.c"], ['hellocc.o', "g++ -c $progs/hello.cc"], ['foo.o', "gcc -c $progs/foo.c"]) {
    $built{ $_->[0] } = sh("$_->[1] -o $tmp/$_->[0] 2>/dev/null");
}
BAIL_OUT('cannot compile tests/progs/ld') unless $built{'hello.o'} && $built{'foo.o'};
my $ho = "$tmp/hello.o";
# test libraries: two directories both holding libq.a, one holding a .so
# and an archive of the same name, a directory with a space in its name
make_path("$tmp/d1", "$tmp/d2", "$tmp/dir with space", "$tmp/bin");
for my $lib ("$tmp/libfoo.a", "$tmp/libbar.a", "$tmp/d1/libq.a", "$tmp/d2/libq.a", "$tmp/d2/libd.a",
             "$tmp/dir with space/libsp.a", "$tmp/d1/plain.a") {
    sh("ar rc '$lib' $tmp/foo.o") or die "ar $lib";
}
sh("gcc -shared -fPIC -o $tmp/d2/libd.so $progs/foo.c") or die 'libd.so';
symlink($keel, "$tmp/bin/$_") or die "symlink: $!" for qw(ld ld.keel ld.keel-test);

# ---------------------------------------------- the drivers' link lines

my @drivers = (['gcc', "$progs/hello.c"], ['g++', "$progs/hello.cc"], ['clang', "$progs/hello.c"],
               ['musl-gcc', "$progs/hello.c"]);
for my $d (@drivers) {
    my ($driver, $src) = @$d;
    SKIP: {
        skip "$driver is not installed", 3 unless have($driver);
        my $obj = $src =~ /\.cc$/ ? "$tmp/hellocc.o" : $ho;
        $obj = "$tmp/hello-musl.o" if $driver eq 'musl-gcc' && sh("musl-gcc -c $src -o $tmp/hello-musl.o");
        my $line = link_line($driver, $obj, '-o', "$tmp/$driver.out");
        skip "$driver -### shows no link line", 3 unless $line;
        agrees_with_bfd("$driver -static", $line);
    }
}

# groups and --whole-archive as gcc passes -Wl options
{
    my $line = link_line('gcc', $ho, "-L$tmp", '-Wl,--start-group', '-lfoo', '-lbar', '-Wl,--end-group',
                         '-Wl,--whole-archive', '-lbar', '-Wl,--no-whole-archive', '-o', "$tmp/g.out");
    my $p = agrees_with_bfd('gcc -Wl,--start-group, --whole-archive', $line);
    my @mine = grep { $_->{path} =~ m{^\Q$tmp\E/lib(foo|bar)\.a$} } @{ $p->{inputs} };
    is_deeply([map { [$_->{path}, $_->{group}, $_->{whole} ? 1 : 0] } @mine],
              [["$tmp/libfoo.a", 1, 0], ["$tmp/libbar.a", 1, 0], ["$tmp/libbar.a", 0, 1]],
              'the user group is group 1, the whole-archive input is flagged, nothing else is');
    my @libc = grep { $_->{path} =~ /libc\.a$/ } @{ $p->{inputs} };
    is($libc[0]{group}, 2, "gcc's own --start-group -lgcc -lgcc_eh -lc is group 2");
}

# ---------------------------------------------------------------- -l search

sub plan_paths { my $p = plan_of(@_); return $p->{status} ? "exit $p->{status}: $p->{err}" : paths($p) }

is_deeply(plan_paths('-static', $ho, "-L$tmp/d1", "-L$tmp/d2", '-lq'), [$ho, "$tmp/d1/libq.a"],
          '-l: the first -L directory that has the library');
is_deeply(plan_paths('-static', $ho, '-lq', "-L$tmp/d2", "-L$tmp/d1"), [$ho, "$tmp/d2/libq.a"],
          '-l: -L options after it count, in their order');
is_deeply(plan_paths('-static', $ho, '-L', "$tmp/d2", '-l', 'q', '--library-path', "$tmp/d1", '--library=q'),
          [$ho, "$tmp/d2/libq.a", "$tmp/d2/libq.a"], '-L DIR, -l NAME, --library-path DIR, --library=NAME');
is_deeply(plan_paths('-static', $ho, "-L$tmp/d2", "-L$tmp/d1", '-l:plain.a'), [$ho, "$tmp/d1/plain.a"],
          '-l:FILE: the file name as given');
is_deeply(plan_paths('-Bstatic', $ho, "-L$tmp/d2", '-ld'), [$ho, "$tmp/d2/libd.a"], '-Bstatic: only the archive');
is_deeply(plan_paths('-dn', $ho, "-L$tmp/d2", '-ld'), [$ho, "$tmp/d2/libd.a"], '-dn: only the archive');
{
    is_deeply(plan_paths('-Bdynamic', $ho, "-L$tmp/d2", '-ld'), [$ho, "$tmp/d2/libd.so"], '-Bdynamic: the .so first');
    my $p;
    is_deeply(plan_paths('-static', $ho, "-L$tmp/d2", '-Bdynamic', '-lq', '-Bstatic', '-ld'),
              [$ho, "$tmp/d2/libq.a", "$tmp/d2/libd.a"], '-Bdynamic falls back to the archive; -Bstatic after it');
    $p = plan_of('-Bstatic', $ho, "-L$tmp/d2", '--push-state', '-Bdynamic', '--whole-archive', '-lq',
                 '--pop-state', '-ld');
    is_deeply([map { [$_->{path}, $_->{whole} ? 1 : 0] } @{ $p->{inputs} }],
              [[$ho, 0], ["$tmp/d2/libq.a", 1], ["$tmp/d2/libd.a", 0]], '--push-state and --pop-state');
}
SKIP: {
    skip 'no /usr/lib/x86_64-linux-gnu/libc.a', 2 unless -e '/usr/lib/x86_64-linux-gnu/libc.a';
    my $args = ['-static', $ho, '-lc', '-e', 'main'];
    my $p = plan_of(@$args);
    my ($b, $files) = bfd_trace(@$args);
    is_deeply(paths($p), $files, '-lc without -L: the default directory ld.bfd takes')
        or diag(explain($b));
    $p = plan_of('-static', '-nostdlib', $ho, '-lc');
    like($p->{err}, qr/^keel ld: cannot find -lc: No such file or directory$/m, '-nostdlib: no default directories');
}
{
    my $p = plan_of('-static', $ho, "-L$tmp", '-lfoo', '-lnosuchlib', '-l:nosuch.a');
    is($p->{status}, 1, 'a missing library: exit status 1');
    like($p->{err}, qr/^keel ld: cannot find -lnosuchlib: No such file or directory$/m, '... naming it as ld.bfd does');
    like($p->{err}, qr/^keel ld: cannot find -l:nosuch\.a/m, '... every missing library');
    $p = plan_of('-static', "$tmp/nosuch.o");
    ok($p->{status} == 1 && $p->{err} =~ /cannot find \Q$tmp\E\/nosuch\.o: No such file or directory/,
       'a missing input file') or diag($p->{err});
}

# GNU ld input scripts (glibc's static libm.a is one) go to keel_link as
# they are (lib/link expands them)
{
    spew("$tmp/d1/libs.a", "/* a script */\nGROUP ( plain.a )\n");
    is_deeply(plan_paths('-static', $ho, "-L$tmp/d2", "-L$tmp/d1", '-ls'), [$ho, "$tmp/d1/libs.a"],
              'an input script: an input like any other');
}

# --------------------------------------------------- options and their forms

{
    my $p = plan_of('-static', $ho, '-o', "$tmp/x", '-e', 'go', '-u', 'u1', '--undefined=u2', '-uu3',
                    '--defsym', 'a=1', '--defsym=b=c+4', '-Map', "$tmp/m1",
                    '--build-id=0xA1b2', '--gc-sections', '--eh-frame-hdr', '-z', 'execstack', '-znow',
                    '-z', 'norelro', '-t', '--verbose', '--hash-style=gnu', '-plugin', '/x/plugin.so',
                    '-plugin-opt=-fresolution=x', '-plugin-opt', 'y', '--plugin-opt=z', '-dynamic-linker',
                    '/lib/ld.so', '--no-dynamic-linker', '-rpath', '/r', '-no-pie', '-s', '-S', '-O1',
                    '--no-undefined', '-m', 'elf_x86_64', '-melf_x86_64',
                    '--as-needed', '--no-as-needed', '-export-dynamic');
    is($p->{status}, 0, 'every accepted option is accepted') or diag($p->{err});
    is($p->{err}, '', '... without a word');
    my $o = $p->{opt};
    is_deeply([$o->{output}, $o->{entry}, $o->{undefined}, $o->{defsym}, $o->{'map-file'},
               $o->{'build-id'}, $o->{'gc-sections'}, $o->{'eh-frame-hdr'}, $o->{'exec-stack'}, $o->{now},
               $o->{relro}, $o->{trace}, $o->{verbose}],
              [["$tmp/x"], ['go'], [qw(u1 u2 u3)], ['a=1', 'b=c+4'], ["$tmp/m1"], ['0xa1b2'],
               ['yes'], ['yes'], ['yes'], ['yes'], ['no'], ['yes'], ['yes']],
              '... and each gives its value');
    $o = plan_of($ho)->{opt};
    is_deeply([$o->{output}, $o->{'build-id'}, $o->{relro}, $o->{'exec-stack'}, $o->{'gc-sections'}],
              [['a.out'], ['none'], ['yes'], ['no'], ['no']], 'the defaults: a.out, no build ID, relro, noexecstack');
    is_deeply([map { plan_of($ho, @$_)->{opt}{'build-id'}[0] } ['--build-id'], ['--build-id=md5'],
               ['--build-id=uuid'], ['--build-id=sha1'], ['--build-id', '--build-id=none']],
              [qw(sha1 md5 uuid sha1 none)], '--build-id: bare is sha1; md5, uuid, none');
    is(plan_of($ho, '-Map=m2', '-M')->{opt}{'map-file'}[0], '/dev/stdout', '-M: the map on standard output (GNU)');
    is(plan_of($ho, '-M', '--Map=m3')->{opt}{'map-file'}[0], 'm3', '--Map=FILE');
    is_deeply(plan_of($ho, '--output=o2', '--entry=e2', '-oo3')->{opt}{output}, ['o3'], '-oFILE after --output=FILE');
    my $r = plan_of($ho, '-z', 'frobnicate');
    ok($r->{status} == 0 && $r->{err} =~ /^keel ld: warning: -z frobnicate ignored$/m,
       '-z with an unknown keyword: warned as ld.bfd does, and ignored') or diag($r->{err});
}

# -------------------------------------------------------- response files

{
    spew("$tmp/inner.rsp", "--defsym 'q=1'\n  --start-group -lfoo --end-group\n");
    spew("$tmp/outer.rsp", join "\n", "'$ho'", "-L'$tmp/dir with space'", '-lsp',
         "-o \"$tmp/out put\"", "--defsym=with\\ space=2", "--defsym=\"dq='x'\"", "--defsym='sq=\"y\\\\z\"'",
         "\@$tmp/inner.rsp", "-L$tmp", '');
    my $p = plan_of('-static', "\@$tmp/outer.rsp", '-e', 'after');
    is($p->{status}, 0, '@file: read') or diag($p->{err});
    is_deeply(paths($p), [$ho, "$tmp/dir with space/libsp.a", "$tmp/libfoo.a"],
              '@file: quoted paths, a nested @file, -L from the file');
    is_deeply($p->{opt}{defsym}, ['with space=2', "dq='x'", 'sq="y\\z"', 'q=1'],
              '@file: backslash escapes, single and double quotes (the other kind literal inside)');
    is_deeply([$p->{opt}{output}, $p->{opt}{entry}], [["$tmp/out put"], ['after']], '@file: options after it still count');
    is($p->{inputs}[2]{group}, 1, '@file: a group opened and closed inside the nested file');
    $p = plan_of('-static', "\@$tmp/no-such.rsp");
    like($p->{err}, qr/cannot find \@\Q$tmp\E\/no-such\.rsp/, 'an unreadable @file is an input file name, as in GNU ld');
    spew("$tmp/loop.rsp", "\@$tmp/loop.rsp\n");
    $p = plan_of('-static', "\@$tmp/loop.rsp");
    ok($p->{status} == 1 && !$p->{signal} && $p->{err} =~ /nested too deeply/, 'a response file that names itself')
        or diag($p->{err});
}

# ------------------------------------------------------------------ errors

for my $bad (['--foo'], ['-jfoo-bar'], ['--start-groupx']) {
    my $p = plan_of($ho, @$bad);
    ok($p->{status} == 1 && $p->{err} =~ /^keel ld: unrecognized option '\Q$bad->[0]\E'$/m,
       "unknown option $bad->[0]: named, exit status 1") or diag($p->{err});
}
{
    my $p = plan_of('-shared', '-soname', 'libx.so.1', '--no-undefined', '-pie', $ho);
    ok($p->{status} == 0 && $p->{err} eq '', '-shared, -soname, --no-undefined and -pie: accepted (tests/link_dynout.t links them)')
        or diag($p->{err});
    $p = plan_of('-m', 'elf_i386', $ho);
    ok($p->{status} == 1 && $p->{err} =~ /unrecognised emulation mode: elf_i386/, '-m elf_i386: refused')
        or diag($p->{err});
    $p = plan_of($ho, '--start-group', '--start-group');
    ok($p->{status} == 1 && $p->{err} =~ /may not nest groups/, 'nested groups: refused as ld.bfd does');
    $p = plan_of($ho, '-o');
    ok($p->{status} == 1 && $p->{err} =~ /unrecognized option '-o'/, 'an option without its value (ld.bfd\'s words)');
    $p = plan_of('-static');
    ok($p->{status} == 1 && $p->{err} =~ /no input files/, 'no input files');
    $p = plan_of($ho, '-T', 'script.ld');
    ok($p->{status} == 1 && $p->{err} =~ /linker scripts are not supported/, '-T: linker scripts refused clearly');
}
SKIP: {
    skip 'gcc cannot build LTO objects here', 3
        unless sh("gcc -flto -c $progs/foo.c -o $tmp/slim.o && gcc -flto -ffat-lto-objects -c $progs/foo.c -o $tmp/fat.o");
    my $p = plan_of($ho, "$tmp/slim.o");
    ok($p->{status} == 1 && $p->{err} =~ /\Q$tmp\E\/slim\.o: a GCC LTO object .*cannot be linked/, 'gcc -flto object: a clear error')
        or diag($p->{err});
    $p = plan_of($ho, "$tmp/fat.o");
    is($p->{status}, 0, 'gcc -flto -ffat-lto-objects: accepted (its code is there)') or diag($p->{err});
    SKIP: {
        skip 'clang cannot build bitcode here', 1 unless have('clang') && sh("clang -flto -c $progs/foo.c -o $tmp/bc.o");
        $p = plan_of($ho, "$tmp/bc.o");
        ok($p->{status} == 1 && $p->{err} =~ /bc\.o: LLVM bitcode .*cannot be linked/, 'clang -flto bitcode: a clear error')
            or diag($p->{err});
    }
}

# ------------------------------------------------- keel as ld, version

{
    my $r = run("$tmp/bin/ld", '-v');
    ok($r->{status} == 0 && $r->{out} =~ /^keel ld \(keel \S+\) GNU-compatible link-editor\n\z/,
       'ld -v: one line, with GNU in it for configure scripts') or diag(explain($r));
    $r = run("$tmp/bin/ld.keel", '--version');
    ok($r->{status} == 0 && $r->{out} =~ /^keel ld /, 'ld.keel --version');
    $r = run("$tmp/bin/ld.keel-test", '--keel-print-plan', '-v', $ho);
    ok($r->{status} == 0 && $r->{out} =~ /^keel ld .*\ninput group=0 .* \Q$ho\E$/m, 'ld.keel-*: -v with inputs goes on to link')
        or diag(explain($r));
    $r = run($keel, 'link', '--help');
    ok($r->{status} == 0 && $r->{out} =~ /--mapfile FILE/ && $r->{out} =~ /-M /, '--help documents -M and --mapfile');
    $r = run('gcc', '-static', "-B$tmp/bin/", '-Wl,--keel-print-plan', $ho, '-o', "$tmp/via-gcc");
    ok($r->{status} == 0 && $r->{out} =~ /^input group=1 .*libc\.a$/m, 'gcc -B<dir>: runs keel as ld')
        or diag(explain($r));
    SKIP: {
        skip 'no clang', 1 unless have('clang');
        $r = run('clang', '-static', "-fuse-ld=$tmp/bin/ld.keel", '-Wl,--keel-print-plan', $ho, '-o', "$tmp/via-clang");
        ok($r->{status} == 0 && $r->{out} =~ /^input group=1 .*libc\.a$/m, 'clang -fuse-ld=<path>: runs keel as ld')
            or diag(explain($r));
    }
}

done_testing();
