#!/usr/bin/perl
# Mapfiles, issue 14's leftovers (docs/linker.md, "Mapfiles: the layout"),
# each against an oracle:
#   1. a kernel-like image at the top of the address space (VADDR
#      0xffffffff80000000, NOHDR, -mcmodel=kernel): the same PT_LOADs,
#      symbols and flat image (keel exec --image) as ld.bfd's link of the
#      equivalent linker script; R_X86_64_32S out of range where ld.bfd
#      truncates; layouts that would run past 2^64 refused (ld.bfd:
#      "section .text VMA wraps around address space"), no output left.
#   2. DEPEND_VERSIONS against a library of versions DV_1 < DV_2 < DV_3:
#      REQUIRE's .gnu.version_r (readelf -V) is ld.bfd's for a program that
#      binds to the version, and ld.so refuses the program with a library
#      that lacks it; ALLOW refuses a reference to a version it does not
#      inherit, accepts one it does (the program runs); the errors;
#      --print-mapfile read back gives the same bytes.
#   3. a singleton symbol and FLAGS = NODIRECT under -Bsymbolic (and
#      -Bsymbolic-functions): preemptible still, the program's definition
#      the one the library calls, as ld.bfd's -Bsymbolic with a dynamic
#      list of the symbol (no DT_SYMBOLIC, the same dynamic relocations);
#      FLAGS = NODIRECT in a static executable and the other flags
#      refused; SYMBOL_VERSION with an empty name refused, saying why.
#   4. .dynsym's order within a GNU hash bucket (mapfile_dyn.t's TODO on
#      readelf -V): ld.bfd's, for a shared library of 400 functions, with
#      libc (its table past 3/4 of 4051 names) and without.
#   5. the gaps of the audit of issue 14's proof list against
#      tests/mapfile_*.t: the += forms applied to a layout (IS_ORDER,
#      OS_ORDER in a loadable and a NULL segment, SIZE_SYMBOL,
#      SEGMENT_ORDER; the reader's tests only parsed them), each the same
#      bytes as its = form and unlike the = part alone; segment FLAGS +=
#      and -= that link; RESERVE_SEGMENT's ALIGN, PADDR, ROUND and
#      SIZE_SYMBOL (readelf -lW, nm); the notes' example C as it is meant,
#      a shared object, against ld.bfd's link of the equivalent version
#      script, run.
use strict;
use warnings;
no warnings 'portable'; # 64-bit addresses
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Programs qw(slurp spew have);
use KeelTest qw(keel_setup run);

my ($build, $keel, $tmp) = keel_setup('mapfile_more', need => ['gcc', 'ld.bfd (binutils)', 'readelf (binutils)', 'nm (binutils)']);
my $src = "$FindBin::Bin/progs/mapfile_more";
my $v2 = "\$mapfile_version 2\n";

