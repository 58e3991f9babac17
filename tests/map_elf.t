#!/usr/bin/perl
# keel map on ELF files with keel's address map (.keel.addrmap, read by
# lib/map's keel_addrmap_open), against real oracles:
#   - SQLite (the link tests' program: sql.o -lsqlite3) linked by keel with
#     an ordering file reversing all its functions, and without: every
#     function's original address (readelf -s of the plain link) converts
#     to its output address (readelf -s of the ordered link), first and
#     last byte, and back; a copy of the binary whose map has one record
#     off by one byte must fail that comparison;
#   - --gc-sections: the functions nm no longer finds are eliminated, the
#     others convert to the link without it;
#   - every function start and 3,000 inner addresses of the ordered
#     .text: keel map names the function eu-addr2line -f names;
#   - input places (FILE:SECTION+OFFSET, archive members as ARCHIVE(M)):
#     each .text input section of -Map's listing converts to the address
#     -Map gives it, and --to-output from the place to the address the
#     plain link's -Map gives it;
#   - --ranges: a range over neighbouring functions is cut at them and each
#     piece lands on its function; dropped functions leave no piece;
#   - malformed maps: an error naming the section and offset;
#   - IS_ORDER (a mapfile) reorders a small program: the map is written,
#     and converts to the link without the mapfile.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP;
use KeelTest qw(keel_setup run sh);
use Programs qw(slurp spew);

my $sqlite = '/usr/lib/x86_64-linux-gnu/libsqlite3.a';
my ($build, $keel, $tmp) = keel_setup('map_elf', need => ['gcc', 'readelf (binutils)', 'eu-addr2line (elfutils)', $sqlite]);
my $src = "$FindBin::Bin/progs/mapelf";
mkdir "$tmp/ld";
symlink $keel, "$tmp/ld/ld" or die "symlink: $!";

sub link_keel { my ($out, @args) = @_; return run(argv => ['gcc', '-static', "-B$tmp/ld", @args, '-o', $out]) }

sub keel_map {
    my ($stdin, @args) = @_;
    return run(argv => [$keel, 'map', @args], stdin => $stdin);
}

# keel map --json over many addresses: the decoded array
sub map_json {
    my ($addrs, @args) = @_;
    my $r = keel_map(join("\n", @$addrs) . "\n", '--json', @args);
    die "keel map @args: $r->{err}" if $r->{status};
    return decode_json($r->{out});
}

# FUNC symbols of .text with size, a name used once: name => [addr, size]
sub functions {
    my ($exe) = @_;
    my ($tndx) = run(argv => ['readelf', '-SW', $exe])->{out} =~ /\[\s*(\d+)\]\s+\.text\s/;
    my (%f, %count);
    for (split /\n/, run(argv => ['readelf', '-sW', $exe])->{out}) {
        my @f = split ' ';
        next unless @f >= 8 && $f[3] eq 'FUNC' && $f[6] eq $tndx && $f[2] ne '0';
        $count{$f[7]}++;
        $f{$f[7]} = [hex $f[1], $f[2] =~ /^0x/ ? hex $f[2] : $f[2]];
    }
    delete $f{$_} for grep { $count{$_} > 1 } keys %count;
    return \%f;
}

