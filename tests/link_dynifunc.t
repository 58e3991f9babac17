#!/usr/bin/perl
# keel link's dynamic outputs, what they refused or got wrong (issue 13,
# items 3, 4 and 6): IFUNCs in a shared object and a PIE, TLS
# descriptors in a shared object, the RELRO layout of -z now, the
# link-editor's symbols in .dynsym, GNU ld's errors.  Each case is linked
# from the same line by ld.bfd and by keel, and compared:
#   - the program using it prints and exits alike (lazily and with
#     LD_BIND_NOW=1);
#   - the dynamic relocations are of ld.bfd's types and counts, the
#     dynamic symbols and tags ld.bfd's;
#   - eu-elflint --gnu-ld says nothing of it that it does not also say of
#     ld.bfd's.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Programs qw(slurp spew have);
use KeelTest qw(keel_setup run linker_args test_env);

my ($build, $keel, $tmp) = keel_setup('link_dynifunc', need => ['ld.bfd (binutils)', 'gcc', 'readelf']);
my $progs = "$FindBin::Bin/progs/dynifunc";
my $lint = have('eu-elflint');

# The dynamic tags a file has (their names), sorted.
sub tags {
    my ($file) = @_;
    my $r = run(argv => ['readelf', '-dW', $file]);
    return join ' ', sort map { /^\s*0x[0-9a-f]+\s+\((\w+)\)/ ? $1 : () } split /\n/, $r->{out};
}

# The dynamic relocations' types and their counts (not R_X86_64_NONE).
sub reloc_counts {
    my ($file) = @_;
    my $r = run(argv => ['readelf', '-rW', $file]);
    my %n;
    $n{$_}++ for grep { !/_NONE$/ } $r->{out} =~ /^[0-9a-f]+\s+[0-9a-f]+\s+(R_\w+)/mg;
    return join ' ', map {"$_=$n{$_}"} sort keys %n;
}

# The dynamic symbols: name, type, binding, visibility, defined or not.
sub dynsyms {
    my ($file) = @_;
    my $r = run(argv => ['readelf', '--dyn-syms', '-W', $file]);
    my @s;
    for (split /\n/, $r->{out}) {
        next unless /^\s*\d+:\s+[0-9a-f]+\s+\d+\s+(\w+)\s+(\w+)\s+(\w+)\s+(\w+)\s+(\S+)$/;
        push @s, join(' ', $5, $1, $2, $3, $4 eq 'UND' ? 'UND' : 'defined');
    }
    return join "\n", sort @s;
}

# eu-elflint's messages that it does not give for ld.bfd's link
sub lint_new {
    my ($keelf, $bfdf) = @_;
    my %m;
    for my $f ($bfdf, $keelf) {
        my $r = run(argv => ['eu-elflint', '--gnu-ld', $f]);
        for (split /\n/, $r->{out} . $r->{err}) {
            next if /^No errors/;
            s/\[\s*\d+\]/[N]/g;
            s/(symbol|offset|entry) \d+/$1 N/g;
            s/\Q$f\E/FILE/g;
            $m{$_} |= $f eq $bfdf ? 1 : 2;
        }
    }
    return grep { $m{$_} == 2 } sort keys %m;
}

# Links the line by both, then compares: keel's link succeeds, its
# dynamic symbols, tags and relocation kinds are ld.bfd's, eu-elflint
# finds nothing new.  5 points.
sub compare_links {
    my ($what, $args, $bfd, $kout) = @_;
    my $b = run(argv => ['ld.bfd', @$args, '-o', $bfd]);
    my $k = run(file => $keel, argv => [$keel, 'link', @$args, '-o', $kout]);
    ok($b->{status} == 0 && $k->{status} == 0 && -e $kout, "$what: keel links it")
        or diag("keel: $k->{err}\nld.bfd: $b->{err}");
    is(dynsyms($kout), dynsyms($bfd), "$what: .dynsym holds ld.bfd's symbols");
    is(tags($kout), tags($bfd), "$what: the dynamic tags are ld.bfd's");
    is(reloc_counts($kout), reloc_counts($bfd), "$what: the dynamic relocations are ld.bfd's types and counts");
    SKIP: {
        skip "$what: no eu-elflint (elfutils)", 1 unless $lint;
        my @new = lint_new($kout, $bfd);
        ok(!@new, "$what: eu-elflint --gnu-ld finds nothing it does not find in ld.bfd's") or diag(join "\n", @new);
    }
    return $k;
}