sub cc {
    my ($out, @args) = @_;
    my $r = run(argv => ['gcc', @args, '-c', '-o', "$tmp/$out"]);
    BAIL_OUT("gcc @args: $r->{err}") if $r->{status};
}
# keel link with the mapfile text $map (undef: none)
sub klink {
    my ($out, $map, @args) = @_;
    unlink "$tmp/$out";
    my @m;
    if (defined $map) {
        spew("$tmp/$out.map", $map);
        @m = ('--mapfile', "$tmp/$out.map");
    }
    return run(file => $keel, argv => [$keel, 'link', '-o', "$tmp/$out", @m, @args]);
}
# readelf -lW's PT_LOADs as text: flags@vaddr offset filesz/memsz
sub loads {
    my $r = run(argv => ['readelf', '-lW', $_[0]]);
    my @l;
    for (split /\n/, $r->{out}) {
        push @l, sprintf('%s@%#x %#x/%#x', $6 =~ s/\s//gr, hex $2, hex $3, hex $4, hex $5)
            if /^\s+LOAD\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s(.{3})/;
    }
    return join ' | ', @l;
}
sub sym_text {
    my $r = run(argv => ['nm', $_[0]]);
    return join ' ', sort grep { /^[0-9a-f]+ [TtDdBbRr] / } split /\n/, $r->{out};
}
sub flat {
    my ($elf, $out) = @_;
    my $r = run(file => $keel, argv => [$keel, 'exec', '--image', $elf, '-o', $out]);
    return $r->{status} == 0 ? slurp($out) : undef;
}

# ------------------------------------- 1. a kernel at the top of the space
{
    cc('hikern.o', qw(-O2 -mcmodel=kernel -fno-pic -fno-stack-protector -fcf-protection=none -ffreestanding
                      -fno-asynchronous-unwind-tables), "$src/hikern.c");
    my $kmap = sub { $v2 . <<"EOF" };
LOAD_SEGMENT kernel {
    VADDR = $_[0];
    NOHDR;
    FLAGS = READ EXECUTE;
    ASSIGN_SECTION { FLAGS = ALLOC !WRITE; };
};
LOAD_SEGMENT kdata {
    FLAGS = READ WRITE;
    ASSIGN_SECTION { FLAGS = ALLOC WRITE; };
};
EOF
    my $kld = sub { <<"EOF" };
ENTRY(kmain)
SECTIONS {
  . = $_[0];
  .text : { *(.text .text.*) }
  .rodata : { *(.rodata .rodata.*) }
  . = ALIGN(0x1000);
  .data : { *(.data .data.*) }
  .bss : { *(.bss .bss.*) *(COMMON) }
}
EOF
    my $top = '0xffffffff80000000';
    my $r = klink('hik', $kmap->($top), "$tmp/hikern.o", '-e', 'kmain');
    spew("$tmp/hik.ld", $kld->($top));
    my $b = run(argv => ['ld.bfd', '-static', '-z', 'noexecstack', '-T', "$tmp/hik.ld", '-o', "$tmp/hik.bfd", "$tmp/hikern.o"]);
    BAIL_OUT("ld.bfd: $b->{err}") if $b->{status};
    my ($l, $lb) = (loads("$tmp/hik"), loads("$tmp/hik.bfd"));
    is($r->{status} ? "refused: $r->{err}" : $l, $lb,
       "VADDR $top, NOHDR: ld.bfd's PT_LOADs (no headers loaded; code, then data a page on)");
    is(sym_text("$tmp/hik"), sym_text("$tmp/hik.bfd"), '... and its symbol addresses (R_X86_64_32S and PC32 resolved alike)');
    my ($ki, $bi) = (flat("$tmp/hik", "$tmp/hik.img"), flat("$tmp/hik.bfd", "$tmp/hik.bfd.img"));
    ok(defined $ki && defined $bi && length $ki > 0 && $ki eq $bi,
       'keel exec --image: the flat image of ld.bfd\'s link, byte for byte (' . length($ki // '') . ' bytes)');

    # 0xffffffff00000000: below the top 2 GiB, where -mcmodel=kernel's
    # R_X86_64_32S cannot reach; ld.bfd: "relocation truncated to fit"
    my $low = '0xffffffff00000000';
    $r = klink('hik32', $kmap->($low), "$tmp/hikern.o", '-e', 'kmain');
    spew("$tmp/hik32.ld", $kld->($low));
    $b = run(argv => ['ld.bfd', '-static', '-z', 'noexecstack', '-T', "$tmp/hik32.ld", '-o', "$tmp/hik32.bfd", "$tmp/hikern.o"]);
    ok($b->{status} && $b->{err} =~ /truncated to fit: R_X86_64_32S against symbol `pages'/
           && $r->{status} && $r->{err} =~ /hikern\.o:\(\.text\+0x[0-9a-f]+\): relocation R_X86_64_32S against 'pages' out of range/
           && !-e "$tmp/hik32",
       "VADDR $low: R_X86_64_32S out of range, as ld.bfd finds it; no output") or diag("$r->{err}\n$b->{err}");

    # past 2^64: refused where ld.bfd refuses (or, for -Ttext-segment,
    # wraps silently to 0), with no output
    my @wrap = (
        ['a VADDR whose code runs past 2^64', [$kmap->('0xffffffffffffffe0')],
         qr/section \.text VMA wraps around address space \(segment kernel: from 0xffffffffffffffe0, size 0x[0-9a-f]+\)/],
        ['a VADDR whose data segment would start past 2^64', [$kmap->('0xfffffffffffff000')],
         qr/segment kdata VMA wraps around address space \(from 0xfffffffffffff[0-9a-f]+\)/],
        ['--section-start past 2^64', [undef, '--section-start', '.text=0xfffffffffffffff0'],
         qr/section \.text VMA wraps around address space \(segment text: from 0xfffffffffffffff0/],
        ['-Ttext-segment whose headers run past 2^64', [undef, '-Ttext-segment=0xffffffffffffff80'],
         qr/segment \S+ VMA wraps around address space \(from 0xffffffffffffff80\)/],
    );
    my $n = 0;
    for my $w (@wrap) {
        my ($what, $args, $re) = @$w;
        my ($map, @opt) = @$args;
        $n++;
        $r = klink("wrap$n", $map, @opt, "$tmp/hikern.o", '-e', 'kmain');
        ok($r->{status} && $r->{err} =~ $re && !-e "$tmp/wrap$n", "$what: refused, no output") or diag($r->{err});
    }
    $b = run(argv => ['ld.bfd', '-static', '--section-start', '.text=0xfffffffffffffff0', '-o', "$tmp/wrapb", "$tmp/hikern.o", '-e', 'kmain']);
    like($b->{err}, qr/section \.text VMA wraps around address space/, '(ld.bfd\'s words for --section-start past 2^64)');
}

# ------------------------------------------------ 2. DEPEND_VERSIONS
{
    my $k = "$tmp/k";
    mkdir $k;
    symlink $keel, "$k/ld" or die "symlink: $!";
    my $gcc = sub { run(argv => ['gcc', @_]) };
    my $lib = sub {    # libdv.so.1 in $dir from version script $ver
        my ($dir, $ver) = @_;
        mkdir "$tmp/$dir";
        my $r = $gcc->('-shared', '-fPIC', '-Wl,-soname,libdv.so.1', "-Wl,--version-script,$src/$ver", "$src/dv.c", '-o', "$tmp/$dir/libdv.so.1");
        BAIL_OUT("libdv: $r->{err}") if $r->{status};
        symlink "libdv.so.1", "$tmp/$dir/libdv.so";
    };
    $lib->('dv', 'dv.ver');
    $lib->('dvold', 'dv_old.ver');
    cc('dvm1.o', "$src/dvmain.c");
    cc('dvm12.o', '-DUSE2', "$src/dvmain.c");
    cc('dvm13.o', '-DUSE3', "$src/dvmain.c");
    cc('dvm0.o', '-DNOLIB', "$src/dvmain.c");
    # the Vernaux names of a file's need of $file, in .gnu.version_r's order
    my $needs = sub {
        my ($exe, $file) = @_;
        my ($in, @n) = (0);
        for (split /\n/, run(argv => ['readelf', '-VW', $exe])->{out}) {
            $in = $1 eq $file if /File: (\S+)/;
            push @n, $1 if $in && /Name: (\S+)\s+Flags/;
        }
        return join ' ', sort @n;
    };
    my $dvlink = sub {    # keel through gcc, a mapfile's text; the result
        my ($out, $map, @args) = @_;
        unlink "$tmp/$out";
        my @m;
        if (defined $map) {
            spew("$tmp/$out.map", $v2 . $map);
            @m = ("-Wl,--mapfile,$tmp/$out.map");
        }
        return $gcc->("-B$k", @args, "-L$tmp/dv", '-ldv', @m, '-o', "$tmp/$out");
    };
    my $runs = sub { my ($exe, $dir) = @_; my $r = run(argv => [$exe], env => {LD_LIBRARY_PATH => "$tmp/$dir"}); return "$r->{status} $r->{out}$r->{err}" };

    # REQUIRE = DV_2, nothing bound to it: the need ld.bfd writes for a
    # program that calls f2 too
    my $r = $dvlink->('req', "DEPEND_VERSIONS libdv.so.1 { REQUIRE = DV_2; };\n", "$tmp/dvm1.o");
    my $b = $gcc->("$tmp/dvm12.o", "-L$tmp/dv", '-ldv', '-o', "$tmp/req.bfd");
    is($r->{status} ? "refused: $r->{err}" : $needs->("$tmp/req", 'libdv.so.1'), $needs->("$tmp/req.bfd", 'libdv.so.1'),
       'REQUIRE = DV_2: .gnu.version_r needs DV_1 and DV_2 of libdv.so.1, as ld.bfd\'s link that binds to f2@DV_2');
    is($needs->("$tmp/req", 'libc.so.6'), $needs->("$tmp/req.bfd", 'libc.so.6'), '... and libc.so.6\'s versions unchanged');
    is($runs->("$tmp/req", 'dv'), "0 1\n", '... it runs with the library');
    like($runs->("$tmp/req", 'dvold'), qr/version `DV_2' not found \(required by \S*req\)/,
         '... and ld.so refuses it with a libdv.so.1 that has no DV_2 (the need is well formed: name, hash)');
    # without the mapfile it runs with the old library: the oracle tells
    $r = $dvlink->('noreq', undef, "$tmp/dvm1.o");
    is($runs->("$tmp/noreq", 'dvold'), "0 1\n", '(without REQUIRE the program runs with the old library)');

    # ALLOW
    $r = $dvlink->('allow2', "DEPEND_VERSIONS libdv.so.1 { ALLOW = DV_2; };\n", "$tmp/dvm13.o");
    ok($r->{status} && $r->{err} =~ /dvm13\.o: undefined reference to 'f3': symbol belongs to unavailable version \S*libdv\.so \(DV_3\) \(\S*allow2\.map: line 2: DEPEND_VERSIONS ALLOW\)/
           && !-e "$tmp/allow2",
       'ALLOW = DV_2: a call of f3@@DV_3 refused (Solaris\' "symbol belongs to unavailable version"), no output') or diag($r->{err});
    $r = $dvlink->('allow2ok', "DEPEND_VERSIONS libdv.so.1 { ALLOW = DV_2; };\n", "$tmp/dvm12.o");
    is($r->{status} ? "refused: $r->{err}" : $runs->("$tmp/allow2ok", 'dv'), "0 3\n", 'ALLOW = DV_2: f1@DV_1 (inherited) and f2@DV_2 allowed; runs');
    $r = $dvlink->('allow3', "DEPEND_VERSIONS libdv.so.1 { ALLOW = DV_3; };\n", "$tmp/dvm13.o");
    is($r->{status} ? "refused: $r->{err}" : $runs->("$tmp/allow3", 'dv'), "0 4\n", 'ALLOW = DV_3: DV_1 inherited through DV_2; runs');
    $r = $dvlink->('allow1', "DEPEND_VERSIONS libdv.so.1 { ALLOW = DV_1; };\nDEPEND_VERSIONS libdv.so { ALLOW = DV_3; };\n", "$tmp/dvm13.o");
    is($r->{status} ? "refused: $r->{err}" : $runs->("$tmp/allow1", 'dv'), "0 4\n",
       'two directives for one library (by soname and by file name): their ALLOWs add up');

    # the errors, at the mapfile's line, no output
    my @err = (
        ['an object no input has', "DEPEND_VERSIONS libnone.so.1 { ALLOW = V; };\n",
         qr/line 2: DEPEND_VERSIONS libnone\.so\.1: no shared library of that name \(DT_SONAME or file name\) is an input of the link/],
        ['a version the library does not define', "DEPEND_VERSIONS libdv.so.1 { REQUIRE = DV_9; };\n",
         qr/line 2: DEPEND_VERSIONS libdv\.so\.1: REQUIRE = DV_9: \S*libdv\.so defines no such version/],
        ['ALLOW of the base version (the library\'s name)', "DEPEND_VERSIONS libdv.so.1 { ALLOW = libdv.so.1; };\n",
         qr/line 2: DEPEND_VERSIONS libdv\.so\.1: ALLOW = libdv\.so\.1: \S*libdv\.so defines no such version/],
        ['REQUIRE of a library the output does not need', "DEPEND_VERSIONS libdv.so.1 { REQUIRE = DV_2; };\n",
         qr/line 2: DEPEND_VERSIONS libdv\.so\.1: REQUIRE = DV_2: the output does not need \S*libdv\.so \(--as-needed/, '-Wl,--as-needed'],
    );
    my $n = 0;
    for my $e (@err) {
        my ($what, $map, $re, @extra) = @$e;
        $n++;
        $r = $dvlink->("dverr$n", $map, @extra, @extra ? "$tmp/dvm0.o" : "$tmp/dvm1.o");
        ok($r->{status} && $r->{err} =~ $re && !-e "$tmp/dverr$n", "error: $what") or diag($r->{err});
    }
    # a static executable has no shared library to name
    spew("$tmp/dvstatic.map", $v2 . "DEPEND_VERSIONS libc.so.6 { REQUIRE = GLIBC_2.34; };\n");
    $r = $gcc->("-B$k", '-static', "$tmp/dvm1.o", "-Wl,--mapfile,$tmp/dvstatic.map", '-o', "$tmp/dvstatic");
    ok($r->{status} && $r->{err} =~ /line 2: DEPEND_VERSIONS libc\.so\.6: no shared library of that name/ && !-e "$tmp/dvstatic",
       'error: DEPEND_VERSIONS in a static executable (no shared library)') or diag($r->{err});

    # --print-mapfile read back: the same bytes
    my $map = "DEPEND_VERSIONS libdv.so.1 { REQUIRE = DV_2; ALLOW = DV_3; };\n";
    $r = $dvlink->('dvp', $map, "$tmp/dvm13.o", '-Wl,--print-mapfile');
    spew("$tmp/dvp.printed", $r->{out});
    my $r2 = $gcc->("-B$k", "$tmp/dvm13.o", "-L$tmp/dv", '-ldv', "-Wl,--mapfile,$tmp/dvp.printed", '-o', "$tmp/dvp2");
    ok(!$r->{status} && !$r2->{status} && $r->{out} =~ /^DEPEND_VERSIONS 'libdv\.so\.1' \{\n    REQUIRE = 'DV_2';\n    ALLOW = 'DV_3';\n\};$/m
           && slurp("$tmp/dvp") eq slurp("$tmp/dvp2"),
       '--print-mapfile prints DEPEND_VERSIONS; read back, the same bytes') or diag("$r->{err}$r2->{err}");
}

# ------------------------------- 3. singleton and NODIRECT under -Bsymbolic
{
    my $k = "$tmp/k";
    my $gcc = sub { run(argv => ['gcc', @_]) };
    cc('sglib.o', '-O2', '-fPIC', "$src/sglib.c");
    cc('sgmain.o', "$src/sgmain.c");
    spew("$tmp/who.list", "{ who; };\n");
    # readelf: the dynamic relocations by symbol and whether DT_SYMBOLIC
    my $dyn = sub {
        my ($so) = @_;
        my @r = sort map { /\s(R_X86_64_\w+)\s+[0-9a-f]+\s+(\w+)/ ? "$1 $2" : () } split /\n/, run(argv => ['readelf', '-rW', $so])->{out};
        my $sym = run(argv => ['readelf', '-dW', $so])->{out} =~ /SYMBOLIC/ ? 'DT_SYMBOLIC' : 'no DT_SYMBOLIC';
        return join(', ', $sym, @r);
    };
    my $lib = sub {    # libsg.so in $dir: keel with a mapfile, or ld.bfd (@bfd)
        my ($dir, $map, @opt) = @_;
        mkdir "$tmp/$dir";
        my @m;
        if (defined $map) {
            spew("$tmp/$dir.map", $v2 . $map);
            @m = ("-B$k", "-Wl,--mapfile,$tmp/$dir.map");
        }
        my $r = $gcc->(@m, '-shared', @opt, '-Wl,-soname,libsg.so', "$tmp/sglib.o", '-o', "$tmp/$dir/libsg.so");
        return $r if $r->{status};
        $r = $gcc->("$tmp/sgmain.o", "-L$tmp/$dir", '-lsg', '-o', "$tmp/$dir/main");
        return $r if $r->{status};
        my $x = run(argv => ["$tmp/$dir/main"], env => {LD_LIBRARY_PATH => "$tmp/$dir"});
        return {%$x, dyn => $dyn->("$tmp/$dir/libsg.so")};
    };
    my $bfd = $lib->('sgbfd', undef, '-Wl,-Bsymbolic', "-Wl,--dynamic-list,$tmp/who.list");
    is("$bfd->{status} $bfd->{out}", "0 2 10\n", '(ld.bfd -Bsymbolic --dynamic-list={who;}: who preemptible, other bound inside)');
    for my $c (['singleton', "SYMBOL_SCOPE {\n    singleton: who;\n};\n"],
               ['FLAGS = NODIRECT', "SYMBOL_VERSION SG_1 {\n    global: who { FLAGS = NODIRECT; }; other; call_who; call_other;\n};\n"]) {
        my ($what, $map) = @$c;
        for my $B ('-Bsymbolic', '-Bsymbolic-functions') {
            (my $dir = "sg-$what-$B") =~ s/\W+/_/g;
            my $r = $lib->($dir, $map, "-Wl,$B");
            is($r->{status} ? "$r->{status}: $r->{err}" : "$r->{out}$r->{dyn}", "$bfd->{out}$bfd->{dyn}",
               "$what who, $B: the program's who() is the one the library calls, other() bound inside; "
               . 'no DT_SYMBOLIC, the relocations of ld.bfd\'s -Bsymbolic with a dynamic list of who');
        }
    }
    my $none = $lib->('sgnone', "SYMBOL_SCOPE {\n    global: who;\n};\n", '-Wl,-Bsymbolic');
    is("$none->{status} $none->{out}", "0 1 10\n", '(without singleton, -Bsymbolic binds who inside: the test can tell)');
    my $free = $lib->('sgfree', "SYMBOL_SCOPE {\n    singleton: who;\n};\n");
    is("$free->{status} $free->{out}", "0 2 20\n", 'singleton without -Bsymbolic: both preemptible, as ever');

    # refused, saying why
    my @err = (
        ['FLAGS = NODIRECT in a static executable', ['-static'], "SYMBOL_SCOPE {\n    main { FLAGS = NODIRECT; };\n};\n",
         qr/line 3: symbol 'main': FLAGS = NODIRECT needs a dynamic output \(-shared, -pie\)/],
        ['FLAGS = NODIRECT with another flag', ['-shared'], "SYMBOL_SCOPE {\n    who { FLAGS = NODIRECT DIRECT; };\n};\n",
         qr/line 3: symbol 'who': FLAGS is not applied/],
        ['SYMBOL_VERSION with an empty name', ['-shared'], "SYMBOL_VERSION '' {\n    global: who;\n};\n",
         qr/line 2: SYMBOL_VERSION '': an empty version name: a version needs a name \(ld\.so finds it by it\); the unversioned symbols are SYMBOL_SCOPE's/],
        ['SYMBOL_VERSION inheriting an empty name', ['-shared'], "SYMBOL_VERSION V1 {\n    global: who;\n} '';\n",
         qr/line 2: SYMBOL_VERSION V1: inherits '': an empty version name/],
        ['SYMBOL_VERSION with an empty name, static', ['-static'], "SYMBOL_VERSION \"\" {\n    global: main;\n};\n",
         qr/line 2: SYMBOL_VERSION '': an empty version name/],
    );
    my $n = 0;
    for my $e (@err) {
        my ($what, $opt, $map, $re) = @$e;
        $n++;
        spew("$tmp/sgerr$n.map", $v2 . $map);
        unlink "$tmp/sgerr$n";
        my $r = $gcc->("-B$k", @$opt, $opt->[0] eq '-static' ? "$tmp/sgmain.o" : "$tmp/sglib.o", "-Wl,--mapfile,$tmp/sgerr$n.map",
                       '-o', "$tmp/sgerr$n");
        ok($r->{status} && $r->{err} =~ $re && !-e "$tmp/sgerr$n", "error: $what") or diag($r->{err});
    }
}

# ------------------------------------- 4. .dynsym in ld.bfd's order
{
    my $k = "$tmp/k";
    spew("$tmp/many.c", join '', map { "int f$_(void) { return $_; }\n" } 0 .. 399);
    cc('many.o', '-fPIC', "$tmp/many.c");
    my $names = sub { join ' ', map { (split)[7] // () } grep { /^\s+\d+:/ } split /\n/, run(argv => ['readelf', '--dyn-syms', '-W', $_[0]])->{out} };
    for my $libc ('-nostdlib', '') {
        my @o = $libc ? ($libc) : ();
        my $r = run(argv => ['gcc', "-B$k", '-shared', @o, "$tmp/many.o", '-o', "$tmp/many-k.so"]);
        my $b = run(argv => ['gcc', '-shared', @o, "$tmp/many.o", '-o', "$tmp/many-b.so"]);
        my ($kn, $bn) = ($names->("$tmp/many-k.so"), $names->("$tmp/many-b.so"));
        ok(!$r->{status} && !$b->{status} && $kn eq $bn && $kn =~ /f399/,
           '-shared ' . ($libc || 'with libc') . ': .dynsym in ld.bfd\'s order (400 functions, in GNU hash buckets by BFD\'s table)')
            or diag("$r->{err}$b->{err}\nkeel:   $kn\nld.bfd: $bn");
    }
}

# ------------------------------------------- 5. the audit's gaps
{
    my $k = "$tmp/k";
    my $gcc = sub { run(argv => ['gcc', @_]) };
    cc('order.o', '-O2', '-ffunction-sections', "$src/order.c");
    my $olink = sub {    # a PIE through gcc (.eh_frame_hdr: --eh-frame-hdr); the result, and the program's run
        my ($out, $map, @args) = @_;
        spew("$tmp/$out.map", $v2 . $map);
        unlink "$tmp/$out";
        my $r = $gcc->("-B$k", "$tmp/order.o", "-Wl,--mapfile,$tmp/$out.map", @args, '-o', "$tmp/$out");
        $r->{run} = $r->{status} ? '' : do { my $x = run(argv => ["$tmp/$out"]); "$x->{status} $x->{out}" };
        return $r;
    };
    my $nm = sub { my %s; my $o = run(argv => ['nm', $_[0]])->{out}; while ($o =~ /^([0-9a-f]+) \S (\S+)$/mg) { $s{$2} = hex $1 } return \%s };
    my $secs = sub {    # readelf -SW's section names matching $re, in order
        my ($f, $re) = @_;
        return join ' ', grep { /$re/ } map { /^\s+\[\s*\d+\]\s+(\S+)/ ? $1 : () } split /\n/, run(argv => ['readelf', '-SW', $f])->{out};
    };
    my $pluses = <<'EOF';
LOAD_SEGMENT hot {
    ASSIGN_SECTION ha { IS_NAME = .text.hot_a; };
    ASSIGN_SECTION hb { IS_NAME = .text.hot_b; };
    ASSIGN_SECTION hc { IS_NAME = .text.hot_c; };
    FLAGS = READ EXECUTE;
    IS_ORDER = hc;
    IS_ORDER += hb;
    SIZE_SYMBOL = hs1;
    SIZE_SYMBOL += hs2;
};
SEGMENT_ORDER = header text;
SEGMENT_ORDER += hot;
LOAD_SEGMENT rodata { OS_ORDER = .eh_frame; OS_ORDER += .eh_frame_hdr; };
NULL_SEGMENT extra { OS_ORDER = .info.c; OS_ORDER += .info.b; };
EOF
    (my $sets = $pluses) =~ s/;\n\s*IS_ORDER \+= hb;/ hb;/;
    $sets =~ s/SIZE_SYMBOL = hs1;\n\s*SIZE_SYMBOL \+= hs2;/SIZE_SYMBOL = hs1 hs2;/;
    $sets =~ s/SEGMENT_ORDER = header text;\nSEGMENT_ORDER \+= hot;/SEGMENT_ORDER = header text hot;/;
    $sets =~ s/OS_ORDER = \.eh_frame; OS_ORDER \+= \.eh_frame_hdr;/OS_ORDER = .eh_frame .eh_frame_hdr;/;
    $sets =~ s/OS_ORDER = \.info\.c; OS_ORDER \+= \.info\.b;/OS_ORDER = .info.c .info.b;/;
    (my $alone = $pluses) =~ s/ OS_ORDER \+= [^;]*;//g;
    $alone =~ s/^.*\+=.*\n//mg;
    my $p = $olink->('plus', $pluses);
    my $q = $olink->('sets', $sets);
    my $a = $olink->('alone', $alone);
    ok(!$p->{status} && !$q->{status} && $sets !~ /\+=/ && slurp("$tmp/plus") eq slurp("$tmp/sets"),
       'IS_ORDER, SIZE_SYMBOL, SEGMENT_ORDER, OS_ORDER (loadable and NULL) with +=: the same bytes as the = forms') or diag("$p->{err}$q->{err}\n$sets");
    my ($ps, $as) = ($nm->("$tmp/plus"), $nm->("$tmp/alone"));
    ok(($ps->{hot_c} // 0) < ($ps->{hot_b} // 0) && ($ps->{hot_b} // 0) < ($ps->{hot_a} // 0) && ($as->{hot_a} // 0) < ($as->{hot_b} // 0),
       'IS_ORDER = hc; IS_ORDER += hb;: hot_c, hot_b, then hot_a (input order: hot_a before hot_b without the +=)') or diag($a->{err});
    my @loadv = map { /^\s+LOAD\s+\S+\s+0x([0-9a-f]+)\s+\S+\s+\S+\s+0x([0-9a-f]+)/ ? [hex $1, hex $2] : () }
        split /\n/, run(argv => ['readelf', '-lW', "$tmp/plus"])->{out};
    my ($hot) = grep { defined $ps->{hot_c} && $_->[0] == $ps->{hot_c} } @loadv;
    ok(defined $ps->{hs1} && defined $ps->{hs2} && $hot && $ps->{hs1} == $hot->[1] && $ps->{hs2} == $hot->[1],
       'SIZE_SYMBOL = hs1; SIZE_SYMBOL += hs2;: both the hot segment\'s p_memsz (readelf -lW)');
    my $loads = sub { join ' ', map { /\s(R E|R  |RW )\s/ ? $1 =~ s/\s//gr : () } grep { /^\s+LOAD/ } split /\n/, run(argv => ['readelf', '-lW', $_[0]])->{out} };
    is($loads->("$tmp/plus") . ' / ' . $loads->("$tmp/alone"), 'R RE RE R RW / R RE R RE RW',
       'SEGMENT_ORDER += hot: hot right after text (without: after rodata, where a new segment goes)');
    is($secs->("$tmp/plus", qr/^\.(eh_frame|eh_frame_hdr|rodata)$/) . ' / ' . $secs->("$tmp/alone", qr/^\.(eh_frame|eh_frame_hdr|rodata)$/),
       '.eh_frame .eh_frame_hdr .rodata / .eh_frame .rodata .eh_frame_hdr', 'OS_ORDER += in rodata: the listed sections first, in order');
    is($secs->("$tmp/plus", qr/^\.info/) . ' / ' . $secs->("$tmp/alone", qr/^\.info/), '.info.c .info.b .info.a / .info.c .info.a .info.b',
       'OS_ORDER += in the NULL segment extra: the unallocated sections in that order');
    is("$p->{run}|$a->{run}", "0 2\n|0 2\n", '... and the programs run');

    # segment FLAGS += and -=
    my $f = $olink->('flagsplus', "LOAD_SEGMENT rodata { FLAGS += EXECUTE; };\n");
    my $g = $olink->('flagsminus', "LOAD_SEGMENT ro2 {\n    ASSIGN_SECTION { IS_NAME = .rodata; };\n    FLAGS = READ WRITE;\n    FLAGS -= WRITE;\n};\n");
    is($loads->("$tmp/flagsplus") . " | $f->{run}", "R RE RE RW | 0 2\n", 'LOAD_SEGMENT rodata { FLAGS += EXECUTE; }: rodata\'s PT_LOAD R E; runs')
        or diag($f->{err});
    is($loads->("$tmp/flagsminus") . " | $g->{run}", "R RE R R RW | 0 2\n", 'a new segment with FLAGS = READ WRITE; FLAGS -= WRITE;: R (.rodata in it); runs')
        or diag($g->{err});

    # RESERVE_SEGMENT's other attributes
    my $res = sub {
        my ($out, $attrs) = @_;
        my $r = $olink->($out, "RESERVE_SEGMENT r {\n    VADDR = 0x7e0000000000;\n$attrs};\n", '-no-pie');
        my ($ph) = grep { /0x00007e0000000000/ } split /\n/, run(argv => ['readelf', '-lW', "$tmp/$out"])->{out};
        return ($r, $ph // '', $nm->("$tmp/$out"));
    };
    my ($r1, $ph1, $s1) = $res->('res1', "    SIZE = 0x100000;\n    ALIGN = 0x200000;\n    PADDR = 0x5000;\n    SIZE_SYMBOL = rsz;\n");
    like($ph1, qr/^\s+LOAD\s+0x0+\s+0x00007e0000000000\s+0x0000000000005000\s+0x000000\s+0x100000\s+0x200000$/,
         'RESERVE_SEGMENT ALIGN, PADDR: p_align 0x200000, p_paddr 0x5000 (p_filesz 0, p_memsz SIZE, flags 0)') or diag($r1->{err});
    is(sprintf('%#x', $s1->{rsz} // 0), '0x100000', 'RESERVE_SEGMENT SIZE_SYMBOL: the reservation\'s size (it was 0)');
    my ($r2, $ph2, $s2) = $res->('res2', "    SIZE = 0x100001;\n    ROUND = 0x10000;\n    SIZE_SYMBOL = rsz;\n");
    ok($ph2 =~ /\s0x000000\s+0x110000\s/ && ($s2->{rsz} // 0) == 0x110000 && $r2->{run} eq "0 2\n",
       'RESERVE_SEGMENT ROUND = 0x10000: SIZE 0x100001 rounded up to 0x110000 (was ignored); runs')
        or diag("$ph2 $r2->{err} run: $r2->{run} rsz: " . ($s2->{rsz} // 'none'));

    # a PIE (or shared object) is loaded anywhere: a reservation there
    # moved with it, and the kernel mapped the span to it (SIGSEGV at start)
    my $rp = $olink->('respie', "RESERVE_SEGMENT r {\n    VADDR = 0x7e0000000000;\n    SIZE = 0x100000;\n};\n", '-pie');
    ok($rp->{status} && $rp->{err} =~ /RESERVE_SEGMENT r: a reservation needs a fixed address, and a PIE \(-pie\) is loaded anywhere/
           && !-e "$tmp/respie", 'error: RESERVE_SEGMENT in a PIE, no output (it linked, and the program died at start)')
        or diag("$rp->{err} run: $rp->{run}");

    # the notes' example C as meant: a shared object
    cc('mylib.o', '-O2', '-fPIC', "$src/mylib.c");
    cc('mylibmain.o', "$src/mylibmain.c");
    spew("$tmp/exC.map", $v2 . <<'EOF');
$if _ELF64 && _x86
$add amd64
$endif
LOAD_SEGMENT bss;                                   # referencing enables it
SYMBOL_VERSION MYLIB_1.0 {
    global: mylib_open; mylib_read { FLAGS = NODIRECT; };
    local:  *;
};
EOF
    spew("$tmp/exC.ver", "MYLIB_1.0 { global: mylib_open; mylib_read; local: *; };\n");
    mkdir "$tmp/exC";
    mkdir "$tmp/exCb";
    my $r = $gcc->("-B$k", '-shared', '-Wl,-soname,libmylib.so', "$tmp/mylib.o", "-Wl,--mapfile,$tmp/exC.map", '-o', "$tmp/exC/libmylib.so");
    my $b = $gcc->('-shared', '-Wl,-soname,libmylib.so', "$tmp/mylib.o", "-Wl,--version-script,$tmp/exC.ver", '-o', "$tmp/exCb/libmylib.so");
    my @ph = grep { /^\s+(LOAD|DYNAMIC)/ } split /\n/, run(argv => ['readelf', '-lW', "$tmp/exC/libmylib.so"])->{out};
    my @rw = grep { /^\s+LOAD.*RW / } @ph;
    ok(!$r->{status} && @rw == 2 && $rw[1] =~ /\s0x000000\s+0x0*1\d\d\d\s+RW / && grep({ /DYNAMIC/ } @ph),
       'example C, -shared: data and bss PT_LOADs R W (bss: .bss\'s 4 KiB, no file bytes), then DYNAMIC') or diag($r->{err} . join("\n", @ph));
    my $dyn = sub { join ' ', sort map { /\s(\S*mylib\S*|MYLIB\S*)$/ ? $1 : () } split /\n/, run(argv => ['readelf', '--dyn-syms', '-W', $_[0]])->{out} };
    is($dyn->("$tmp/exC/libmylib.so"), $dyn->("$tmp/exCb/libmylib.so"),
       'example C: .dynsym\'s library symbols are ld.bfd\'s with the equivalent version script (mylib_helper, mylib_state local)');
    $r = $gcc->("$tmp/mylibmain.o", "-L$tmp/exC", '-lmylib', '-o', "$tmp/exC/main");
    my $x = run(argv => ["$tmp/exC/main"], env => {LD_LIBRARY_PATH => "$tmp/exC"});
    is("$x->{status} $x->{out}", "0 2 k\n", 'example C: a program linked against it runs');
}

done_testing();
