#!/usr/bin/perl
# Checks from the review of issue 11's fixes: keel link against ld.bfd's
# link of the same line (sources in progs/link_review, built here).
#   - Debug ranges after a discarded COMDAT copy and after --gc-sections:
#     an entry for dropped code points at the kept copy (clang's DWARF 4
#     .debug_ranges) or is ld.bfd's tombstone, never the (0, 0) that ends
#     the list; gdb finds main's line.
#   - PT_LOADs ascend by address (gABI) after -Tdata, -Tbss and
#     --section-start put a segment below the text; keel exec and the
#     kernel run the output as ld.bfd's.
#   - -e NUMBER read as ld.bfd reads it (strtoul, base 0: decimal, 0x
#     hexadecimal, 0 octal); a text that is neither a symbol nor all a
#     number gets ld.bfd's warning and the start of .text.
#   - A common meeting a definition of another size or alignment, and with
#     --warn-common every common meeting a common or a definition: ld.bfd's
#     warnings, in its words (a weak definition gets none).
#   - A .gnu.linkonce.t.X section and a one-member COMDAT group X defining
#     the same symbol are one (ld.bfd: the first wins), either order.
#   - Unallocated sections ld.bfd keeps as orphans are kept: libstdc++'s
#     .note.stapsdt probes, relocated (gdb's 'info probes' at the same
#     functions as in ld.bfd's output), gcc's .GCC.command.line.
#   - 20000 distinct section names (generated here): linked in time linear
#     in them (at most 3 times ld.bfd's time and a second), the same
#     sections as ld.bfd's output.
#   - GNU_PROPERTY_STACK_SIZE kept, the largest of the inputs', as ld.bfd
#     keeps it; a property type no linker knows gets ld.bfd's warning.
#   - --gc-sections keeps the LSDAs (.gcc_except_table) of live functions
#     only: no larger than ld.bfd's, and the program runs as ld.bfd's.
#   - Commons go into .bss, as ld.bfd's *(COMMON), not a section of their own.
#   - .strtab writes each name once, or as the tail of a longer one, as
#     ld.bfd does: no larger than ld.bfd's; every global name keel writes
#     is one of ld.bfd's output.
#   - Code referring to a local symbol of its discarded COMDAT copy:
#     ld.bfd's error, naming the symbol, both sections (the group's with
#     its signature) and the file.
#   - keel run: 'int main;' (data) is refused, not jumped into; --argv0=NAME
#     is taken as keel exec takes it.
#   - -z max-page-size=0 and common-page-size=0 are the defaults, and a
#     common page size above the maximum given is refused, as by ld.bfd.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Programs qw(have);
use KeelTest qw(keel_setup);

my ($build, $keel, $tmp) = keel_setup('review', need => ['ld.bfd (binutils)', 'gcc', 'readelf']);
my $src = "$FindBin::Bin/progs/link_review";
mkdir "$tmp/k" or die;
mkdir "$tmp/b" or die;
symlink($keel, "$tmp/k/ld") or die;
my ($bfd) = grep { -x } map { "$_/ld.bfd" } split /:/, $ENV{PATH};
symlink($bfd, "$tmp/b/ld") or die;

sub sh { my $c = shift; my $o = `$c 2>&1`; return ($? >> 8, $o) }
# "cc -static" with keel, then with ld.bfd: (keel status, bfd status, keel output, bfd output)
sub both {
    my ($name, $cc, $args) = @_;
    my @r;
    for my $w (qw(k b)) {
        my $use = $cc =~ /clang/ ? "-fuse-ld=$tmp/$w/ld" : "-B$tmp/$w";
        push @r, [sh("cd $tmp && $cc -static $use $args -o $name.$w")];
    }
    return ($r[0][0], $r[1][0], $r[0][1], $r[1][1]);
}
sub compile { my $c = shift; system("cd $tmp && $c") == 0 or die "$c failed" }

