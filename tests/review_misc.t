#!/usr/bin/perl
# Review of s3-mapread and s3-swapmore, as their users meet them:
#   1. keel map on hostile address maps: a real link's .keel.addrmap
#      (amap.c, --gc-sections and an ordering file) truncated at every
#      length of its header and many of its body, and each header field
#      set to edge values; keel map must answer or refuse with a message
#      naming .keel.addrmap, never crash (run it with KEEL=build-san/keel:
#      no sanitizer report either).  The oracle for the intact map is the
#      link without the ordering file and --gc-sections (readelf -s).
#   2. keel run --watch swapping a C++ object (a vtable, a static
#      std::vector its static constructor fills): the program's output
#      and exit must be those of the two native builds (g++), the first
#      before the swap, the second after (the old object's destructors
#      must not run at exit: the new object has its state).
#   3. a mapfile's kernel-like image at the x86-64 kernel's address
#      (VADDR 0xffffffff80000000, NOHDR), against ld.bfd's link of the
#      equivalent linker script: kmain at the same address (the data
#      follows in keel's own data segment, a page on).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use POSIX ();
use Time::HiRes qw(sleep time);
use KeelTest qw(keel_setup run sh);

my ($build, $keel, $tmp) = keel_setup('review_misc', need => ['gcc', 'g++', 'readelf (binutils)', 'nm (binutils)', 'ld.bfd (binutils)']);
my $src = "$FindBin::Bin/progs/review_misc";
mkdir "$tmp/ld" or die;
symlink $keel, "$tmp/ld/ld" or die "symlink: $!";

sub slurp { open(my $fh, '<:raw', $_[0]) or die "$_[0]: $!"; local $/; return scalar <$fh> }
sub spew { open(my $fh, '>:raw', $_[0]) or die "$_[0]: $!"; print $fh $_[1]; close $fh }
sub symbols {
    my %s;
    for (split /\n/, run(argv => ['readelf', '-sW', $_[0]])->{out}) {
        my @f = split ' ';
        $s{ $f[7] } = hex $f[1] if @f >= 8 && $f[3] eq 'FUNC' && $f[6] ne 'UND';
    }
    return \%s;
}

# ------------------------------------------------- 1. hostile address maps
sh("gcc -O0 -ffunction-sections -c $src/amap.c -o amap.o");
sh("gcc -B$tmp/ld -Wl,--gc-sections -Wl,--symbol-ordering-file=$src/amap.order amap.o -o amap");
sh("gcc -B$tmp/ld amap.o -o amap0");
my ($out, $orig) = (symbols("$tmp/amap"), symbols("$tmp/amap0"));
{
    my @fn = qw(main f1 f2 f3);
    my $r = run(argv => [$keel, 'map', "$tmp/amap", map { sprintf '0x%x', $out->{$_} } @fn]);
    my @got = map { /-> (0x[0-9a-f]+)/ ? hex $1 : -1 } split /\n/, $r->{out};
    is(join(' ', map { sprintf '%x', $_ } @got), join(' ', map { sprintf '%x', $orig->{$_} } @fn),
       'the intact map: each function\'s output address converts to its address in the link without reordering');
}
my $exe = slurp("$tmp/amap");
my ($shoff) = unpack('Q<', substr($exe, 0x28, 8));
my ($shentsize, $shnum, $shstrndx) = unpack('v3', substr($exe, 0x3a, 6));
my $sh = sub { [unpack('V V Q< Q< Q< Q< V V Q< Q<', substr($exe, $shoff + $_[0] * $shentsize, $shentsize))] };
my $strtab = $sh->($shstrndx)->[4];
my ($idx, $off, $size);
for my $i (1 .. $shnum - 1) {
    my $h = $sh->($i);
    my $name = unpack('Z*', substr($exe, $strtab + $h->[0], 64));
    ($idx, $off, $size) = ($i, $h->[4], $h->[5]) if $name eq '.keel.addrmap';
}
ok(defined $idx && $size > 80, 'the link has a .keel.addrmap') or BAIL_OUT('no map');
my @mutants;
for (my $n = 0; $n < $size; $n += $n < 96 ? 3 : 61) { # the section's size: cut short
    my $m = $exe;
    substr($m, $shoff + $idx * $shentsize + 32, 8) = pack('Q<', $n);
    push @mutants, ["truncated to $n bytes", $m];
}
for (my $f = 8; $f < 80; $f += 4) { # each header field: edge values
    for my $v (0, 1, 0x50, $size - 1, $size + 1, 0x80000000, 0xffffffff) {
        my $m = $exe;
        substr($m, $off + $f, 4) = pack('V', $v & 0xffffffff);
        push @mutants, [sprintf('header field at 0x%x = 0x%x', $f, $v), $m];
    }
}
my @queries = (
    ['--json', '0x0', (map { sprintf '0x%x', $_ } $out->{main}, $out->{f1}), '0xffffffffffffffff',
     'amap.o:.text.f1+0x2', 'amap.o:.text.unused1', '13:0x4'],
    ['--to-output', map { sprintf '0x%x', $_ } $orig->{main}, $orig->{unused1}, $orig->{f3}],
    ['--ranges', '0x0', '0xffffffffffffffff'],
);
my ($crashed, $unnamed, $accepted, $refused) = (0, 0, 0, 0);
for my $m (@mutants) {
    spew("$tmp/mutant", $m->[1]);
    for my $q (@queries) {
        my $r = run(argv => [$keel, 'map', "$tmp/mutant", @$q]);
        my $st = $r->{status} & 127 ? 128 + ($r->{status} & 127) : $r->{status} >> 8;
        if ($st > 2 || $r->{err} =~ /Sanitizer|runtime error/) {
            diag("$m->[0], keel map @$q: status $st: $r->{err}") if $crashed++ < 5;
        } elsif ($st == 1 && $r->{err} !~ /\.keel\.addrmap|not an address/) {
            diag("$m->[0]: refused without naming the map: $r->{err}") if $unnamed++ < 5;
        }
        $st ? $refused++ : $accepted++;
    }
}
is($crashed, 0, scalar(@mutants) . " corrupted maps x " . scalar(@queries) . " queries: no crash, no sanitizer report");
is($unnamed, 0, "every refusal names .keel.addrmap ($refused refused, $accepted answered)");

