#!/usr/bin/perl
# An object with more than 0xff00 sections: its symbols' section numbers
# come through SHT_SYMTAB_SHNDX (SHN_XINDEX), and real sections then have
# the numbers 0xfff1 and 0xfff2 that st_shndx reserves for SHN_ABS and
# SHN_COMMON.  keel link and keel run must read those as sections: the
# symbols at ld.bfd's addresses and in its sections, and the functions
# there called (an absolute 0 or a common in .bss was what keel made of
# them).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Programs qw(have);
use KeelTest qw(keel_setup run);

my ($build, $keel, $tmp) = keel_setup('xindex', need => ['ld.bfd (binutils)', 'gcc']);

# f<i> returns i & 0x7f; entry calls f65500 to f65530, which lie in the
# sections numbered about 0xfff1.
my $n = 65540;
open(my $s, '>', "$tmp/many.s") or die;
print $s ".globl entry\n.section .text.entry,\"ax\"\nentry:\n";
print $s "  xor %ebx, %ebx\n";
for my $i (65500 .. 65530) { print $s "  call f$i\n  add %eax, %ebx\n" }
print $s "  mov %ebx, %eax\n  ret\n";
print $s ".section .text._start,\"ax\"\n.globl _start\n_start:\n  call entry\n  mov %eax, %edi\n  mov \$60, %eax\n  syscall\n";
print $s ".section .text.main,\"ax\"\n.globl main\nmain:\n  sub \$8, %rsp\n  call entry\n  add \$8, %rsp\n  ret\n";
printf $s ".section .text.f%d,\"ax\"\n.globl f%d\nf%d:\n  mov \$%d, %%eax\n  ret\n", $_, $_, $_, $_ & 0x7f for 0 .. $n;
close $s;
my $as = run(argv => [qw(gcc -c many.s -o many.o)]);
is($as->{status}, 0, 'gcc assembles an object of 65,5xx sections') or BAIL_OUT($as->{err});
my $shnum = `readelf -hW $tmp/many.o` =~ /Number of section headers:\s+0 \((\d+)\)/ ? $1 : 0;
ok($shnum > 0xfff2, "the object has $shnum sections: real ones are numbered 0xfff1 and 0xfff2");

my $want = 0;
$want += $_ & 0x7f for 65500 .. 65530;
$want &= 0xff;
my $b = run(argv => [qw(ld.bfd -e _start many.o -o many.bfd)]);
my $k = run(argv => [$keel, qw(link -e _start many.o -o many.keel)]);
is($k->{status}, 0, 'keel link links it') or diag($k->{err});
is($b->{status}, 0, 'ld.bfd links it') or diag($b->{err});

# the functions whose sections are numbered 0xffef to 0xfff4 in the object
my %near;
for (split /\n/, `readelf -sW $tmp/many.o`) {
    my @w = split ' ';
    $near{$w[7]} = 1 if @w >= 8 && $w[6] =~ /^\d+$/ && $w[6] >= 0xffef && $w[6] <= 0xfff4 && $w[7] =~ /^f\d+$/;
}
is(scalar(keys %near), 6, 'six functions lie in sections 0xffef to 0xfff4, 0xfff1 (SHN_ABS) and 0xfff2 (SHN_COMMON) among them');
sub symbols {
    my ($file) = @_;
    my %sec = map { /^\s*\[\s*(\d+)\]\s+(\S+)/ ? ($1 => $2) : () } split /\n/, `readelf -SW $file`;
    my %sym;
    for (split /\n/, `readelf -sW $file`) {
        my @w = split ' ';
        next unless @w >= 8 && $near{$w[7]};
        $sym{$w[7]} = [hex $w[1], $w[6] =~ /^\d+$/ ? $sec{$w[6]} // "#$w[6]" : $w[6]];
    }
    return %sym;
}
my %bs = symbols("$tmp/many.bfd");
my %ks = symbols("$tmp/many.keel");
is(scalar(keys %ks), 6, 'keel writes those six symbols');
for my $name (sort keys %bs) {
    is_deeply($ks{$name}, $bs{$name}, "$name: at ld.bfd's address, in its section")
        or diag(sprintf('ld.bfd %#x %s, keel %#x %s', @{ $bs{$name} }, @{ $ks{$name} // [0, 'none'] }));
}
my $kr = run(argv => ["$tmp/many.keel"]);
is($kr->{status} >> 8, $want, "keel's link calls every function (exit $want)");

# keel run: the same object loaded, main called
my $rr = run(argv => [$keel, 'run', 'many.o']);
is($rr->{status} >> 8, $want, "keel run calls every function (exit $want)") or diag($rr->{err});
done_testing();
