#!/usr/bin/perl
# keel link's segments against ld.bfd's link of the same line.
#   - A program without a C library (progs/link_segments): under each of
#     the layout options (-z separate-code/noseparate-code, -z relro/norelro,
#     -z max-page-size/common-page-size, -Ttext-segment, --image-base,
#     -Ttext, -Tdata, -Tbss, --section-start), every allocated section at
#     ld.bfd's address, the same PT_LOADs and PT_GNU_RELRO where ld.bfd's
#     are sound, and the same output when run.
#   - The programs tests/link.t links (glibc C from gcc and clang, threads,
#     C++, musl, static Python, SQLite), with -z separate-code (the
#     default) and -z noseparate-code: no PT_LOAD writable and executable;
#     the PT_LOADs' permissions in ld.bfd's order; no executable PT_LOAD
#     holding the ELF header, .rodata or .eh_frame under separate-code;
#     PT_GNU_RELRO ending on a page boundary; eu-elflint --gnu-ld finding
#     nothing in keel's output that it does not find in ld.bfd's; the same
#     output when run.
#   - Bad values refused with ld.bfd's messages, overlapping sections
#     refused, no output left.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Programs qw(have);
use KeelTest qw(keel_setup run linker_args);

my ($build, $keel, $tmp) = keel_setup('segments', need => ['ld.bfd (binutils)', 'gcc', 'readelf']);
my $src = "$FindBin::Bin/progs/link_segments";
my $linksrc = "$FindBin::Bin/progs/link";
sub keel_link { return run(file => $keel, argv => [$keel, 'link', @_]) }

