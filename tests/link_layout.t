#!/usr/bin/perl
# The finished layout through the public API (keel_link_open, run,
# get_layout; tests/unit/link_layout.c prints it), on real static links:
# a C hello, a C++ program, a -ffunction-sections build with and without
# --gc-sections, a program whose string literals are merged.  Each layout
# is checked against oracles that do not come from it:
#   - its segments against readelf -lW of the output written, field by field;
#   - its sections against readelf -SW, and each allocated one's PT_LOAD
#     against readelf's section-to-segment mapping;
#   - every input section's place against the symbols defined in it: a
#     global function or object at offset X of its input section must be
#     at the section's output address + X in the output's symbol table
#     (nm), for every such symbol defined once;
#   - every placed input section against keel's own -Map (file, name,
#     address, size);
#   - every merged piece of an object given on the line: the bytes at its
#     output offset in the output file are the input's bytes at its input
#     offset.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Cwd qw(abs_path);
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use Text::ParseWords qw(shellwords);
use Programs qw(slurp have run_program);

my $build = $ENV{KEEL_BUILD} // "$FindBin::Bin/../build";
my $keel = $ENV{KEEL} // "$build/keel";
my $unit = "$build/tests/link_layout";
plan skip_all => "no keel at $keel" unless -x $keel;
plan skip_all => "no unit test at $unit (make $unit)" unless -x $unit;
plan skip_all => 'no gcc' unless have('gcc');
plan skip_all => 'no readelf or nm (binutils)' unless have('readelf') && have('nm');
make_path("$build/t");
my $tmp = abs_path(tempdir('link_layout.XXXXXX', DIR => "$build/t", CLEANUP => 1));
my $src = "$FindBin::Bin/progs";
my %env = (PATH => '/usr/local/bin:/usr/bin:/bin', LC_ALL => 'C', HOME => '/');
my $runs = 0;
sub run { return run_program(env => \%env, dir => $tmp, @_, base => "$tmp/run" . ++$runs) }

# The linker's arguments as the compiler driver gives them (collect2's line).
sub linker_args {
    my (@driver) = @_;
    my $r = run(argv => [@driver, '-###']);
    for my $line (split /\n/, $r->{err}) {
        next unless $line =~ m{^ "?(\S*/(?:collect2|ld|ld\.bfd))"? };
        my @w = shellwords($line);
        shift @w;
        return @w;
    }
    return;
}

my %ptype = (LOAD => 1, NOTE => 4, TLS => 7, GNU_EH_FRAME => 0x6474e550, GNU_STACK => 0x6474e551,
             GNU_RELRO => 0x6474e552, GNU_PROPERTY => 0x6474e553);
my %stype = (PROGBITS => 1, SYMTAB => 2, STRTAB => 3, RELA => 4, NOTE => 7, NOBITS => 8, INIT_ARRAY => 14,
             FINI_ARRAY => 15, PREINIT_ARRAY => 16);
my %sflag = (W => 1, A => 2, X => 4, M => 0x10, S => 0x20, I => 0x40, L => 0x80, G => 0x200, T => 0x400);

