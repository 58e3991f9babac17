#!/usr/bin/perl
# Mapfiles applied to the layout (issue 14; docs/linker.md, "Mapfiles:
# the layout"): for each directive and attribute, a mapfile and objects
# (tests/progs/mapfile/), the output checked with readelf -lSW and nm, and
# the program run where it runs:
#   - layouts people build with GNU linker scripts, done with mapfiles and
#     compared with ld.bfd's link of the equivalent script: hot functions
#     in a segment of their own (same PT_LOADs and symbol addresses), a
#     kernel-like image at a fixed address without headers and a boot
#     image at 0x100000 (the same flat image, keel exec --image, byte for
#     byte), data placed by FILE_BASENAME;
#   - a RESERVE_SEGMENT whose range the running program maps, STACK,
#     DISCARD of the debug sections, every other attribute;
#   - the examples of the notes (section 5), every layout-time error (no
#     output file), --print-mapfile read back giving the same bytes for a
#     freestanding program, C hello, C++ and static Python;
#   (The speed of a link with a 200-line mapfile is measured, not tested:
#   tests assert no timings, and under the sanitizer and clang builds no
#   tool counts instructions.  docs/linker.md gives the figures.)
use strict;
use warnings;
no warnings 'portable'; # 64-bit addresses
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Programs qw(slurp spew have);
use KeelTest qw(keel_setup run linker_args);

my ($build, $keel, $tmp) = keel_setup('mapfile_layout', need => ['gcc', 'ld.bfd (binutils)']);
my $src = "$FindBin::Bin/progs/mapfile";
my $v2 = "\$mapfile_version 2\n";
my @CF = qw(-O1 -ffreestanding -fno-pic -fno-stack-protector -fcf-protection=none);

sub cc {
    my ($out, @args) = @_;
    my $r = run(argv => ['gcc', @args, '-c', '-o', "$tmp/$out"]);
    BAIL_OUT("gcc @args: $r->{err}") if $r->{status};
}
cc('main.o', @CF, "$src/main.c");
cc('data.o', @CF, "$src/data.c");
cc('start.o', @CF, "$src/main.c");    # example B's start.o: main.c under that name
cc('main-g.o', @CF, '-g', "$src/main.c");
cc('kernel.o', @CF, '-fno-asynchronous-unwind-tables', "$src/kernel.c");

my $n = 0;
# keel link with the mapfile text $map (undef: none): the run's result
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
sub objs { return map { "$tmp/$_" } @_ }

