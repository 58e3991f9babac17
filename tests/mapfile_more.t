#!/usr/bin/perl
# Mapfiles, issue 14's leftovers (docs/linker.md, "Mapfiles: the layout"),
# each against an oracle:
#   1. a kernel-like image at the top of the address space (VADDR
#      0xffffffff80000000, NOHDR, -mcmodel=kernel): the same PT_LOADs,
#      symbols and flat image (keel exec --image) as ld.bfd's link of the
#      equivalent linker script; R_X86_64_32S out of range where ld.bfd
#      truncates; layouts that would run past 2^64 refused (ld.bfd:
#      "section .text VMA wraps around address space"), no output left.
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

done_testing();
