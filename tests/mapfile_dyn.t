#!/usr/bin/perl
# Mapfiles (issue 14's last items): what a mapfile's edits would leave
# unusable is refused with "FILE: line N:" and no output; OUTPUT_SECTION's
# FLAGS and TYPE; SYMBOL_SCOPE and SYMBOL_VERSION in dynamic outputs, fed
# to the version scripts' export policy (compared with keel's own link of
# the equivalent version script, and with ld.bfd's).  The oracles: the
# program's run (ld.bfd's link of the same line runs), readelf.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use KeelTest qw(keel_setup);

my ($build, $keel, $tmp) = keel_setup('mapfile_dyn', need => ['ld.bfd (binutils)', 'gcc', 'readelf']);
my $src = "$FindBin::Bin/progs/mapfile_dyn";
mkdir "$tmp/k" or die;
mkdir "$tmp/b" or die;
symlink($keel, "$tmp/k/ld") or die;
my ($bfd) = grep { -x } map { "$_/ld.bfd" } split /:/, $ENV{PATH};
symlink($bfd, "$tmp/b/ld") or die;

# (exit status, or 128 + signal; stdout and stderr)
sub sh { my $c = shift; my $o = `$c 2>&1`; my $s = $?; return (($s & 127) ? 128 + ($s & 127) : $s >> 8, $o) }
sub compile { my $c = shift; system("cd $tmp && $c") == 0 or die "$c failed" }
sub spew { my ($f, $t) = @_; open my $h, '>', $f or die "$f: $!"; print $h "\$mapfile_version 2\n$t"; close $h }

compile("gcc -O2 -c $src/hello.c -o hello.o");
compile("gcc -O2 -fPIE -c $src/hello.c -o hello-pie.o");
compile("gcc -O2 -fPIC -c $src/lib.c -o lib.o");
compile("gcc -O2 -c $src/uselib.c -o uselib.o");
compile("gcc -O2 -fno-pic -fno-stack-protector -fcf-protection=none -ffreestanding -c $src/free.c -o free.o");

