#!/usr/bin/perl
# keel link against ld.bfd on what sections, notes, TLS and relocations
# real code brings (issue 11): each case links the same objects with
# ld.bfd and with keel and compares what readelf or objdump shows of the
# two, or the two programs' runs.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Text::ParseWords qw(shellwords);
use Programs qw(slurp spew);
use KeelTest qw(keel_setup run linker_args);

my ($build, $keel, $tmp) = keel_setup('link_sections', need => ['ld.bfd (binutils)', 'gcc']);
my $src = "$FindBin::Bin/progs/link_sections";
sub sh { my $r = run(argv => ['/bin/sh', '-c', $_[0]]); return $r }

# The linker's arguments gcc's driver gives for a static link of @objs to
# $out (the line of -### that runs collect2 or ld, without the program).
sub static_args {
    my ($out, @objs) = @_;
    return linker_args('gcc', '-static', @objs, '-o', $out);
}

# Link the same line with ld.bfd (to $out.bfd) and keel (to $out.keel).
sub link_both {
    my ($out, @args) = @_;
    my $b = run(argv => ['ld.bfd', @args, '-o', "$out.bfd"]);
    my $k = run(file => $keel, argv => [$keel, 'link', @args, '-o', "$out.keel"]);
    return ($b, $k);
}