# readelf -lW: the program headers, each {type, offset, vaddr, paddr,
# filesz, memsz, flags, align, sections}
sub phdrs {
    my ($file) = @_;
    my $r = run(argv => ['readelf', '-lW', $file]);
    my (@ph, @map);
    for (split /\n/, $r->{out}) {
        if (my @m = /^\s+([A-Z_]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s(.{3})\s+(?:0x)?([0-9a-f]+)$/) {
            push @ph, {type => $m[0], offset => hex $m[1], vaddr => hex $m[2], paddr => hex $m[3], filesz => hex $m[4],
                       memsz => hex $m[5], flags => $m[6] =~ s/\s//gr, align => hex $m[7]};
        } elsif (/^\s+(\d\d)\s+(.*?)\s*$/) {
            $map[$1] = [split ' ', $2];
        } elsif (/^\s+(\d\d)\s*$/) {
            $map[$1] = [];
        }
    }
    $ph[$_]{sections} = $map[$_] // [] for 0 .. $#ph;
    return @ph;
}
sub loads { return grep { $_->{type} eq 'LOAD' } phdrs($_[0]) }
# the PT_LOADs that hold sections, as text: flags@vaddr filesz/memsz [sections]
sub load_text {
    return join ' | ', map { sprintf '%s@%#x %#x/%#x', $_->{flags}, $_->{vaddr}, $_->{filesz}, $_->{memsz} }
        grep { @{ $_->{sections} } } loads($_[0]);
}
sub layout { return join ' | ', map { "$_->{flags}: @{$_->{sections}}" } grep { @{ $_->{sections} } } loads($_[0]) }
# nm: name => address, for the code and data symbols
sub syms {
    my $r = run(argv => ['nm', $_[0]]);
    my %s;
    for (split /\n/, $r->{out}) {
        $s{$2} = hex $1 if /^([0-9a-f]+) [TtDdBbRrA] (\S+)$/;
    }
    return %s;
}
sub sym_text {
    my %s = syms($_[0]);
    return join ' ', map { sprintf '%s=%#x', $_, $s{$_} } sort grep { !/^(\$|\.)/ } keys %s;
}
# readelf -SW: name => {addr, align, type}, and the names in order
sub sections {
    my $r = run(argv => ['readelf', '-SW', $_[0]]);
    my (%s, @order);
    for (split /\n/, $r->{out}) {
        next unless /^\s+\[\s*\d+\]\s+(\S+)\s+(\S+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+\S+\s+(\S*)\s+\d+\s+\d+\s+(\d+)$/;
        $s{$1} = {type => $2, addr => hex $3, offset => hex $4, size => hex $5, align => $7};
        push @order, $1;
    }
    return (\%s, \@order);
}
sub runs26 {
    my ($file) = @_;
    my $r = run(argv => [$file]);
    return $r->{status} == 26 << 8 && $r->{out} =~ /^hello from a mapfile\n/ ? $r : undef;
}
sub fails_with {
    my ($name, $out, $map, $want, @args) = @_;
    my $r = klink($out, $map, @args);
    ok($r->{status} != 0 && index($r->{err}, $want) >= 0 && !-e "$tmp/$out", "error: $name")
        or diag("status $r->{status}; want '$want'; got: $r->{err}");
}

my $hot_map = $v2 . <<'EOF';
LOAD_SEGMENT hot {
    ASSIGN_SECTION hot { IS_NAME = MATCH(g/.text.hot.*/); };
    FLAGS = READ EXECUTE;
    SIZE_SYMBOL = hot_size;
};
EOF

# ------------------------------------------- hot functions, against ld.bfd
{
    my $r = klink('hot', $hot_map, objs('main.o', 'data.o'));
    ok($r->{status} == 0, 'hot: linked') or diag($r->{err});
    my @l = grep { @{ $_->{sections} } } loads("$tmp/hot");
    my ($hot) = grep { $_->{flags} eq 'RE' && grep { $_ eq '.text' } @{ $_->{sections} } } @l[2 .. $#l];
    my %s = syms("$tmp/hot");
    ok(@l == 4 && $hot && $s{hot_a} >= $hot->{vaddr} && $s{hot_b} < $hot->{vaddr} + $hot->{memsz}
           && !($s{cold} >= $hot->{vaddr} && $s{cold} < $hot->{vaddr} + $hot->{memsz}),
       'hot: a PT_LOAD (R E) of its own after the read-only data, holding hot_a and hot_b, not cold')
        or diag(layout("$tmp/hot"));
    my $run = runs26("$tmp/hot");
    ok($run && $hot && $run->{out} =~ /^hot_size=0x([0-9a-f]+)$/m && hex($1) == $hot->{memsz},
       'hot: runs; SIZE_SYMBOL hot_size is the segment\'s size in memory') or diag($run ? $run->{out} : 'no run');
    # GNU ld: a script restating the whole layout with PHDRS
    spew("$tmp/hot.ld", <<'EOF');
PHDRS { headers PT_LOAD FILEHDR PHDRS; text PT_LOAD; rodata PT_LOAD; hot PT_LOAD; data PT_LOAD; stack PT_GNU_STACK FLAGS(6); }
SECTIONS {
  . = 0x400000 + SIZEOF_HEADERS;
  . = ALIGN(0x1000);
  .text : { *(.text .text.[!h]*) } :text
  . = ALIGN(0x1000);
  .rodata : { *(.rodata .rodata.*) } :rodata
  .eh_frame : { *(.eh_frame) } :rodata
  . = ALIGN(0x1000);
  .text.hot : { *(.text.hot.*) } :hot
  hot_size = SIZEOF(.text.hot);
  . = ALIGN(0x1000) + (. & 0xfff);
  .data : { *(.data) } :data
  .bss : { *(.bss) *(COMMON) } :data
}
EOF
    my $b = run(argv => ['ld.bfd', '-static', '-T', "$tmp/hot.ld", '-o', "$tmp/hot.bfd", objs('main.o', 'data.o')]);
    ok($b->{status} == 0 && load_text("$tmp/hot") eq load_text("$tmp/hot.bfd")
           && sym_text("$tmp/hot") eq sym_text("$tmp/hot.bfd"),
       'hot: the PT_LOADs and every symbol\'s address are those of ld.bfd\'s link of the equivalent script')
        or diag("ld.bfd: $b->{err}\n" . load_text("$tmp/hot.bfd") . "\n" . load_text("$tmp/hot") . "\n"
                . sym_text("$tmp/hot.bfd") . "\n" . sym_text("$tmp/hot"));
}

# ------------------------------ MATCH(r/.../), MATCHREF, IS_ORDER, OS_ORDER
{
    my $r = klink('ref', $v2 . <<'EOF', objs('main.o', 'data.o'));
LOAD_SEGMENT hot {
    ASSIGN_SECTION { IS_NAME = MATCH(r/^\.TEXT\.HOT\.(.)$/i); OUTPUT_SECTION { NAME = MATCHREF(/.hot.${1}/); }; };
    FLAGS = READ EXECUTE;
};
EOF
    my ($s) = sections("$tmp/ref");
    ok($r->{status} == 0 && $s->{'.hot.a'} && $s->{'.hot.b'} && !$s->{'.text.hot.a'} && layout("$tmp/ref") =~ /RE: \.hot\.a \.hot\.b \|/ && runs26("$tmp/ref"),
       'MATCH(r/.../i) and OUTPUT_SECTION NAME = MATCHREF: .hot.a and .hot.b in the hot segment; runs')
        or diag($r->{err} . layout("$tmp/ref"));
    $r = klink('order', $v2 . <<'EOF', objs('main.o', 'data.o'), '-Map', "$tmp/order.mapout");
LOAD_SEGMENT hot {
    ASSIGN_SECTION ha { IS_NAME = .text.hot.a; };
    ASSIGN_SECTION hb { IS_NAME = MATCH(t/.text.hot.b/); };
    IS_ORDER = hb ha;
    FLAGS = READ EXECUTE;
};
EOF
    my %o = syms("$tmp/order");
    my $mapout = slurp("$tmp/order.mapout");
    ok($r->{status} == 0 && $o{hot_b} < $o{hot_a} && runs26("$tmp/order")
           && $mapout =~ /\.text\.hot\.b.*\n(?:.*\n)*?.*\.text\.hot\.a/,
       'IS_ORDER = hb ha: hot_b placed before hot_a (nm), and the map says so') or diag($r->{err});
    # keel_link_get_layout reports each input section where it went
    my $unit = "$build/tests/link_layout";
    SKIP: {
        skip "no $unit (make $unit)", 1 unless -x $unit;
        my $u = run(argv => [$unit, "$tmp/order.api", "$tmp/order.api.map", '--mapfile', "$tmp/order.map",
                             map { "0:$_" } objs('main.o', 'data.o')]);
        my @sec = map { (split /\t/)[5] } grep { /^section\t/ } split /\n/, $u->{out}; # OUTPUT: its place in this list
        my %at; # input section name => its address, from the layout's records
        for (split /\n/, $u->{out}) {
            my @f = split /\t/;
            $at{$f[5]} = $f[6] >= 0 && $sec[$f[6]] ? hex($sec[$f[6]]) + hex($f[7]) : -1 if $f[0] eq 'input' && $f[5] =~ /^\.text\.hot\./;
        }
        my %us = syms("$tmp/order.api");
        ok($u->{status} == 0 && defined $at{'.text.hot.a'} && $at{'.text.hot.a'} == $us{hot_a} && $at{'.text.hot.b'} == $us{hot_b}
               && $us{hot_b} < $us{hot_a}, 'IS_ORDER: keel_link_get_layout reports .text.hot.b and .text.hot.a where they went (nm)')
            or diag($u->{err} . join(' ', %at));
    }
    my %plain = syms("$tmp/hot");
    ok($plain{hot_a} < $plain{hot_b}, 'IS_ORDER: without it, input order (hot_a first)');
    $r = klink('osorder', $v2 . "LOAD_SEGMENT rodata { OS_ORDER = .eh_frame .rodata; };\n", objs('main.o', 'data.o'));
    my ($os, $order) = sections("$tmp/osorder");
    ok($r->{status} == 0 && $os->{'.eh_frame'}{addr} < $os->{'.rodata'}{addr} && layout("$tmp/osorder") =~ /R: \.eh_frame \.rodata/
           && runs26("$tmp/osorder"), 'OS_ORDER = .eh_frame .rodata: in that order') or diag($r->{err} . layout("$tmp/osorder"));
    $r = klink('osmiss', $v2 . "LOAD_SEGMENT rodata { OS_ORDER = .nosuch; };\n", objs('main.o', 'data.o'));
    ok($r->{status} == 0 && $r->{err} =~ /warning: segment rodata: section ordering requested, but no matching section found: \.nosuch/,
       'OS_ORDER naming no section: the notes\' warning') or diag($r->{err});
}

# ------------------------- DISABLE, re-enabling, VADDR, PADDR, ALIGN, ROUND
{
    my $r = klink('norodata', $v2 . "LOAD_SEGMENT rodata { DISABLE; };\n", objs('main.o', 'data.o'));
    ok($r->{status} == 0 && layout("$tmp/norodata") =~ /^RE: \.text \.rodata \.eh_frame \| RW: \.data \.bss$/ && runs26("$tmp/norodata"),
       'DISABLE rodata: its sections go to text (the criteria after)') or diag($r->{err} . layout("$tmp/norodata"));
    $r = klink('bss', $v2 . "LOAD_SEGMENT bss;\n", objs('main.o', 'data.o'));
    my ($bss) = grep { "@{$_->{sections}}" eq '.bss' } loads("$tmp/bss");
    ok($r->{status} == 0 && $bss && $bss->{filesz} == 0 && $bss->{flags} eq 'RW' && runs26("$tmp/bss"),
       'LOAD_SEGMENT bss;: an empty directive re-enables bss, a PT_LOAD with .bss and no file bytes')
        or diag($r->{err} . layout("$tmp/bss"));
    $r = klink('vaddr', $v2 . "LOAD_SEGMENT data { VADDR = 0x800000; PADDR = 0x900000; ALIGN = 0x10000; };\n", objs('main.o', 'data.o'));
    my ($d) = grep { grep { $_ eq '.data' } @{ $_->{sections} } } loads("$tmp/vaddr");
    ok($r->{status} == 0 && $d && $d->{vaddr} == 0x800000 && $d->{paddr} == 0x900000 && $d->{align} == 0x10000
           && $d->{offset} % 0x10000 == 0 && runs26("$tmp/vaddr"),
       'VADDR, PADDR, ALIGN: p_vaddr 0x800000, p_paddr 0x900000, p_align 0x10000; runs')
        or diag($r->{err} . join(' ', map { "$_->{vaddr}/$_->{paddr}/$_->{align}" } loads("$tmp/vaddr")));
    $r = klink('round', $v2 . "LOAD_SEGMENT data { ROUND = 0x100; };\n", objs('main.o', 'data.o'));
    my ($rs) = sections("$tmp/round");
    my ($ps) = sections("$tmp/hot");
    ok($r->{status} == 0 && $rs->{'.data'}{addr} % 0x100 == 0 && $rs->{'.data'}{align} == 0x100 && $ps->{'.data'}{addr} % 0x100 != 0
           && runs26("$tmp/round"), 'ROUND = 0x100: the first section of data on a 0x100 boundary (not so without)')
        or diag($r->{err});
    $r = klink('maxok', $hot_map . "LOAD_SEGMENT hot { MAX_SIZE = 0x100; };\n", objs('main.o', 'data.o'));
    ok($r->{status} == 0 && runs26("$tmp/maxok"), 'MAX_SIZE not exceeded: linked') or diag($r->{err});
    $r = klink('segorder', $hot_map . "SEGMENT_ORDER = header text hot;\n", objs('main.o', 'data.o'));
    ok($r->{status} == 0 && layout("$tmp/segorder") =~ /^RE: \.text \| RE: \.text \| R: \.rodata \.eh_frame \| RW/ && runs26("$tmp/segorder"),
       'SEGMENT_ORDER = header text hot: hot right after text') or diag($r->{err} . layout("$tmp/segorder"));
    $r = klink('phnull', $v2 . "PHDR_ADD_NULL = 2;\n", objs('main.o', 'data.o'));
    my @ph = phdrs("$tmp/phnull");
    ok($r->{status} == 0 && @ph >= 3 && $ph[-1]{type} eq 'NULL' && $ph[-2]{type} eq 'NULL' && $ph[-3]{type} ne 'NULL'
           && runs26("$tmp/phnull"), 'PHDR_ADD_NULL = 2: two PT_NULL entries at the end (decision 2)')
        or diag($r->{err});
}

# ------------------------------------------------------- notes and null segments
{
    my $rn = run(argv => ['objcopy', '--add-section', ".note.mine=$src/data.c", '--set-section-flags', '.note.mine=alloc,readonly',
                          "$tmp/main.o", "$tmp/main-note.o"]);
    my $r = klink('nonote', $v2 . "NOTE_SEGMENT note { DISABLE; };\n", objs('main-note.o', 'data.o'));
    my $none = !grep { $_->{type} eq 'NOTE' } phdrs("$tmp/nonote");
    $r = klink('mynote', $v2 . "NOTE_SEGMENT note { DISABLE; };\nNOTE_SEGMENT mine { ASSIGN_SECTION { IS_NAME = .note.mine; }; };\n",
               objs('main-note.o', 'data.o'));
    my ($note) = grep { $_->{type} eq 'NOTE' } phdrs("$tmp/mynote");
    ok($rn->{status} == 0 && $r->{status} == 0 && $none && $note && "@{$note->{sections}}" eq '.note.mine' && runs26("$tmp/mynote"),
       'NOTE_SEGMENT: note disabled, no PT_NOTE; a new note segment for .note.mine, its PT_NOTE') or diag($r->{err});
    $r = klink('null', $v2 . "NULL_SEGMENT comments { ASSIGN_SECTION { IS_NAME = .comment; }; };\n", objs('main.o', 'data.o'));
    my ($s) = sections("$tmp/null");
    ok($r->{status} == 0 && $s->{'.comment'} && !grep({ grep { $_ eq '.comment' } @{ $_->{sections} } } phdrs("$tmp/null"))
           && runs26("$tmp/null"), 'NULL_SEGMENT: .comment kept in a segment with no program header') or diag($r->{err});
    $r = klink('nodebug', $v2 . <<'EOF', objs('main-g.o', 'data.o'));
NULL_SEGMENT nodebug {
    ASSIGN_SECTION { IS_NAME = MATCH(g/.debug_*/); OUTPUT_SECTION { DISCARD; }; };
};
EOF
    my ($with) = sections(do { klink('debug', undef, objs('main-g.o', 'data.o')); "$tmp/debug" });
    my ($without) = sections("$tmp/nodebug");
    my $b = run(argv => ['ld.bfd', '-static', '-o', "$tmp/nodebug.bfd", '-T', do {
        spew("$tmp/nodebug.ld", "SECTIONS { /DISCARD/ : { *(.debug_*) } }\nINSERT AFTER .comment;\n"); "$tmp/nodebug.ld" }, objs('main-g.o', 'data.o')]);
    my ($bfd) = sections("$tmp/nodebug.bfd");
    ok($r->{status} == 0 && (grep { /^\.debug_/ } keys %$with) && !(grep { /^\.debug_/ } keys %$without)
           && $b->{status} == 0 && !(grep { /^\.debug_/ } keys %$bfd) && runs26("$tmp/nodebug"),
       'OUTPUT_SECTION { DISCARD; } of .debug_*: no debug section left (there are without), as ld.bfd\'s /DISCARD/')
        or diag($r->{err});
}

# -------------------------------------------------------------------- STACK
{
    my $r = klink('stack', $v2 . "STACK { FLAGS -= EXECUTE; };\n", objs('main.o', 'data.o'), '-z', 'execstack');
    my ($st) = grep { $_->{type} eq 'GNU_STACK' } phdrs("$tmp/stack");
    klink('stackx', undef, objs('main.o', 'data.o'), '-z', 'execstack');
    my ($sx) = grep { $_->{type} eq 'GNU_STACK' } phdrs("$tmp/stackx");
    my $b = run(argv => ['ld.bfd', '-static', '-z', 'noexecstack', '-o', "$tmp/stack.bfd", objs('main.o', 'data.o')]);
    my ($sb) = grep { $_->{type} eq 'GNU_STACK' } phdrs("$tmp/stack.bfd");
    ok($r->{status} == 0 && $st && $sx && $sb && $sx->{flags} eq 'RWE' && $st->{flags} eq $sb->{flags} && $st->{flags} eq 'RW'
           && runs26("$tmp/stack"), 'STACK { FLAGS -= EXECUTE; }: PT_GNU_STACK RW, as ld.bfd -z noexecstack (RWE with -z execstack alone)')
        or diag($r->{err});
}

# ------------------------------------ a kernel-like image and a boot image
sub flat {
    my ($elf, $out) = @_;
    my $r = run(file => $keel, argv => [$keel, 'exec', '--image', $elf, '-o', $out]);
    return $r->{status} == 0 ? slurp($out) : undef;
}
{
    my $map = $v2 . <<'EOF';
LOAD_SEGMENT kernel {
    VADDR = 0x7f000000;
    NOHDR;
    FLAGS = READ EXECUTE;
    ASSIGN_SECTION { FLAGS = ALLOC !WRITE; };
};
LOAD_SEGMENT kdata {
    FLAGS = READ WRITE;
    ASSIGN_SECTION { FLAGS = ALLOC WRITE; };
};
EOF
    my $r = klink('kernel', $map, objs('kernel.o'), '-e', 'kmain');
    my @l = loads("$tmp/kernel");
    spew("$tmp/kernel.ld", <<'EOF');
ENTRY(kmain)
SECTIONS {
  . = 0x7f000000;
  .text : { *(.text .text.*) }
  .rodata : { *(.rodata .rodata.*) }
  . = ALIGN(0x1000);
  .data : { *(.data .data.*) }
  .bss : { *(.bss .bss.*) *(COMMON) }
}
EOF
    my $b = run(argv => ['ld.bfd', '-static', '-z', 'noexecstack', '-T', "$tmp/kernel.ld", '-o', "$tmp/kernel.bfd", objs('kernel.o')]);
    my ($ki, $bi) = (flat("$tmp/kernel", "$tmp/kernel.img"), flat("$tmp/kernel.bfd", "$tmp/kernel.bfd.img"));
    ok($r->{status} == 0 && @l == 2 && $l[0]{vaddr} == 0x7f000000 && $l[0]{offset} > 0 && "@{$l[0]{sections}}" eq '.text .rodata',
       'kernel: NOHDR, VADDR 0x7f000000: the headers in no segment, code and read-only data first')
        or diag($r->{err} . layout("$tmp/kernel"));
    ok(defined $ki && defined $bi && $ki eq $bi && length $ki > 0 && sym_text("$tmp/kernel") eq sym_text("$tmp/kernel.bfd"),
       'kernel: keel exec --image gives the flat image of ld.bfd\'s link of the equivalent script, byte for byte ('
           . length($ki // '') . ' bytes); the same symbol addresses')
        or diag($b->{err} . "\n" . sym_text("$tmp/kernel") . "\n" . sym_text("$tmp/kernel.bfd"));
    $r = klink('boot', $v2 . "HDR_NOALLOC;\nLOAD_SEGMENT text { VADDR = 0x100000; };\n", objs('kernel.o'), '-e', 'kmain');
    spew("$tmp/boot.ld", <<'EOF');
ENTRY(kmain)
SECTIONS {
  . = 0x100000;
  .text : { *(.text .text.*) }
  . = ALIGN(0x1000);
  .rodata : { *(.rodata .rodata.*) }
  . = ALIGN(0x1000) + (. & 0xfff);
  .data : { *(.data .data.*) }
  .bss : { *(.bss .bss.*) *(COMMON) }
}
EOF
    $b = run(argv => ['ld.bfd', '-static', '-z', 'noexecstack', '-T', "$tmp/boot.ld", '-o', "$tmp/boot.bfd", objs('kernel.o')]);
    my ($bk, $bb) = (flat("$tmp/boot", "$tmp/boot.img"), flat("$tmp/boot.bfd", "$tmp/boot.bfd.img"));
    @l = loads("$tmp/boot");
    ok($r->{status} == 0 && $l[0]{vaddr} == 0x100000 && $l[0]{offset} > 0 && load_text("$tmp/boot") eq load_text("$tmp/boot.bfd")
           && defined $bk && defined $bb && $bk eq $bb,
       'boot image at 0x100000 (HDR_NOALLOC, VADDR): ld.bfd\'s PT_LOADs and flat image') or
        diag($r->{err} . $b->{err} . "\n" . load_text("$tmp/boot") . "\n" . load_text("$tmp/boot.bfd"));
}

# --------------------------------------------------- data by FILE_BASENAME
{
    my $r = klink('table', $v2 . <<'EOF', objs('main.o', 'data.o'));
LOAD_SEGMENT table {
    FLAGS = READ WRITE;
    ASSIGN_SECTION { FILE_BASENAME = data.o; FLAGS = ALLOC WRITE; };
    SIZE_SYMBOL = data_size;
};
EOF
    my %s = syms("$tmp/table");
    my ($t) = grep { $_->{flags} eq 'RW' && $s{table} >= $_->{vaddr} && $s{table} < $_->{vaddr} + $_->{memsz} } loads("$tmp/table");
    my $run = runs26("$tmp/table");
    ok($r->{status} == 0 && $t && !($s{counter} >= $t->{vaddr} && $s{counter} < $t->{vaddr} + $t->{memsz})
           && $run && $run->{out} =~ /^data_size=0x([0-9a-f]+)$/m && hex($1) == $t->{memsz},
       'FILE_BASENAME = data.o: its data in a segment of its own (not main.o\'s); data_size its size; runs')
        or diag($r->{err} . layout("$tmp/table"));
    spew("$tmp/table.ld", <<'EOF');
PHDRS { headers PT_LOAD FILEHDR PHDRS; text PT_LOAD; rodata PT_LOAD; table PT_LOAD; data PT_LOAD; stack PT_GNU_STACK FLAGS(6); }
SECTIONS {
  . = 0x400000 + SIZEOF_HEADERS;
  . = ALIGN(0x1000);
  .text : { *(.text.hot .text.hot.*) *(.text .text.*) } :text
  . = ALIGN(0x1000);
  .rodata : { *(.rodata .rodata.*) } :rodata
  .eh_frame : { *(.eh_frame) } :rodata
  . = ALIGN(0x1000);
  .data.table : { */data.o(.data) } :table
  data_size = SIZEOF(.data.table);
  . = ALIGN(0x1000) + (. & 0xfff);
  .data : { *(.data) } :data
  .bss : { *(.bss) *(COMMON) } :data
}
EOF
    my $b = run(argv => ['ld.bfd', '-static', '-T', "$tmp/table.ld", '-o', "$tmp/table.bfd", objs('main.o', 'data.o')]);
    ok($b->{status} == 0 && load_text("$tmp/table") eq load_text("$tmp/table.bfd") && sym_text("$tmp/table") eq sym_text("$tmp/table.bfd"),
       'FILE_BASENAME: the PT_LOADs and symbol addresses of ld.bfd\'s link with data.o(.data) in a PHDRS segment')
        or diag($b->{err} . "\n" . load_text("$tmp/table") . "\n" . load_text("$tmp/table.bfd") . "\n"
                . sym_text("$tmp/table") . "\n" . sym_text("$tmp/table.bfd"));
}

# ------------------------------------------------------- RESERVE_SEGMENT
SKIP: {
    cc('reserve.o', '-O1', "$src/reserve.c");
    spew("$tmp/reserve.map", $v2 . "RESERVE_SEGMENT gap { VADDR = 0x7f0000000000; SIZE = 0x40000000; };\n");
    mkdir "$tmp/ldbin";
    symlink($keel =~ m{^/} ? $keel : "$ENV{PWD}/$keel", "$tmp/ldbin/ld");
    my $r = run(argv => ['gcc', '-static', '-B', "$tmp/ldbin/", "$tmp/reserve.o", '-o', "$tmp/reserve",
                         "-Wl,--mapfile,$tmp/reserve.map"]);
    ok($r->{status} == 0, 'RESERVE_SEGMENT: gcc -Wl,--mapfile,FILE links through keel') or diag($r->{err});
    my ($res) = grep { $_->{vaddr} == 0x7f0000000000 } loads("$tmp/reserve");
    ok($res && $res->{flags} eq '' && $res->{filesz} == 0 && $res->{memsz} == 0x40000000,
       'RESERVE_SEGMENT: a PT_LOAD at 0x7f0000000000, p_flags 0, p_filesz 0, p_memsz 0x40000000');
    my $p = run(argv => ["$tmp/reserve"]);
    ok($p->{status} == 0 && $p->{out} =~ /range kept: 1\nMAP_FIXED_NOREPLACE: File exists\nMAP_FIXED: mapped\nok/,
       'RESERVE_SEGMENT: the kernel keeps the range (MAP_FIXED_NOREPLACE fails), the program maps it with MAP_FIXED; mmap chooses elsewhere')
        or diag($p->{out} . $p->{err});
}

# --------------------------------------------------------- the notes' examples
{
    # A, in a static executable (no PHDR, INTERP, DYNAMIC)
    my $r = klink('exA', $v2 . "STACK { FLAGS -= EXECUTE; };\nLOAD_SEGMENT data { ROUND = 0x1000; };\n", objs('main.o', 'data.o'));
    my ($s) = sections("$tmp/exA");
    my ($st) = grep { $_->{type} eq 'GNU_STACK' } phdrs("$tmp/exA");
    ok($r->{status} == 0 && $s->{'.data'}{addr} % 0x1000 == 0 && $s->{'.data'}{offset} % 0x1000 == 0 && $st->{flags} eq 'RW'
           && runs26("$tmp/exA"), 'example A: the first data section page-aligned in the file; the stack RW') or diag($r->{err});
    # B: ROM and RAM (position-independent code, so that 0x80000000 is in reach)
    cc('start-pie.o', @CF, '-fpie', "$src/main.c");
    cc('data-pie.o', @CF, '-fpie', "$src/data.c");
    rename "$tmp/start-pie.o", "$tmp/bstart/start.o" if mkdir "$tmp/bstart";
    my $B = $v2 . <<'EOF';
HDR_NOALLOC;
LOAD_SEGMENT rom {
    VADDR = 0x80000000; MAX_SIZE = 0x4000; FLAGS = READ EXECUTE;
    ASSIGN_SECTION boot { IS_NAME = .text; FILE_BASENAME = start.o; };
    ASSIGN_SECTION ro   { FLAGS = ALLOC !WRITE; };
    IS_ORDER = boot ro;
    OS_ORDER = .text .rodata;
};
LOAD_SEGMENT ram {
    VADDR = 0x80100000; FLAGS = READ WRITE;
    ASSIGN_SECTION { FLAGS = ALLOC WRITE; };
    SIZE_SYMBOL = __ram_size;
};
EOF
    $r = klink('exB', $B, "$tmp/data-pie.o", "$tmp/bstart/start.o");
    my @l = loads("$tmp/exB");
    my %sy = syms("$tmp/exB");
    my ($bs) = sections("$tmp/exB");
    ok($r->{status} == 0 && @l == 2 && $l[0]{vaddr} == 0x80000000 && $l[0]{flags} eq 'RE' && $l[0]{offset} > 0
           && $l[1]{vaddr} == 0x80100000 && $l[1]{flags} eq 'RW' && $l[1]{filesz} < $l[1]{memsz}
           && $l[0]{sections}[0] eq '.text' && $sy{_start} < $sy{data_sum} && $bs->{'.text'}{addr} < $bs->{'.rodata'}{addr},
       'example B: rom at 0x80000000 (R E, .text with start.o first, then .rodata), ram at 0x80100000 (R W, .bss in memory only), no headers mapped')
        or diag($r->{err} . layout("$tmp/exB"));
    (my $B2 = $B) =~ s/0x80100000/0x80000000/;
    fails_with('example B with ram at rom\'s address', 'exB2', $B2, "segments 'rom' and 'ram' have the same assigned virtual address",
               "$tmp/data-pie.o", "$tmp/bstart/start.o");
    (my $B3 = $B) =~ s/MAX_SIZE = 0x4000/MAX_SIZE = 0x10/;
    fails_with('example B, rom larger than MAX_SIZE', 'exB3', $B3, 'segment rom calculated size 0x', "$tmp/data-pie.o", "$tmp/bstart/start.o");
    # C: bss enabled, then symbol versions, which need a dynamic output
    fails_with('example C: SYMBOL_VERSION refused by name', 'exC', $v2 . <<'EOF', 'line 6: SYMBOL_VERSION: ', objs('main.o', 'data.o'));
$if _ELF64 && _x86
$add amd64
$endif
LOAD_SEGMENT bss;                                   # referencing enables it
SYMBOL_VERSION MYLIB_1.0 {
    global: mylib_open; mylib_read { FLAGS = NODIRECT; };
    local:  *;
};
EOF
    # D
    $r = klink('exD', $v2 . <<'EOF', objs('main.o', 'data.o'));
LOAD_SEGMENT text {
    ASSIGN_SECTION hot {
        IS_NAME = MATCH(r/^\.text\.hot\..*$/);
        FLAGS = ALLOC EXECUTE;
        OUTPUT_SECTION { NAME = .text.hot; };
    };
    OS_ORDER = .text.hot .text;
};
RESERVE_SEGMENT gap { VADDR = 0x7f0000000000; SIZE = 0x40000000; };
EOF
    my ($ds, $dorder) = sections("$tmp/exD");
    my @dl = loads("$tmp/exD");
    ok($r->{status} == 0 && $ds->{'.text.hot'} && $ds->{'.text.hot'}{addr} < $ds->{'.text'}{addr} && layout("$tmp/exD") =~ /RE: \.text\.hot \.text \|/
           && $dl[-1]{vaddr} == 0x7f0000000000 && $dl[-1]{flags} eq '' && $dl[-1]{filesz} == 0 && $dl[-1]{memsz} == 0x40000000
           && runs26("$tmp/exD"),
       'example D: .text.hot first in text; the reservation a PT_LOAD after the others, flags 0, no file bytes; runs')
        or diag($r->{err} . layout("$tmp/exD"));
}

# ------------------------------------------------------------ SYMBOL_SCOPE
# (readelf -sW: name => binding, for the named symbols)
sub bindings {
    my $r = run(argv => ['readelf', '-sW', $_[0]]);
    my %b;
    for (split /\n/, $r->{out}) {
        my @f = split ' ';
        $b{$f[7]} = $f[4] if @f >= 8 && $f[0] =~ /^\d+:$/ && $f[3] ne 'FILE';
    }
    return %b;
}
{
    my @o = objs('main.o', 'data.o');
    my $r = klink('scope', $v2 . "SYMBOL_SCOPE {\n    global: counter; zeroes;\n    local: *;\n};\n", @o);
    # the oracle: keel's link without the mapfile, every global but those
    # two made local by objcopy -G (ld.bfd's --version-script does
    # nothing to a static executable's .symtab: it has no dynamic symbols)
    klink('scope.plain', undef, @o);
    my $b = run(argv => ['objcopy', '-G', 'counter', '-G', 'zeroes', "$tmp/scope.plain", "$tmp/scope.bfd"]);
    my %k = bindings("$tmp/scope");
    my %g = bindings("$tmp/scope.bfd");
    my $kg = join ' ', sort grep { $k{$_} eq 'GLOBAL' } keys %k;
    my $bg = join ' ', sort grep { $g{$_} eq 'GLOBAL' } keys %g;
    my $kl = join ' ', sort grep { $k{$_} eq 'LOCAL' } keys %k;
    my $bl = join ' ', sort grep { $g{$_} eq 'LOCAL' } keys %g;
    my $re = run(argv => ['readelf', '-sW', "$tmp/scope"]);
    ok($r->{status} == 0 && $b->{status} == 0 && $kg eq 'counter zeroes' && $kg eq $bg && $kl eq $bl && ($k{cold} // '') eq 'LOCAL'
           && $re->{err} eq '' && runs26("$tmp/scope"),
       'SYMBOL_SCOPE { global: counter; zeroes; local: *; }: the other globals local in .symtab, as objcopy -G makes them')
        or diag("$r->{err} $b->{err} keel: $kg / $kl; objcopy: $bg / $bl; $re->{err}");
    $r = klink('elim', $v2 . "SYMBOL_SCOPE {\n    eliminate: cold; hot_a;\n    global: magic { VALUE = 0x1234; };\n};\n", @o);
    my %e = bindings("$tmp/elim");
    my %s = syms("$tmp/elim");
    ok($r->{status} == 0 && !exists $e{cold} && !exists $e{hot_a} && exists $e{hot_b} && ($s{magic} // 0) == 0x1234
           && runs26("$tmp/elim"),
       'SYMBOL_SCOPE eliminate: cold and hot_a left out of .symtab; VALUE defines magic = 0x1234') or diag($r->{err});
    $r = klink('assert_ok', $v2 . "SYMBOL_SCOPE {\n"
                   . "    counter { ASSERT { TYPE = DATA; SIZE = 4; BINDING = GLOBAL; SH_ATTR = BITS; }; };\n"
                   . "    zeroes { ASSERT { SH_ATTR = NOBITS; SIZE = 256; }; };\n"
                   . "    hot_a { ASSERT { TYPE = FUNCTION; }; };\n};\n", @o);
    ok($r->{status} == 0 && runs26("$tmp/assert_ok"), 'ASSERT: TYPE, SIZE, BINDING, SH_ATTR that hold') or diag($r->{err});
    fails_with('ASSERT TYPE that fails', 'assert1', $v2 . "SYMBOL_SCOPE {\n    counter { ASSERT { TYPE = FUNCTION; }; };\n};\n",
               "assert1.map: line 3: symbol 'counter': ASSERT TYPE = FUNCTION failed: it is DATA", @o);
    fails_with('ASSERT SIZE that fails', 'assert2', $v2 . "SYMBOL_SCOPE {\n    table { ASSERT { SIZE = 8; }; };\n};\n",
               "assert2.map: line 3: symbol 'table': ASSERT SIZE = 0x8 failed: its size is 0x10", @o);
    fails_with('ASSERT SH_ATTR that fails', 'assert3', $v2 . "SYMBOL_SCOPE {\n    counter { ASSERT { SH_ATTR = NOBITS; }; };\n};\n",
               "assert3.map: line 3: symbol 'counter': ASSERT SH_ATTR = NOBITS failed: it is BITS", @o);
    fails_with('ASSERT BINDING that fails', 'assert4', $v2 . "SYMBOL_SCOPE {\n    counter { ASSERT { BINDING = WEAK; }; };\n};\n",
               "assert4.map: line 3: symbol 'counter': ASSERT BINDING = WEAK failed: it is GLOBAL", @o);
    fails_with('ASSERT ALIAS that fails', 'assert5', $v2 . "SYMBOL_SCOPE {\n    counter { ASSERT { ALIAS = table; }; };\n};\n",
               "assert5.map: line 3: symbol 'counter': ASSERT ALIAS = table failed", @o);
    fails_with('ASSERT of an undefined symbol', 'assert6', $v2 . "SYMBOL_SCOPE {\n    nosuch { ASSERT { TYPE = DATA; }; };\n};\n",
               "assert6.map: line 3: symbol 'nosuch': ASSERT failed: the symbol is not defined", @o);
    fails_with('a protected scope (dynamic only)', 'scope1', $v2 . "SYMBOL_SCOPE {\n    protected: counter;\n};\n",
               "scope1.map: line 3: symbol 'counter': scope PROTECTED needs a dynamic output", @o);
    fails_with('symbol FLAGS (Solaris direct binding)', 'scope2', $v2 . "SYMBOL_SCOPE {\n    counter { FLAGS = DIRECT; };\n};\n",
               "scope2.map: line 3: symbol 'counter': FLAGS is not applied", @o);
    fails_with('a SIZE_SYMBOL an input defines', 'scope3', $v2 . "LOAD_SEGMENT data { SIZE_SYMBOL = counter; };\n",
               'segment data: SIZE_SYMBOL counter: symbol already defined in', @o);
}

# ---------------------------------------------------------------- CAPABILITY
{
    my @o = objs('main.o', 'data.o');
    my $isa = sub { my $r = run(argv => ['readelf', '-nW', $_[0]]); $r->{out} =~ /x86 ISA needed: (.*)/ ? $1 : 'none' };
    for my $case (['HW = AVX2', 'x86-64-v3'], ['HW += SSE4.2 POPCNT', 'x86-64-v2'], ['HW_2 = avx512f', 'x86-64-v4']) {
        my ($hw, $level) = @$case;
        (my $tag = "cap-$level") =~ s/\W/_/g;
        my $r = klink($tag, $v2 . "CAPABILITY {\n    $hw;\n};\n", @o);
        my $b = run(argv => ['ld.bfd', '-static', '-z', $level, '-o', "$tmp/$tag.bfd", @o]);
        ok($r->{status} == 0 && $b->{status} == 0 && $isa->("$tmp/$tag") eq $level && $isa->("$tmp/$tag.bfd") eq $level
               && grep({ $_->{type} eq 'GNU_PROPERTY' } phdrs("$tmp/$tag")) && runs26("$tmp/$tag"),
           "CAPABILITY { $hw; }: .note.gnu.property's x86 ISA needed is $level, as ld.bfd -z $level")
            or diag($r->{err} . $b->{err} . $isa->("$tmp/$tag"));
    }
    my $r = klink('cap-sub', $v2 . "CAPABILITY {\n    HW = AVX2;\n    HW -= SSE4.2;\n};\n", @o);
    ok($r->{status} == 0 && $isa->("$tmp/cap-sub") eq 'x86-64-v3', 'CAPABILITY HW -= a lower level leaves the higher one')
        or diag($r->{err});
    $r = klink('cap-none', $v2 . "CAPABILITY {\n    HW = AVX2;\n    HW -= AVX2;\n};\n", @o);
    ok($r->{status} == 0 && $isa->("$tmp/cap-none") eq 'none', 'CAPABILITY HW -= every level: no property') or diag($r->{err});
    fails_with('CAPABILITY HW_1 as a number', 'cap1', $v2 . "CAPABILITY {\n    HW_1 = 0x10;\n};\n",
               'cap1.map: line 3: CAPABILITY HW_1 = 0x10: Solaris AV_386 bit masks have no Linux meaning', @o);
    fails_with('CAPABILITY HW in no ISA level', 'cap2', $v2 . "CAPABILITY {\n    HW += AES;\n};\n",
               'cap2.map: line 3: CAPABILITY HW: AES is in no x86-64 ISA level', @o);
    fails_with('CAPABILITY SF', 'cap3', $v2 . "CAPABILITY {\n    SF += FPUSED;\n};\n", 'cap3.map: line 3: CAPABILITY SF: no Linux meaning', @o);
    fails_with('CAPABILITY MACHINE', 'cap4', $v2 . "CAPABILITY {\n    MACHINE = i86pc;\n};\n", 'cap4.map: line 3: CAPABILITY MACHINE: no Linux meaning', @o);
    fails_with('a named CAPABILITY group', 'cap5', $v2 . "CAPABILITY grp;\n", 'cap5.map: line 2: CAPABILITY grp: capability groups', @o);
}

# ------------------------------------------------- layout-time errors
{
    my @o = objs('main.o', 'data.o');
    fails_with('a built-in segment named with another kind', 'e1', $v2 . "NOTE_SEGMENT text;\n",
               'e1.map: line 2: PT_LOAD segment cannot be used with NOTE_SEGMENT directive: text', @o);
    fails_with('a load segment named as a reservation', 'e2', $v2 . "RESERVE_SEGMENT data { VADDR = 0x1000000; SIZE = 0x1000; };\n",
               'e2.map: line 2: PT_LOAD segment cannot be used with RESERVE_SEGMENT directive: data', @o);
    fails_with('two segments at one VADDR', 'e3', $hot_map . "LOAD_SEGMENT hot { VADDR = 0x800000; };\nLOAD_SEGMENT data { VADDR = 0x800000; };\n",
               "segments 'hot' and 'data' have the same assigned virtual address", @o);
    my $r = klink('e3b', $hot_map . "LOAD_SEGMENT hot { VADDR = 0x402010; };\n", @o);
    ok($r->{status} != 0 && $r->{err} =~ /warning: segment address overlap; previous segment ending at 0x4020dc overlaps user defined segment 'hot' starting at 0x402010/
           && $r->{err} =~ /overlaps section/ && !-e "$tmp/e3b", 'a VADDR inside the segment before: the notes\' warning, then the sections\' overlap refused')
        or diag($r->{err});
    fails_with('MAX_SIZE exceeded', 'e4', $hot_map . "LOAD_SEGMENT hot { MAX_SIZE = 4; };\n",
               'segment hot calculated size 0x8 is larger than user-defined size 0x4', @o);
    fails_with('NOBITS before initialized data', 'e5', $v2 . "LOAD_SEGMENT data { OS_ORDER = .bss .data; };\n",
               'segment data: NOBITS section found before end of initialized data', @o);
    fails_with('SEGMENT_ORDER naming no segment', 'e6', $v2 . "SEGMENT_ORDER = text nosuch;\n", 'unknown segment', @o);
    fails_with('SEGMENT_ORDER and VADDR', 'e7', $v2 . "LOAD_SEGMENT data { VADDR = 0x800000; };\nSEGMENT_ORDER = data;\n",
               'segment cannot have an explicit address and also be in the SEGMENT_ORDER list', @o);
    fails_with('FLAGS writable and executable', 'e8', $v2 . "LOAD_SEGMENT data { FLAGS += EXECUTE; };\n",
               'e8.map: line 2: segment data: FLAGS WRITE and EXECUTE together: keel maps no page writable and executable', @o);
    fails_with('a new segment whose sections need WRITE and EXECUTE', 'e9',
               $v2 . "LOAD_SEGMENT mixed { ASSIGN_SECTION { FILE_BASENAME = data.o; }; };\n",
               'segment mixed: its sections need WRITE and EXECUTE', @o);
    fails_with('MATCHREF naming no subexpression', 'e10',
               $v2 . "LOAD_SEGMENT hot { ASSIGN_SECTION { IS_NAME = MATCH(r/^\\.text\\.(hot)/); OUTPUT_SECTION { NAME = MATCHREF(/\${2}/); }; }; FLAGS = READ EXECUTE; };\n",
               'e10.map: line 2: NAME = MATCHREF(/${2}/): ${2}: the expression has 1 subexpressions', @o);
    fails_with('a regular expression that does not compile', 'e11',
               $v2 . "LOAD_SEGMENT hot { ASSIGN_SECTION { IS_NAME = MATCH(r/a(b/); }; };\n", 'e11.map: line 2: IS_NAME = MATCH(r/a(b/): ', @o);
    fails_with('DEPEND_VERSIONS naming no input', 'e12', $v2 . "DEPEND_VERSIONS libc.so.6 { ALLOW = GLIBC_2.2.5; };\n",
               'e12.map: line 2: DEPEND_VERSIONS libc.so.6: no shared library of that name (DT_SONAME or file name) is an input of the link', @o);
    fails_with('RESERVE_SEGMENT TYPE = SYSSTAT', 'e15', $v2 . "RESERVE_SEGMENT s { VADDR = 0x1000000; SIZE = 0x1000; TYPE = SYSSTAT; };\n",
               'e15.map: line 2: RESERVE_SEGMENT s: TYPE = SYSSTAT is a Solaris kernel statistics area', @o);
    fails_with('a reservation past the address space', 'e15b', $v2 . "RESERVE_SEGMENT r { VADDR = 0x7fffffff0000; SIZE = 0x20000; };\n",
               'RESERVE_SEGMENT r: VADDR 0x7fffffff0000 + SIZE 0x20000 is above 0x800000000000', @o);
    fails_with('OUTPUT_SECTION ANCILLARY', 'e16', $v2 . "NULL_SEGMENT x { ASSIGN_SECTION { IS_NAME = .comment; OUTPUT_SECTION { ANCILLARY = a; }; }; };\n",
               'keel writes no ancillary objects', @o);
    fails_with('MATCH(r/.../) on a file', 'e17', $v2 . "LOAD_SEGMENT x { ASSIGN_SECTION { FILE_PATH = MATCH(r/data/); }; };\n",
               'e17.map: line 2: FILE_PATH = MATCH(r/.../): keel matches files by glob or text', @o);
    # a reader's error still comes first, FILE: line N:
    fails_with('a reader\'s error', 'e18', $v2 . "LOAD_SEGMENT x { FLAGS = READ ALLOC; };\n", "e18.map: line 2: segment FLAGS: invalid value 'ALLOC'", @o);
}

# ------------------------------------- --print-mapfile, read back: same bytes
# (the link's own mapfiles, @maps, given to the first link only: the
# printed one stands for them)
sub print_back {
    my ($name, $maps, @args) = @_;
    my $p = run(file => $keel, argv => [$keel, 'link', '-o', "$tmp/$name.a", @args, @$maps, '--print-mapfile']);
    spew("$tmp/$name.printed", $p->{out});
    my $q = run(file => $keel, argv => [$keel, 'link', '-o', "$tmp/$name.b", @args, '--mapfile', "$tmp/$name.printed"]);
    my $c = run(argv => ['cmp', "$tmp/$name.a", "$tmp/$name.b"]);
    return ($p, $q, $c);
}
{
    my ($p, $q, $c) = print_back('pm', [], objs('main.o', 'data.o'));
    ok($p->{status} == 0 && $p->{out} =~ /^LOAD_SEGMENT 'text' \{\n    FLAGS = READ EXECUTE;\n\};$/m
           && $p->{out} =~ /^NULL_SEGMENT 'extra' \{\n    ASSIGN_SECTION;\n\};$/m && $q->{status} == 0 && $c->{status} == 0,
       '--print-mapfile: the built-in segments and criteria; read back, the same bytes') or diag($p->{err} . $q->{err} . $c->{out});
    ($p, $q, $c) = print_back('pmhot', ['--mapfile', "$tmp/order.map", '--mapfile', "$tmp/exD.map"], objs('main.o', 'data.o'));
    ok($p->{status} == 0 && $q->{status} == 0 && $c->{status} == 0, '--print-mapfile of a link with mapfiles (IS_ORDER, MATCH, OS_ORDER, a reservation): the same bytes')
        or diag($p->{err} . $q->{err} . $c->{out});
    ($p, $q, $c) = print_back('pmcap', ['--mapfile', "$tmp/cap-sub.map", '--mapfile', "$tmp/scope.map"], objs('main.o', 'data.o'));
    ok($p->{status} == 0 && $q->{status} == 0 && $c->{status} == 0, '--print-mapfile of a link with CAPABILITY: the same bytes')
        or diag($p->{err} . $q->{err} . $c->{out});
    ($p, $q, $c) = print_back('pmnosep', [], objs('main.o', 'data.o'), '-z', 'noseparate-code');
    ok($p->{status} == 0 && $q->{status} == 0 && $c->{status} == 0, '--print-mapfile with -z noseparate-code (disabled segments): the same bytes')
        or diag($p->{err} . $q->{err} . $c->{out});
    my $py = '/usr/lib/x86_64-linux-gnu/libpython3.11.a';
    my $progs = "$FindBin::Bin/progs/link";
    my @cases = (['C hello', "gcc -O2 -c $progs/hello.c -o hello.o", [qw(gcc -static hello.o -o hello)]],
                 ['C++', "g++ -O2 -c $progs/cxx.cc -o cxx.o", [qw(g++ -static cxx.o -o cxx -pthread)]],
                 ['static Python', "printf 'extern int Py_BytesMain(int, char **);\\nint main(int c, char **v) { return Py_BytesMain(c, v); }\\n' > pymain.c && gcc -O2 -c pymain.c -o pymain.o",
                  ['gcc', '-static', 'pymain.o', $py, qw(-lexpat -lz -lm -lutil -o python)], $py]);
    for my $case (@cases) {
        my ($name, $compile, $driver, $needs) = @$case;
        SKIP: {
            skip "$name: no $needs", 1 if $needs && !-e $needs;
            my $cr = run(argv => ['/bin/sh', '-c', $compile]);
            skip "$name: cannot compile: $cr->{err}", 1 if $cr->{status};
            my @full = linker_args(@$driver);
            skip "$name: no linker line", 1 unless @full;
            my @a; # the line without its -o
            for (my $i = 0; $i < @full; $i++) {
                if ($full[$i] eq '-o') { $i++; next }
                push @a, $full[$i];
            }
            my $tag = $name =~ s/\W+/-/gr;
            ($p, $q, $c) = print_back($tag, [], @a);
            ok($p->{status} == 0 && $q->{status} == 0 && $c->{status} == 0, "--print-mapfile, $name: read back, the same bytes")
                or diag($p->{err} . $q->{err} . $c->{out});
        }
    }
}

done_testing();
