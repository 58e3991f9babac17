#!/usr/bin/perl
# keel exec --image (the two-pass boot-image client) against objcopy -O binary.
#
# objcopy dumps the loadable *sections*, from the lowest section address; the
# boot-image client dumps what the interpreter directs, the loadable
# *segments*, from the lowest segment address.  Where the first segment holds
# no headers (a kernel linked by a script, the usual boot-image case), the two
# files must be byte-identical.  Where it does (gcc's static executables put
# the ELF and program headers in the first segment, before any section), the
# images must agree byte for byte at every address objcopy covers, and the
# bytes before that must be the file's own header bytes, as memory holds them.
# Inputs: gcc/clang static executables (x86-64 and i386), musl, and small
# script-linked kernels for x86-64, i386 and big-endian PowerPC and s390x.
use strict;
use warnings;
no warnings "portable";
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use File::Temp qw(tempdir);
use Oracle qw(keel_bin);

my $keel = keel_bin();
my $dir = tempdir(CLEANUP => 1);
my (@cases, @skipped);

sub have { system("command -v $_[0] >/dev/null 2>&1") == 0 }
sub spew { open(my $fh, '>', "$dir/$_[0]") or die; print $fh $_[1]; close $fh }
sub slurp { open(my $fh, '<:raw', $_[0]) or return undef; local $/; my $d = <$fh>; close $fh; $d }

spew('hello.c', <<'C');
#include <stdio.h>
static int counter = 7;          /* .data */
static char scratch[1 << 16];    /* .bss, past the end of the image */
int main(int argc, char **argv) { scratch[argc] = 1; printf("hello %d %s\n", counter + scratch[1], argv[0]); return 0; }
C
# A freestanding "kernel": text, read-only data, data, bss; no headers loaded.
spew('kernel.c', <<'C');
static const char banner[] = "keel boot image test";
volatile int ticks = 42;
static char stack[4096];
void _start(void) { for (;;) ticks += banner[ticks & 15] + stack[ticks & 4095]; }
C
spew('kernel.ld', <<'LD');
ENTRY(_start)
PHDRS { text PT_LOAD; data PT_LOAD; }
SECTIONS {
  . = 0x100000;
  .text : { *(.text*) } :text
  .rodata : { *(.rodata*) } :text
  . = ALIGN(0x1000);
  .data : { *(.data*) } :data
  .bss : { *(.bss*) *(COMMON) } :data
  /DISCARD/ : { *(.note*) *(.comment) *(.eh_frame*) }
}
LD
my $kflags = '-O2 -ffreestanding -fno-pic -fno-asynchronous-unwind-tables -nostdlib -static -no-pie -Wl,--build-id=none';
spew('be.s', <<'S');
    .text
    .globl _start
_start:
    nop
    b _start
    .data
value: .long 0x11223344, 0x55667788
    .bss
buffer: .space 4096
S
spew('s390.s', <<'S');
    .text
    .globl _start
_start:
    nopr %r7
    j _start
    .data
value: .long 0x11223344, 0x55667788
    .bss
buffer: .space 4096
S
spew('be.ld', <<'LD');
ENTRY(_start)
PHDRS { text PT_LOAD; data PT_LOAD; }
SECTIONS { . = 0x10000000; .text : { *(.text) } :text . = ALIGN(0x10000); .data : { *(.data) } :data .bss : { *(.bss) } :data }
LD

sub build {
    my ($name, $cmd, $file, %o) = @_;
    if (system("cd $dir && $cmd >/dev/null 2>&1") == 0 && -s "$dir/$file") {
        push @cases, {name => $name, file => "$dir/$file", objcopy => $o{objcopy} || 'objcopy', same => $o{same}};
    } else {
        push @skipped, "$name: '$cmd' failed";
    }
}
build('gcc -static', 'gcc -O2 -static hello.c -o gcc-static', 'gcc-static');
build('gcc -static -m32', 'gcc -m32 -O2 -static hello.c -o gcc-static-32', 'gcc-static-32');
build('kernel x86-64 (gcc)', "gcc $kflags -T kernel.ld kernel.c -o kernel64", 'kernel64', same => 1);
build('kernel i386 (gcc -m32)', "gcc -m32 $kflags -T kernel.ld kernel.c -o kernel32", 'kernel32', same => 1);
if (have('clang')) {
    build('clang -static', 'clang -O2 -static hello.c -o clang-static', 'clang-static');
    build('kernel x86-64 (clang, lld)', "clang -fuse-ld=lld $kflags -T kernel.ld kernel.c -o kernel-lld",
          'kernel-lld', same => 1) if have('ld.lld');
} else {
    push @skipped, 'clang: not installed';
}
if (have('musl-gcc')) {
    build('musl-gcc -static', 'musl-gcc -O2 -static hello.c -o musl-static', 'musl-static');
} else {
    push @skipped, 'musl: musl-gcc missing (musl-tools; make test installs it as root)';
}
if (have('powerpc64-linux-gnu-as')) {
    build('kernel ppc64 BE', 'powerpc64-linux-gnu-as -a64 be.s -o ppc64.o && powerpc64-linux-gnu-ld -T be.ld ppc64.o -o ppc64',
          'ppc64', objcopy => 'powerpc64-linux-gnu-objcopy', same => 1);
    build('kernel ppc32 BE', 'powerpc64-linux-gnu-as -a32 be.s -o ppc32.o && powerpc64-linux-gnu-ld -m elf32ppc -T be.ld ppc32.o -o ppc32',
          'ppc32', objcopy => 'powerpc64-linux-gnu-objcopy', same => 1);
} else {
    push @skipped, 'PowerPC: powerpc64-linux-gnu-as missing (binutils-powerpc64-linux-gnu)';
}
if (have('s390x-linux-gnu-as')) {
    build('kernel s390x BE', 's390x-linux-gnu-as s390.s -o s390x.o && s390x-linux-gnu-ld -T be.ld s390x.o -o s390x',
          's390x', objcopy => 's390x-linux-gnu-objcopy', same => 1);
} else {
    push @skipped, 's390x: s390x-linux-gnu-as missing (binutils-s390x-linux-gnu)';
}
diag("skipped: $_") for @skipped;
plan skip_all => 'no inputs could be built' unless @cases;