# ------------------------------------------------ 2. swapping a C++ object
SKIP: {
    skip 'the loader runs x86-64 code only', 2 unless (POSIX::uname())[4] eq 'x86_64';
    sh("g++ -O1 -fPIC -c $src/cxx_main.cc -o cxx_main.o");
    sh("g++ -O1 -fPIC -DVER='\"one\"' -DMUL=1 -c $src/cxx_shape.cc -o shape1.o");
    sh("g++ -O1 -fPIC -DVER='\"two\"' -DMUL=2 -c $src/cxx_shape.cc -o shape2.o");
    # the oracle: the native programs of each version
    sh("g++ cxx_main.o shape1.o -o native1 && g++ cxx_main.o shape2.o -o native2");
    my @n1 = split /\n/, run(argv => ["$tmp/native1"])->{out};
    my @n2 = split /\n/, run(argv => ["$tmp/native2"])->{out};
    mkdir "$tmp/w" or die;
    sh('cp cxx_main.o w/main.o && cp shape1.o w/shape.o');
    my $pid = fork() // die "fork: $!";
    if (!$pid) {
        open STDOUT, '>', "$tmp/w/out" or die;
        open STDERR, '>', "$tmp/w/err" or die;
        # what the new object's constructor built in a carried-over variable
        # is overwritten by the old value and leaked, by design
        # (docs/loader.md): no leak report under the sanitizer build
        $ENV{ASAN_OPTIONS} = join(':', grep { defined && $_ ne '' } $ENV{ASAN_OPTIONS}, 'detect_leaks=0');
        exec $keel, 'run', '--watch', "$tmp/w/main.o", "$tmp/w/shape.o", '-lstdc++' or die;
    }
    my $t0 = time;
    sleep 0.05 while !-s "$tmp/w/out" && time - $t0 < 60;
    sh('cp shape2.o w/shape.tmp && mv w/shape.tmp w/shape.o'); # (as an editor saves)
    waitpid($pid, 0);
    my $st = $? & 127 ? 128 + ($? & 127) : $? >> 8;
    my $got = slurp("$tmp/w/out");
    my $err = slurp("$tmp/w/err");
    like($err, qr/^keel run: swapped \S+shape\.o: /m, 'keel run --watch swapped the C++ object');
    # The old object's static constructor registered reg's destructor with
    # __cxa_atexit, and so did the new one's; the swap carries the old reg
    # (its heap pointers) over to the new reg, so only the new destructor
    # may run at exit (host.c's exit records; before them, glibc: "free():
    # double free detected in tcache 2", or SIGSEGV).
    is("$st\n$got", "0\n$n1[0]\n$n2[1]\n", 'the program prints the native builds\' lines (one before, two after) and exits 0')
        or diag($err);
}

# ------------------------------------------ 3. a kernel at the kernel's place
{
    sh("gcc -O2 -mcmodel=kernel -fno-pic -fno-stack-protector -fcf-protection=none -ffreestanding "
       . "-fno-asynchronous-unwind-tables -c $src/kern.c -o kern.o");
    sh("ld.bfd -nostdlib -z noexecstack -e kmain -T $src/kern.ld kern.o -o kern.bfd");
    my $k = run(argv => [$keel, 'link', '-nostdlib', '-static', '-e', 'kmain', '--mapfile', "$src/kern.map", 'kern.o',
                         '-o', "$tmp/kern"]);
    my $nm = sub { my %s = map { (split ' ')[2] => (split ' ')[0] } split /\n/, run(argv => ['nm', $_[0]])->{out}; $s{kmain} };
    # (lib/link/layout.c refused every address above 2^46 before: keel
    # now checks each address of the layout for running past 2^64 instead)
    is($k->{status} ? "refused: $k->{err}" : $nm->("$tmp/kern"), $nm->("$tmp/kern.bfd"),
       'VADDR 0xffffffff80000000 with NOHDR: linked, kmain where ld.bfd\'s script puts it');
    my ($first) = run(argv => ['readelf', '-lW', "$tmp/kern"])->{out} =~ /^\s+(LOAD\s+\S+\s+\S+)/m;
    is($first // '', 'LOAD           0x001000 0xffffffff80000000',
       '... the headers in no PT_LOAD (NOHDR on keel\'s header segment): the first is the kernel\'s code');
}
done_testing();
