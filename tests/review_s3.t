#!/usr/bin/perl
# Checks from the review of the third round's merges (perf3, dynamic
# output, mapfiles, address maps), each against a real oracle (sources in
# progs/review_s3, built here).
#   - -s and -S with --gc-sections: the automatic .keel.addrmap names
#     every input section (.text.unused_function under
#     -ffunction-sections), so a stripped output kept the names -s asks to
#     remove. The unallocated sections keel writes are among ld.bfd's for
#     the same line, and no function name is in keel's -s output that is
#     not in ld.bfd's; --address-map still writes the map when asked.
#   - A mapfile's $if _ET_DYN / _ET_EXEC / _ET_REL see the e_type of the
#     output (readelf -h of ld.bfd's link of the same line): -shared,
#     -pie and -static-pie write ET_DYN, which keel's reader took for
#     _ET_EXEC.
#   - A mapfile's SYMBOL_SCOPE { global: f; local: *; } in a -shared link
#     made .symtab's symbols local but left them all exported in .dynsym:
#     now refused plainly, or .dynsym's defined globals are those of
#     ld.bfd's link with the same scopes as a version script.
#   - SIZE_SYMBOL naming a symbol an input defines (main) is refused for
#     a segment with sections; for one no section went to, the link wrote
#     two global 'main's in .symtab (nm shows T main and A main). Now
#     refused alike, or every global name nm lists is defined once.
#   - a mapfile's LOAD_SEGMENT text { DISABLE; } put the code in the
#     read-only rodata segment; the link succeeded and the program died
#     of SIGSEGV at its first instruction (the kernel is the oracle).
#     Likewise LOAD_SEGMENT data { DISABLE; } in -shared: .dynamic, .data
#     and .got were in no PT_LOAD and ld.so refused the library ("object
#     file has no dynamic section").  Now both are refused.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use KeelTest qw(keel_setup);

my ($build, $keel, $tmp) = keel_setup('review_s3', need => ['ld.bfd (binutils)', 'gcc', 'readelf']);
my $src = "$FindBin::Bin/progs/review_s3";
mkdir "$tmp/k" or die;
mkdir "$tmp/b" or die;
symlink($keel, "$tmp/k/ld") or die;
my ($bfd) = grep { -x } map { "$_/ld.bfd" } split /:/, $ENV{PATH};
symlink($bfd, "$tmp/b/ld") or die;

sub sh { my $c = shift; my $o = `$c 2>&1`; my $s = $?; return (($s & 127) ? 128 + ($s & 127) : $s >> 8, $o) }
sub compile { my $c = shift; system("cd $tmp && $c") == 0 or die "$c failed" }
# the names of the sections without SHF_ALLOC, sorted
sub unalloc {
    my %n;
    for (`readelf -SW $_[0]`) {
        next unless /^\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+[0-9a-f]+\s+[0-9a-f]+\s+[0-9a-f]+\s+[0-9a-f]+\s*(\S*)/;
        my ($name, $flags) = ($1, $2);
        next if $name eq 'NULL' || $flags =~ /A/;
        $n{$name} = 1;
    }
    return \%n;
}
sub slurp { open my $f, '<:raw', $_[0] or die "$_[0]: $!"; local $/; return <$f> }

compile("gcc -O2 -c $src/gc.c -o plain.o");

# --- -s / -S and the automatic address map -----------------------------
compile("gcc -O2 -ffunction-sections -fdata-sections -c $src/gc.c -o gc.o");
for my $strip ('-s', '-Wl,-S') {
    my %out;
    for my $w (qw(k b)) {
        my ($st, $o) = sh("cd $tmp && gcc -static -B$tmp/$w gc.o -Wl,--gc-sections $strip -o gc$strip.$w");
        is($st, 0, "$strip --gc-sections: linked by " . ($w eq 'k' ? 'keel' : 'ld.bfd')) or diag($o);
        $out{$w} = "$tmp/gc$strip.$w";
    }
    my ($kn, $bn) = (unalloc($out{k}), unalloc($out{b}));
    my @extra = grep { !$bn->{$_} } sort keys %$kn;
    is("@extra", '', "$strip --gc-sections: keel writes no unallocated section ld.bfd does not");
    my ($kb, $bb) = (slurp($out{k}), slurp($out{b}));
    is((index($kb, 'unused_function') >= 0 ? 1 : 0), (index($bb, 'unused_function') >= 0 ? 1 : 0),
       "$strip --gc-sections: the dropped function's name is in keel's output only if it is in ld.bfd's");
    is(scalar `$out{k}`, scalar `$out{b}`, "$strip --gc-sections: the program prints what ld.bfd's prints");
}
{
    my ($st, $o) = sh("cd $tmp && gcc -static -B$tmp/k gc.o -Wl,--gc-sections -s -Wl,--address-map -o gc-am.k");
    is($st, 0, '-s --address-map: linked') or diag($o);
    ok(unalloc("$tmp/gc-am.k")->{'.keel.addrmap'}, '-s --address-map: the map is written when asked for');
}