# --- debug ranges into dropped code ------------------------------------
# .debug_ranges entries, each "range" or "tomb" (ld.bfd's tombstone 1),
# in order, and the lists' ends
sub ranges {
    my @e;
    for (`readelf --debug-dump=Ranges $_[0]`) {
        push @e, hex($1) <= 1 ? 'tomb' : 'range' if /^\s+[0-9a-f]{8} ([0-9a-f]{16}) [0-9a-f]{16}/;
        push @e, 'end' if /<End of list>/;
    }
    return join ' ', @e;
}
# gdb's answer to "info line main", the addresses taken out
sub line_of_main {
    my ($rc, $o) = sh("gdb -nx -batch -ex 'info line main' $_[0]");
    $o =~ s/0x[0-9a-f]+//g;
    return $o;
}
SKIP: {
    skip 'no clang++', 2 unless have('clang++');
    compile("clang++ -O0 -g -gdwarf-4 -ffunction-sections -c $src/comdat_c.cc $src/comdat_d.cc");
    my ($k, $b) = both('comdat', 'clang++', 'comdat_c.o comdat_d.o');
    is("$k $b", '0 0', 'C++ with a COMDAT inline function in two objects links');
    is(ranges("$tmp/comdat.k"), ranges("$tmp/comdat.b"),
       '.debug_ranges: the discarded copy\'s entry points at the kept one, as ld.bfd\'s');
  SKIP: {
        skip 'no gdb', 1 unless have('gdb');
        is(line_of_main("$tmp/comdat.k"), line_of_main("$tmp/comdat.b"), 'gdb: info line main as with ld.bfd');
    }
}
{
    compile("gcc -O0 -g -gdwarf-4 -ffunction-sections -c $src/gc_ranges.c");
    my ($k, $b) = both('gcranges', 'gcc', '-Wl,--gc-sections gc_ranges.o');
    is("$k $b", '0 0', '--gc-sections with DWARF 4 ranges links');
    is(ranges("$tmp/gcranges.k"), ranges("$tmp/gcranges.b"),
       '.debug_ranges: a collected function\'s entry is ld.bfd\'s tombstone, not the end of the list');
  SKIP: {
        skip 'no gdb', 1 unless have('gdb');
        is(line_of_main("$tmp/gcranges.k"), line_of_main("$tmp/gcranges.b"), 'gdb: info line main as with ld.bfd');
    }
}

# --- PT_LOAD order ---------------------------------------------------------
compile("gcc -O2 -c $src/hello.c");
for my $opt ('-Tdata=0x200000', '-Tbss=0x100000', '--section-start=.rodata=0x300000') {
    my ($k, $bf) = both('order', 'gcc', "hello.o -Wl,$opt");
    is("$k $bf", '0 0', "$opt links");
    my @v = map { /^\s+LOAD\s+\S+\s+(0x[0-9a-f]+)/ ? hex($1) : () } `readelf -lW $tmp/order.k`;
    is_deeply(\@v, [sort { $a <=> $b } @v], "$opt: the PT_LOADs ascend by p_vaddr");
    my ($brc, $bout) = sh("$tmp/order.b");
    my ($rc, $out) = sh("$keel exec $tmp/order.k");
    is("$rc $out", "$brc $bout", "$opt: keel exec runs it as ld.bfd's runs");
    ($rc, $out) = sh("$tmp/order.k");
    is("$rc $out", "$brc $bout", "$opt: the kernel runs it as ld.bfd's");
}

# --- -e NUMBER -------------------------------------------------------------
compile("gcc -O2 -c $src/nostart.c");
for my $e ('1000', '0x1000', '010', '4198404', '0X1F', '08', '1000x', 'nowhere', '-5', '') {
    my $entry = sub { `readelf -h $_[0]` =~ /Entry point address:\s+(\S+)/ ? $1 : 'none' };
    my (undef, $ko) = sh("cd $tmp && $keel link -e '$e' nostart.o -o e.k");
    my (undef, $bo) = sh("cd $tmp && ld.bfd -e '$e' nostart.o -o e.b");
    is($entry->("$tmp/e.k"), $entry->("$tmp/e.b"), "-e '$e': the entry ld.bfd sets");
    s/^(?:keel ld|ld\.bfd): //mg for $ko, $bo;
    is($ko, $bo, "-e '$e': ld.bfd's warnings");
}