# the answer's address on one side ('eliminated'/'unmapped' when none)
sub side { my ($a, $k) = @_; return ref $a->{$k} ? $a->{$k}{address} : $a->{$k} // $a->{error} }

# ---------------------------------------------------------------- SQLite
sh("gcc -O2 -c $src/sql.c -o sql.o");
my @sql = ('sql.o', '-lsqlite3', '-lm');
my $r = link_keel('sql.plain', @sql, '-Wl,-Map=plain.map');
is($r->{status}, 0, 'SQLite: keel links it') or diag $r->{err};
my $plain = functions("$tmp/sql.plain");
my @rev = sort { $plain->{$b}[0] <=> $plain->{$a}[0] } keys %$plain;
spew("$tmp/rev.txt", join("\n", @rev) . "\n");
$r = link_keel('sql.ordered', @sql, "-Wl,--symbol-ordering-file=$tmp/rev.txt", '-Wl,-Map=ordered.map');
is($r->{status}, 0, 'SQLite: keel links it with an ordering file reversing its ' . scalar(@rev) . ' functions')
    or diag $r->{err};
my $ord = functions("$tmp/sql.ordered");
my @both = grep { exists $ord->{$_} && $ord->{$_}[1] == $plain->{$_}[1] } sort keys %$plain;
my @moved = grep { $ord->{$_}[0] != $plain->{$_}[0] } @both;
ok(@both > 1000 && @moved > @both / 2, 'SQLite: ' . scalar(@both) . ' functions in both links, ' . scalar(@moved) . ' moved');

# every function's first and last byte, both ways; the mismatches
sub both_ways {
    my ($exe) = @_;
    my (@orig, @out, @bad);
    for my $f (@both) {
        my ($p, $o, $n) = ($plain->{$f}[0], $ord->{$f}[0], $plain->{$f}[1]);
        push @orig, sprintf('%x', $p), sprintf('%x', $p + $n - 1);
        push @out, sprintf('%x', $o), sprintf('%x', $o + $n - 1);
    }
    my $to_out = map_json(\@orig, '--to-output', $exe);
    my $to_orig = map_json(\@out, $exe);
    for my $i (0 .. $#orig) {
        my ($got, $want) = (side($to_out->[$i], 'output'), hex $out[$i]);
        push @bad, "--to-output $orig[$i]: $got, readelf $out[$i]" unless $got =~ /^\d+$/ && $got == $want;
        ($got, $want) = (side($to_orig->[$i], 'original'), hex $orig[$i]);
        push @bad, "$out[$i]: $got, readelf $orig[$i]" unless $got =~ /^\d+$/ && $got == $want;
    }
    return (scalar @orig, @bad);
}
my ($n, @bad) = both_ways('sql.ordered');
is(scalar(@bad), 0, "SQLite: $n first and last bytes of functions: original -> output and output -> original, as readelf -s")
    or diag join "\n", @bad[0 .. 9];

# the same comparison must fail when one record of the map is off by one
# byte: a copy whose output->original record of a moved function starts
# one byte late (and one whose original->output target is one byte off)
sub addrmap_at {
    my ($exe) = @_;
    my ($off, $size) = run(argv => ['readelf', '-SW', $exe])->{out} =~ /\]\s+\.keel\.addrmap\s+PROGBITS\s+\S+\s+(\S+)\s+(\S+)/;
    return (hex $off, hex $size);
}
my ($moff, $msize) = addrmap_at("$tmp/sql.ordered");
my $bin = slurp("$tmp/sql.ordered");
my $mapb = substr($bin, $moff, $msize);
my ($base, $nto, $oto, $nfrom, $ofrom) = unpack('x16 Q< V V V V', $mapb);
for my $which (['to', $nto, $oto, 0], ['from', $nfrom, $ofrom, 4]) {
    my ($name, $cnt, $toff, $field) = @$which;
    my @rec = map { [unpack('V V', substr($mapb, $toff + 8 * $_, 8))] } 0 .. $cnt - 1;
    # a record in the middle, mapped, longer than a byte
    my ($k) = grep { $rec[$_][1] && $rec[$_ + 1][0] > $rec[$_][0] + 1 } int($cnt / 2) .. $cnt - 2;
    my $copy = $bin;
    my $at = $moff + $toff + 8 * $k + $field;
    substr($copy, $at, 4) = pack('V', unpack('V', substr($copy, $at, 4)) + 1);
    spew("$tmp/sql.offbyone", $copy);
    chmod 0755, "$tmp/sql.offbyone";
    my ($m, @b) = both_ways('sql.offbyone');
    ok(@b > 0, "the $name table's record $k of $cnt " . ($field ? 'targetting' : 'starting') . ' one byte off fails the comparison: '
       . scalar(@b) . ' mismatches');
}