sub pflags { my $f = 0; $f |= 4 if $_[0] =~ /R/; $f |= 2 if $_[0] =~ /W/; $f |= 1 if $_[0] =~ /E/; return $f }
sub sflags { my $f = 0; $f |= $sflag{$_} // 0 for split //, $_[0]; return $f }

# An ELF64 object's section i: its bytes.
sub section_bytes {
    my ($file, $i) = @_;
    my $d = slurp($file =~ m{^/} ? $file : "$tmp/$file"); # (the link ran in $tmp)
    my ($shoff) = unpack('Q<', substr($d, 0x28, 8));
    my ($shentsize, $shnum) = unpack('v v', substr($d, 0x3a, 4));
    return undef if $i >= $shnum;
    my ($off, $size) = unpack('Q< Q<', substr($d, $shoff + $i * $shentsize + 0x18, 16));
    return substr($d, $off, $size);
}

# Symbols of each input (an object, or each member of an archive):
# {"path" or "path(member)"}{section index} = [[name, value, bind], ...]
my %symcache;
sub input_symbols {
    my ($path) = @_;
    return $symcache{$path} if $symcache{$path};
    my %by;
    my $r = run(argv => ['readelf', '-sW', $path]);
    my $file = $path;
    for (split /\n/, $r->{out}) {
        if (/^File: (.*)$/) { $file = $1; next }
        next unless /^\s*\d+:\s+([0-9a-f]+)\s+\d+\s+(FUNC|OBJECT)\s+(GLOBAL|WEAK)\s+\S+\s+(\d+)\s+(\S+)$/;
        push @{$by{$file}{$4}}, [$5, hex($1), $3];
    }
    return $symcache{$path} = \%by;
}

sub check_layout {
    my ($name, $out, $lay, $map) = @_;
    my (@seg, @sec, @in, @piece);
    for (split /\n/, $lay) {
        my @f = split /\t/;
        my $kind = shift @f;
        push @seg, [@f] if $kind eq 'segment';
        push @sec, [@f] if $kind eq 'section';
        push @in, [@f] if $kind eq 'input';
        push @piece, [@f] if $kind eq 'piece';
    }
    ok(@seg && @sec && @in, "$name: the layout has segments, sections, inputs")
        or return;

    # segments against readelf -lW
    my $rl = run(argv => ['readelf', '-lW', $out]);
    my (@ph, %mapping);
    for (split /\n/, $rl->{out}) {
        push @ph, [$1, hex($2), hex($3), hex($4), hex($5), hex($6), $7, hex($8)]
            if /^\s+(\S+)\s+0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) (.{3}) 0x([0-9a-f]+)$/;
        $mapping{$1 + 0} = " $2 " if /^\s+(\d\d)\s+(.*?)\s*$/;
    }
    my @bad;
    push @bad, 'count ' . scalar(@seg) . ' vs readelf ' . scalar(@ph) if @seg != @ph;
    for my $i (0 .. $#ph) {
        my ($t, $off, $va, $pa, $fs, $ms, $fl, $al) = @{$ph[$i]};
        my ($gt, $gf, $gva, $gpa, $goff, $gfs, $gms, $gal) = map { hex } @{$seg[$i] // []};
        push @bad, "segment $i ($t)"
            unless defined $gt && $gt == ($ptype{$t} // -1) && $gf == pflags($fl) && $gva == $va && $gpa == $pa
            && $goff == $off && $gfs == $fs && $gms == $ms && $gal == $al;
    }
    ok(!@bad, "$name: segments are readelf -l's program headers, every field") or diag(join(" | ", grep { defined } @bad[0 .. 9]));

    # sections against readelf -SW, and their PT_LOAD against the mapping
    my $rs = run(argv => ['readelf', '-SW', $out]);
    my @sh;
    for (split /\n/, $rs->{out}) {
        next unless /^\s+\[\s*(\d+)\]\s+(\S+)\s+(\S+)\s+([0-9a-f]{16}) ([0-9a-f]+) ([0-9a-f]+) [0-9a-f]+\s+([A-Za-z]*)\s+\d+\s+\d+\s+(\d+)$/;
        next if $1 == 0;
        push @sh, [$1, $2, $3, hex($4), hex($5), hex($6), $7, $8];
    }
    @bad = ();
    push @bad, 'count ' . scalar(@sec) . ' vs readelf ' . scalar(@sh) if @sec != @sh;
    my $mapped = 0;
    for my $i (0 .. $#sh) {
        my ($idx, $sn, $st, $addr, $off, $size, $fl, $al) = @{$sh[$i]};
        my ($gi, $gn, $gt, $gf, $ga, $go, $gs, $gal, $gseg) = @{$sec[$i] // []};
        if (!defined $gi || $gi != $idx || $gn ne $sn || hex($gt) != ($stype{$st} // -1) || hex($gf) != sflags($fl)
            || hex($ga) != $addr || hex($go) != $off || hex($gs) != $size || hex($gal) != $al) {
            push @bad, "section [$idx] $sn";
            next;
        }
        next if $gseg < 0;
        $mapped++;
        push @bad, "section [$idx] $sn not in segment $gseg"
            unless ($mapping{$gseg} // '') =~ /\s\Q$sn\E\s/;
    }
    ok(!@bad && $mapped, "$name: sections are readelf -S's headers; $mapped in the PT_LOAD readelf maps them to")
        or diag(join(" | ", grep { defined } @bad[0 .. 9]));

    # input sections against the symbols defined in them
    my %outsym;
    my $rn = run(argv => ['nm', '--defined-only', $out]);
    for (split /\n/, $rn->{out}) {
        $outsym{$3} = hex($1) if /^([0-9a-f]+) ([A-Z]) (\S+)$/;
    }
    my (%defs, @checks);
    for my $in (@in) {
        my ($n, $path, $member, $idx, $sname, $output, $offset, $size, $discarded, $merged) = @$in;
        next if $discarded || $merged;
        my $file = $member eq '-' ? $path : "$path($member)";
        my $syms = input_symbols($path)->{$file}{$idx} or next;
        for my $s (@$syms) {
            $defs{$s->[0]}++;
            push @checks, [$s->[0], hex($sec[$output][4]) + hex($offset) + $s->[1], "$file($sname)"]
                if $s->[2] eq 'GLOBAL';
        }
    }
    @bad = ();
    my $checked = 0;
    for my $c (@checks) {
        my ($sym, $want, $where) = @$c;
        next if $defs{$sym} > 1 || !exists $outsym{$sym}; # defined twice (a weak one too), or not written
        $checked++;
        push @bad, sprintf('%s in %s: layout says 0x%x, nm 0x%x', $sym, $where, $want, $outsym{$sym})
            if $want != $outsym{$sym};
    }
    ok(!@bad && $checked >= 5, "$name: $checked global symbols sit at their input section's place + their value")
        or diag(join("\n", @bad[0 .. ($#bad < 9 ? $#bad : 9)]));

    # placed input sections against the -Map file's memory map
    my %mapped;
    my @lines = split /\n/, slurp($map);
    for (my $i = 0; $i <= $#lines; $i++) {
        my $l = $lines[$i];
        $l .= $lines[++$i] if $l =~ /^ (\S+)$/ && $i < $#lines; # a long name: its numbers on the next line
        next unless $l =~ /^ (\S+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+) (.+)$/;
        $mapped{"$4\t$1\t" . hex($2)} = hex($3);
    }
    @bad = ();
    $checked = 0;
    for my $in (@in) {
        my ($n, $path, $member, $idx, $sname, $output, $offset, $size, $discarded, $merged) = @$in;
        next if $discarded || $merged || !hex($size) || !(hex($sec[$output][3]) & 2);
        my $file = $member eq '-' ? $path : "$path($member)";
        my $addr = hex($sec[$output][4]) + hex($offset);
        $checked++;
        my $got = $mapped{"$file\t$sname\t$addr"};
        push @bad, sprintf('%s(%s) at 0x%x size 0x%x: map %s', $file, $sname, $addr, hex($size),
                           defined $got ? sprintf('size 0x%x', $got) : 'has no such line')
            unless defined $got && $got == hex($size);
    }
    ok(!@bad && $checked, "$name: $checked placed input sections are where -Map says, with its sizes")
        or diag(join("\n", @bad[0 .. ($#bad < 9 ? $#bad : 9)]));

    # merged pieces: the output's bytes are the input's
    my $outbytes = slurp($out);
    my %secbytes;
    @bad = ();
    $checked = 0;
    for my $p (@piece) {
        my ($ii, $ioff, $ooff, $len) = ($p->[0], hex($p->[1]), hex($p->[2]), hex($p->[3]));
        my (undef, $path, $member, $idx, undef, $output) = @{$in[$ii]};
        next if $member ne '-';
        my $bytes = $secbytes{"$path\t$idx"} //= section_bytes($path, $idx);
        my $want = substr($bytes, $ioff, $len);
        my $got = substr($outbytes, hex($sec[$output][5]) + $ooff, $len);
        $checked++;
        push @bad, sprintf('%s[%u]+0x%x (%d bytes) at output +0x%x', $path, $idx, $ioff, $len, $ooff) if $want ne $got;
    }
    return ($checked, \@bad);
}

my @cases = (
    ['static C hello', ["gcc -O2 -c $src/link/hello.c -o hello.o"], [qw(gcc -static hello.o -o hello)]],
    ['static C++', ["g++ -O2 -c $src/link/cxx.cc -o cxx.o"], [qw(g++ -static cxx.o -o cxx -pthread)]],
    ['-ffunction-sections', ["gcc -O2 -ffunction-sections -fdata-sections -c $src/link_layout/fsec.c -o fsec.o"],
     [qw(gcc -static fsec.o -o fsec)]],
    ['-ffunction-sections, --gc-sections', [], [qw(gcc -static fsec.o -o fsec-gc)], '--gc-sections'],
    ['merged strings', ["gcc -O2 -c $src/link_layout/strings_a.c -o sa.o", "gcc -O2 -c $src/link_layout/strings_b.c -o sb.o"],
     [qw(gcc -static sa.o sb.o -o strings)]],
);
for my $case (@cases) {
    my ($name, $compile, $driver, $extra) = @$case;
    my $tag = $driver->[-1];
    SKIP: {
        my $points = 8;
        skip "$name: no g++", $points if $driver->[0] eq 'g++' && !have('g++');
        for my $c (@$compile) {
            my $r = run(argv => ['/bin/sh', '-c', $c]);
            skip "$name: cannot compile: $r->{err}", $points if $r->{status};
        }
        my @args = linker_args(@$driver);
        skip "$name: no linker line in '@$driver -###'", $points unless @args;
        # the inputs as keel link resolves them (-l, -L, groups)
        my $plan = run(argv => [$keel, 'link', @args, '--keel-print-plan']);
        my @inputs = map { /^input group=(\d+) .* (\S+)$/ ? "$1:$2" : () } split /\n/, $plan->{out};
        ok(@inputs, "$name: keel link --keel-print-plan lists the inputs") or diag($plan->{err});
        my $out = "$tmp/$tag.out";
        my $r = run(argv => [$unit, $out, "$out.map", ($extra ? $extra : ()), @inputs]);
        is($r->{status}, 0, "$name: linked through keel_link_open/run, the layout read") or diag($r->{err});
        my $prog = run(argv => [$out]);
        is($prog->{status}, 0, "$name: the program runs") or diag($prog->{err});
        my ($pieces, $bad) = check_layout($name, $out, $r->{out}, "$out.map");
        if ($tag eq 'strings') {
            ok(!@$bad && $pieces >= 10, "$name: $pieces merged pieces of the objects: the output's bytes are the input's")
                or diag(join("\n", @$bad[0 .. ($#$bad < 9 ? $#$bad : 9)]));
            # the literal both objects have: one place in the output
            my (%at, @in);
            for (split /\n/, $r->{out}) {
                my @f = split /\t/;
                push @in, [@f[1 .. $#f]] if $f[0] eq 'input';
                next unless $f[0] eq 'piece' && $in[$f[1]] && $in[$f[1]][1] =~ m{(?:^|/)s([ab])\.o$};
                my $bytes = section_bytes($in[$f[1]][1], $in[$f[1]][3]);
                my $s = substr($bytes, hex($f[2]), hex($f[4]));
                $at{$s}{$1} = hex($f[3]) if $s eq "shared one\0";
            }
            ok(defined $at{"shared one\0"}{a} && defined $at{"shared one\0"}{b}
                   && $at{"shared one\0"}{a} == $at{"shared one\0"}{b},
               "$name: 'shared one' of both objects has one output offset");
        } else {
            ok(!@$bad, "$name: $pieces merged pieces of the objects: the output's bytes are the input's")
                or diag(join("\n", @$bad[0 .. ($#$bad < 9 ? $#$bad : 9)]));
        }
        if ($tag eq 'fsec-gc') {
            # --gc-sections: the unused functions' sections are marked discarded, and gone from the output
            my @dropped = grep { /^input\t.*fsec\.o\t-\t\d+\t\.text\.unused_[cd]\t-1\t[0-9a-f]+\t[0-9a-f]+\t1\t0$/ }
                split /\n/, $r->{out};
            my $nm = run(argv => ['nm', $out]);
            is(scalar(@dropped), 2, "$name: .text.unused_c and .text.unused_d are marked discarded")
                or diag(join("\n", grep { /fsec\.o/ } split /\n/, $r->{out}));
            unlike($nm->{out}, qr/ unused_[cd]$/m, "$name: (nm: they are not in the output)");
        }
    }
}

# a link that fails has no layout, and says why
{
    my $r = run(argv => [$unit, "$tmp/none.out", "$tmp/none.map", "0:$tmp/missing.o"]);
    is($r->{status} >> 8, 1, 'a failed link: link_layout exits 1');
    like($r->{err}, qr/missing\.o/, '  with the error naming the input');
}
done_testing();
