#!/usr/bin/perl
# GNU ld's options in keel link, each against ld.bfd on the same command
# line (sources in tests/progs/ld_options):
#   - how words are read (getopt_long_only over ld.bfd's table): one-dash
#     long options, abbreviations, the two-dash-only ones (-omagic is
#     -o magic), clusters, unknown and ambiguous options, missing values:
#     the same reading and ld.bfd's messages;
#   - --mapfile is read and applied (tests/mapfile_layout.t has the rest);
#   - -s, -S, -x, -X, --discard-none: the same symbols and sections as
#     ld.bfd's output; gcc -s gives a program without .symtab;
#   - --print-gc-sections: ld.bfd's lines; --sysroot for -l, -L=;
#   - the options keel accepts and ignores say so; those with nothing to do
#     in a static executable say what (-init, -fini).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Cwd qw(abs_path);
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use POSIX ();
use Programs qw(slurp spew have);
use Oracle ();

plan skip_all => 'the link-editor is for x86-64 hosts' unless (POSIX::uname())[4] eq 'x86_64';
my $keel = abs_path(Oracle::keel_bin());
plan skip_all => 'no keel binary (' . Oracle::keel_bin() . ')' unless $keel && -x $keel;
plan skip_all => 'no ld.bfd (the oracle)' unless have('ld.bfd');
plan skip_all => 'no gcc' unless have('gcc');
my $src = "$FindBin::Bin/progs/ld_options";
my $parent = ($ENV{KEEL_BUILD} || 'build') . '/t';
make_path($parent);
my $tmp = abs_path(tempdir('ld_options.XXXXXX', DIR => $parent, CLEANUP => 1));
my $readelf = Oracle::readelf_bin();

# Run a program (no shell) in a directory; {status, signal, out, err}.
my $runs = 0;
sub run_in {
    my ($dir, @argv) = @_;
    my $base = "$tmp/run" . ++$runs;
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        chdir($dir) && open(STDIN, '<', '/dev/null') && open(STDOUT, '>', "$base.out") &&
            open(STDERR, '>', "$base.err") or POSIX::_exit(120);
        exec { $argv[0] } @argv or POSIX::_exit(121);
    }
    waitpid($pid, 0);
    return { status => $? >> 8, signal => $? & 127, out => slurp("$base.out"), err => slurp("$base.err") };
}
sub run { run_in($tmp, @_) }
sub sh { system('/bin/sh', '-c', $_[0]) == 0 }

sh("as $src/start.s -o $tmp/start.o && as -L $src/locals.s -o $tmp/locals.o && as $src/gc_start.s -o $tmp/gc_start.o"
   . " && gcc -O2 -ffunction-sections -fdata-sections -c $src/gc_main.c -o $tmp/gc_main.o"
   . " && gcc -O2 -g -c $src/hello.c -o $tmp/hello.o")
    or BAIL_OUT('cannot build the inputs');

