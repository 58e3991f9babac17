#!/usr/bin/perl
# keel link's output against ld.bfd's where GNU ld shrinks it (issue 11,
# items 28 and 11): on the same collect2 lines, real static links (glibc
# C, threads, clang C and C++, C++ from two -g objects, strings reached
# through section symbols, musl, static Python, SQLite):
#   - .rodata, .data.rel.ro, .eh_frame, .eh_frame_hdr, .comment, .debug_*
#     are no larger than ld.bfd's (SHF_MERGE sections merged, .local
#     .data.rel.ro first, .eh_frame CIEs shared and dead FDEs dropped);
#   - the programs print what ld.bfd's print and exit alike, and readelf
#     reads as many CIEs and FDEs in their .eh_frame as in ld.bfd's;
#   - the -g program's .debug_str is ld.bfd's byte for byte, its DWARF
#     names read the same, addr2line gives the same file:line;
# then .eh_frame inputs that do not parse: ld.bfd's warning, the link
# goes on, and .eh_frame_hdr has no table (as ld.bfd's).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Programs qw(have);
use KeelTest qw(keel_setup run linker_args);

my ($build, $keel, $tmp) = keel_setup('link_size', need => ['ld.bfd (binutils)', 'gcc']);
my $src = "$FindBin::Bin/progs/link_size";
my $lsrc = "$FindBin::Bin/progs/link";

# Output section sizes by name (sections of one name added up).
sub section_sizes {
    my ($file) = @_;
    my %s;
    for (split /\n/, run(argv => ['readelf', '-SW', $file])->{out}) {
        $s{$1} += hex $2 if /^\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)\s/;
    }
    return \%s;
}

sub mine { return $_[0] =~ /^\.(rodata|data\.rel\.ro|eh_frame|eh_frame_hdr|comment|debug_\w+)$/ }

my $py = '/usr/lib/x86_64-linux-gnu/libpython3.11.a';
my $sqlite = '/usr/lib/x86_64-linux-gnu/libsqlite3.a';
# name => [compile (in $tmp), driver line, tool needed, file needed, program arguments]
my @cases = (
    ['glibc C hello', "gcc -O2 -c $lsrc/hello.c -o hello.o", [qw(gcc -static hello.o -o hello)]],
    ['threads, __thread, libm', "gcc -O2 -c $lsrc/threads.c -o threads.o",
     [qw(gcc -static threads.o -o threads -pthread -lm)]],
    # clang's .eh_frame is gas's @unwind type, the C library's @progbits: one section
    ['clang C hello', "clang -O2 -c $lsrc/hello.c -o hello-clang.o",
     [qw(clang -static -fuse-ld=bfd hello-clang.o -o hello-clang)], 'clang'],
    ['clang++ exceptions, threads (--eh-frame-hdr)', "clang++ -O2 -c $lsrc/cxx.cc -o cxx-clang.o",
     [qw(clang++ -static -fuse-ld=bfd cxx-clang.o -o cxx-clang -pthread)], 'clang++'],
    ['C++ from two -g objects', "g++ -O1 -g -c $src/dbg_a.cc -o dbg_a.o && g++ -O1 -g -c $src/dbg_b.cc -o dbg_b.o",
     [qw(g++ -static dbg_a.o dbg_b.o -o dbg)], 'g++'],
    ['strings through section symbols, suffixes, wide strings, constants',
     "gcc -O2 -c $src/strings_a.c -o strings_a.o && gcc -O2 -c $src/strings_b.c -o strings_b.o",
     [qw(gcc -static strings_a.o strings_b.o -o strings)]],
    ['a section symbol plus an addend (R_X86_64_32, PC32)',
     "gcc -c $src/secsym.s -o secsym.o && gcc -O2 -c $src/secsym_main.c -o secsym_main.o",
     [qw(gcc -static secsym.o secsym_main.o -o secsym)]],
    ['a symbol on an FDE whose CIE is merged away',
     "gcc -c $src/eh_sym.s -o eh_sym.o && gcc -O2 -c $src/eh_sym_main.c -o eh_sym_main.o",
     [qw(gcc -static eh_sym.o eh_sym_main.o -o eh_sym)]],
    ['musl-gcc C hello -g', "musl-gcc -O2 -g -c $lsrc/hello.c -o hello-musl.o",
     [qw(musl-gcc -static hello-musl.o -o hello-musl)], 'musl-gcc'],
    ['static Python', "printf 'extern int Py_BytesMain(int, char **);\\nint main(int c, char **v) { return Py_BytesMain(c, v); }\\n' > pymain.c && gcc -O2 -c pymain.c -o pymain.o",
     ['gcc', '-static', 'pymain.o', $py, qw(-lexpat -lz -lm -lutil -o python)], undef, $py,
     ['-S', '-c', 'import json, re; print(json.dumps({"a": [1, 2]}), re.sub("a+", "b", "caaat"))']],
    ['SQLite', "printf '#include <sqlite3.h>\\n#include <stdio.h>\\nint main(void) { sqlite3 *db; sqlite3_open(\":memory:\", &db); puts(sqlite3_libversion()); return sqlite3_close(db); }\\n' > sql.c && gcc -O2 -c sql.c -o sql.o",
     [qw(gcc -static sql.o -lsqlite3 -lm -o sql)], undef, $sqlite],
);

