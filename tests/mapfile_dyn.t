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

# --- 3. SYMBOL_SCOPE and SYMBOL_VERSION in dynamic outputs ---------------
# readelf --dyn-syms -W: the defined symbols, "name bind type vis", sorted
# (unversioned: the names without @@VER and without the versions' own
# ABS symbols, which keel writes only with .gnu.version_d)
sub dynsyms {
    my ($file, $unversioned) = @_;
    my @s;
    for (`readelf --dyn-syms -W $file`) {
        next unless /^\s*\d+:\s+\S+\s+\d+\s+(\S+)\s+(\S+)\s+(\S+)\s+(?!UND)(\S+)\s+(\S+)/;
        my ($type, $bind, $vis, $ndx, $name) = ($1, $2, $3, $4, $5);
        next if $unversioned && $ndx eq 'ABS' && $name !~ /@/;
        $name =~ s/@.*// if $unversioned;
        push @s, "$name $bind $type $vis";
    }
    return join "\n", sort @s;
}
# readelf -sW (.symtab): "name bind" of the names given, sorted; absent ones "name -"
sub symtab {
    my ($file, @names) = @_;
    my %b;
    for (`readelf -sW $file`) {
        $b{$2} = $1 if /^\s*\d+:\s+\S+\s+\d+\s+\S+\s+(\S+)\s+\S+\s+\S+\s+(\S+)$/;
    }
    return join ' ', map { "$_ " . ($b{$_} // '-') } @names;
}
compile("gcc -O2 -fPIC -c $src/syms.c -o syms.o");
compile("gcc -O2 -c $src/usesyms.c -o usesyms.o");
compile("gcc -O2 -fPIE -c $src/exported.c -o exported.o");
my @cases = (
    # [name, mapfile, equivalent version script]
    ['SYMBOL_SCOPE global and local: *', "SYMBOL_SCOPE {\n    global: sym_kept; lib_call; lib_val;\n    local: *;\n};\n",
     "{ global: sym_kept; lib_call; lib_val; local: *; };\n"],
    ['SYMBOL_SCOPE hidden and eliminate', "SYMBOL_SCOPE {\n    hidden: sym_hidden;\n    eliminate: sym_gone;\n};\n",
     "{ local: sym_hidden; sym_gone; };\n"],
    ['SYMBOL_VERSION nodes with a parent', "SYMBOL_VERSION LIB_1.0 {\n    global: sym_kept; sym_data;\n};\n"
         . "SYMBOL_VERSION LIB_2.0 {\n    global: sym_v2; lib_call; lib_val;\n    local: *;\n} LIB_1.0;\n",
     "LIB_1.0 { global: sym_kept; sym_data; };\nLIB_2.0 { global: sym_v2; lib_call; lib_val; local: *; } LIB_1.0;\n"],
    ['SYMBOL_VERSION beside SYMBOL_SCOPE', "SYMBOL_VERSION LIB_1.0 {\n    global: sym_kept;\n    local: *;\n};\n"
         . "SYMBOL_SCOPE {\n    global: sym_v2;\n};\n",
     undef],
);
my $n = 0;
for my $case (@cases) {
    my ($name, $map, $ver) = @$case;
    $n++;
    spew("$tmp/s$n.map", $map);
    my ($st, $o) = sh("cd $tmp && gcc -B$tmp/k -shared -nostdlib syms.o -Wl,--mapfile,s$n.map -o libs$n.so");
    is($st, 0, "-shared $name: linked") or diag($o);
    next unless defined $ver;
    open my $h, '>', "$tmp/s$n.ver" or die;
    print $h $ver;
    close $h;
    my ($vst, $vo) = sh("cd $tmp && gcc -B$tmp/k -shared -nostdlib syms.o -Wl,--version-script,s$n.ver -o libv$n.so");
    my ($bst, $bo) = sh("cd $tmp && gcc -B$tmp/b -shared -nostdlib syms.o -Wl,--version-script,s$n.ver -o libb$n.so");
    is("$vst $bst", '0 0', "-shared $name: the equivalent version script, linked by keel and ld.bfd") or diag("$vo $bo");
    my $d = dynsyms("$tmp/libs$n.so");
    is($d, dynsyms("$tmp/libv$n.so"), "-shared $name: readelf --dyn-syms is keel's with the version script");
    is(dynsyms("$tmp/libs$n.so", 1), dynsyms("$tmp/libb$n.so", 1),
       "-shared $name: and ld.bfd's with it (names without their versions)");
    # .symtab: what the scopes reduce is local (ld.bfd's with the script), eliminate leaves it out
    my @names = qw(sym_kept sym_hidden sym_gone sym_v2 sym_data);
    my $want = symtab("$tmp/libb$n.so", @names);
    $want =~ s/sym_gone LOCAL/sym_gone -/ if $map =~ /eliminate/;
    is(symtab("$tmp/libs$n.so", @names), $want, "-shared $name: .symtab's bindings are ld.bfd's (eliminated: absent)");
    next unless $map =~ /SYMBOL_VERSION/;
    is($d, dynsyms("$tmp/libb$n.so"), "-shared $name: readelf --dyn-syms is ld.bfd's, versions included");
    # (.gnu.version's rows follow .dynsym, which within a GNU hash bucket
    # is in ld.bfd's symbol-table order: dyn_symbols.c, bfd_slot_size)
    my $kv = `readelf -V $tmp/libs$n.so`;
    my $bv = `readelf -V $tmp/libb$n.so`;
    s/^.*(?:Addr|Offset|Link|Flags|Cnt).*$//mg for $kv, $bv;
    ok($kv =~ /Version definition/ && $kv eq $bv, "-shared $name: readelf -V is ld.bfd's with the version script");
}
# SYMBOL_VERSION beside SYMBOL_SCOPE: sym_v2 stays exported (unversioned), the rest but sym_kept local
is(join(' ', map { (split)[0] } split /\n/, dynsyms("$tmp/libs4.so", 1)), 'sym_kept sym_v2',
   '-shared SYMBOL_SCOPE global beside SYMBOL_VERSION local: *: exported are the two named');
# --print-mapfile writes the SYMBOL_VERSIONs (an empty one, parents); read back, the same bytes
{
    spew("$tmp/pv.map", "SYMBOL_VERSION V0 {};\nSYMBOL_VERSION LIB_1.0 {\n    global: sym_kept;\n    protected: lib_val;\n"
         . "    local: *;\n} V0;\n");
    my ($st, $o) = sh("cd $tmp && gcc -B$tmp/k -shared -nostdlib syms.o -Wl,-soname,libpv.so -Wl,--mapfile,pv.map -Wl,--print-mapfile -o pv.so > pv-printed.map");
    my ($st2, $o2) = sh("cd $tmp && gcc -B$tmp/k -shared -nostdlib syms.o -Wl,-soname,libpv.so -Wl,--mapfile,pv-printed.map -o pv2.so && cmp pv.so pv2.so");
    my $printed = `cat $tmp/pv-printed.map`;
    ok($st == 0 && $st2 == 0 && $printed =~ /^SYMBOL_VERSION 'LIB_1\.0' \{$/m && $printed =~ /^\} 'V0';$/m,
       '--print-mapfile: SYMBOL_VERSION written; read back, the same bytes') or diag("$o $o2 $printed");
}
# protected: the library's own call binds to its own definition
{
    spew("$tmp/prot.map", "SYMBOL_SCOPE {\n    protected: lib_val;\n};\n");
    my ($st, $o) = sh("cd $tmp && gcc -B$tmp/k -shared -nostdlib syms.o -Wl,--mapfile,prot.map -o libprot.so && "
                      . "gcc -B$tmp/k -shared -nostdlib syms.o -o libdef.so");
    is($st, 0, '-shared SYMBOL_SCOPE protected: linked') or diag($o);
    like(dynsyms("$tmp/libprot.so"), qr/^lib_val GLOBAL FUNC PROTECTED$/m, 'protected: .dynsym has lib_val PROTECTED');
    my @run;
    for my $lib ('libprot.so', 'libdef.so') {
        mkdir "$tmp/r-$lib";
        system("cp $tmp/$lib $tmp/r-$lib/libsyms.so") == 0 or die;
        my ($rst, $ro) = sh("cd $tmp && gcc -fuse-ld=bfd usesyms.o -L$tmp/r-$lib -lsyms -Wl,-rpath,$tmp/r-$lib -o use-$lib && ./use-$lib");
        push @run, "$rst $ro";
    }
    is($run[0], "0 1 2\n", 'protected: the library\'s lib_call reaches its own lib_val, not the program\'s');
    is($run[1], "0 2 2\n", 'without the mapfile: the program\'s lib_val (the oracle that the test can tell)');
}
# exported: from an executable (-static-pie), as ld.bfd's --export-dynamic-symbol
for my $scope ('exported', 'singleton') {
    spew("$tmp/$scope.map", "SYMBOL_SCOPE {\n    $scope: helper;\n};\n");
    my ($st, $o) = sh("cd $tmp && gcc -B$tmp/k -static-pie exported.o -Wl,--mapfile,$scope.map -o $scope && ./$scope");
    my ($bst, $bo) = sh("cd $tmp && gcc -B$tmp/b -static-pie exported.o -Wl,--export-dynamic-symbol=helper -o $scope.b");
    is("$st $o", "0 2\n", "-static-pie SYMBOL_SCOPE $scope: linked, runs");
    is(dynsyms("$tmp/$scope"), dynsyms("$tmp/$scope.b"), "-static-pie $scope: .dynsym is ld.bfd's with --export-dynamic-symbol");
}
# refused plainly
for my $case (
    ['-r', '-r -nostdlib -no-pie syms.o', "SYMBOL_SCOPE {\n    local: sym_hidden;\n};\n",
     qr/line 2: SYMBOL_SCOPE: not applied to a relocatable output \(-r\)/],
    ['DEPEND_VERSIONS naming no input', '-shared -nostdlib syms.o', "DEPEND_VERSIONS libc.so.6 {\n    ALLOW = GLIBC_2.2.5;\n};\n",
     qr/line 2: DEPEND_VERSIONS libc\.so\.6: no shared library of that name/],
    ['symbol FLAGS', '-shared -nostdlib syms.o', "SYMBOL_VERSION V1 {\n    global: sym_kept { FLAGS = DIRECT; };\n};\n",
     qr/line 3: symbol 'sym_kept': FLAGS is not applied .*direct binding/],
    ['SYMBOL_VERSION in a static executable', '-static hello.o', "SYMBOL_VERSION V1 {\n    global: main;\n};\n",
     qr/line 2: SYMBOL_VERSION: symbol versions need a dynamic output/],
    ['a version node twice', '-shared -nostdlib syms.o', "SYMBOL_VERSION V1 {\n    global: sym_kept;\n};\nSYMBOL_VERSION V1 {\n    global: sym_v2;\n};\n",
     qr/line 5: duplicate version tag `V1'/],
    ['an unknown parent', '-shared -nostdlib syms.o', "SYMBOL_VERSION V2 {\n    global: sym_kept;\n} V1;\n",
     qr/line 2: unable to find version dependency `V1'/],
) {
    my ($name, $how, $map, $want) = @$case;
    $i++;
    spew("$tmp/r$i.map", $map);
    my ($st, $o) = sh("cd $tmp && gcc -B$tmp/k $how -Wl,--mapfile,r$i.map -o r$i.out");
    ok($st != 0 && $o =~ /r$i\.map: $want/ && !-e "$tmp/r$i.out", "$name: refused at the mapfile's line, no output")
        or diag("status $st: $o");
}

done_testing();