# readelf -lW: the program headers, [{type, offset, vaddr, filesz, memsz,
# flags, align}], and the sections each holds.
sub segments {
    my ($file) = @_;
    my $r = run(argv => ['readelf', '-lW', $file]);
    my (@ph, @map);
    for (split /\n/, $r->{out}) {
        if (my @m = /^\s+([A-Z_]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(R?\s?W?\s?E?)\s+0x([0-9a-f]+)/) {
            push @ph, {type => $m[0], offset => hex $m[1], vaddr => hex $m[2], filesz => hex $m[3], memsz => hex $m[4],
                       flags => $m[5] =~ s/\s//gr, align => hex $m[6]};
        } elsif (/^\s+(\d\d)\s+(.*?)\s*$/) {
            $map[$1] = [split ' ', $2];
        }
    }
    $ph[$_]{sections} = $map[$_] // [] for 0 .. $#ph;
    return @ph;
}

# readelf -SW: name => address, for the allocated sections.
sub section_addresses {
    my ($file) = @_;
    my $r = run(argv => ['readelf', '-SW', $file]);
    my %a;
    for (split /\n/, $r->{out}) {
        next unless /^\s+\[\s*\d+\]\s+(\S+)\s+\S+\s+([0-9a-f]{16})\s+[0-9a-f]+\s+[0-9a-f]+\s+[0-9a-f]+\s+(\S*A\S*)\s/;
        $a{$1} = hex $2;
    }
    return %a;
}

sub loads_text {
    my (@ph) = @_;
    return join "\n", map { sprintf('LOAD off %#x vaddr %#x filesz %#x memsz %#x %s align %#x', @$_{qw(offset vaddr filesz memsz flags align)}) }
        grep { $_->{type} eq 'LOAD' } @ph;
}

sub relro_text {
    my ($r) = grep { $_->{type} eq 'GNU_RELRO' } @_;
    return $r ? sprintf('RELRO %#x-%#x', $r->{vaddr}, $r->{vaddr} + $r->{memsz}) : 'no RELRO';
}

# What no layout of keel's may do, whatever the options: a W+X PT_LOAD, a
# RELRO ending mid-page.  $separate: also no executable PT_LOAD with the
# ELF header, .rodata or .eh_frame.  Returns the faults found.
sub layout_faults {
    my ($separate, @ph) = @_;
    my @f;
    for my $p (grep { $_->{type} eq 'LOAD' } @ph) {
        push @f, sprintf('PT_LOAD at %#x is writable and executable', $p->{vaddr})
            if $p->{flags} =~ /W/ && $p->{flags} =~ /E/;
        next unless $separate && $p->{flags} =~ /E/;
        push @f, sprintf('executable PT_LOAD at %#x holds the ELF header', $p->{vaddr}) if $p->{offset} == 0;
        push @f, sprintf('executable PT_LOAD at %#x holds %s', $p->{vaddr}, $_)
            for grep { /^\.(rodata|eh_frame)$/ } @{ $p->{sections} };
    }
    my ($r) = grep { $_->{type} eq 'GNU_RELRO' } @ph;
    my ($page) = map { $_->{align} } grep { $_->{type} eq 'LOAD' } @ph;
    push @f, sprintf('PT_GNU_RELRO ends at %#x, not on a page boundary', $r->{vaddr} + $r->{memsz})
        if $r && $page && ($r->{vaddr} + $r->{memsz}) % 4096;
    return @f;
}

# eu-elflint --gnu-ld's complaints, without the numbers that differ
# between two linkers' outputs (section and symbol indexes).
sub elflint {
    my ($file) = @_;
    my $r = run(argv => ['eu-elflint', '--gnu-ld', $file]);
    my %m;
    for (split /\n/, $r->{out} . $r->{err}) {
        next if /^No errors/ || !/\S/;
        s/\[\s*\d+\]/[N]/g;
        s/\b(symbol|relocation|entry|index) \d+/$1 N/g;
        s/\Q$file\E/FILE/g;
        $m{$_} = 1;
    }
    return %m;
}

# ------------------------------------------- a program without a C library
my $c = run(argv => ['/bin/sh', '-c', "gcc -O2 -fno-pie -fno-stack-protector -ffreestanding -fcf-protection=none "
                                      . "-c $src/free.c -o free.o"]);
BAIL_OUT("cannot compile $src: $c->{err}") if $c->{status};

# [options, what ld.bfd is given instead (its name for an alias), compare
# the PT_LOADs too (false where ld.bfd maps the headers with the moved
# section's permissions, which keel does not)]
my @options = (
    [[]],
    [['-z', 'separate-code']],
    [['-z', 'noseparate-code']],
    [['-z', 'norelro']],
    [['-z', 'noseparate-code', '-z', 'norelro']],
    [['-z', 'max-page-size=0x200000']],
    [['-z', 'max-page-size=0x10000', '-z', 'common-page-size=0x1000']],
    [['-z', 'max-page-size=65536', '-z', 'noseparate-code']],
    [['-Ttext-segment=0x800000']],
    [['-Ttext-segment', '0x20000000']],
    [['-Ttext-segment=0x800100']],
    [['--image-base=0x800000'], ['-Ttext-segment=0x800000']],
    [['-Ttext=0x500000'], undef, 'sections'],
    [['-Ttext', '500000'], undef, 'sections'],
    [['-Tdata=0x600000'], undef, 'sections'],
    [['-Tbss=0x700000'], undef, 'sections'],
    [['-Tdata', '0x600000', '-Tbss', '0x700000'], undef, 'sections'],
    [['--section-start=.rodata=0x480000']],
    [['--section-start', '.data=0x610000'], undef, 'sections'],
    [['--section-start=.data.rel.ro=0x640000', '-z', 'noseparate-code'], undef, 'sections'],
);
my $n = 0;
for my $o (@options) {
    my ($kopts, $bopts, $only_sections) = @$o;
    $bopts //= $kopts;
    my $tag = "free" . ++$n;
    my $name = "no C library, " . (@$kopts ? "@$kopts" : 'no option');
    my $b = run(argv => ['ld.bfd', '-static', 'free.o', @$bopts, '-o', "$tag.bfd"]);
    my $k = keel_link('-static', 'free.o', @$kopts, '-o', "$tag.keel");
    SKIP: {
        skip "$name: ld.bfd refuses it: $b->{err}", 5 if $b->{status};
        ok($k->{status} == 0, "$name: keel links it") or diag($k->{err});
        my %want = section_addresses("$tmp/$tag.bfd");
        my %got = section_addresses("$tmp/$tag.keel");
        # ld.bfd's sections, but .eh_frame, which keel packs at 4-byte
        # alignment on purpose (layout.c: no padding inside the list)
        my @diff = map { sprintf('%s: ld.bfd %#x, keel %s', $_, $want{$_}, defined $got{$_} ? sprintf('%#x', $got{$_}) : 'none') }
            grep { !defined $got{$_} || $got{$_} != $want{$_} } grep { $_ ne '.eh_frame' } sort keys %want;
        ok(!@diff && %want >= 5, "$name: every section at ld.bfd's address") or diag(join "\n", @diff);
        my @bph = segments("$tmp/$tag.bfd");
        my @kph = segments("$tmp/$tag.keel");
        if ($only_sections) {
            pass("$name: (ld.bfd maps its headers with the moved section's permissions; not compared)");
        } else {
            is(loads_text(@kph) . "\n" . relro_text(@kph), loads_text(@bph) . "\n" . relro_text(@bph),
               "$name: ld.bfd's PT_LOADs and PT_GNU_RELRO");
        }
        my $separate = !grep { $_ eq 'noseparate-code' } @$kopts;
        my @f = layout_faults($separate, @kph);
        ok(!@f && grep({ $_->{type} eq 'LOAD' } @kph), "$name: no W+X" . ($separate ? ', nothing but code executable' : '')
               . ', RELRO to a page boundary') or diag(join "\n", @f);
        my ($dr, $kr) = (run(argv => ["$tmp/$tag.bfd"]), run(argv => ["$tmp/$tag.keel"]));
        ok($kr->{status} == $dr->{status} && $kr->{out} eq $dr->{out} && $dr->{out} =~ /^segments:/,
           "$name: it prints what ld.bfd's link prints") or diag("ld.bfd's: '$dr->{out}', keel's: '$kr->{out}' $kr->{err}");
    }
}

# ---------------------------------------------------- refused, as ld.bfd
for my $bad (
    [['-z', 'max-page-size=0x3000'], qr/invalid maximum page size `0x3000'/],
    [['-z', 'common-page-size=abc'], qr/invalid common page size `abc'/],
    [['-Ttext=zz'], qr/invalid hex number `zz'/],
    [['-Ttext-segment=0x12g'], qr/invalid hex number `0x12g'/],
    [['--section-start=.text'], qr/invalid argument to option "--section-start"/],
    [['--section-start=.text='], qr/missing argument\(s\) to option "--section-start"/],
    [['--section-start=.data=0x401010'], qr/section \.data LMA \[0000000000401010,0000000000401013\] overlaps section \.text LMA/],
) {
    my ($opts, $msg) = @$bad;
    unlink "$tmp/bad";
    my $b = run(argv => ['ld.bfd', '-static', 'free.o', @$opts, '-o', "$tmp/bad.bfd"]);
    my $k = keel_link('-static', 'free.o', @$opts, '-o', "$tmp/bad");
    ok($b->{status} != 0 && $b->{err} =~ $msg, "@$opts: ld.bfd refuses it ($msg)") or diag($b->{err});
    ok($k->{status} != 0 && $k->{err} =~ $msg && !-e "$tmp/bad", "@$opts: keel refuses it alike, no output")
        or diag($k->{err});
}
{
    my $k = keel_link('-static', 'free.o', '-Ttext-segment=0x800100', '-o', "$tmp/warn");
    like($k->{err}, qr/warning: address of `text-segment' isn't multiple of maximum page size/,
         '-Ttext-segment off the page: ld.bfd\'s warning');
}

# ------------------------------------------------- the programs of link.t
my $py = '/usr/lib/x86_64-linux-gnu/libpython3.11.a';
my $sqlite = '/usr/lib/x86_64-linux-gnu/libsqlite3.a';
my @cases = (
    ['gcc C hello', "gcc -O2 -c $linksrc/hello.c -o hello.o", [qw(gcc -static hello.o -o hello)]],
    ['gcc threads, __thread, libm', "gcc -O2 -c $linksrc/threads.c -o threads.o",
     [qw(gcc -static threads.o -o threads -pthread -lm)]],
    ['g++ iostream, exceptions, threads', "g++ -O2 -c $linksrc/cxx.cc -o cxx.o", [qw(g++ -static cxx.o -o cxx -pthread)]],
    ['clang C hello', "clang -O2 -c $linksrc/hello.c -o hello-clang.o",
     [qw(clang -static -fuse-ld=bfd hello-clang.o -o hello-clang)], 'clang'],
    ['clang++ (--eh-frame-hdr)', "clang++ -O2 -c $linksrc/cxx.cc -o cxx-clang.o",
     [qw(clang++ -static -fuse-ld=bfd cxx-clang.o -o cxx-clang -pthread)], 'clang++'],
    ['musl-gcc C hello', "musl-gcc -O2 -c $linksrc/hello.c -o hello-musl.o",
     [qw(musl-gcc -static hello-musl.o -o hello-musl)], 'musl-gcc'],
    ['TLS alignment, sections', "gcc -O2 -g -ffunction-sections -fdata-sections -c $linksrc/edge.c -o edge.o",
     [qw(gcc -static edge.o -o edge)]],
    ['static Python', "printf 'extern int Py_BytesMain(int, char **);\\nint main(int c, char **v) { return Py_BytesMain(c, v); }\\n' > pymain.c && gcc -O2 -c pymain.c -o pymain.o",
     ['gcc', '-static', 'pymain.o', $py, qw(-lexpat -lz -lm -lutil -o python)], undef, $py,
     ['-S', '-c', 'import json, re; print(json.dumps({"a": [1, 2]}), re.sub("a+", "b", "caaat"))']],
    ['SQLite', "printf '#include <sqlite3.h>\\n#include <stdio.h>\\nint main(void) { sqlite3 *db; sqlite3_open(\":memory:\", &db); puts(sqlite3_libversion()); return sqlite3_close(db); }\\n' > sql.c && gcc -O2 -c sql.c -o sql.o",
     [qw(gcc -static sql.o -lsqlite3 -lm -o sql)], undef, $sqlite],
);
my $elflint = have('eu-elflint');
for my $case (@cases) {
    my ($name, $compile, $driver, $tool, $needs, $prog_args) = @$case;
    for my $mode ([], ['-z', 'noseparate-code']) {
        my $label = $name . (@$mode ? ' (-z noseparate-code)' : '');
        SKIP: {
            my $points = 5;
            skip "$label: no $tool", $points if $tool && !have($tool);
            skip "$label: no $needs", $points if $needs && !-e $needs;
            my $cc = run(argv => ['/bin/sh', '-c', $compile]);
            skip "$label: cannot compile: $cc->{err}", $points if $cc->{status};
            my @args = linker_args(@$driver);
            skip "$label: no linker line in '@$driver -###'", $points unless @args;
            my $tag = ($label =~ s/\W+/-/gr);
            my $b = run(argv => ['ld.bfd', @args, @$mode, '-o', "$tmp/$tag.bfd"]);
            skip "$label: ld.bfd fails on it: $b->{err}", $points if $b->{status};
            my $k = keel_link(@args, @$mode, '-o', "$tmp/$tag.keel");
            ok($k->{status} == 0, "$label: keel links it") or diag($k->{err});
            my @bph = segments("$tmp/$tag.bfd");
            my @kph = segments("$tmp/$tag.keel");
            my @f = layout_faults(!@$mode, @kph);
            ok(!@f && @kph, "$label: no W+X" . (@$mode ? '' : ', nothing but code executable')
                   . ', RELRO to a page boundary') or diag(join "\n", @f);
            my $perm = sub { join ' ', map { $_->{flags} } grep { $_->{type} eq 'LOAD' } @_ };
            is($perm->(@kph), $perm->(@bph), "$label: the PT_LOADs' permissions in ld.bfd's order");
            SKIP: {
                skip 'no eu-elflint (elfutils)', 1 unless $elflint;
                my %want = elflint("$tmp/$tag.bfd");
                my %got = elflint("$tmp/$tag.keel");
                my @new = grep { !$want{$_} } sort keys %got;
                ok(!@new, "$label: eu-elflint --gnu-ld finds nothing it does not find in ld.bfd's")
                    or diag(join "\n", @new[0 .. ($#new < 9 ? $#new : 9)]);
            }
            my @pa = @{ $prog_args // [] };
            my ($dr, $kr) = (run(argv => ["$tmp/$tag.bfd", @pa]), run(argv => ["$tmp/$tag.keel", @pa]));
            ok($kr->{out} eq $dr->{out} && $kr->{err} eq $dr->{err} && $kr->{status} == $dr->{status} && $dr->{out} ne '',
               "$label: it prints what ld.bfd's link prints, and exits alike")
                or diag("ld.bfd's: status $dr->{status}, out '$dr->{out}'\nkeel's: status $kr->{status}, out '$kr->{out}', err '"
                        . substr($kr->{err}, 0, 300) . "'");
        }
    }
}

# The options on a glibc program: the section each names at ld.bfd's
# address (the rest differs where keel's sections differ in size), and
# the program runs alike.
SKIP: {
    my @args = linker_args(qw(gcc -static hello.o -o hello));
    skip 'no gcc linker line', 18 unless @args && -e "$tmp/hello.o";
    for my $o (
        [['-Ttext=0x500000'], '.text'], [['-Tdata=0x600000'], '.data'], [['-Tbss=0x700000'], '.bss'],
        [['-Ttext-segment=0x800000'], '.init'], [['--section-start=.rodata=0x900000'], '.rodata'],
        [['-z', 'max-page-size=0x200000'], '.init'],
    ) {
        my ($opts, $sec) = @$o;
        my $tag = 'hello-' . join('', @$opts) =~ s/\W+/_/gr;
        my $b = run(argv => ['ld.bfd', @args, @$opts, '-o', "$tmp/$tag.bfd"]);
        my $k = keel_link(@args, @$opts, '-o', "$tmp/$tag.keel");
        my %want = section_addresses("$tmp/$tag.bfd");
        my %got = section_addresses("$tmp/$tag.keel");
        ok($b->{status} == 0 && $k->{status} == 0 && defined $want{$sec} && ($got{$sec} // -1) == $want{$sec},
           "glibc hello, @$opts: $sec at ld.bfd's address") or diag("$k->{err} ld.bfd "
               . sprintf('%#x', $want{$sec} // 0) . ', keel ' . sprintf('%#x', $got{$sec} // 0));
        my @f = layout_faults(1, segments("$tmp/$tag.keel"));
        my ($dr, $kr) = (run(argv => ["$tmp/$tag.bfd"]), run(argv => ["$tmp/$tag.keel"]));
        ok(!@f && $kr->{status} == $dr->{status} && $kr->{out} eq $dr->{out} && $dr->{out} ne '',
           "glibc hello, @$opts: no W+X, nothing but code executable, runs as ld.bfd's")
            or diag(join("\n", @f) . "ld.bfd's: '$dr->{out}', keel's: '$kr->{out}' $kr->{err}");
        SKIP: {
            skip 'no eu-elflint (elfutils)', 1 unless $elflint;
            my %w = elflint("$tmp/$tag.bfd");
            my %g = elflint("$tmp/$tag.keel");
            my @new = grep { !$w{$_} } sort keys %g;
            ok(!@new, "glibc hello, @$opts: eu-elflint --gnu-ld finds nothing it does not find in ld.bfd's")
                or diag(join "\n", @new[0 .. ($#new < 9 ? $#new : 9)]);
        }
    }
}

done_testing();
