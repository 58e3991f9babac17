#!/usr/bin/perl
# keel link's output file and its checks of the inputs before it makes one
# (issue 11, items 1, 2, 3, 9 and 25), against ld.bfd's link of the same
# line where ld.bfd has an answer:
#   - -o naming a character device (a private node with /dev/null's
#     numbers), a symbolic link to one, or a FIFO with a reader is written
#     through and stays what it was; a FIFO nobody reads is an error, not a
#     hang; a symbolic link to a regular file is replaced as ld.bfd
#     replaces it;
#   - -o naming an input (by another path, a hard link, an archive, a thin
#     archive's member, a script's INPUT) is refused in ld.bfd's words and
#     the input is untouched;
#   - an input section running past the end of its file is refused when
#     the object is read, naming file and section, and nothing is written;
#   - relocation sections that attach to nothing (sh_info out of range, 0
#     or itself, a table or SHT_NOBITS target, SHT_REL, sh_link not the
#     symbol table) are refused, naming file and section;
#   - a full file system and a write past RLIMIT_FSIZE give the real error;
#     SIGINT or SIGTERM during the write leave no temporary behind; a huge
#     SHT_NOBITS size is called a size, not an alignment; a .symtab sh_info
#     past its end is the input's error; an empty SHT_NULL section is
#     dropped as ld.bfd drops it (no memcpy from NULL under UBSan);
#   - (item 26) the inputs that once made the link fuzzer fail
#     (fuzz/seeds/link_inputs/) are linked again, the fuzzer's way.
use strict;
use warnings;
no warnings qw(portable); # 64-bit sizes in hexadecimal
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use File::Path qw(make_path);
use POSIX ();
use Programs qw(slurp spew have status_text);
use KeelTest qw(keel_setup run test_env);

my ($build, $keel, $tmp) = keel_setup('link_output', need => ['ld.bfd (binutils)', 'as (binutils)'],
                                          path => '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin');
my $src = "$FindBin::Bin/progs/link_output";
sub keel_link { return run(argv => [$keel, 'link', @_]) }
sub bfd_link { return run(argv => ['ld.bfd', @_]) }
sub files_in { opendir(my $d, $_[0]) or return (); return sort grep { !/^\.\.?$/ } readdir $d }

for my $s (qw(prog big lib main)) {
    my $r = run(argv => ['as', "$src/$s.s", '-o', "$tmp/$s.o"]);
    BAIL_OUT("as $s.s: $r->{err}") if $r->{status};
}