# Runs the program lazily and with LD_BIND_NOW=1 against keel's and
# ld.bfd's library directories: the same output and status.  2 points.
sub compare_runs {
    my ($what, $prog, $kdir, $bdir, $want) = @_;
    for my $bind ('lazy', 'LD_BIND_NOW=1') {
        my %e = (test_env(), $bind eq 'lazy' ? () : (LD_BIND_NOW => 1));
        my $rk = run(env => { %e, $kdir ? (LD_LIBRARY_PATH => $kdir) : () }, argv => [ref $prog ? $prog->[0] : $prog]);
        my $rb = run(env => { %e, $bdir ? (LD_LIBRARY_PATH => $bdir) : () }, argv => [ref $prog ? $prog->[1] : $prog]);
        ok($rk->{out} eq $rb->{out} && $rk->{status} == $rb->{status} && $rb->{out} =~ $want,
           "$what ($bind): it runs as with ld.bfd's link")
            or diag("keel's: $rk->{status} '$rk->{out}' $rk->{err}\nld.bfd's: $rb->{status} '$rb->{out}' $rb->{err}");
    }
}

# ---------------------------------------------------------------- IFUNC
# A library exporting an IFUNC (a .dynsym IFUNC, PLT/JUMP_SLOT, GLOB_DAT,
# R_X86_64_64) with hidden and static ones (IRELATIVE in DT_JMPREL's
# range and in .rela.dyn), used by a program ld.bfd links; lazily, with
# -z now, with -Bsymbolic (the exported one then bound inside)
SKIP: {
    my $c = run(argv => ['/bin/sh', '-c', "gcc -O2 -fPIC -c $progs/lib.c -o ilib.o"]);
    skip "cannot compile the IFUNC library: $c->{err}", 24 if $c->{status};
    for my $v ([''], ['-now', '-Wl,-z,now'], ['-sym', '-Wl,-Bsymbolic']) {
        my ($sfx, @opt) = @$v;
        my @args = linker_args('gcc', '-shared', '-nostdlib', 'ilib.o', '-Wl,-soname,libifunc.so', @opt, '-o', 'x.so');
        mkdir "$tmp/$_$sfx" for qw(ik ib);
        compare_links("-shared with IFUNCs @opt", \@args, "$tmp/ib$sfx/libifunc.so", "$tmp/ik$sfx/libifunc.so");
        my $u = run(argv => ['/bin/sh', '-c', "gcc -O2 $progs/use.c -Lib$sfx -lifunc -o iuse$sfx"]);
        ok($u->{status} == 0, "ld.bfd links a program against the IFUNC library @opt") or diag($u->{err});
        compare_runs("-shared with IFUNCs @opt", "$tmp/iuse$sfx", "$tmp/ik$sfx", "$tmp/ib$sfx", qr/^\d+ \d+ .*\nsame 1\n/);
    }
}

# A PIE of no library with IFUNCs of its own, called and address-taken
SKIP: {
    my $c = run(argv => ['/bin/sh', '-c', "gcc -O2 -fPIE -c $progs/pie.c -o ipie.o"]);
    skip "cannot compile the IFUNC PIE: $c->{err}", 12 if $c->{status};
    for my $v ([''], ['-now', '-z', 'now']) {
        my ($sfx, @opt) = @$v;
        my @args = linker_args(qw(gcc -pie -nostdlib ipie.o -o ipie));
        compare_links("-pie with IFUNCs @opt", [@args, @opt], "$tmp/ipie$sfx.bfd", "$tmp/ipie$sfx.keel");
        compare_runs("-pie with IFUNCs @opt", ["$tmp/ipie$sfx.keel", "$tmp/ipie$sfx.bfd"], undef, undef,
                     qr/^ifunc pie$/) unless $sfx;
    }
}