# one address, as text and as JSON
my ($mo, $mp) = ($ord->{main}[0], $plain->{main}[0]);
$r = keel_map('', 'sql.ordered', sprintf('%x', $mo + 2));
like($r->{out}, qr/^0x${\ sprintf('%x', $mo + 2)} \.text\+0x[0-9a-f]+ main\+0x2 sql\.o:\.text\.startup\+0x2 -> 0x${\ sprintf('%x', $mp + 2)} \.text\+0x[0-9a-f]+\n\z/,
     'main+2: section, symbol, input section, and the original address') or diag $r->{out} . $r->{err};
my $j = map_json([sprintf('%#x', $mo + 2)], 'sql.ordered')->[0];
ok($j->{output}{symbol} eq 'main' && $j->{output}{input_section}{file} eq 'sql.o'
       && $j->{output}{input_section}{name} eq '.text.startup' && $j->{output}{input_section}{offset} == 2
       && $j->{original}{address} == $mp + 2 && $j->{original}{name} eq '.text',
   '--json: the same answer') or diag explain $j;

# ---------------------------------------------------------------- -Map's places
# .text input sections of a -Map listing: "FILE:NAME" => [addr, size]
sub map_places {
    my ($file) = @_;
    my (%p, %dup, $in, $pending);
    for (split /\n/, slurp($file)) {
        if (/^(\.\S+)/) { $in = $1 eq '.text'; next }
        next unless $in;
        if (/^ (\.\S+)\s*$/) { $pending = $1; next }
        my ($name, $a, $s, $f) = /^ (\.\S+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$/;
        ($name, $a, $s, $f) = ($pending, $1, $2, $3) if !$name && $pending && /^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$/;
        $pending = undef;
        next unless $name && hex $s;
        my $k = "$f:$name";
        $dup{$k}++;
        $p{$k} = [hex $a, hex $s];
    }
    delete $p{$_} for grep { $dup{$_} > 1 } keys %dup;
    return \%p;
}
my ($po, $pp) = (map_places("$tmp/ordered.map"), map_places("$tmp/plain.map"));
my @places = grep { exists $pp->{$_} && $pp->{$_}[1] == $po->{$_}[1] } sort keys %$po;
my @member = grep { /\.a\(/ } @places;
ok(@places > 100 && @member > 50, scalar(@places) . " .text input sections in both links' -Map, " . scalar(@member) . ' archive members');
my @q = map { ("$_+0x0", sprintf('%s+%#x', $_, $po->{$_}[1] - 1)) } @places;
my $out = map_json(\@q, 'sql.ordered');
my $orig = map_json(\@q, '--to-output', 'sql.ordered');
my @badp;
for my $i (0 .. $#q) {
    my $k = $places[$i >> 1];
    my $d = ($i & 1) ? $po->{$k}[1] - 1 : 0;
    my ($got, $want) = (side($out->[$i], 'output'), $po->{$k}[0] + $d);
    push @badp, "$q[$i]: $got, -Map $want" unless $got =~ /^\d+$/ && $got == $want;
    ($got, $want) = (side($orig->[$i], 'original'), $pp->{$k}[0] + $d);
    push @badp, "--to-output $q[$i]: $got, plain -Map $want" unless $got =~ /^\d+$/ && $got == $want;
    ($got, $want) = (side($orig->[$i], 'output'), $po->{$k}[0] + $d);
    push @badp, "--to-output $q[$i] -> $got, -Map $want" unless $got =~ /^\d+$/ && $got == $want;
}
is(scalar(@badp), 0, scalar(@q) . " input places (first and last byte): at -Map's address, and the plain link's in the original space")
    or diag join "\n", @badp[0 .. 9];
my ($lib) = grep { m{/libsqlite3\.a\(} } @places;
(my $short = $lib) =~ s{^.*/}{};
$r = keel_map('', 'sql.ordered', "$short+1");
like($r->{out}, qr/^0x${\ sprintf('%x', $po->{$lib}[0] + 1)} /, "a place by the archive's last component: $short+1") or diag $r->{err};
$r = keel_map('', 'sql.ordered', 'sql.o:.text.nosuch+0', "sql.o:.text.startup+0x$ord->{main}[1]");
is($r->{out}, "sql.o:.text.nosuch+0 no such input section\nsql.o:.text.startup+0x$ord->{main}[1] past its section\n",
   'places that are not: said per place');

# ---------------------------------------------------------------- eu-addr2line
my ($ta, $ts) = run(argv => ['readelf', '-SW', "$tmp/sql.ordered"])->{out} =~ /\s\.text\s+PROGBITS\s+([0-9a-f]+) [0-9a-f]+ ([0-9a-f]+)/;
my %starts;
for (split /\n/, run(argv => ['readelf', '-sW', "$tmp/sql.ordered"])->{out}) {
    my @f = split ' ';
    $starts{hex $f[1]} = 1 if @f >= 8 && $f[3] eq 'FUNC' && hex($f[1]) - hex($ta) < hex $ts;
}
my $stride = int(hex($ts) / 3000) | 1;
my @addrs = map { sprintf('%x', $_) } (sort { $a <=> $b } keys %starts), map { hex($ta) + $_ * $stride } 0 .. int((hex($ts) - 1) / $stride);
spew("$tmp/text.addrs", join("\n", @addrs) . "\n");
my @eu = split /\n/, sh('eu-addr2line -f -e sql.ordered <text.addrs')->{out};
my @want = map { $eu[2 * $_] =~ s/\+0x[0-9a-f]+$//r } 0 .. $#addrs;
$r = keel_map(slurp("$tmp/text.addrs"), 'sql.ordered');
my @got = map { my $s = (split ' ')[2]; $s eq '-' ? '??' : $s =~ s/\+0x[0-9a-f]+$//r } split /\n/, $r->{out};
my @diff = grep { $got[$_] ne $want[$_] } 0 .. $#addrs;
ok(@addrs > 3000 && @got == @addrs && !@diff,
   scalar(@addrs) . ' addresses of the ordered .text (every function start, and a stride): the function eu-addr2line -f names')
    or diag(scalar(@diff) . ' differ, e.g. ' . join(', ', map { "$addrs[$_]: $got[$_] vs $want[$_]" } @diff[0 .. ($#diff < 4 ? $#diff : 4)]));

# ---------------------------------------------------------------- --ranges
# neighbours in the original space: a range over two whole functions
my @inorder = sort { $plain->{$a}[0] <=> $plain->{$b}[0] } @moved;
my @badr;
my $pairs = 0;
for (my $i = 0; $i + 1 < @inorder && $pairs < 40; $i += int(@inorder / 40) || 1) {
    my ($f, $g) = @inorder[$i, $i + 1];
    my ($s, $e) = ($plain->{$f}[0], $plain->{$g}[0] + $plain->{$g}[1]);
    my $p = decode_json(keel_map('', '--json', '--to-output', 'sql.ordered', '--ranges', sprintf('%x', $s), sprintf('%x', $e))->{out});
    $pairs++;
    for my $fn ($f, $g) {
        my ($fs, $fe) = ($plain->{$fn}[0], $plain->{$fn}[0] + $plain->{$fn}[1]);
        my ($piece) = grep { $_->{start} <= $fs && $_->{end} >= $fe } @$p;
        push @badr, "$fn in $f..$g" unless $piece && $piece->{to_start} + ($fs - $piece->{start}) == $ord->{$fn}[0];
    }
    push @badr, "$f..$g: pieces out of order or outside" if grep { $p->[$_]{start} < ($_ ? $p->[$_ - 1]{end} : $s) || $p->[$_]{end} > $e } 0 .. $#$p;
}
is(scalar(@badr), 0, "--ranges over $pairs pairs of neighbouring functions: cut at them, each piece on its function")
    or diag join "\n", @badr[0 .. 9];

# ---------------------------------------------------------------- --gc-sections
sh("gcc -O2 -ffunction-sections -c $src/sql.c -o sqlf.o");
$r = link_keel('gc.full', 'sqlf.o', '-lsqlite3', '-lm');
my $r2 = link_keel('gc.out', 'sqlf.o', '-lsqlite3', '-lm', '-Wl,--gc-sections');
ok($r->{status} == 0 && $r2->{status} == 0, '--gc-sections: keel links with and without') or diag "$r->{err} $r2->{err}";
my ($full, $gcd) = (functions("$tmp/gc.full"), functions("$tmp/gc.out"));
my @dropped = grep { !exists $gcd->{$_} } sort keys %$full;
my @kept = grep { exists $gcd->{$_} } sort keys %$full;
ok(@dropped > 10, '--gc-sections: ' . scalar(@dropped) . ' functions dropped');
my $a = map_json([map { sprintf('%x', $full->{$_}[0]) } @dropped, @kept], '--to-output', 'gc.out');
my @notel = grep { side($a->[$_], 'output') ne 'eliminated' } 0 .. $#dropped;
is(scalar(@notel), 0, '--gc-sections: every dropped function is eliminated') or diag join ' ', @dropped[@notel[0 .. 9]];
my @badk = grep { my $g = side($a->[@dropped + $_], 'output'); $g !~ /^\d+$/ || $g != $gcd->{$kept[$_]}[0] } 0 .. $#kept;
is(scalar(@badk), 0, '--gc-sections: the ' . scalar(@kept) . ' kept functions convert to their output address') or diag join ' ', @kept[@badk[0 .. 9]];
my $gone = $dropped[0];
my ($gs, $ge) = ($full->{$gone}[0] - 16, $full->{$gone}[0] + $full->{$gone}[1] + 16);
my $p = decode_json(keel_map('', '--json', '--to-output', 'gc.out', '--ranges', sprintf('%x', $gs), sprintf('%x', $ge))->{out});
ok(!grep({ $_->{end} > $full->{$gone}[0] && $_->{start} < $full->{$gone}[0] + $full->{$gone}[1] } @$p),
   "--ranges around the dropped $gone: no piece of it") or diag explain $p;

# ---------------------------------------------------------------- IS_ORDER
# a mapfile's IS_ORDER reverses six functions of .text: the map is
# written, and converts every function of the program (libc's behind
# them moved too) to the link without the mapfile, and back
sh("gcc -O2 -ffunction-sections -c $src/order.c -o order.o");
spew("$tmp/is.map", "\$mapfile_version 2\nLOAD_SEGMENT text {\n"
     . join('', map { "    ASSIGN_SECTION c$_ { IS_NAME = .text.f$_; };\n" } 1 .. 6)
     . "    IS_ORDER = c6 c5 c4 c3 c2 c1;\n};\n");
$r = link_keel('order.plain', 'order.o');
$r2 = link_keel('order.is', 'order.o', "-Wl,--mapfile,$tmp/is.map");
ok($r->{status} == 0 && $r2->{status} == 0, 'IS_ORDER: keel links with and without the mapfile') or diag "$r->{err} $r2->{err}";
my ($op, $oi) = (functions("$tmp/order.plain"), functions("$tmp/order.is"));
my $rp = run(argv => ["$tmp/order.plain", '5']);
my $ri = run(argv => ["$tmp/order.is", '5']);
ok($oi->{f6}[0] < $oi->{f5}[0] && $oi->{f2}[0] < $oi->{f1}[0] && $op->{f1}[0] < $op->{f6}[0] && $ri->{status} == 0
       && $ri->{out} eq $rp->{out}, 'IS_ORDER: f6 .. f1 reversed (readelf -s), the program runs alike')
    or diag "$ri->{out} vs $rp->{out}";
my ($isoff) = addrmap_at("$tmp/order.is");
my $flags = $isoff ? unpack('V', substr(slurp("$tmp/order.is"), $isoff + 12, 4)) : 0;
ok($isoff && ($flags & 1), 'IS_ORDER: .keel.addrmap written, flagged reordered') or diag "flags $flags";
my @of = grep { exists $oi->{$_} && $oi->{$_}[1] == $op->{$_}[1] } sort keys %$op;
my @ia = map { sprintf('%x', $op->{$_}[0]) } @of;
my @ib = map { sprintf('%x', $oi->{$_}[0]) } @of;
my ($to, $back) = $isoff ? (map_json(\@ia, '--to-output', 'order.is'), map_json(\@ib, 'order.is')) : ([], []);
my @badi = grep { (side($to->[$_], 'output') // '') ne hex $ib[$_] || (side($back->[$_], 'original') // '') ne hex $ia[$_] } 0 .. $#of;
ok(@of > 500 && !@badi, 'IS_ORDER: ' . scalar(@of) . " functions: original (the link without the mapfile) <-> output, as readelf -s")
    or diag join ' ', @of[@badi[0 .. 9]];

# output section records out of address order (a segment placed below an
# earlier one): valid, the lookup scans them; a copy with the records
# reversed answers as the original does, in both spaces
{
    my $copy = $bin;
    my ($ns, $os) = unpack('x40 V V', $mapb);
    my $recs = join '', reverse map { substr($mapb, $os + 24 * $_, 24) } 0 .. $ns - 1;
    substr($copy, $moff + $os, 24 * $ns) = $recs;
    spew("$tmp/sql.unsorted", $copy);
    my @some = map { sprintf('%x', $ord->{$_}[0] + 1) } @moved[0 .. 49];
    my ($want, $got) = map { keel_map(join("\n", @some) . "\n", $_)->{out} } 'sql.ordered', 'sql.unsorted';
    my ($want2, $got2) = map { keel_map(join("\n", @some) . "\n", '--to-output', $_)->{out} } 'sql.ordered', 'sql.unsorted';
    ok($ns > 5 && $got eq $want && $got2 eq $want2 && $want =~ / -> 0x[0-9a-f]+ \.text\+/,
       "the $ns output section records reversed: the same answers both ways") or diag "$got\nvs\n$want";
}

# ---------------------------------------------------------------- malformed maps
my $bad = sub {
    my ($what, $off, $v, $re) = @_;
    my $copy = $bin;
    substr($copy, $moff + $off, 4) = pack('V', $v);
    spew("$tmp/sql.bad", $copy);
    my $b = keel_map('', 'sql.bad', '401000');
    ok($b->{status} == 256 && $b->{out} eq '' && $b->{err} =~ /^keel map: sql\.bad: $re/, "malformed map: $what")
        or diag "status $b->{status}: $b->{err}";
};
$bad->('bad magic', 0, 0x4c454550, qr/\.keel\.addrmap at 0: no KEELAMAP magic/);
$bad->('version 2', 8, 0x00500002, qr/\.keel\.addrmap at 0x8: version 2/);
$bad->('a table past the end', 24, 0x10000000, qr/\.keel\.addrmap at 0x50: the output->original OMAP table \(268435456 records of 8 bytes\) extends past the section's end/);
$bad->('a string table past the end', 72, $msize, qr/\.keel\.addrmap at 0x[0-9a-f]+: the string table \(\d+ bytes\) extends past the section's end/);
my ($nsec, $osec, $nfiles, $ofiles, $nin, $oin, $oidx) = unpack('x40 V V V V V V V', $mapb);
$bad->('a file number past the files', $oin, $nfiles, qr/\.keel\.addrmap at 0x[0-9a-f]+: input section record 0 names file $nfiles of $nfiles/);
$bad->('by_original out of order', $oidx, unpack('V', substr($mapb, $oidx + 4 * ($nin - 1), 4)), qr/\.keel\.addrmap at 0x[0-9a-f]+: by_original entry \d+ \(input \d+, original RVA 0x[0-9a-f]+\) is out of order/);
$bad->('an unsorted OMAP table', $oto + 8, 0, qr/\.keel\.addrmap at 0x58: the output->original OMAP table at 0x50: OMAP record 1 at 0x8: source 0x0 is below the previous record's 0x[0-9a-f]+/);

done_testing();