my @hello_args;
for my $case (@cases) {
    my ($name, $compile, $driver, $tool, $needs, $prog_args) = @$case;
    SKIP: {
        skip "$name: no $tool", 3 if $tool && !have($tool);
        skip "$name: no $needs", 3 if $needs && !-e $needs;
        my $c = run(argv => ['/bin/sh', '-c', $compile]);
        skip "$name: cannot compile: $c->{err}", 3 if $c->{status};
        my @args = linker_args(@$driver);
        skip "$name: no linker line in '@$driver -###'", 3 unless @args;
        @hello_args = @args if $name eq 'glibc C hello';
        my $tag = $name =~ s/\W+/-/gr;
        my $bfd = run(argv => ['ld.bfd', @args, '-o', "$tmp/$tag.bfd"]);
        skip "$name: ld.bfd fails on it: $bfd->{err}", 3 if $bfd->{status};
        my $k = run(file => $keel, argv => [$keel, 'link', @args, '-o', "$tmp/$tag.keel"]);
        my ($bs, $ks) = (section_sizes("$tmp/$tag.bfd"), section_sizes("$tmp/$tag.keel"));
        my @larger = map { sprintf('%s %d against %d', $_, $ks->{$_} // 0, $bs->{$_} // 0) }
                     grep { mine($_) && ($ks->{$_} // 0) > ($bs->{$_} // 0) } sort keys %{{ %$bs, %$ks }};
        my $shown = join ', ', map { sprintf('%s %d/%d', $_, $ks->{$_} // 0, $bs->{$_}) } grep { mine($_) } sort keys %$bs;
        ok($k->{status} == 0 && !@larger, "$name: no section larger than ld.bfd's ($shown)")
            or diag($k->{status} ? "keel link: $k->{err}" : "larger: @larger");
        my @pa = @{ $prog_args // [] };
        my ($dr, $kr) = (run(argv => ["$tmp/$tag.bfd", @pa]), run(argv => ["$tmp/$tag.keel", @pa]));
        ok($kr->{out} eq $dr->{out} && $kr->{err} eq $dr->{err} && $kr->{status} == $dr->{status} && $dr->{out} ne '',
           "$name: it prints what ld.bfd's link prints, and exits alike")
            or diag("ld.bfd's: status $dr->{status}, out '$dr->{out}', err '$dr->{err}'\n"
                    . "keel's:   status $kr->{status}, out '$kr->{out}', err '" . substr($kr->{err}, 0, 500) . "'");
        # the unwind tables: readelf walks them without a word, and finds
        # ld.bfd's numbers of CIEs and FDEs
        my ($bf, $kf) = map { run(argv => ['readelf', '--debug-dump=frames', "$tmp/$tag.$_"]) } qw(bfd keel);
        my ($bc, $kc) = map { my $o = $_->{out}; sprintf('%d CIEs, %d FDEs', scalar(() = $o =~ / CIE\n/g),
                                                          scalar(() = $o =~ / FDE cie=/g)) } $bf, $kf;
        ok($kf->{err} eq '' && $kc eq $bc, "$name: .eh_frame reads without a warning, with ld.bfd's $bc")
            or diag("keel's: $kc; " . substr($kf->{err}, 0, 300));
        next unless $name =~ /-g/;
        # the debug information still reads: the merged strings are GNU
        # ld's, the DWARF names the same, addresses map to the same lines
        my ($bstr, $kstr) = map { run(argv => ['readelf', '-p', '.debug_str', "$tmp/$tag.$_"])->{out} } qw(bfd keel);
        ok($bstr ne '' && $kstr eq $bstr, "$name: .debug_str holds ld.bfd's strings at ld.bfd's offsets");
        my ($bi, $ki) = map {
            join "\n", map { s/^\s*<[0-9a-f]+>\s*//r =~ s/\(indirect (line )?string, offset: 0x[0-9a-f]+\)//r }
                       grep { /DW_AT_(name|producer|comp_dir)/ }
                       split /\n/, run(argv => ['readelf', '--debug-dump=info', "$tmp/$tag.$_"])->{out}
        } qw(bfd keel);
        ok($bi ne '' && $ki eq $bi, "$name: readelf --debug-dump=info reads the same names, producer and directory");
        next unless $name =~ /C\+\+/;
        my @lines;
        for my $which (qw(bfd keel)) {
            my %addr = map { (split ' ')[2] => (split ' ')[0] }
                       grep { /^[0-9a-f]+ [Tt] / } split /\n/, run(argv => ['nm', "$tmp/$tag.$which"])->{out};
            my @want = grep { /^(main|_Z11count_words\S*)$/ } sort keys %addr;
            push @lines, join ' ', map {
                run(argv => ['addr2line', '-e', "$tmp/$tag.$which", sprintf('%x', hex($addr{$_}) + 4)])->{out} =~ s/\s+$//r
            } @want;
        }
        ok($lines[0] =~ /dbg_a\.cc:\d+/ && $lines[0] =~ /dbg_b\.cc:\d+/ && $lines[1] eq $lines[0],
           "$name: addr2line finds main and count_words at ld.bfd's file:line ($lines[1])")
            or diag("ld.bfd's: $lines[0]");
    }
}

# ------------------------------------------- .eh_frame that does not parse
SKIP: {
    skip 'no glibc C link line', 5 * 4 unless @hello_args;
    for my $case (['a record longer than its section', 'eh_len'], ['a record shorter than its id', 'eh_short'],
                  ['a CIE pointer to no CIE', 'eh_cie'],
                  ['an augmentation not known ("zQ")', 'eh_aug'], ['a good CIE and FDE (the control)', 'eh_good']) {
        my ($what, $base) = @$case;
        run(argv => ['gcc', '-c', "$src/$base.s", '-o', "$base.o"]);
        my @args = ((map { $_ eq 'hello.o' ? ('hello.o', "$base.o") : $_ } @hello_args), '--eh-frame-hdr');
        my $b = run(argv => ['ld.bfd', @args, '-o', "$tmp/$base.bfd"]);
        my $k = run(file => $keel, argv => [$keel, 'link', @args, '-o', "$tmp/$base.keel"]);
        my ($bmsg) = $b->{err} =~ /^ld\.bfd: (.*\.eh_frame.*)$/m;
        my ($kmsg) = $k->{err} =~ /^keel ld: (.*\.eh_frame.*)$/m;
        if ($base eq 'eh_good') {
            ok(!defined $bmsg && !defined $kmsg && $k->{status} == 0, "$what: no warning from either")
                or diag("ld.bfd: $b->{err}\nkeel: $k->{err}");
        } else {
            ok(defined $bmsg && defined $kmsg && $kmsg eq $bmsg && $k->{status} == 0 && $b->{status} == 0,
               "$what: ld.bfd's warning, and the link goes on (" . ($kmsg // 'none') . ')')
                or diag("ld.bfd: $b->{err}\nkeel: $k->{err}");
        }
        my ($dr, $kr) = (run(argv => ["$tmp/$base.bfd"]), run(argv => ["$tmp/$base.keel"]));
        ok($kr->{out} eq $dr->{out} && $kr->{status} == $dr->{status} && $dr->{out} ne '',
           "$what: the program runs as ld.bfd's does");
        # the header: version, encodings (fde_count and table 0xff: none), and the table's length
        my ($bh, $kh) = map {
            my $x = run(argv => ['readelf', '-x', '.eh_frame_hdr', "$tmp/$base.$_"])->{out};
            my $hex = join '', map { /^\s+0x[0-9a-f]+ ((?:[0-9a-f]{2,8} ?){1,4})/ ? $1 =~ s/ //gr : () } split /\n/, $x;
            [substr($hex, 0, 8), length($hex) / 2, $hex =~ /^.{16}(.{8})/ ? $1 : '']
        } qw(bfd keel);
        is("$kh->[0] $kh->[1]", "$bh->[0] $bh->[1]",
           "$what: .eh_frame_hdr's encodings and size are ld.bfd's ($bh->[0], $bh->[1] bytes)");
        is($kh->[2], $bh->[2], "$what: the same FDE count in the table, or none");
    }
}

done_testing();