# --- commons ---------------------------------------------------------------
compile("gcc -fcommon -c $src/common_big.c $src/common_def.c $src/common_int.c $src/common_array.c "
        . "$src/common_main.c $src/weak_def.c");
for my $objs ('common_big.o common_def.o', 'common_def.o common_big.o', 'common_int.o common_array.o',
              'common_array.o common_int.o', 'common_int.o common_main.o', 'common_array.o weak_def.o',
              'weak_def.o common_array.o') {
    for my $w ('', '--warn-common ') {
        my ($k, $ko) = sh("cd $tmp && $keel link $w-e 0 $objs -o cm.k");
        my ($b, $bo) = sh("cd $tmp && ld.bfd $w-e 0 $objs -o cm.b");
        s/^(?:keel ld|ld\.bfd): //mg for $ko, $bo;
        is("$k $ko", "$b $bo", "$w$objs: ld.bfd's status and warnings");
    }
}

# --- linkonce and COMDAT groups ----------------------------------------------
compile("as $src/$_.s -o $_.o") for qw(comdat_group linkonce start_f);
for my $objs ('start_f.o comdat_group.o linkonce.o', 'start_f.o linkonce.o comdat_group.o') {
    my ($k, $ko) = sh("cd $tmp && $keel link $objs -o lg.k");
    my ($b, $bo) = sh("cd $tmp && ld.bfd $objs -o lg.b");
    is("$k $ko", "$b $bo", "$objs: links as with ld.bfd");
    is((sh("$tmp/lg.k"))[0], (sh("$tmp/lg.b"))[0], "$objs: the first copy wins, as with ld.bfd");
}

# --- unallocated sections ------------------------------------------------------
SKIP: {
    skip 'no g++', 3 unless have('g++');
    compile("g++ -O2 -c $src/throw.cc");
    my ($k, $b) = both('stap', 'g++', 'throw.o');
    is("$k $b", '0 0', 'a C++ program with libstdc++\'s probes links');
    my $has = sub { `readelf -SW $_[0]` =~ /\.note\.stapsdt\s+NOTE/ ? 'kept' : 'dropped' };
    is($has->("$tmp/stap.k"), $has->("$tmp/stap.b"), '.note.stapsdt kept as ld.bfd keeps it');
  SKIP: {
        skip 'no gdb', 1 unless have('gdb');
        # each probe: provider, name and the function+offset it is in
        my $probes = sub {
            my $f = shift;
            my @p = map { /^stap\s+(\S+)\s+(\S+)\s+(0x[0-9a-f]+)/ ? [$1, $2, $3] : () }
                `gdb -nx -batch -ex 'info probes' $f 2>&1`;
            return join "\n", map {
                my $at = `gdb -nx -batch -ex 'info symbol $_->[2]' $f 2>&1`;
                chomp $at;
                "$_->[0] $_->[1] $at";
            } @p;
        };
        my $bp = $probes->("$tmp/stap.b");
        is($probes->("$tmp/stap.k"), $bp, "gdb's info probes: at the functions of ld.bfd's output");
    }
}
{
    compile("gcc -O2 -frecord-gcc-switches -c $src/hello.c -o switches.o");
    my ($k, $b) = both('switches', 'gcc', 'switches.o');
    my $size = sub { `readelf -SW $_[0]` =~ /\.GCC\.command\.line\s+PROGBITS\s+\S+\s+\S+\s+(\S+)/ ? hex($1) : 'none' };
    is($size->("$tmp/switches.k"), $size->("$tmp/switches.b"), '.GCC.command.line kept as ld.bfd keeps it');
}