# --- the output kind a mapfile's conditionals see ----------------------
compile("gcc -O2 -fPIE -c $src/gc.c -o pie.o");
for my $case (['-static', 'gc.o'], ['-static-pie', 'pie.o'], ['-shared -nostdlib', 'pie.o'], ['-r -nostdlib -no-pie', 'gc.o']) {
    my ($how, $obj) = @$case;
    my ($bst, $bo) = sh("cd $tmp && gcc -B$tmp/b $how $obj -o kind.b");
    is($bst, 0, "$how: ld.bfd links it") or diag($bo);
    my ($type) = `readelf -h $tmp/kind.b` =~ /^\s*Type:\s+(\w+)/m;
    my ($st, $o) = sh("cd $tmp && gcc -B$tmp/k $how $obj -Wl,--mapfile,$src/kind.map -o kind.k");
    my ($kind) = $o =~ /error: kind (\w+)/;
    is($kind // "(no \$error: $o)", $type, "$how: the mapfile's \$if sees ld.bfd's e_type");
}

# --- SYMBOL_SCOPE in a shared library ----------------------------------
# the defined globals of .dynsym, sorted
sub exported {
    return join ' ', sort map { /^\s*\d+:\s+\S+\s+\d+\s+\S+\s+(?:GLOBAL|WEAK)\s+\S+\s+(?!UND)\S+\s+(\S+)/ ? $1 : () }
        `readelf --dyn-syms -W $_[0]`;
}
compile("gcc -O2 -fPIC -c $src/scope.c -o scope.o");
{
    my ($bst, $bo) = sh("cd $tmp && gcc -B$tmp/b -shared -nostdlib scope.o -Wl,--version-script,$src/scope.ver -o scope.b.so");
    is($bst, 0, 'ld.bfd links the library with the version script') or diag($bo);
    my ($st, $o) = sh("cd $tmp && gcc -B$tmp/k -shared -nostdlib scope.o -Wl,--mapfile,$src/scope.map -o scope.k.so");
    if ($st) {
        like($o, qr/scope\.map: line \d+: SYMBOL_SCOPE: not applied/, '-shared SYMBOL_SCOPE: refused, saying so');
        ok(!-e "$tmp/scope.k.so", '-shared SYMBOL_SCOPE: no output');
    } else {
        is(exported("$tmp/scope.k.so"), exported("$tmp/scope.b.so"),
           '-shared SYMBOL_SCOPE: the exports are ld.bfd\'s under the same scopes');
        pass('-shared SYMBOL_SCOPE: linked');
    }
}

# --- SIZE_SYMBOL of an empty segment ------------------------------------
{
    my ($st, $o) = sh("cd $tmp && gcc -static -B$tmp/k plain.o -Wl,--mapfile,$src/sizesym.map -o sizesym.k");
    if ($st) {
        like($o, qr/SIZE_SYMBOL main: symbol already defined/, 'empty segment SIZE_SYMBOL main: refused, saying why');
    } else {
        my %seen;
        my @dup = grep { $seen{$_}++ == 1 } map { (split)[2] // () } `nm -g --defined-only $tmp/sizesym.k`;
        is("@dup", '', 'empty segment SIZE_SYMBOL main: every global nm lists is defined once');
    }
}

# --- a mapfile disabling the text segment ------------------------------
{
    my ($st, $o) = sh("cd $tmp && gcc -static -B$tmp/k plain.o -Wl,--mapfile,$src/text_disabled.map -o nodis.k");
    my ($bst, $bo) = sh("cd $tmp && gcc -static -B$tmp/b plain.o -o nodis.b && ./nodis.b");
    my ($rst, $ro) = $st ? (0, '') : sh("$tmp/nodis.k");
    ok($st || ($rst == 0 && $ro eq $bo),
       'text DISABLE: refused, or the program runs as ld.bfd\'s link of it')
        or diag("link status $st: $o; run status $rst: $ro");
}
{
    compile("gcc -O2 -c $src/usescope.c -o usescope.o");
    my ($st, $o) = sh("cd $tmp && gcc -B$tmp/k -shared -nostdlib scope.o -Wl,--mapfile,$src/data_disabled.map -o libdd.so");
    my ($bst, $bo) = sh("cd $tmp && gcc -B$tmp/b -shared -nostdlib scope.o -o libdd.b.so && "
                        . "gcc -fuse-ld=bfd usescope.o libdd.b.so -Wl,-rpath,$tmp -o usescope.b && ./usescope.b");
    is($bst, 0, 'the program runs with ld.bfd\'s library') or diag($bo);
    my ($rst, $ro) = $st ? (0, '') : sh("cd $tmp && gcc -fuse-ld=bfd usescope.o libdd.so -Wl,-rpath,$tmp -o usescope.k && ./usescope.k");
    ok($st || ($rst == 0 && $ro eq $bo), '-shared data DISABLE: refused, or the program runs as with ld.bfd\'s library')
        or diag("link status $st: $o; run status $rst: $ro");
}

done_testing();