sub objdump_code {
    my ($file) = @_;
    my $d = run(argv => ['objdump', '-d', '--no-show-raw-insn', $file]);
    # the instructions and their absolute targets, without addresses
    # (the two links place _start differently) or symbolic names
    return join "\n", map { s/^\s*[0-9a-f]+:\s*//r =~ s/\s*<[^>]*>//r =~ s/\s+$//r }
        grep { /^\s*[0-9a-f]+:\t/ } split /\n/, $d->{out};
}

# ------------------------------------------- item 13: relocation against symbol 0
{
    sh("gcc -c $src/stn_undef.s -o stn_undef.o");
    my ($b, $k) = link_both("$tmp/stn", 'stn_undef.o');
    ok($k->{status} == 0, 'a relocation against STN_UNDEF is linked') or diag($k->{err});
    my ($want, $got) = (objdump_code("$tmp/stn.bfd"), objdump_code("$tmp/stn.keel"));
    ok($b->{status} == 0 && $want =~ /jmp\s+0\b/ && $got eq $want,
       'STN_UNDEF: S = 0, the code reaches ld.bfd\'s targets')
        or diag("ld.bfd:\n$want\nkeel:\n$got");
}

# The PT_TLS line's fields: [offset, vaddr, paddr, filesz, memsz, flags, align].
sub pt_tls {
    my ($file) = @_;
    my $r = run(argv => ['readelf', '-lW', $file]);
    my ($line) = $r->{out} =~ /^\s*TLS\s+(.*)$/m;
    return $line ? [split ' ', $line] : undef;
}

# Two runs alike: same output, same status, and the oracle's succeeded.
sub runs_alike {
    my ($name, $bfd, $kl, @argv) = @_;
    my ($dr, $kr) = (run(argv => [$bfd, @argv]), run(argv => [$kl, @argv]));
    ok($dr->{status} == 0 && $dr->{out} ne '' && $kr->{out} eq $dr->{out} && $kr->{status} == $dr->{status},
       "$name: the program runs as ld.bfd's link runs")
        or diag("ld.bfd's: status $dr->{status}, out '$dr->{out}' err '$dr->{err}'\n"
                . "keel's:   status $kr->{status}, out '$kr->{out}', err '" . substr($kr->{err}, 0, 300) . "'");
}

# ------------------------------------------- item 4: TLS commons after .tbss
SKIP: {
    my $c = sh("gcc -c $src/tcommon.s -o tcommon.o && gcc -O2 -c $src/tcommon_main.c -o tcommon_main.o");
    skip "cannot build the TLS common test: $c->{err}", 4 if $c->{status};
    my @args = static_args('tcommon', 'tcommon_main.o', 'tcommon.o');
    skip 'no gcc linker line', 4 unless @args;
    my ($b, $k) = link_both("$tmp/tcommon", @args);
    ok($k->{status} == 0, 'TLS common: keel links it') or diag($k->{err});
    my ($want, $got) = (pt_tls("$tmp/tcommon.bfd"), pt_tls("$tmp/tcommon.keel"));
    ok($want && $got && hex($got->[4]) == hex($want->[4]),
       'TLS common: PT_TLS memsz is ld.bfd\'s (' . ($want ? $want->[4] : '?') . '), the common inside it')
        or diag('ld.bfd: ' . join(' ', @{ $want // [] }) . "\nkeel:   " . join(' ', @{ $got // [] }));
    my $syms = run(argv => ['readelf', '-sW', "$tmp/tcommon.keel"])->{out};
    my ($tb, $tc) = map { $syms =~ /^\s*\d+:\s+([0-9a-f]+)\s+\d+\s+TLS\s+GLOBAL\s+\S+\s+\d+\s+\Q$_\E\s*$/m ? hex($1) : undef } qw(tb tcom);
    ok(defined $tb && defined $tc && ($tc >= $tb + 32 || $tc + 64 <= $tb) && $got && $tc + 64 <= hex($got->[4]),
       'TLS common: its TLS offset is its own, within the block')
        or diag("tb " . ($tb // 'none') . ", tcom " . ($tc // 'none'));
    runs_alike('TLS common', "$tmp/tcommon.bfd", "$tmp/tcommon.keel");
}

# Rewrite the type and flags of section $name in the ELF64 little-endian
# object $file (for headers gas will not write: it forces .init_array's
# type by name).
sub set_section {
    my ($file, $name, $type, $flags) = @_;
    my $elf = slurp($file);
    my ($shoff) = unpack('Q<', substr($elf, 0x28, 8));
    my ($shentsize, $shnum, $shstrndx) = unpack('v3', substr($elf, 0x3a, 6));
    my $strs = unpack('Q<', substr($elf, $shoff + $shstrndx * $shentsize + 24, 8));
    for my $i (1 .. $shnum - 1) {
        my $h = $shoff + $i * $shentsize;
        my $n = unpack('V', substr($elf, $h, 4));
        next unless unpack('Z*', substr($elf, $strs + $n, 256)) eq $name;
        substr($elf, $h + 4, 4) = pack('V', $type);
        substr($elf, $h + 8, 8) = pack('Q<', $flags);
        spew($file, $elf);
        return 1;
    }
    return 0;
}

# Section $name's lines of readelf -SW, without the index, address and
# offset (the two links place things differently): name, type, size,
# entry size, flags, link, info, alignment, one line each.
sub section_lines {
    my ($file, $name) = @_;
    my $r = run(argv => ['readelf', '-SW', $file]);
    return join "\n", map { my @w = split ' ', s/^\s*\[\s*\d+\]\s*//r; join ' ', @w[0, 1, 4 .. $#w] }
        grep { /^\s*\[\s*\d+\]\s+\Q$name\E\s/ } split /\n/, $r->{out};
}

# ------------------------------------------- item 6: one output section per name, the flags' union
SKIP: {
    my $c = sh(join ' && ', map({ "gcc -c $src/flags_$_.s -o flags_$_.o" } qw(aw a ax)),
               "gcc -O2 -c $src/flags_main.c -o flags_main.o");
    skip "cannot build the section flags test: $c->{err}", 9 if $c->{status};
    for my $set (['aw', 'a'], ['a', 'ax'], ['a', 'aw']) {
        my $tag = join '+', @$set;
        my @args = static_args('flags', 'flags_main.o', map { "flags_$_.o" } @$set);
        my ($b, $k) = link_both("$tmp/flags-$tag", @args);
        ok($k->{status} == 0, ".foobar as \"$tag\": keel links it") or diag($k->{err});
        my ($want, $got) = (section_lines("$tmp/flags-$tag.bfd", '.foobar'), section_lines("$tmp/flags-$tag.keel", '.foobar'));
        ok($b->{status} == 0 && $want =~ /^\S+ PROGBITS/ && $want !~ /\n/ && $got eq $want,
           ".foobar as \"$tag\": one output section with the flags' union, as ld.bfd makes it ($want)")
            or diag("ld.bfd:\n$want\nkeel:\n$got");
        runs_alike(".foobar as \"$tag\"", "$tmp/flags-$tag.bfd", "$tmp/flags-$tag.keel");
    }
}

SKIP: {
    my $c = sh("gcc -c $src/init_ro.s -o init_ro.o && gcc -O2 -c $src/init_main.c -o init_main.o");
    skip "cannot build the .init_array test: $c->{err}", 4 if $c->{status};
    ok(set_section("$tmp/init_ro.o", '.init_array', 1, 2), '.init_array made PROGBITS read-only in init_ro.o');
    my @args = static_args('init', 'init_main.o', 'init_ro.o');
    my ($b, $k) = link_both("$tmp/init", @args);
    my ($want, $got) = (section_lines("$tmp/init.bfd", '.init_array'), section_lines("$tmp/init.keel", '.init_array'));
    ok($k->{status} == 0 && $b->{status} == 0 && $want =~ /^\S+ INIT_ARRAY/ && $got =~ /^\S+ INIT_ARRAY/
           && $got !~ /\n/, '.init_array PROGBITS and INIT_ARRAY: one INIT_ARRAY section, as ld.bfd makes it')
        or diag("ld.bfd:\n$want\nkeel:\n$got\n$k->{err}");
    runs_alike('.init_array PROGBITS and INIT_ARRAY: both initializers', "$tmp/init.bfd", "$tmp/init.keel");
    my $g = run(file => $keel, argv => [$keel, 'link', @args, '--gc-sections', '-o', "$tmp/init.gc"]);
    my $gr = run(argv => ["$tmp/init.gc"]);
    ok($g->{status} == 0 && $gr->{status} == 0, '.init_array PROGBITS: with --gc-sections too, both run')
        or diag("$g->{err} $gr->{out}");
}

# ------------------------------------------- item 10: no W+X segment, a clear error instead
SKIP: {
    my $c = sh("gcc -c $src/flags_awx.s -o flags_awx.o");
    skip "cannot build the W+X test: $c->{err}", 7 if $c->{status} || !-e "$tmp/flags_main.o";
    my @args = static_args('awx', 'flags_awx.o');
    my ($b, $k) = link_both("$tmp/awx", @args);
    like($k->{err}, qr/flags_awx\.o: section '\.text\.rwx' is writable and executable: keel never maps a page both/,
         'an "awx" section: the error names the file and section, and says why');
    ok($k->{status} != 0 && !-e "$tmp/awx.keel", 'an "awx" section: no output');
    # a .text itself flagged "awx" (gas will not write it: set in the header)
    spew("$tmp/awx_text.o", slurp("$tmp/flags_main.o"));
    ok(set_section("$tmp/awx_text.o", '.text', 1, 7), '.text made "awx" in awx_text.o');
    @args = static_args('awxt', 'awx_text.o');
    ($b, $k) = link_both("$tmp/awxt", @args);
    like($k->{err}, qr/awx_text\.o: section '\.text' is writable and executable: keel never maps a page both/,
         'an "awx" .text: the error names the file and section');
    ok($k->{status} != 0 && !-e "$tmp/awxt.keel", 'an "awx" .text: no output');
    @args = static_args('wx', 'flags_main.o', 'flags_aw.o', 'flags_ax.o');
    ($b, $k) = link_both("$tmp/wx", @args);
    like($k->{err}, qr/flags_aw\.o: section '\.foobar' is writable and \S*flags_ax\.o: section '\.foobar' is executable, and both go to output section '\.foobar', which would be writable and executable/,
         '.foobar "aw" and "ax": the error names both inputs (ld.bfd makes an RWX segment of them)');
    ok($k->{status} != 0 && !-e "$tmp/wx.keel", '.foobar "aw" and "ax": no output');
}

# The instructions of function $fn in objdump -d, in a form that two
# links compare by: no addresses, numbers as N, no padding.
sub code_shape {
    my ($file, $fn) = @_;
    my $d = run(argv => ['objdump', '-d', '--no-show-raw-insn', $file])->{out};
    my ($body) = $d =~ /^[0-9a-f]+ <\Q$fn\E>:\n(.*?)(?:\n\n|\z)/ms;
    return '' unless defined $body;
    # (padding: nops, int3, or zero bytes, which read as add %al,(%rax))
    return join "\n", grep { $_ ne '' && !/^\s*(?:(?:cs\s+)?nop|\.\.\.|int3|xchg\s+%ax,%ax|add\s+%al,\(%rax\))/ }
        map { s/^\s*[0-9a-f]+:\s*//r =~ s/\s*<[^>]*>//r =~ s/#.*//r =~ s/0x[0-9a-f]+|\b[0-9a-f]{5,}\b/N/gr =~ s/\s+$//r }
        split /\n/, $body;
}

# The size of output section $name (readelf -SW), or undef.
sub section_size {
    my ($file, $name) = @_;
    my $r = run(argv => ['readelf', '-SW', $file]);
    return $r->{out} =~ /^\s*\[\s*\d+\]\s+\Q$name\E\s+\S+\s+\S+\s+\S+\s+([0-9a-f]+)/m ? hex($1) : undef;
}

# ------------------------------------------- item 28: one GOT slot per symbol and kind
# Loads through the GOT relax as ld.bfd relaxes them (so they need no
# slot); initial-exec TLS becomes local-exec; what still needs a slot has
# one per symbol; the .got is no larger than ld.bfd's.
SKIP: {
    my $c = sh("gcc -c $src/gotload.s -o gotload.o && gcc -c $src/tlsie.s -o tlsie.o"
               . " && gcc -O2 -c $src/tlsie_main.c -o tlsie_main.o");
    skip "cannot build the GOT tests: $c->{err}", 6 if $c->{status};
    my @args = static_args('gotload', 'gotload.o');
    my ($b, $k) = link_both("$tmp/gotload", @args);
    ok($k->{status} == 0, 'GOT loads: keel links them') or diag($k->{err});
    my ($want, $got) = (code_shape("$tmp/gotload.bfd", 'main'), code_shape("$tmp/gotload.keel", 'main'));
    ok($want =~ /test\s+\$N/ && $got eq $want, 'GOT loads: mov, test, binary operations, call and jmp relaxed as ld.bfd relaxes them')
        or diag("ld.bfd:\n$want\nkeel:\n$got");
    runs_alike('GOT loads', "$tmp/gotload.bfd", "$tmp/gotload.keel");
    @args = static_args('tlsie', 'tlsie_main.o', 'tlsie.o');
    ($b, $k) = link_both("$tmp/tlsie", @args);
    ($want, $got) = (code_shape("$tmp/tlsie.bfd", 'ie_check'), code_shape("$tmp/tlsie.keel", 'ie_check'));
    ok($k->{status} == 0 && $want =~ /lea\s+-?N\(%rsi\),%rsi/ && $got eq $want,
       'initial-exec TLS: rewritten to local-exec as ld.bfd rewrites it')
        or diag("ld.bfd:\n$want\nkeel:\n$got\n$k->{err}");
    runs_alike('initial-exec TLS', "$tmp/tlsie.bfd", "$tmp/tlsie.keel");
}

my @got_sizes;
for my $prog (['hello', 'gcc', "$FindBin::Bin/progs/link/hello.c"], ['threads', 'gcc', "$FindBin::Bin/progs/link/threads.c", '-pthread', '-lm'],
              ['cxx', 'g++', "$FindBin::Bin/progs/link/cxx.cc", '-pthread']) {
    my ($name, $cc, $file, @libs) = @$prog;
    SKIP: {
        my $c = run(argv => [$cc, '-O2', '-c', $file, '-o', "got-$name.o"]);
        skip "cannot compile $file: $c->{err}", 1 if $c->{status};
        my $r = run(argv => [$cc, '-static', "got-$name.o", @libs, '-o', "got-$name", '-###']);
        my ($line) = grep { m{^ "?\S*/(?:collect2|ld)"? } } split /\n/, $r->{err};
        skip "no linker line for $name", 1 unless $line;
        my @args = shellwords($line);
        shift @args;
        @args = grep { $_ ne '-o' && $_ ne "got-$name" } @args;
        my ($b, $k) = link_both("$tmp/got-$name", @args);
        my ($want, $got) = (section_size("$tmp/got-$name.bfd", '.got'), section_size("$tmp/got-$name.keel", '.got'));
        push @got_sizes, "$name " . ($want // '?') . '/' . ($got // '?');
        ok($k->{status} == 0 && defined $want && defined $got && $got <= $want,
           "$name: keel's .got (" . ($got // 'none') . " bytes) is no larger than ld.bfd's (" . ($want // 'none') . ')')
            or diag($k->{err});
    }
}
note('.got bytes, ld.bfd/keel: ' . join(', ', @got_sizes));

# ------------------------------------------- item 28: ELFOSABI_GNU as ld.bfd writes it
sub osabi {
    my ($file) = @_;
    my $r = run(argv => ['readelf', '-hW', $file]);
    return $r->{out} =~ /^\s*OS\/ABI:\s*(.*?)\s*$/m ? $1 : '(none)';
}
for my $t (['osabi_unique', 'an STB_GNU_UNIQUE symbol'], ['osabi_ifunc', 'an IFUNC'], ['stn_undef', 'neither']) {
    my ($name, $what) = @$t;
    SKIP: {
        my $c = sh("gcc -c $src/$name.s -o $name.o");
        skip "cannot assemble $name.s: $c->{err}", 1 if $c->{status};
        my ($b, $k) = link_both("$tmp/$name-abi", "$name.o");
        my ($want, $got) = (osabi("$tmp/$name-abi.bfd"), osabi("$tmp/$name-abi.keel"));
        ok($b->{status} == 0 && $k->{status} == 0 && $got eq $want, "e_ident OS/ABI with $what: ld.bfd's ($want)")
            or diag("keel: $got $k->{err}");
    }
}

# ------------------------------------------- item 7: .note.gnu.property merged as ld.bfd merges it
# The property lines of readelf -nW and the PT_GNU_PROPERTY line's sizes,
# flags and alignment.
sub properties {
    my ($file) = @_;
    my $n = run(argv => ['readelf', '-nW', $file])->{out};
    my @p = $n =~ /^\s*GNU\s+(\S+)\s+NT_GNU_PROPERTY_TYPE_0\s+(.*?)\s*$/mg;
    my $l = run(argv => ['readelf', '-lW', $file])->{out};
    my ($ph) = $l =~ /^\s*GNU_PROPERTY\s+\S+\s+\S+\s+\S+\s+(\S+\s+\S+\s+\S+\s+\S+)\s*$/m;
    return join("\n", @p) . "\nPT_GNU_PROPERTY: " . ($ph // 'none');
}
SKIP: {
    my $c = sh("gcc -O2 -fcf-protection -c $src/prop_start.c -o prop_start.o"
               . join('', map { " && gcc -c $src/prop_$_.s -o prop_$_.o" } qw(ibt used none)));
    skip "cannot build the property tests: $c->{err}", 7 if $c->{status};
    for my $set ([], ['ibt'], ['used'], ['ibt', 'used'], ['none'], ['ibt', 'none'], ['used', 'ibt', 'none']) {
        my $tag = join('+', 'start', @$set);
        my ($b, $k) = link_both("$tmp/prop-$tag", 'prop_start.o', map { "prop_$_.o" } @$set);
        my ($want, $got) = (properties("$tmp/prop-$tag.bfd"), properties("$tmp/prop-$tag.keel"));
        ok($b->{status} == 0 && $k->{status} == 0 && $got eq $want,
           "GNU properties of $tag (-fcf-protection's IBT and SHSTK, the assembly objects'): ld.bfd's note and PT_GNU_PROPERTY")
            or diag("ld.bfd:\n$want\nkeel:\n$got\n$k->{err}");
    }
}

SKIP: {
    my $c = sh("gcc -c $src/prop_bad.s -o prop_bad.o");
    skip "cannot build prop_bad.o: $c->{err}", 2 if $c->{status} || !-e "$tmp/prop_start.o";
    my $k = run(file => $keel, argv => [$keel, 'link', 'prop_start.o', 'prop_bad.o', '-o', "$tmp/prop-bad.keel"]);
    like($k->{err}, qr/prop_bad\.o:\(\.note\.gnu\.property\+0x0\): warning: .*properties are ignored/,
         'a malformed property note: a warning naming the file, section and offset');
    ok($k->{status} == 0 && properties("$tmp/prop-bad.keel") eq "\nPT_GNU_PROPERTY: none",
       'a malformed property note: the output claims no property') or diag(properties("$tmp/prop-bad.keel"));
}

# ------------------------------------------- item 19: TLS and GOT code of -fno-plt and -mcmodel=large
# tests/link.t's thread and TLS programs compiled with each code model and
# PLT choice (general and local dynamic TLS calling __tls_get_addr through
# the GOT or through movabs/add/call, GOTOFF64, GOTPC64, GOT64, PLTOFF64),
# linked statically by both: the TLS function's code as ld.bfd relaxes it,
# and the same run.
for my $flags (['-fno-plt'], ['-fno-plt', '-fPIC'], ['-mcmodel=large'], ['-mcmodel=large', '-fPIC'],
               ['-mcmodel=large', '-fPIC', '-fno-plt'], ['-mcmodel=medium', '-fPIC']) {
    for my $prog (['threads', 'work'], ['edge', 'main']) {
        my ($name, $fn) = @$prog;
        my $tag = join '', $name, @$flags;
        $tag =~ s/\W+/_/g;
        SKIP: {
            my $c = run(argv => ['gcc', '-O2', @$flags, '-c', "$FindBin::Bin/progs/link/$name.c", '-o', "$tag.o"]);
            skip "cannot compile $name.c with @$flags: $c->{err}", 2 if $c->{status};
            my @args = static_args($tag, "$tag.o", '-pthread', '-lm');
            skip 'no gcc linker line', 2 unless @args;
            my ($b, $k) = link_both("$tmp/$tag", @args);
            my ($want, $got) = (code_shape("$tmp/$tag.bfd", $fn), code_shape("$tmp/$tag.keel", $fn));
            ok($k->{status} == 0 && $b->{status} == 0 && $want ne '' && $got eq $want,
               "$name.c with @$flags: $fn relaxed as ld.bfd relaxes it")
                or diag("keel: $k->{err}\nld.bfd:\n$want\nkeel:\n$got");
            runs_alike("$name.c with @$flags", "$tmp/$tag.bfd", "$tmp/$tag.keel");
        }
    }
}

done_testing();