# ld.bfd's and keel's messages without their "ld.bfd: "/"keel ld: " prefix,
# the lines that say how the command line was read.
sub said {
    my ($err) = @_;
    return [map { s/^(?:ld\.bfd|keel ld): //r } grep { /unrecognized option|missing argument|disambiguate|grouped short|cannot find|use the --help/ } split /\n/, $err];
}

# Link in a fresh directory with each linker; {bfd, keel} with {dir, r}.
my $links = 0;
sub both {
    my (@args) = @_;
    my %res;
    for my $who (qw(bfd keel)) {
        my $dir = "$tmp/l" . ++$links;
        make_path($dir);
        my @ld = $who eq 'bfd' ? ('ld.bfd') : ($keel, 'link');
        $res{$who} = { dir => $dir, r => run_in($dir, @ld, @args) };
    }
    return \%res;
}

# ------------------------------------------------- reading the command line

# Each line: the words after "-o out start.o", and what ld.bfd makes of them.
# The checks: the same exit status, the same messages about the command line,
# and, where the link succeeds, the same output file names.
for my $case (
    [['-omagic'], 'one dash: -omagic is -o magic (--omagic takes two dashes only)'],
    [['-library=c'], '-library=c is -l ibrary=c (--library takes two dashes only)'],
    [['-lib'], '-lib is -l ib, not an abbreviation of --library'],
    [['-export-dyn'], 'an unambiguous abbreviation with one dash'],
    [['--whole'], 'an unambiguous abbreviation with two dashes'],
    [['-print-gc', '-gc-sections'], '-print-gc is --print-gc-sections, -gc-sections is --gc-sections'],
    [['-discard'], 'an ambiguous abbreviation: unrecognized'],
    [['-en', 'x'], 'ambiguous, though -e is a short option: unrecognized (not -e n)'],
    [['-u=x'], '-u=x: u abbreviates several long options: unrecognized'],
    [['--frobnicate'], 'an unknown long option'],
    [['-jfoo'], 'an unknown one-dash word'],
    [['--strip-all=x'], 'a value given to an option that takes none'],
    [['-e'], 'a short option without its value (ld.bfd: unrecognized)'],
    [['-soname'], 'a one-dash long option without its value: missing argument'],
    [['-non-start'], 'a cluster whose second letter takes a value: unable to disambiguate'],
    [['-sx'], 'a cluster of options without values: both taken, with a warning'],
    [['-O', '1'], '-O takes the next word as its value'],
    [['-Bstat'], '-Bstat abbreviates -Bstatic'],
    [['-zmuldefs', '-z', 'now'], '-z joined and separate'],
    [['-E', '-dc', '-dp', '-Qy', '-g'], 'one-dash flags ld.bfd ignores or has nothing to do with here'],
    [['--', 'more.o', '-lnone'], 'after --, ld.bfd reads nothing more (not even inputs)'],
) {
    my ($args, $what) = @$case;
    my $res = both('-o', 'out', "$tmp/start.o", @$args);
    my ($b, $k) = ($res->{bfd}{r}, $res->{keel}{r});
    my @bfd_files = sort grep { !/^\./ } map { s{.*/}{}r } glob("$res->{bfd}{dir}/*");
    my @keel_files = sort grep { !/^\./ } map { s{.*/}{}r } glob("$res->{keel}{dir}/*");
    ok($b->{status} == $k->{status} && !$k->{signal} && is_deeply_quiet(said($b->{err}), said($k->{err})) &&
       "@bfd_files" eq "@keel_files", "@$args: $what")
        or diag("ld.bfd: $b->{status} [@bfd_files]\n$b->{err}\nkeel: $k->{status} [@keel_files]\n$k->{err}");
}

sub is_deeply_quiet { my ($x, $y) = @_; return join("\n", @$x) eq join("\n", @$y) }

# ld.bfd options keel does not have: read as ld.bfd reads them, then refused
# by name (not read as a short option with a value, as they once were)
for my $case ([['-unique=foo'], '--unique'], [['-foo-bar'], '-f'],
              [['-Bgroup'], '--Bgroup']) {
    my ($args, $name) = @$case;
    next unless defined $name;
    my $b = run('ld.bfd', '-o', "$tmp/u.bfd", "$tmp/start.o", @$args);
    my $k = run($keel, 'link', '-o', "$tmp/u.keel", "$tmp/start.o", @$args);
    ok($k->{status} == 1 && $k->{err} =~ /^keel ld: \Q$args->[0]\E: GNU ld's \Q$name\E is not supported by keel$/m &&
       !-e "$tmp/u.keel", "@$args: ld.bfd's $name (ld.bfd: status $b->{status}), refused by name")
        or diag($k->{err});
}

# ------------------------------------------------------------ --mapfile

{
    spew("$tmp/valid.map", "\$mapfile_version 2\nSTACK { FLAGS -= WRITE; };\n"); # applied (tests/mapfile_layout.t)
    my $r = run($keel, 'link', '-o', "$tmp/mapped", "$tmp/start.o", '--mapfile', "$tmp/valid.map");
    ok($r->{status} == 0 && `$readelf -lW $tmp/mapped` =~ /GNU_STACK.* R  +0x10$/m,
       '--mapfile: applied (the stack not writable)') or diag($r->{err});
    unlink "$tmp/mapped";
    $r = run($keel, 'link', '-o', "$tmp/mapped", "$tmp/start.o", "--mapfile=$tmp/valid.map");
    ok($r->{status} == 0 && -e "$tmp/mapped", '--mapfile=FILE: the same');
    # keel_link itself, given a mapfile through its options (the library's callers)
    my $unit = ($ENV{KEEL_BUILD} || 'build') . '/tests/link_mapfile';
    SKIP: {
        skip "no $unit (make all builds it)", 1 unless -x $unit;
        $r = run(abs_path($unit), "$tmp/start.o", "$tmp/mapped2", "$tmp/valid.map");
        ok($r->{status} == 0, 'keel_link with mapfiles in its options: applied, an output') or diag($r->{out} . $r->{err});
    }
}

# ------------------------------------------------ symbols and debug sections

# The local symbols (not FILE, not SECTION) and the section names of a file.
sub locals_of {
    my ($file) = @_;
    my $out = `$readelf -sW $file 2>&1`;
    return join ' ', sort map { (split ' ')[7] // '' }
        grep { /^\s*\d+:/ && /\bLOCAL\b/ && !/\b(FILE|SECTION)\b/ && (split ' ')[7] } split /\n/, $out;
}
sub sections_of {
    my ($file) = @_;
    my %s = map { /^\s*\[\s*\d+\]\s+(\S+)/ ? ($1 => 1) : () } split /\n/, `$readelf -SW $file 2>&1`;
    return \%s;
}
sub symtab_and_debug { my $s = sections_of($_[0]); join ' ', sort grep { /^\.(symtab|strtab|debug_)/ } keys %$s }

for my $opts ([], ['-X'], ['--discard-locals'], ['-x'], ['--discard-all'], ['--discard-none'], ['-S'],
              ['--strip-debug'], ['-s'], ['--strip-all']) {
    my $res = both('-o', 'out', "$tmp/locals.o", @$opts);
    my ($bo, $ko) = ("$res->{bfd}{dir}/out", "$res->{keel}{dir}/out");
    ok($res->{keel}{r}{status} == 0 && -e $ko, "locals.o @$opts: linked") or diag($res->{keel}{r}{err});
    is(locals_of($ko), locals_of($bo), "locals.o @$opts: the local symbols ld.bfd keeps");
    is(symtab_and_debug($ko), symtab_and_debug($bo), "locals.o @$opts: .symtab, .strtab and .debug_* as ld.bfd's");
}

# gcc -s and -g -S through gcc's driver: a stripped program that still runs
{
    make_path("$tmp/bin");
    symlink($keel, "$tmp/bin/ld") or die "symlink: $!";
    for my $case (['-s'], ['-S'], ['-x'], ['-X']) {
        my ($opt) = @$case;
        my @flags = $opt eq '-s' ? ('-s') : ("-Wl,$opt");
        ok(sh("gcc -static -g @flags $tmp/hello.o -o $tmp/hello.bfd 2>/dev/null") &&
           sh("gcc -static -g -B$tmp/bin/ @flags $tmp/hello.o -o $tmp/hello.keel"), "gcc @flags: linked by both");
        is(symtab_and_debug("$tmp/hello.keel"), symtab_and_debug("$tmp/hello.bfd"),
           "gcc @flags: .symtab, .strtab and .debug_* as ld.bfd's");
        # hello.c's static 'counter' (ld.bfd also makes its hidden
        # linker-defined symbols local, which keel does not: not compared)
        is(scalar(locals_of("$tmp/hello.keel") =~ /\bcounter\b/), scalar(locals_of("$tmp/hello.bfd") =~ /\bcounter\b/),
           "gcc @flags: a static variable's symbol kept or not as ld.bfd keeps it");
        my ($k, $b) = (run("$tmp/hello.keel", 'x'), run("$tmp/hello.bfd", 'x'));
        ok($k->{status} == 0 && $k->{out} eq $b->{out} && $b->{out} =~ /^hello/, "gcc @flags: the program runs as ld.bfd's");
    }
}

# ----------------------------------------------------------- --emit-relocs

# The relocations of a file, each as "RELASECTION +OFFSET-IN-ITS-TARGET TYPE
# SYMBOL +- ADDEND" (addresses differ between the two linkers' layouts;
# the offset in the target section does not).
sub relocs_of {
    my ($file) = @_;
    my %addr;
    for (split /\n/, `$readelf -SW $file`) { $addr{$1} = hex($2) if /^\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+([0-9a-f]+)/ }
    my ($sec, @r);
    for (split /\n/, `$readelf -rW $file`) {
        if (/^Relocation section '([^']+)'/) { $sec = $1; next }
        next unless /^\s*([0-9a-f]+)\s+[0-9a-f]+\s+(R_\S+)\s*(?:[0-9a-f]+\s+)?(.*)$/;
        my ($off, $type, $rest) = (hex($1), $2, $3);
        (my $t = $sec) =~ s/^\.rela//;
        push @r, sprintf("%s +0x%x %s %s", $sec, $off - ($addr{$t} // 0), $type, $rest);
    }
    return \@r;
}

# Each emitted S + A (- P) relocation against the bytes the link wrote
# there: the offsets, symbols and addends describe the output as it is.
sub relocs_hold {
    my ($file) = @_;
    open(my $fh, '<:raw', $file) or return 'cannot read';
    my (%sec, @bad, $n);
    for (split /\n/, `$readelf -SW $file`) {
        next unless /^\s*\[\s*(\d+)\]\s+(\S+)\s+(\S+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)/;
        $sec{$2} = { addr => hex($4), off => hex($5), type => $3 };
    }
    my $rs;
    for (split /\n/, `$readelf -rW $file`) {
        if (/^Relocation section '\.rela([^']+)'/) { $rs = $sec{$1}; next }
        next unless $rs && /^\s*([0-9a-f]+)\s+[0-9a-f]+\s+(R_X86_64_(?:64|32S?|PC32|PLT32))\s+(?:([0-9a-f]+)\s+\S+\s*)?([-+])\s*([0-9a-f]+)$/;
        next if $rs->{type} eq 'NOBITS';
        my ($off, $type, $S, $A) = (hex($1), $2, hex($3 // '0'), ($4 eq '-' ? -1 : 1) * hex($5));
        my $fo = $rs->{off} + $off - $rs->{addr};
        my $size = $type eq 'R_X86_64_64' ? 8 : 4;
        seek($fh, $fo, 0);
        read($fh, my $bytes, $size);
        my $have = $size == 8 ? unpack('Q<', $bytes) : unpack('L<', $bytes);
        my $want = $S + $A - ($type =~ /PC32|PLT32/ ? $off : 0);
        $want &= $size == 8 ? ~0 : 0xffffffff;
        $n++;
        push @bad, sprintf("%s at 0x%x: 0x%x, not 0x%x", $type, $off, $have, $want) if $have != $want;
    }
    return @bad ? join("\n", @bad[0 .. ($#bad < 4 ? $#bad : 4)]) : $n ? '' : 'no relocation checked';
}

{
    sh("gcc -O0 -fno-pie -ffunction-sections -fdata-sections -c $src/gc_main.c -o $tmp/gc_main0.o") or die;
    for my $opt (['--emit-relocs'], ['-q'], ['-emit-relocs']) {
        my $res = both(@$opt, '-o', 'out', "$tmp/gc_start.o", "$tmp/gc_main0.o");
        my ($b, $k) = ("$res->{bfd}{dir}/out", "$res->{keel}{dir}/out");
        ok($res->{keel}{r}{status} == 0, "@$opt: linked") or diag($res->{keel}{r}{err});
        my $kr = relocs_of($k);
        ok(@$kr > 0 && join("\n", @$kr) eq join("\n", @{ relocs_of($b) }),
           "@$opt: the relocation sections, places, types, symbols and addends of ld.bfd's")
            or diag(join("\n", @$kr) . "\n--- ld.bfd:\n" . join("\n", @{ relocs_of($b) }));
        is(relocs_hold($k), '', "@$opt: every S + A (- P) relocation matches the bytes written");
    }
    # GOT loads the link rewrote: the relocation that describes the new
    # instruction, as ld.bfd's (PC32 for a call, jmp or lea, 32S for an
    # immediate)
    sh("gcc -O2 -fPIC -fno-plt -c $src/got.c -o $tmp/got.o && as $src/got_start.s -o $tmp/got_start.o") or die;
    my $res = both('-q', '-o', 'out', "$tmp/got_start.o", "$tmp/got.o");
    my ($b, $k) = ("$res->{bfd}{dir}/out", "$res->{keel}{dir}/out");
    my $kr = relocs_of($k);
    ok($res->{keel}{r}{status} == 0 && join("\n", @$kr) eq join("\n", @{ relocs_of($b) }) && "@$kr" =~ /R_X86_64_32S/,
       '-q, rewritten GOT loads: the relocations of ld.bfd\'s')
        or diag(join("\n", @$kr) . "\n--- ld.bfd:\n" . join("\n", @{ relocs_of($b) }));
    is(relocs_hold($k), '', '-q, rewritten GOT loads: every S + A (- P) relocation matches the bytes written');
    # a libc program, with debugging sections: the same .rela sections as
    # ld.bfd's (the string pools differ, so not the same addends), and
    # every relocation true of keel's own output
    ok(sh("gcc -static -Wl,-q $tmp/hello.o -o $tmp/hello.q.bfd") &&
       sh("gcc -static -B$tmp/bin/ -Wl,-q $tmp/hello.o -o $tmp/hello.q.keel"), 'gcc -Wl,-q: linked by both');
    # (.rela.plt/.rela.iplt: the IRELATIVE table, not an emitted section)
    my %rs = map { my $f = $_; $f => join ' ', sort grep { !/^\.rela\.i?plt$/ } keys %{ { map { (split ' ')[0] => 1 } @{ relocs_of($f) } } } }
        "$tmp/hello.q.bfd", "$tmp/hello.q.keel";
    is($rs{"$tmp/hello.q.keel"}, $rs{"$tmp/hello.q.bfd"}, 'gcc -Wl,-q: the .rela sections of ld.bfd\'s');
    is(relocs_hold("$tmp/hello.q.keel"), '', 'gcc -Wl,-q: every S + A (- P) relocation matches the bytes written');
    my $r = run("$tmp/hello.q.keel");
    ok($r->{status} == 0 && $r->{out} =~ /^hello/, 'gcc -Wl,-q: the program runs');
}

# ------------------------------------------------------ --print-gc-sections

{
    my @in = ("$tmp/gc_start.o", "$tmp/gc_main.o");
    my $res = both('--gc-sections', '--print-gc-sections', '-o', 'out', @in);
    my @b = grep { /removing unused section/ } split /\n/, $res->{bfd}{r}{err};
    my @k = grep { /removing unused section/ } split /\n/, $res->{keel}{r}{err};
    ok(@b > 0 && $res->{keel}{r}{status} == 0, '--print-gc-sections: ld.bfd reports sections, keel links')
        or diag($res->{keel}{r}{err});
    is_deeply([map { s/^(?:ld\.bfd|keel ld): //r } @k], [map { s/^(?:ld\.bfd|keel ld): //r } @b],
              "--print-gc-sections: ld.bfd's lines, in its order");
    $res = both('--gc-sections', '--print-gc-sections', '--no-print-gc-sections', '-o', 'out', @in);
    ok($res->{keel}{r}{err} !~ /removing/ && $res->{bfd}{r}{err} !~ /removing/, '--no-print-gc-sections: none');
    my $r = run($keel, 'link', '--print-gc-sections', '-o', "$tmp/nogc", @in);
    ok($r->{status} == 0 && $r->{err} !~ /removing/, '--print-gc-sections without --gc-sections: nothing removed');
    $r = run($keel, 'link', '--gc-sections', '--no-gc-sections', '-o', "$tmp/nogc2", @in);
    my $full = -s "$tmp/nogc";
    ok($r->{status} == 0 && -s "$tmp/nogc2" == $full, '--no-gc-sections after --gc-sections: nothing collected');
}

# ----------------------------------- --sort-section, -z keep-text-section-prefix

# The symbols of a file in address order (those the link-editor defines left out).
sub order_of {
    my ($file) = @_;
    return join ' ', map { (split ' ')[2] } grep { / [tTdDrR] / && !/ (_end|_edata|__bss_start|__ehdr_start|_etext|etext|edata|end)$/ && !/ _/ } split /\n/, `nm -n $file`;
}

{
    sh("as $src/sort_a.s -o $tmp/sort_a.o && as $src/sort_b.s -o $tmp/sort_b.o") or die;
    for my $opt ([], ['--sort-section=name'], ['--sort-section', 'alignment'], ['-sort-section=alignment']) {
        my $res = both(@$opt, '-o', 'out', "$tmp/sort_a.o", "$tmp/sort_b.o");
        my ($b, $k) = (order_of("$res->{bfd}{dir}/out"), order_of("$res->{keel}{dir}/out"));
        ok($res->{keel}{r}{status} == 0 && $k eq $b && $b =~ /alpha/, "@$opt: the input sections in ld.bfd's order ($b)")
            or diag("keel: $k\n$res->{keel}{r}{err}");
    }
    # ld.bfd on x86-64 does not know it and says so; keel does as ld.bfd
    sh("as $src/textpfx.s -o $tmp/textpfx.o") or die;
    my $res = both('-z', 'keep-text-section-prefix', '-o', 'out', "$tmp/textpfx.o");
    my %said = map { $_ => ($res->{$_}{r}{err} =~ /^(?:ld\.bfd|keel ld): warning: -z keep-text-section-prefix ignored$/m ? 1 : 0) } qw(bfd keel);
    my %text = map { my $w = $_; $w => join ' ', sort grep { /^\.text/ } keys %{ sections_of("$res->{$w}{dir}/out") } } qw(bfd keel);
    ok($said{bfd} && $said{keel}, '-z keep-text-section-prefix: ignored with ld.bfd\'s warning') or diag($res->{keel}{r}{err});
    is($text{keel}, $text{bfd}, "-z keep-text-section-prefix: the text sections of ld.bfd's ($text{bfd})");
}

# ---------------------------------------------------------------- --sysroot

{
    make_path("$tmp/root/usr/lib", "$tmp/root/sub");
    sh("ar rc $tmp/root/usr/lib/libzz.a $tmp/gc_main.o && ar rc $tmp/root/sub/libyy.a $tmp/gc_main.o") or die;
    for my $case ([["--sysroot=$tmp/root", '-lzz'], 'a default directory under --sysroot'],
                  [["--sysroot=$tmp/root", '-L=/sub', '-lyy'], '-L=DIR under --sysroot'],
                  [['-L=/sub', "--sysroot=$tmp/root", '-lyy'], '--sysroot after -L=DIR still counts'],
                  [["-L\$SYSROOT/sub", "--sysroot=$tmp/root", '-lyy'], '-L$SYSROOTDIR'],
                  [['--sysroot', "$tmp/root", '-lzz'], '--sysroot DIR (not =DIR): ld.bfd ignores it'],
                  [["--sysroot=$tmp/root/", '-L=/sub', '-lyy'], '--sysroot=DIR/: the slash kept, as ld.bfd keeps it'],
                  [['--sysroot=/', "-L$tmp/root/usr/lib", '-lzz', '-static', '-lm'],
                   '--sysroot=/: the default directories as they are']) {
        my ($args, $what) = @$case;
        # the files ld.bfd opens (--trace), and those keel resolved
        # (--keel-print-plan: an archive is listed even if nothing is taken)
        my $b = run('ld.bfd', '-o', "$tmp/sr.out", '--trace', "$tmp/gc_start.o", @$args);
        my $k = run($keel, 'link', '--keel-print-plan', '-o', "$tmp/sr.out", "$tmp/gc_start.o", @$args);
        my %seen;
        my $bf = join ' ', grep { !$seen{"b$_"}++ } $b->{out} =~ m{([^\s(]*lib(?:zz|yy|m)\.a)}g;
        my $kf = join ' ', grep { !$seen{"k$_"}++ } $k->{out} =~ m{([^\s(]*lib(?:zz|yy|m)\.a)}g;
        ok($b->{status} == $k->{status} && $bf eq $kf, "$what: " . ($bf || 'not found'))
            or diag("ld.bfd $b->{status}: $b->{out}$b->{err}\nkeel $k->{status}: $k->{out}$k->{err}");
    }
}

# a script's names under --sysroot: =/NAME, and an absolute name in a script
# that is itself inside the sysroot (one outside is not moved)
{
    make_path("$tmp/sr/usr/lib", "$tmp/sr/sub");
    sh("ar rc $tmp/sr/usr/lib/libreal.a $tmp/gc_main.o && ar rc $tmp/sr/sub/libyy.a $tmp/gc_main.o") or die;
    spew("$tmp/sr/usr/lib/libss.a", "GROUP ( /usr/lib/libreal.a )\n");
    spew("$tmp/sr/usr/lib/libeq.a", "GROUP ( =/sub/libyy.a )\n");
    spew("$tmp/outside.a", "GROUP ( /usr/lib/libreal.a )\n");
    for my $case ([['-lss'], 'an absolute name in a script inside the sysroot'], [['-leq'], '=/NAME in a script'],
                  [["$tmp/outside.a"], 'an absolute name in a script outside the sysroot: as it is']) {
        my ($args, $what) = @$case;
        my @a = ("--sysroot=$tmp/sr", '-L=/usr/lib', '-o', "$tmp/sr.out", '-t', "$tmp/gc_start.o", @$args);
        my ($b, $k) = (run('ld.bfd', @a), run($keel, 'link', @a));
        my ($bf) = "$b->{out}$b->{err}" =~ m{([^\s(]*lib(?:real|yy)\.a)};
        my ($kf) = "$k->{out}$k->{err}" =~ m{([^\s(]*lib(?:real|yy)\.a)};
        ok($b->{status} == $k->{status} && ($bf // '') eq ($kf // ''), "--sysroot, $what: " . ($bf // 'not found'))
            or diag("ld.bfd $b->{status}: $b->{out}$b->{err}\nkeel $k->{status}: $k->{out}$k->{err}");
    }
}

# ----------------------------------------------- accepted, ignored, and said

{
    for my $opt (['--sort-common'], ['--no-relax'], ['--demangle']) { # (--warn-common works: link_review.t; --fatal-warnings: ld_fatal_warnings.t)
        my $r = run($keel, 'link', '-o', "$tmp/ig", "$tmp/start.o", @$opt);
        ok($r->{status} == 0 && $r->{err} =~ /^keel ld: warning: \Q$opt->[0]\E ignored$/m, "$opt->[0]: ignored, and said")
            or diag($r->{err});
    }
    for my $opt (['-init', '_start'], ['-fini=_start']) {
        my $res = both('-o', 'out', "$tmp/start.o", @$opt);
        my $dyn = `$readelf -d $res->{bfd}{dir}/out 2>&1`;
        ok($res->{keel}{r}{status} == 0 && $dyn =~ /no dynamic section/ &&
           $res->{keel}{r}{err} =~ /no effect in a static executable/, "$opt->[0]: ld.bfd writes no DT_INIT/DT_FINI here; keel says so")
            or diag($res->{keel}{r}{err});
    }
    my $r = run($keel, 'link', '-o', "$tmp/nw", "$tmp/start.o", '--no-warn-mismatch', '-plugin', '/no/such/plugin.so',
                '-plugin-opt=x', '--hash-style=gnu', '-no-pie');
    ok($r->{status} == 0 && $r->{err} eq '', '--no-warn-mismatch, -plugin, --hash-style, -no-pie: accepted quietly')
        or diag($r->{err});
    $r = run($keel, 'link', '--keel-print-plan', "$tmp/start.o", '--eh-frame-hdr', '--no-eh-frame-hdr');
    like($r->{out}, qr/^eh-frame-hdr no$/m, '--no-eh-frame-hdr undoes --eh-frame-hdr');
    $r = run($keel, 'link', '-o', "$tmp/sec", "$tmp/start.o", '--sort-section=bogus');
    ok($r->{status} == 1 && $r->{err} =~ /invalid section sorting option: bogus/, '--sort-section=bogus: ld.bfd\'s error');
}

done_testing();