# --- many output sections ------------------------------------------------------
{
    my $n = 20000;
    open(my $fh, '>', "$tmp/many.s") or die;
    print $fh "\t.section s$_,\"aw\",\@progbits\n\t.globl v$_\nv$_: .quad v" . (($_ + 1) % $n) . "\n" for 0 .. $n - 1;
    print $fh "\t.text\n\t.globl _start\n_start: ret\n";
    close $fh or die;
    compile('as many.s -o many.o');
    use Time::HiRes qw(time);
    my $t0 = time;
    my ($b) = sh("cd $tmp && ld.bfd many.o -o many.b");
    my $tb = time - $t0;
    $t0 = time;
    my ($k, $ko) = sh("cd $tmp && $keel link many.o -o many.k");
    my $tk = time - $t0;
    is("$k $ko", "$b ", "$n section names: links as with ld.bfd");
    ok($tk <= 3 * $tb + 1, sprintf("$n section names: keel %.2f s, ld.bfd %.2f s (at most 3 times and a second)", $tk, $tb));
    # the sections with contents (keel keeps as's empty .data and .bss)
    my $names = sub {
        join ' ', sort map { /^\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+\S+\s+\S+\s+(\S+)/ && hex($2) ? $1 : () }
            `readelf -SW $_[0]`;
    };
    is($names->("$tmp/many.k"), $names->("$tmp/many.b"), "$n section names: ld.bfd's output sections with contents");
}

# --- GNU properties --------------------------------------------------------------
compile("as --defsym STACK=0x100000 --defsym START=1 $src/props_stack.s -o stack1.o");
compile("as --defsym STACK=0x200000 $src/props_stack.s -o stack2.o");
compile("as $src/props_other.s -o props_other.o");
for my $objs ('stack1.o', 'stack1.o stack2.o', 'stack2.o stack1.o', 'stack1.o props_other.o') {
    my ($k, $ko) = sh("cd $tmp && $keel link $objs -o props.k");
    my ($b, $bo) = sh("cd $tmp && ld.bfd $objs -o props.b");
    s/^(?:keel ld|ld\.bfd): //mg for $ko, $bo;
    is("$k $ko", "$b $bo", "properties of $objs: status and warnings as ld.bfd's");
    my $props = sub { join '', grep { !/^File:|^\s*$/ } `readelf -n --wide $_[0]` };
    is($props->("$tmp/props.k"), $props->("$tmp/props.b"), "properties of $objs: ld.bfd's notes");
}

# --- --gc-sections and exception tables -------------------------------------------
SKIP: {
    skip 'no g++', 3 unless have('g++');
    compile("g++ -O2 -ffunction-sections -fdata-sections -c $src/lsda.cc");
    my ($k, $b) = both('lsda', 'g++', '-Wl,--gc-sections lsda.o');
    is("$k $b", '0 0', 'C++ with --gc-sections links');
    my $size = sub { `readelf -SW $_[0]` =~ /\.gcc_except_table\s+PROGBITS\s+\S+\s+\S+\s+(\S+)/ ? hex($1) : 0 };
    my ($ks, $bs) = ($size->("$tmp/lsda.k"), $size->("$tmp/lsda.b"));
    ok($ks <= $bs, "--gc-sections: .gcc_except_table $ks bytes, ld.bfd's $bs (the LSDAs of live functions only)");
    is(join(' ', sh("$tmp/lsda.k")), join(' ', sh("$tmp/lsda.b")), 'it runs as ld.bfd\'s output (an exception caught)');
}

# --- commons in .bss ---------------------------------------------------------------
{
    compile("gcc -O2 -fcommon -c $src/common_bss.c");
    my ($k, $b) = both('cbss', 'gcc', 'common_bss.o');
    is("$k $b", '0 0', 'commons with glibc link');
    # the output section of each common
    my $where = sub {
        my $f = shift;
        my %name = map { /^\s*\[\s*(\d+)\]\s+(\S+)/ ? ($1, $2) : () } `readelf -SW $f`;
        join ' ', sort map { /\s(\d+)\s+(c1|c2)$/ ? "$2:$name{$1}" : () } `readelf -sW $f`;
    };
    is($where->("$tmp/cbss.k"), $where->("$tmp/cbss.b"), 'the commons\' output section is ld.bfd\'s (.bss)');
    is(join(' ', sh("$tmp/cbss.k")), join(' ', sh("$tmp/cbss.b")), 'it runs as ld.bfd\'s output');
}