# The first PT_LOAD (offset, address) and the lowest loadable section address.
sub first_load {
    my ($file) = @_;
    my ($off, $va);
    for (split /\n/, `readelf -lW $file`) {
        if (/^\s+LOAD\s+0x(\S+) 0x(\S+)/) { ($off, $va) = (hex $1, hex $2); last }
    }
    return ($off, $va);
}
sub lowest_section {
    my ($file) = @_;
    my $lo;
    for (split /\n/, `readelf -SW $file`) {
        next unless /^\s+\[\s*\d+\]\s+\S+\s+(\S+)\s+([0-9a-f]+) [0-9a-f]+ ([0-9a-f]+) \S+\s+(\S*A\S*)/;
        my ($type, $addr, $size) = ($1, hex $2, hex $3);
        next if $type eq 'NOBITS' || !$size;
        $lo = $addr if !defined $lo || $addr < $lo;
    }
    return $lo;
}

for my $c (@cases) {
    my ($f, $name) = ($c->{file}, $c->{name});
    my $out = "$f.img";
    my $msg = `$keel exec --image $f -o $out 2>&1`;
    my $rc = $? >> 8;
    system("$c->{objcopy} -O binary $f $f.objcopy") == 0 or do { fail("$name: objcopy failed"); next };
    my ($img, $ref, $raw) = (slurp($out), slurp("$f.objcopy"), slurp($f));
    my ($off, $va) = first_load($f);
    my $lo = lowest_section($f);
    subtest $name => sub {
        is($rc, 0, 'keel exec --image succeeds') or diag($msg);
        like($msg, qr/load address 0x\Q${\ sprintf '%x', $va}\E,/, 'it reports the lowest segment as the load address');
        ok(defined $img && defined $ref && defined $lo, 'both images and the section extent exist') or return;
        my $skip = $lo - $va;
        if ($c->{same}) {
            is($skip, 0, 'no headers precede the first section');
            ok($img eq $ref, 'byte-identical to objcopy -O binary') or diag(sprintf 'sizes %d vs %d', length $img, length $ref);
        } else {
            cmp_ok($skip, '>', 0, 'the first segment starts with the headers');
            is(length($img) - $skip, length($ref), 'from the first section on, as long as objcopy\'s image');
            ok(substr($img, $skip) eq $ref, 'from the first section on, byte-identical to objcopy\'s image');
            ok(substr($img, 0, $skip) eq substr($raw, $off, $skip), 'before it: the header bytes of the file');
        }
        opendir(my $dh, $dir);
        my @tmp = grep { /keel-tmp/ } readdir $dh;
        is(scalar @tmp, 0, 'no temporary file left behind');
    };
}

# Failure leaves no output: a bad input, and an output in a missing directory.
spew('not-elf', "just text\n");
my $msg = `$keel exec --image $dir/not-elf -o $dir/not-elf.img 2>&1`;
isnt($? >> 8, 0, 'a non-executable input fails');
ok(!-e "$dir/not-elf.img", 'and writes no output');
like($msg, qr/^keel: \Q$dir\E\/not-elf: not executable: /, 'naming the file and the reason');
$msg = `$keel exec --image $cases[0]{file} -o $dir/no/such/dir/out.img 2>&1`;
isnt($? >> 8, 0, 'an unwritable output fails');
like($msg, qr/cannot write/, 'saying it cannot write');
$msg = `$keel exec --image $cases[0]{file} 2>&1`;
is($? >> 8, 2, '--image without -o is a usage error');
done_testing();