# ---------------------------------------------------------------- TLSDESC
# A library of TLS descriptors (gcc -mtls-dialect=gnu2): general dynamic,
# local dynamic (_TLS_MODULE_BASE_), hidden, .tbss; lazily (DT_TLSDESC_PLT,
# DT_TLSDESC_GOT) and -z now; used by a program in four threads
SKIP: {
    my $c = run(argv => ['/bin/sh', '-c', "gcc -O2 -fPIC -mtls-dialect=gnu2 -c $progs/tlsdesc.c -o td.o"]);
    skip "cannot compile the TLS descriptor library: $c->{err}", 16 if $c->{status};
    for my $v ([''], ['-now', '-Wl,-z,now']) {
        my ($sfx, @opt) = @$v;
        my @args = linker_args('gcc', '-shared', '-nostdlib', 'td.o', @opt, '-o', 'x.so');
        mkdir "$tmp/$_$sfx" for qw(tk tb);
        compare_links("-shared with TLS descriptors @opt", \@args, "$tmp/tb$sfx/libtd.so", "$tmp/tk$sfx/libtd.so");
        my $u = run(argv => ['/bin/sh', '-c', "gcc -O2 $progs/tlsdesc_use.c -Ltb$sfx -ltd -pthread -o tduse$sfx"]);
        ok($u->{status} == 0, "ld.bfd links a program against the TLS descriptor library @opt") or diag($u->{err});
        compare_runs("-shared with TLS descriptors @opt", "$tmp/tduse$sfx", "$tmp/tk$sfx", "$tmp/tb$sfx",
                     qr/^thread 0: \d+\n.*main: \d+\n/s);
    }
}

# In an executable the descriptors are relaxed to local exec, as ld.bfd
# relaxes them (-static-pie: no descriptor, no TLSDESC relocation left)
SKIP: {
    my $c = run(argv => ['/bin/sh', '-c', "gcc -O2 -fPIE -mtls-dialect=gnu2 -c $progs/tlsdesc.c -o tdpie.o && "
                                          . "gcc -O2 -fPIE -mtls-dialect=gnu2 -c $progs/tlsdesc_use.c -o tduse.o"]);
    skip "cannot compile the TLS descriptor program: $c->{err}", 7 if $c->{status};
    my @args = linker_args(qw(gcc -static-pie tdpie.o tduse.o -pthread -o tdpie));
    compare_links('-static-pie with TLS descriptors', \@args, "$tmp/tdpie.bfd", "$tmp/tdpie.keel");
    compare_runs('-static-pie with TLS descriptors', ["$tmp/tdpie.keel", "$tmp/tdpie.bfd"], undef, undef,
                 qr/^thread 0: \d+\n.*main: \d+\n/s);
}

# ---------------------------------------------------------------- RELRO
# What PT_GNU_RELRO covers: the sections wholly inside it, whether a GOT
# is left writable outside it (ld.bfd's -z now script puts .got.plt and
# .igot.plt in .got: keel's are named apart, and counted as .got), and
# where it ends (a page boundary, as ld.bfd's).
sub relro {
    my ($file) = @_;
    my $out = run(argv => ['readelf', '-lW', $file])->{out};
    my @ph = grep {/^\s+[A-Z_]+\s+0x/} split /\n/, $out;
    my %map = $out =~ /^[ \t]+(\d\d)[ \t]+(.*)$/mg;
    my %rw; # the writable loaded sections
    for my $i (grep { $ph[$_] =~ /^\s+LOAD\s.*RW/ } 0 .. $#ph) {
        $rw{$_} = 1 for split ' ', $map{ sprintf '%02d', $i } // '';
    }
    my ($at) = grep { $ph[$_] =~ /^\s+GNU_RELRO\s/ } 0 .. $#ph;
    return 'none' unless defined $at;
    my (undef, undef, $vaddr, undef, undef, $memsz) = split ' ', $ph[$at];
    my $end = hex($vaddr) + hex($memsz);
    my %in = map { $_ => 1 } split ' ', $map{ sprintf '%02d', $at } // '';
    my $outside = grep { /got/ && !$in{$_} } keys %rw;
    my %secs = map { ($_ eq '.got.plt' || $_ eq '.igot.plt' ? '.got' : $_) => 1 } keys %in;
    return join(' ', sort keys %secs) . ($outside ? ', a GOT writable after it' : ', no GOT writable after it')
        . ($end % 4096 ? sprintf(', ends at %#x, not a page boundary', $end) : ', ends on a page');
}