# --- .strtab ---------------------------------------------------------------------
{
    my ($k, $b) = both('strtab', 'gcc', 'hello.o');
    is("$k $b", '0 0', 'a glibc program links');
    my $size = sub { `readelf -SW $_[0]` =~ /\.strtab\s+STRTAB\s+\S+\s+\S+\s+(\S+)/ ? hex($1) : 0 };
    my ($ks, $bs) = ($size->("$tmp/strtab.k"), $size->("$tmp/strtab.b"));
    ok($ks && $ks <= $bs, ".strtab: $ks bytes, ld.bfd's $bs");
    my $globals = sub { map { /^\S+\s+\S+\s+(\S+)$/ ? ($1 => 1) : () } `nm -g --defined-only $_[0]` };
    my %bn = $globals->("$tmp/strtab.b");
    my %kn = $globals->("$tmp/strtab.k");
    my @odd = grep { !$bn{$_} } sort keys %kn;
    ok(keys(%kn) > 100 && !@odd, 'every global name keel writes is one of ld.bfd\'s' . (@odd ? " (not: @odd[0 .. ($#odd < 4 ? $#odd : 4)])" : ''));
}

# --- reference to a discarded section ------------------------------------------
{
    compile("as $src/$_.s -o $_.o") for qw(discard_keep discard_ref);
    my ($k, $ko) = sh("cd $tmp && $keel link discard_keep.o discard_ref.o -o dis.k");
    my ($b, $bo) = sh("cd $tmp && ld.bfd discard_keep.o discard_ref.o -o dis.b");
    s/^(?:keel ld|ld\.bfd): //mg for $ko, $bo;
    is("$k $ko", "$b $bo", 'a reference into a discarded COMDAT copy: ld.bfd\'s status and message');
    ok(!-e "$tmp/dis.k", 'no output left');
}

# --- keel run ------------------------------------------------------------------
{
    for my $common ('-fno-common', '-fcommon') {
        compile("gcc $common -c $src/main_data.c -o main_data.o");
        my ($rc, $o) = sh("$keel run $tmp/main_data.o");
        ok($rc == 1 && $o =~ /'main' is not a function/, "keel run, main a variable ($common): refused ($rc: $o)");
    }
    compile("gcc -c $src/argv0.c");
    my ($rc, $o) = sh("$keel run --argv0=X $tmp/argv0.o");
    is($rc, ord('X'), "keel run --argv0=X: argv[0] is X ($o)");
}

# --- page sizes -----------------------------------------------------------------
for my $z ('-z max-page-size=0', '-z common-page-size=0', '-z max-page-size=0x1000 -z common-page-size=0x2000',
           '-z common-page-size=0x2000') {
    my ($k, $ko) = sh("cd $tmp && $keel link $z nostart.o -o pg.k");
    my ($b, $bo) = sh("cd $tmp && ld.bfd $z nostart.o -o pg.b");
    s/^(?:keel ld|ld\.bfd): //mg for $ko, $bo;
    is("$k $ko", "$b $bo", "$z: ld.bfd's status and messages");
    my $loads = sub { join ' ', map { /^\s+LOAD\s+\S+\s+(\S+)/ ? $1 : () } `readelf -lW $_[0] 2>/dev/null` };
    next if $b || $z !~ /=0$/;
    # 0 is the default: the layout of the same link without it, as with ld.bfd
    sh("cd $tmp && $keel link nostart.o -o pgd.k");
    is($loads->("$tmp/pg.k"), $loads->("$tmp/pgd.k"), "$z: the default page size's PT_LOADs");
}

done_testing();