# --- 1. what a mapfile would leave unusable -----------------------------
my ($bst, $bout) = sh("cd $tmp && gcc -static -B$tmp/b hello.o -o hello.b && ./hello.b");
is($bst, 0, 'ld.bfd\'s static link of the program runs') or diag($bout);
# ($name, mapfile text (line 2 is the culprit), driver arguments, what the message says)
my @refused = (
    ['text DISABLE', "LOAD_SEGMENT text { DISABLE; };\n", '-static hello.o',
     qr/line 2: segment text is disabled: its section \.\w+ \(.*\) goes to segment rodata, which is not executable/],
    ['data DISABLE (static)', "LOAD_SEGMENT data { DISABLE; };\n", '-static hello.o',
     qr/line 2: segment data is disabled: its section \.\w+ \(.*\) goes to segment extra, which is not loaded/],
    ['data DISABLE (-shared)', "LOAD_SEGMENT data { DISABLE; };\n", '-shared -nostdlib lib.o',
     qr/line 2: segment data is disabled: its section \.\w+.* goes to segment extra, which is not loaded/],
    ['data DISABLE (-pie)', "LOAD_SEGMENT data { DISABLE; };\n", '-pie hello-pie.o',
     qr/line 2: segment data is disabled: .* which is not loaded/],
    ['text FLAGS = READ', "LOAD_SEGMENT text { FLAGS = READ; };\n", '-static hello.o',
     qr/line 2: segment text: section \.\w+ \(.*\) goes to it, which is not executable/],
    ['data FLAGS = READ', "LOAD_SEGMENT data { FLAGS = READ; };\n", '-static hello.o',
     qr/line 2: segment data: section \.\w+ \(.*\) goes to it, which is not writable/],
    ['.rodata to a NULL segment', "NULL_SEGMENT n { ASSIGN_SECTION { IS_NAME = .rodata; }; };\n", '-static hello.o',
     qr/line 2: segment n: section \.rodata \(hello\.o\) goes to it, which is not loaded/],
    ['HDR_NOALLOC with glibc\'s start-up', "HDR_NOALLOC;\n", '-static hello.o',
     qr/line 2: HDR_NOALLOC: the ELF and program headers would be in no loadable segment, and the C library's start-up/],
    ['NOHDR with glibc\'s start-up', "LOAD_SEGMENT header { NOHDR; };\n", '-static hello.o',
     qr/line 2: NOHDR: the ELF and program headers would be in no loadable segment/],
    ['HDR_NOALLOC with an interpreter', "HDR_NOALLOC;\n", '-pie hello-pie.o',
     qr/line 2: HDR_NOALLOC: .* ld\.so reads them through AT_PHDR/],
);
my $i = 0;
for my $case (@refused) {
    my ($name, $map, $how, $want) = @$case;
    $i++;
    spew("$tmp/r$i.map", $map);
    my $out = $how =~ /-shared/ ? "r$i.so" : "r$i";
    my ($st, $o) = sh("cd $tmp && gcc -B$tmp/k $how -Wl,--mapfile,r$i.map -o $out");
    ok($st != 0 && $o =~ /r$i\.map: $want/ && !-e "$tmp/$out", "$name: refused at the mapfile's line, no output")
        or diag("status $st: $o" . (-e "$tmp/$out" ? '; ran: ' . join(' ', sh("$tmp/$out")) : ''));
}
# what stays allowed: the freestanding program has no start-up that reads
# its headers
{
    spew("$tmp/free.map", "HDR_NOALLOC;\n");
    my ($st, $o) = sh("cd $tmp && gcc -B$tmp/k -static -nostdlib free.o -Wl,--mapfile,free.map -o free && ./free");
    is($st, 7, 'HDR_NOALLOC in a program without a C library: linked, and it runs') or diag($o);
    spew("$tmp/rod.map", "LOAD_SEGMENT rodata { DISABLE; };\n");
    ($st, $o) = sh("cd $tmp && gcc -B$tmp/k -static hello.o -Wl,--mapfile,rod.map -o rod && ./rod");
    is("$st $o", "0 $bout", 'rodata DISABLE: its sections join text; the program prints what ld.bfd\'s prints');
}

# --- 2. OUTPUT_SECTION TYPE and FLAGS -----------------------------------
# readelf -SW: {name => [type, flags, size]}
sub sections {
    my %s;
    for (`readelf -SW $_[0]`) {
        $s{$1} = [$2, $4 // '', hex $3]
            if /^\s*\[\s*\d+\]\s+(\S+)\s+(\S+)\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)\s+[0-9a-f]+\s+([WAXMSILOGTCxoEylp]*)\s+\d/;
    }
    return \%s;
}
compile("gcc -O2 -c $src/osec.c -o osec.o");
{
    my $in = sections("$tmp/osec.o");
    is(join(' ', map { "$_=$in->{$_}[0]/$in->{$_}[1]" } qw(.mycode .mybuf .myzero)),
       '.mycode=PROGBITS/A .mybuf=PROGBITS/WA .myzero=NOBITS/WA', 'the object\'s sections, as the test means them');
    spew("$tmp/os.map", <<'EOF');
LOAD_SEGMENT text {
    ASSIGN_SECTION code { IS_NAME = .mycode; OUTPUT_SECTION { FLAGS += EXECUTE; }; };
};
LOAD_SEGMENT data {
    ASSIGN_SECTION buf { IS_NAME = .mybuf; OUTPUT_SECTION { TYPE = NOBITS; }; };
    ASSIGN_SECTION zero { IS_NAME = .myzero; OUTPUT_SECTION { TYPE = PROGBITS; FLAGS = ALLOC WRITE; }; };
};
EOF
    my ($st, $o) = sh("cd $tmp && gcc -static -B$tmp/k osec.o -Wl,--mapfile,os.map -o os && ./os");
    is("$st $o", "0 7 5 42\n", 'OUTPUT_SECTION TYPE and FLAGS: the program runs (its code in .mycode executable)');
    my $out = sections("$tmp/os");
    is(join(' ', map { "$_=$out->{$_}[0]/$out->{$_}[1]" } qw(.mycode .mybuf .myzero)),
       '.mycode=PROGBITS/AX .mybuf=NOBITS/WA .myzero=PROGBITS/WA',
       'OUTPUT_SECTION TYPE and FLAGS: readelf -SW shows the types and flags the mapfile set');
    ($st, $o) = sh("cd $tmp && gcc -static -B$tmp/k osec.o -o os0");
    my $size = sub { (stat $_[0])[7] };
    ok($size->("$tmp/os") + 65536 - 4096 <= $size->("$tmp/os0") + 4096,
       'OUTPUT_SECTION TYPE: .mybuf\'s 64 KiB left the file, .myzero\'s 4 KiB came into it')
        or diag($size->("$tmp/os") . ' against ' . $size->("$tmp/os0"));
    # --print-mapfile writes them; read back, the same bytes
    ($st, $o) = sh("cd $tmp && gcc -static -B$tmp/k osec.o -Wl,--mapfile,os.map -Wl,--print-mapfile -o os1 > printed.map");
    my ($st2, $o2) = sh("cd $tmp && gcc -static -B$tmp/k osec.o -Wl,--mapfile,printed.map -o os2 && cmp os1 os2");
    my $printed = `cat $tmp/printed.map`;
    ok($st == 0 && $st2 == 0 && $printed =~ /TYPE = NOBITS;/ && $printed =~ /FLAGS \+= EXECUTE;/,
       'OUTPUT_SECTION TYPE and FLAGS: --print-mapfile read back gives the same bytes') or diag("$o $o2");
}
for my $case (
    ['TYPE = NOTE', "LOAD_SEGMENT data { ASSIGN_SECTION { IS_NAME = .mybuf; OUTPUT_SECTION { TYPE = NOTE; }; }; };\n",
     qr/line 2: OUTPUT_SECTION TYPE = NOTE: keel makes an output section PROGBITS or NOBITS only/],
    ['TYPE of a merged section', "LOAD_SEGMENT rodata { ASSIGN_SECTION { IS_NAME = MATCH(g/.rodata.str*/); OUTPUT_SECTION { TYPE = NOBITS; }; }; };\n",
     qr/line 2: OUTPUT_SECTION TYPE: section \.rodata\.str1\.\d+ of .* which keel keeps \(keel writes it from its own tables\)/],
    ['FLAGS -= ALLOC in a loaded segment', "LOAD_SEGMENT data { ASSIGN_SECTION { IS_NAME = .mybuf; OUTPUT_SECTION { FLAGS -= ALLOC; }; }; };\n",
     qr/line 2: OUTPUT_SECTION FLAGS: section \.mybuf of .*osec\.o would lose ALLOC in loadable segment data/],
    ['FLAGS = WRITE EXECUTE', "LOAD_SEGMENT data { ASSIGN_SECTION { IS_NAME = .mybuf; OUTPUT_SECTION { FLAGS = ALLOC WRITE EXECUTE; }; }; };\n",
     qr/line 2: OUTPUT_SECTION FLAGS: WRITE and EXECUTE together/],
    ['TYPE of the link-editor\'s .got', "LOAD_SEGMENT data { ASSIGN_SECTION { IS_NAME = .got; OUTPUT_SECTION { TYPE = NOBITS; }; }; };\n",
     qr/line 2: OUTPUT_SECTION TYPE or FLAGS: section \.got is the link-editor's/],
) {
    my ($name, $map, $want) = @$case;
    $i++;
    spew("$tmp/r$i.map", $map);
    my ($st, $o) = sh("cd $tmp && gcc -B$tmp/k -static osec.o -Wl,--mapfile,r$i.map -o r$i");
    ok($st != 0 && $o =~ /r$i\.map: $want/ && !-e "$tmp/r$i", "OUTPUT_SECTION $name: refused at the mapfile's line, no output")
        or diag("status $st: $o");
}

done_testing();