SKIP: {
    skip 'the IFUNC objects were not built', 20 unless -e "$tmp/ilib.o" && -e "$tmp/ipie.o";
    my @pie = linker_args(qw(gcc -pie -nostdlib ipie.o -o ipie));
    my @so = linker_args(qw(gcc -shared -nostdlib ilib.o -o x.so));
    for my $z ('-z now', '-z lazy', '-z relro -z now', '-z norelro', '-z now -z norelro', '-z now -z noseparate-code') {
        for my $c (['-shared', \@so], ['-pie', \@pie]) {
            my ($kind, $args) = @$c;
            my @a = (@$args, split(' ', $z));
            my $b = run(argv => ['ld.bfd', @a, '-o', "$tmp/relro.bfd"]);
            my $k = run(file => $keel, argv => [$keel, 'link', @a, '-o', "$tmp/relro.keel"]);
            my ($rb, $rk) = map { relro($_) } "$tmp/relro.bfd", "$tmp/relro.keel";
            ok($b->{status} == 0 && $k->{status} == 0 && $rk eq $rb, "$kind $z: PT_GNU_RELRO holds ld.bfd's sections ($rb)")
                or diag("keel: $rk $k->{err}\nld.bfd: $rb $b->{err}");
        }
    }
}

# a static executable with -z now: glibc's IFUNC slots (.igot.plt) are
# bound before main and read-only after, in ld.bfd's .got
SKIP: {
    my $c = run(argv => ['/bin/sh', '-c', "gcc -O2 -c $FindBin::Bin/progs/link/hello.c -o hello.o"]);
    skip "cannot compile hello: $c->{err}", 2 if $c->{status};
    my @a = (linker_args(qw(gcc -static hello.o -o hello)), '-z', 'now');
    my $b = run(argv => ['ld.bfd', @a, '-o', "$tmp/hs.bfd"]);
    my $k = run(file => $keel, argv => [$keel, 'link', @a, '-o', "$tmp/hs.keel"]);
    my ($rb, $rk) = map { relro($_) } "$tmp/hs.bfd", "$tmp/hs.keel";
    ok($b->{status} == 0 && $k->{status} == 0 && $rk eq $rb, "-static -z now: PT_GNU_RELRO holds ld.bfd's sections ($rb)")
        or diag("keel: $rk $k->{err}\nld.bfd: $rb $b->{err}");
    my ($ok, $ob) = map { run(argv => [$_]) } "$tmp/hs.keel", "$tmp/hs.bfd";
    ok($ok->{out} eq $ob->{out} && $ok->{status} == $ob->{status} && $ob->{out} ne '', '-static -z now: it runs as ld.bfd\'s');
}

# ---------------------------------------------------------------- .dynsym
# The link-editor's symbols in .dynsym: referenced ones in a shared
# object, _edata/_end/__bss_start always in an executable with -E,
# __start_/__stop_ protected, never _GLOBAL_OFFSET_TABLE_ or _DYNAMIC; a
# version script's local: hides them
SKIP: {
    my $c = run(argv => ['/bin/sh', '-c', "gcc -O2 -fPIC -c $progs/linksyms.c -o linksyms.o && gcc -O2 -fPIC -c $progs/plain.c -o plain.o"]);
    skip "cannot compile: $c->{err}", 14 if $c->{status};
    spew("$tmp/local.map", "{ global: plain_get; sec_words; local: *; };\n");
    for my $objs (['linksyms.o'], ['plain.o'], ['linksyms.o', 'plain.o']) {
        for my $m (['-shared'], ['-shared', '-E'], ['-pie', '-E'], ['-pie'], ['-shared', '--version-script', 'local.map'],
                   ['-pie', '-E', '--version-script', 'local.map']) {
            next if @$objs == 1 && @$m > 2;
            my @a = (@$m, '-e', '0', @$objs);
            my $b = run(argv => ['ld.bfd', @a, '-o', "$tmp/ls.bfd"]);
            my $k = run(file => $keel, argv => [$keel, 'link', @a, '-o', "$tmp/ls.keel"]);
            my ($db, $dk) = map { dynsyms($_) } "$tmp/ls.bfd", "$tmp/ls.keel";
            ok($b->{status} == 0 && $k->{status} == 0 && $dk eq $db,
               "@$m @$objs: .dynsym holds ld.bfd's symbols, the link-editor's too")
                or diag("keel: $k->{err}\n" . join("\n", map {"keel   $_"} split /\n/, $dk) . "\n"
                        . join("\n", map {"ld.bfd $_"} split /\n/, $db));
        }
    }
}