# ---- section headers, read and patched in place (ELF64 little-endian)
my @shdr_fields = qw(name type flags addr offset size link info align entsize);
sub sections {
    my ($bytes) = @_;
    my ($shoff) = unpack('Q<', substr($bytes, 0x28, 8));
    my ($shentsize, $shnum, $shstrndx) = unpack('S<3', substr($bytes, 0x3a, 6));
    my @s;
    for my $i (0 .. $shnum - 1) {
        my %h;
        @h{@shdr_fields} = unpack('L<L<Q<Q<Q<Q<L<L<Q<Q<', substr($bytes, $shoff + $i * $shentsize, 64));
        $h{at} = $shoff + $i * $shentsize;
        push @s, \%h;
    }
    my $str = $s[$shstrndx];
    for my $h (@s) {
        my $n = substr($bytes, $str->{offset} + $h->{name}, 256);
        $h->{sname} = $n =~ s/\0.*//sr;
    }
    return @s;
}
sub index_of {
    my ($bytes, $name) = @_;
    my @s = sections($bytes);
    for my $i (0 .. $#s) { return $i if $s[$i]{sname} eq $name }
    die "no section $name";
}
# patch(IN, OUT, [SECTION, FIELD, VALUE]...): a copy with header fields changed
sub patch {
    my ($in, $out, @edits) = @_;
    my $bytes = slurp("$tmp/$in");
    my @s = sections($bytes);
    for my $e (@edits) {
        my ($sec, $field, $value) = @$e;
        my $i = $sec =~ /^\d+$/ ? $sec : index_of($bytes, $sec);
        my %at = (name => [0, 'L<'], type => [4, 'L<'], flags => [8, 'Q<'], offset => [24, 'Q<'],
                  size => [32, 'Q<'], link => [40, 'L<'], info => [44, 'L<'], align => [48, 'Q<'],
                  entsize => [56, 'Q<']);
        my ($off, $fmt) = @{ $at{$field} };
        substr($bytes, $s[$i]{at} + $off, $fmt eq 'L<' ? 4 : 8) = pack($fmt, $value);
    }
    spew("$tmp/$out", $bytes);
    return "$tmp/$out";
}
my $prog = slurp("$tmp/prog.o");
my %ix = map { $_ => index_of($prog, $_) } qw(.text .rela.text .data .bss .symtab .strtab);

# ---- the oracle first: both links of prog.o run and exit 42
my $bfd = bfd_link('-o', "$tmp/prog.bfd", "$tmp/prog.o");
is($bfd->{status}, 0, 'ld.bfd links prog.o') or diag $bfd->{err};
my $kl = keel_link('-o', "$tmp/prog.keel", "$tmp/prog.o");
is($kl->{status}, 0, 'keel links prog.o') or diag $kl->{err};
for my $exe ("$tmp/prog.bfd", "$tmp/prog.keel") {
    my $r = run(argv => [$exe]);
    is(status_text($r->{status}), 'exit 42', "$exe runs and exits 42");
}
my $want = slurp("$tmp/prog.keel");

# ---- item 1: special files are written through, never replaced
SKIP: {
    # /dev/null's numbers (Linux's are 1, 3, if it is not a device here)
    my @null = stat('/dev/null');
    my ($maj, $min) = -c '/dev/null' ? (($null[6] >> 8) & 0xfff, ($null[6] & 0xff) | (($null[6] >> 12) & ~0xff))
                                     : (1, 3);
    my $ok = $> == 0 && system('mknod', "$tmp/node", 'c', $maj, $min) == 0 &&
             system('mknod', "$tmp/node.bfd", 'c', $maj, $min) == 0;
    skip 'mknod needs root here (a private node with /dev/null\'s numbers)', 8 unless $ok;
    my @before = stat("$tmp/node");
    my $r = keel_link('-o', "$tmp/node", "$tmp/prog.o");
    is($r->{status}, 0, '-o a character device: the link succeeds') or diag $r->{err};
    my @after = stat("$tmp/node");
    ok(-c "$tmp/node", 'the node is still a character device');
    is_deeply([@after[1, 2, 6]], [@before[1, 2, 6]], 'same inode, mode and device numbers');
    my $b = bfd_link('-o', "$tmp/node.bfd", "$tmp/prog.o");
    ok($b->{status} == 0 && -c "$tmp/node.bfd", 'ld.bfd also writes through to a node');
    # through a symbolic link: the link and the node stay
    symlink("$tmp/node", "$tmp/node.lnk") or die;
    $r = keel_link('-o', "$tmp/node.lnk", "$tmp/prog.o");
    is($r->{status}, 0, '-o a symbolic link to the node: the link succeeds') or diag $r->{err};
    ok(-l "$tmp/node.lnk" && readlink("$tmp/node.lnk") eq "$tmp/node", 'the symbolic link is untouched');
    ok(-c "$tmp/node" && (stat "$tmp/node")[1] == $before[1], 'the node it names is untouched');
    symlink("$tmp/node.bfd", "$tmp/node.bfd.lnk") or die;
    $b = bfd_link('-o', "$tmp/node.bfd.lnk", "$tmp/prog.o");
    ok($b->{status} == 0 && -l "$tmp/node.bfd.lnk" && -c "$tmp/node.bfd", 'as ld.bfd leaves them');
}
SKIP: {
    skip 'no mkfifo', 6 unless POSIX::mkfifo("$tmp/fifo", 0644);
    # a reader that takes the bytes of a whole output, then the link writes
    # into the FIFO.  The reader opens it read-write (on Linux that never
    # blocks) and says so through a pipe before the link starts: a link
    # that found no reader yet would be refused, as it should be.
    pipe(my $ready_r, my $ready_w) or die;
    my $pid = fork // die;
    if (!$pid) {
        close $ready_r;
        alarm 20; # a link that replaces the FIFO instead never writes to it
        sysopen(my $in, "$tmp/fifo", POSIX::O_RDWR()) or POSIX::_exit(1);
        syswrite($ready_w, 'r');
        my $all = '';
        while (length $all < length $want) {
            my $n = sysread($in, $all, length($want) - length($all), length $all);
            last unless $n;
        }
        spew("$tmp/fifo.bytes", $all);
        POSIX::_exit(0);
    }
    close $ready_w;
    sysread($ready_r, my $ready, 1);
    my $r = keel_link('-o', "$tmp/fifo", "$tmp/prog.o");
    waitpid($pid, 0);
    is($r->{status}, 0, '-o a FIFO with a reader: the link succeeds') or diag $r->{err};
    ok(-p "$tmp/fifo", 'the FIFO is still a FIFO');
    ok(slurp("$tmp/fifo.bytes") eq $want, 'the reader got the bytes keel writes to a regular file');
    spew("$tmp/fifo.exe", slurp("$tmp/fifo.bytes"));
    chmod 0755, "$tmp/fifo.exe";
    is(status_text(run(argv => ["$tmp/fifo.exe"])->{status}), 'exit 42', 'and they run');
    # nobody reading: an error at once (the run's alarm would kill a hang)
    my $t0 = time;
    $r = keel_link('-o', "$tmp/fifo", "$tmp/prog.o");
    ok($r->{status} != 0 && $r->{err} =~ /cannot open output file \Q$tmp\E\/fifo: .*FIFO/ && time - $t0 < 30,
       '-o a FIFO nobody reads: refused, not a hang') or diag $r->{err};
    ok(-p "$tmp/fifo", 'and it stays a FIFO');
}
{
    # a symbolic link to a regular file: replaced by the output, its target
    # untouched, as ld.bfd does (it unlinks the link and creates the file)
    for my $who (qw(keel bfd)) {
        spew("$tmp/target.$who", "not an executable\n");
        symlink("$tmp/target.$who", "$tmp/out.$who.lnk") or die;
        my $r = $who eq 'keel' ? keel_link('-o', "$tmp/out.$who.lnk", "$tmp/prog.o")
                               : bfd_link('-o', "$tmp/out.$who.lnk", "$tmp/prog.o");
        is($r->{status}, 0, "$who: -o a symbolic link to a regular file") or diag $r->{err};
    }
    is(!!(-l "$tmp/out.keel.lnk"), !!(-l "$tmp/out.bfd.lnk"), 'the link is replaced as ld.bfd replaces it');
    is(slurp("$tmp/target.keel"), slurp("$tmp/target.bfd"), 'its target left as ld.bfd leaves it');
    is(status_text(run(argv => ["$tmp/out.keel.lnk"])->{status}), 'exit 42', 'the output runs');
    # a regular file is still replaced whole, through a rename: a hard link
    # to the old one keeps the old bytes
    spew("$tmp/old", "old\n");
    link("$tmp/old", "$tmp/old.hard") or die;
    my $r = keel_link('-o', "$tmp/old", "$tmp/prog.o");
    ok($r->{status} == 0 && slurp("$tmp/old") eq $want && slurp("$tmp/old.hard") eq "old\n",
       'a regular output is replaced by a new file (temporary, then rename)') or diag $r->{err};
    is((stat "$tmp/old")[2] & 0777, 0777 & ~umask, 'with the mode the umask allows');
}

# ---- item 3: the output is one of the inputs
{
    my $r = run(argv => ['as', "$src/lib.s", '-o', "$tmp/lib.o"]);
    $r = run(argv => ['ar', 'rc', "$tmp/lib.a", "$tmp/lib.o"]);
    make_path("$tmp/sub");
    my $main = slurp("$tmp/main.o");
    my $lib = slurp("$tmp/lib.a");
    # [what, -o, inputs..., the file that must stay, ld.bfd refuses it too]
    my @cases = (
        ['the same path', 'main.o', ['main.o', 'lib.o'], 'main.o', 1],
        ['another path', "$tmp/sub/../main.o", ['main.o', 'lib.o'], 'main.o', 1],
        ['an archive', 'lib.a', ['main.o', 'lib.a'], 'lib.a', 1],
    );
    link("$tmp/main.o", "$tmp/main.hard") or die;
    push @cases, ['a hard link', 'main.hard', ['main.o', 'lib.o'], 'main.o', 1];
    spew("$tmp/script.ld", "INPUT(lib.o)\n");
    push @cases, ['a script\'s INPUT', 'lib.o', ['main.o', 'script.ld'], 'lib.o', 0];
    $r = run(argv => ['ar', 'rcT', "$tmp/thin.a", 'lib.o']);
    push @cases, ['a thin archive\'s member', 'lib.o', ['main.o', 'thin.a'], 'lib.o', 0] unless $r->{status};
    for my $c (@cases) {
        my ($what, $out, $in, $keep, $bfd_too) = @$c;
        my $before = slurp("$tmp/$keep");
        my $k = run(argv => [$keel, 'link', '-o', $out, @$in]);
        is($k->{status} >> 8, 1, "-o names an input ($what): refused");
        like($k->{err}, qr/^keel ld: input file '[^']*' is the same as output file$/m, "  in ld.bfd's words");
        is(slurp("$tmp/$keep") eq $before ? 'same' : 'changed', 'same', "  $keep untouched");
        next unless $bfd_too;
        my $b = run(argv => ['ld.bfd', '-o', $out, @$in]);
        my ($bm) = $b->{err} =~ /^ld\.bfd: (input file .*)$/m;
        my ($km) = $k->{err} =~ /^keel ld: (input file .*)$/m;
        is($km, $bm, '  the same message as ld.bfd') if defined $bm;
        spew("$tmp/$keep", $before); # (ld.bfd may have left it otherwise)
    }
    spew("$tmp/main.o", $main);
}

# ---- item 2: a section past the end of its file, refused before any output
# (the run has RLIMIT_FSIZE of 64 MiB, so that an unfixed keel cannot fill
# the disk: it would reserve the section's size)
sub limited {
    my ($bytes) = @_;
    return sub {
        $SIG{XFSZ} = 'IGNORE';
        syscall(160, 1, pack('Q2', $bytes, $bytes)); # setrlimit(RLIMIT_FSIZE)
    };
}
for my $size (0x200000000, 0x500000000000) {
    my $in = patch('prog.o', sprintf('trunc-%x.o', $size), ['.data', 'size', $size]);
    make_path("$tmp/trunc");
    my $k = run(argv => [$keel, 'link', '-o', "$tmp/trunc/out", $in], before => limited(64 << 20));
    is($k->{status} >> 8, 1, sprintf('.data of 0x%x bytes in a small object: refused', $size));
    like($k->{err}, qr/\Q$in\E: section \.data \($ix{'.data'}\): offset 0x[0-9a-f]+ and size 0x0*\Q${\ sprintf('%x', $size)}\E extend past the end of the file/,
         '  naming the file and the section');
    is(join(' ', files_in("$tmp/trunc")), '', '  and nothing is written');
    my $b = bfd_link('-o', "$tmp/trunc/bfd", $in);
    isnt($b->{status}, 0, '  (ld.bfd refuses it too)');
    unlink "$tmp/trunc/bfd";
}

# ---- item 9: relocation sections that attach to nothing
{
    my @cases = (
        ['sh_info out of range', ['.rela.text', 'info', 99], qr/sh_info 99 names no section/],
        ['sh_info 0', ['.rela.text', 'info', 0], qr/sh_info 0 names no section/],
        ['sh_info naming itself', ['.rela.text', 'info', $ix{'.rela.text'}], qr/sh_info names the section itself/],
        ['sh_info naming the symbol table', ['.rela.text', 'info', $ix{'.symtab'}], qr/its target \.symtab/],
        ['SHT_REL', ['.rela.text', 'type', 9], qr/is SHT_REL/],
        ['sh_link 0', ['.rela.text', 'link', 0], qr/sh_link 0 is not the symbol table/],
        ['sh_link naming the string table', ['.rela.text', 'link', $ix{'.strtab'}], qr/sh_link \d+ is not the symbol table/],
    );
    my $rela_data = eval { index_of($prog, '.rela.data') };
    for my $c (@cases) {
        my ($what, $edit, $re) = @$c;
        (my $name = $what) =~ s/\W+/-/g;
        my $in = patch('prog.o', "rel-$name.o", $edit, $edit->[1] eq 'type' ? ['.rela.text', 'entsize', 16] : ());
        unlink "$tmp/rel.out";
        my $k = keel_link('-o', "$tmp/rel.out", $in);
        is($k->{status} >> 8, 1, "relocation section with $what: refused");
        like($k->{err}, qr/\Q$in\E: relocation section \.rela\.text \($ix{'.rela.text'}\)/, '  naming the file and section');
        like($k->{err}, $re, '  saying why');
        ok(!-e "$tmp/rel.out", '  no output');
    }
    # relocations into a SHT_NOBITS section: there are no bytes to change
    my $in = patch('prog.o', 'rel-bss.o', ['.rela.text', 'info', $ix{'.bss'}]);
    my $k = keel_link('-o', "$tmp/rel.out", $in);
    ok($k->{status} >> 8 == 1 && $k->{err} =~ /relocation section \.rela\.text .*its target \.bss/,
       'relocations for a SHT_NOBITS section: refused') or diag $k->{err};
}

# ---- item 25: the messages and the clean-up
SKIP: {
    # a file system too small for the output
    make_path("$tmp/mnt");
    skip 'cannot mount a small tmpfs here (needs root and CAP_SYS_ADMIN)', 4
        unless $> == 0 && system('mount -t tmpfs -o size=32k keel-test "' . "$tmp/mnt" . '" 2>/dev/null') == 0;
    my $k = keel_link('-o', "$tmp/mnt/big", "$tmp/big.o");
    my $b = bfd_link('-o', "$tmp/mnt/big.bfd", "$tmp/big.o");
    my @left = files_in("$tmp/mnt");
    system('umount', "$tmp/mnt");
    is($k->{status} >> 8, 1, 'a full file system: the link fails');
    like($k->{err}, qr/\Q$tmp\E\/mnt\/big: .*No space left on device/, '  saying so, with the file');
    like($b->{err}, qr/No space left on device/, '  (as ld.bfd says)');
    is(join(' ', grep { !/^big\.bfd/ } @left), '', '  and leaves nothing behind');
}
{
    # the same code path through RLIMIT_FSIZE: posix_fallocate's own error
    make_path("$tmp/fsize");
    my $k = run(argv => [$keel, 'link', '-o', "$tmp/fsize/big", "$tmp/big.o"], before => limited(50000));
    is($k->{status} >> 8, 1, 'a file past RLIMIT_FSIZE: the link fails');
    like($k->{err}, qr/\Q$tmp\E\/fsize\/big: .*File too large/, '  saying why (not "Success")');
    is(join(' ', files_in("$tmp/fsize")), '', '  and leaves nothing behind');
}
SKIP: {
    skip 'no strace (tests/deps.sh installs it)', 6 unless have('strace');
    # a signal delivered at a system call of the write: after the blocks are
    # reserved (fallocate), after the image is filled (fchmod)
    # the signals at their default action for the link: a shell that
    # starts this suite in the background without job control (nohup,
    # `cmd &` in a script) has the link inherit an ignored SIGINT, which
    # keel leaves ignored, as it must
    local $SIG{INT} = 'DEFAULT';
    local $SIG{TERM} = 'DEFAULT';
    for my $c (['fallocate', 'SIGINT', 2], ['fchmod', 'SIGTERM', 15]) {
        my ($call, $sig, $num) = @$c;
        make_path("$tmp/sig-$call");
        # (LeakSanitizer cannot run under ptrace: a sanitizer build is
        # checked here without it)
        my %senv = (test_env(), ASAN_OPTIONS => 'detect_leaks=0');
        my $r = run(env => \%senv, argv => ['strace', '-o', '/dev/null', "-e", "trace=$call", '-e', "inject=$call:signal=$sig",
                             $keel, 'link', '-o', "$tmp/sig-$call/out", "$tmp/big.o"]);
        my $status = status_text($r->{status});
        ok($status eq "killed by signal $num" || $status eq 'exit ' . (128 + $num), "$sig during the write ($call) ends the link ($status)");
        is(join(' ', files_in("$tmp/sig-$call")), '', '  and leaves no temporary file');
        my $s = run(env => \%senv, argv => ['strace', '-o', '/dev/null', '-e', "trace=$call", $keel, 'link', '-o', "$tmp/sig-$call/out", "$tmp/big.o"]);
        ok($s->{status} == 0 && -e "$tmp/sig-$call/out", '  (without the signal the same line links)');
    }
}
{
    # a huge SHT_NOBITS section: a size, not an alignment
    my $in = patch('prog.o', 'huge-bss.o', ['.bss', 'size', 0x500000000000]);
    my $k = keel_link('-o', "$tmp/huge.out", $in);
    is($k->{status} >> 8, 1, 'a .bss of 0x500000000000 bytes: refused');
    like($k->{err}, qr/\Q$in\E: section \.bss \(\d+\): size 0x500000000000 /, '  as a size');
    unlike($k->{err}, qr/alignment/, '  not as an alignment');
    # .symtab's sh_info past its end: the input's error, not the entry's
    $in = patch('prog.o', 'symtab-info.o', ['.symtab', 'info', 99]);
    $k = keel_link('-o', "$tmp/symtab.out", $in);
    is($k->{status} >> 8, 1, '.symtab sh_info past its end: refused');
    like($k->{err}, qr/\Q$in\E: symbol table \.symtab \($ix{'.symtab'}\): sh_info 99/, '  naming the input and its symbol table');
    unlike($k->{err}, qr/entry symbol|symtab\.out/, '  not the entry symbol or the output');
    ok(!-e "$tmp/symtab.out", '  no output');
    # an empty allocated SHT_NULL section: dropped (ld.bfd throws such
    # sections away), no memcpy from NULL
    $in = patch('prog.o', 'null-section.o', ['.bss', 'type', 0], ['.bss', 'flags', 3]);
    $k = keel_link('-o', "$tmp/null.keel", $in);
    my $b = bfd_link('-o', "$tmp/null.bfd", $in);
    is($b->{status}, 0, 'ld.bfd links an object with an empty allocated SHT_NULL section');
    is($k->{status}, 0, 'so does keel') or diag $k->{err};
    unlike($k->{err}, qr/runtime error|AddressSanitizer/, '  without undefined behaviour');
    is(status_text(run(argv => ["$tmp/null.keel"])->{status}), 'exit 42', '  and it runs');
}

# ---- a finding of the link fuzzer, outside the items: commons of size 0
# (ordinary and thread-local) left keel without the section they live in
# (a NULL dereference)
{
    my $r = run(argv => ['as', "$src/common0.s", '-o', "$tmp/common0.o"]);
    my $b = bfd_link('-o', "$tmp/common0.bfd", "$tmp/common0.o");
    my $k = keel_link('-o', "$tmp/common0.keel", "$tmp/common0.o");
    is($b->{status}, 0, 'ld.bfd links commons of size 0 (.comm and .tls_common)');
    is(status_text($k->{status}), 'exit 0', 'so does keel') or diag $k->{err};
    is(status_text(run(argv => ["$tmp/common0.keel"])->{status}), 'exit 42', '  and it runs');
}

# ---- another: a section name past the section-name table made the COMDAT
# pass (lib/resolve/comdat.c) format its error with "%u", which keel's
# error formatter does not take (it read the number as a string: SIGSEGV)
{
    my $in = patch('prog.o', 'bad-name.o', ['.text', 'name', 0xffffff]);
    my $k = keel_link('-o', "$tmp/bad-name.out", $in);
    is($k->{status} >> 8, 1, 'a section name past the name table: refused, not a crash') or diag status_text($k->{status});
    like($k->{err}, qr/\Q$in\E: section $ix{'.text'}: string table .* past its end/, '  naming the file and the section');
}

# ---- item 26: every input that once made the link fuzzer fail, through the
# whole link again (fuzz/link_one.h, as the fuzzer runs it; under SAN=1 the
# sanitizers watch)
SKIP: {
    my $replay = "$build/tests/link_replay";
    my @seeds = sort glob("$FindBin::Bin/../fuzz/seeds/link_inputs/*");
    skip "no $replay (make test builds it)", 3 unless -x $replay;
    my $r = run(argv => [$replay, @seeds], env => {test_env(), TMPDIR => $tmp});
    is(status_text($r->{status}), 'exit 0', scalar(@seeds) . ' fuzzer findings replayed through the whole link');
    my $done = () = $r->{out} =~ /^ok \d+ /mg;
    is($done, scalar @seeds, '  each one ends (linked, or refused with a message)') or diag $r->{out};
    unlike($r->{err}, qr/runtime error|AddressSanitizer|LeakSanitizer|broke a promise/, '  with no finding') or diag $r->{err};
}

done_testing();