# ---------------------------------------------------------------- errors
# Each in ld.bfd's words (its own message is the oracle), exit status not
# 0, no output file: a 32-bit absolute relocation against a symbol, a
# section, a hidden and a protected symbol (no advice to recompile), an
# undefined and an undefined weak one, in a shared object and a PIE; a
# text relocation with -z text; an undefined symbol with -z defs
SKIP: {
    my %src = (
        abs32 => "  movl \$counter, %eax\n  ret\n.data\n.globl counter\ncounter: .long 1\n",
        sec32 => "  movl \$here, %eax\n  ret\n.data\nhere: .long 1\n",
        hid32 => "  movl \$hid, %eax\n  ret\n.data\n.globl hid\n.hidden hid\nhid: .long 1\n",
        prot32 => "  movl \$prot, %eax\n  ret\n.data\n.globl prot\n.protected prot\nprot: .long 1\n",
        und32 => "  movl \$counter, %eax\n  ret\n",
        weak32 => "  movl \$counter, %eax\n  ret\n.weak counter\n",
        ro => "  xorl %eax, %eax\n  ret\n.section .rodata\n.quad main\n",
        undef => "  call missing_fn\@PLT\n  ret\n",
    );
    for my $obj (sort keys %src) {
        spew("$tmp/e_$obj.s", ".text\n.globl main\nmain:\n$src{$obj}.section .note.GNU-stack,\"\",\@progbits\n");
        my $c = run(argv => ['gcc', '-c', "e_$obj.s", '-o', "e_$obj.o"]);
        skip "cannot assemble e_$obj.s: $c->{err}", 30 if $c->{status};
    }
    my @cases = ((map { my $o = $_; map { [$o, [$_], qr/can not be used when making/] } '-shared', '-pie' }
                  qw(abs32 sec32 hid32 prot32 und32 weak32)),
                 ['ro', ['-shared', '-z', 'text'], qr/read-only segment has dynamic relocations/],
                 ['ro', ['-pie', '-z', 'text'], qr/read-only segment has dynamic relocations/],
                 ['undef', ['-shared', '-z', 'defs'], qr/undefined reference to/]);
    for my $e (@cases) {
        my ($obj, $opt, $re) = @$e;
        my @a = (@$opt, '-e', 'main', "e_$obj.o");
        my $b = run(argv => ['ld.bfd', @a, '-o', "$tmp/e.bfd"]);
        my ($want) = grep {/$re/} split /\n/, $b->{err};
        $want = ($want // '') =~ s/^\S*ld(?:\.bfd)?: //r;
        $want =~ s/[`']/'/g if $obj eq 'undef'; # (keel quotes a name as 'name')
        unlink "$tmp/e.out";
        my $k = run(file => $keel, argv => [$keel, 'link', @a, '-o', "$tmp/e.out"]);
        my $kerr = $k->{err};
        $kerr =~ s/[`']/'/g if $obj eq 'undef';
        my ($got) = grep {/$re/} split /\n/, $kerr; # the whole line, not a part: no advice added
        $got = ($got // '') =~ s/^\S*(?:keel ld|ld)(?:\.bfd)?: //r;
        ok($want ne '' && $got eq $want, "@$opt $obj: ld.bfd's words ($want)")
            or diag("keel: $k->{err}\nld.bfd: $b->{err}");
        ok($k->{status} != 0 && !-e "$tmp/e.out", "@$opt $obj: exit status not 0, no output file");
    }
}

done_testing();
