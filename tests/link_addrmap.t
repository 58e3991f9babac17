#!/usr/bin/perl
# keel link's address map (.keel.addrmap, docs/address-map-section.md) and
# --symbol-ordering-file, against real oracles:
#   - SQLite (the link tests' program) linked with an ordering file that
#     reverses its functions: it still runs; every function's original
#     address (readelf -s of the link without the file) and output address
#     (readelf -s of the ordered link) convert into one another through
#     the section's two OMAP tables, read by this file's own decoder of
#     the documented format; each one's input-section record names where
#     it is, and converts back;
#   - ld.lld's link with the same ordering file puts the functions in the
#     same order; lld's warnings, in its words, for the same file;
#   - --gc-sections: the dropped functions (nm of a link without it) are
#     eliminated in the map, the others convert to the link without it;
#   - --address-map alone: the loaded image unchanged, an identity map.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use KeelTest qw(keel_setup run sh);

my $sqlite = '/usr/lib/x86_64-linux-gnu/libsqlite3.a';
my ($build, $keel, $tmp) =
    keel_setup('link_addrmap', need => ['gcc', 'ld.lld (lld)', 'readelf (binutils)', 'nm (binutils)', $sqlite]);
my $src = "$FindBin::Bin/progs/addrmap";
mkdir "$tmp/ld";
symlink $keel, "$tmp/ld/ld" or die "symlink: $!";

# ---------------------------------------------------------------- decoder
# The format as docs/address-map-section.md gives it, read independently
# of lib/link and lib/map.
sub slurp { open(my $fh, '<:raw', $_[0]) or die "$_[0]: $!"; local $/; return scalar <$fh> }

sub read_map {
    my ($exe) = @_;
    my ($off, $size);
    for (split /\n/, run(argv => ['readelf', '-SW', $exe])->{out}) {
        ($off, $size) = (hex $1, hex $2) if /\]\s+\.keel\.addrmap\s+PROGBITS\s+\S+\s+(\S+)\s+(\S+)/;
    }
    return undef unless defined $off;
    my $d = substr(slurp($exe), $off, $size);
    my %m;
    @m{qw(magic version hsize flags base nto oto nfrom ofrom nsec osec nfiles ofiles nin oin oidx ostr nstr)} =
        unpack('a8 v v V Q< V V V V V V V V V V V V V', $d);
    my $str = sub { my $o = shift; my $e = index($d, "\0", $m{ostr} + $o); substr($d, $m{ostr} + $o, $e - $m{ostr} - $o) };
    $m{to} = [map { [unpack('V V', substr($d, $m{oto} + 8 * $_, 8))] } 0 .. $m{nto} - 1];
    $m{from} = [map { [unpack('V V', substr($d, $m{ofrom} + 8 * $_, 8))] } 0 .. $m{nfrom} - 1];
    my @files = map { [map { $str->($_) } unpack('V V', substr($d, $m{ofiles} + 8 * $_, 8))] } 0 .. $m{nfiles} - 1;
    $m{in} = [map {
        my @f = unpack('V6', substr($d, $m{oin} + 24 * $_, 24));
        {file => $files[$f[0]][0], member => $files[$f[0]][1], name => $str->($f[1]), shndx => $f[2], size => $f[3],
         out => $f[4], orig => $f[5]}
    } 0 .. $m{nin} - 1];
    $m{byorig} = [unpack("V$m{nin}", substr($d, $m{oidx}, 4 * $m{nin}))];
    return \%m;
}

# An OMAP lookup: the last record whose from is at or below rva; none
# before the first; a target of 0 is eliminated (undef); else linear.
sub omap {
    my ($t, $rva) = @_;
    my ($lo, $hi) = (0, scalar @$t);
    while ($lo < $hi) { my $mid = ($lo + $hi) >> 1; if ($t->[$mid][0] <= $rva) { $lo = $mid + 1 } else { $hi = $mid } }
    return undef if $lo == 0;
    my ($from, $to) = @{$t->[$lo - 1]};
    return $to ? $rva - $from + $to : undef;
}
sub to_orig { my ($m, $a) = @_; my $r = omap($m->{to}, $a - $m->{base}); defined $r ? $r + $m->{base} : undef }
sub to_out { my ($m, $a) = @_; my $r = omap($m->{from}, $a - $m->{base}); defined $r ? $r + $m->{base} : undef }

# The input section holding an output address (the records are sorted by it).
sub input_at {
    my ($m, $a) = @_;
    my $rva = $a - $m->{base};
    my ($lo, $hi) = (0, scalar grep { $_->{shndx} } @{$m->{in}});
    while ($lo < $hi) { my $mid = ($lo + $hi) >> 1; if ($m->{in}[$mid]{out} <= $rva) { $lo = $mid + 1 } else { $hi = $mid } }
    for (my $i = $lo - 1; $i >= 0; $i--) { # (empty sections share an address: the one with bytes there)
        my $e = $m->{in}[$i];
        return $e if $rva >= $e->{out} && $rva < $e->{out} + $e->{size};
        last if $e->{out} + 0x100000 < $rva;
    }
    return undef;
}

# ---------------------------------------------------------------- oracles
# Function symbols of .text with a name used once: name => address.
sub functions {
    my ($exe) = @_;
    my ($text) = grep { /\]\s+\.text\s/ } split /\n/, run(argv => ['readelf', '-SW', $exe])->{out};
    my ($tndx) = $text =~ /\[\s*(\d+)\]/;
    my (%addr, %count);
    for (split /\n/, run(argv => ['readelf', '-sW', $exe])->{out}) {
        my @f = split ' ';
        next unless @f >= 8 && $f[3] eq 'FUNC' && $f[6] eq $tndx && $f[2] ne '0';
        $count{$f[7]}++;
        $addr{$f[7]} = hex $f[1];
    }
    delete $addr{$_} for grep { $count{$_} > 1 } keys %count;
    return \%addr;
}

sub link_with {
    my ($ld, $out, @args) = @_;
    my @use = $ld eq 'lld' ? ('-fuse-ld=lld') : ("-B$tmp/ld");
    return run(argv => ['gcc', '-static', @use, @args, '-o', $out]);
}

# ---------------------------------------------------------------- SQLite
sh("printf '#include <sqlite3.h>\\n#include <stdio.h>\\nint main(void) { sqlite3 *db; sqlite3_open(\":memory:\", &db); "
   . "puts(sqlite3_libversion()); return sqlite3_close(db); }\\n' > sql.c && gcc -O2 -c sql.c -o sql.o");
my @sql = ('sql.o', '-lsqlite3', '-lm');
my $r = link_with('keel', 'sql.plain', @sql);
is($r->{status}, 0, 'SQLite: keel links it') or diag $r->{err};
my $plain = functions("$tmp/sql.plain");
my @rev = sort { $plain->{$b} <=> $plain->{$a} } keys %$plain;
open(my $fh, '>', "$tmp/rev.txt") or die;
print $fh "$_\n" for @rev;
close $fh;
$r = link_with('keel', 'sql.ordered', @sql, "-Wl,--symbol-ordering-file=$tmp/rev.txt");
is($r->{status}, 0, 'SQLite: keel links it with an ordering file reversing its ' . scalar(@rev) . ' functions')
    or diag $r->{err};
my ($rp, $ro) = (run(argv => ["$tmp/sql.plain"]), run(argv => ["$tmp/sql.ordered"]));
ok($ro->{status} == 0 && $ro->{out} eq $rp->{out} && $ro->{out} =~ /^3\./, 'SQLite: the ordered program runs alike')
    or diag "plain: $rp->{out} ordered: $ro->{status} $ro->{out} $ro->{err}";
my $ord = functions("$tmp/sql.ordered");
my @moved = grep { exists $ord->{$_} && $ord->{$_} != $plain->{$_} } keys %$plain;
ok(@moved > @rev / 2, 'SQLite: the ordering moved ' . scalar(@moved) . ' of ' . scalar(@rev) . ' functions');

my $m = read_map("$tmp/sql.ordered");
ok($m && $m->{magic} eq 'KEELAMAP' && $m->{version} == 1 && ($m->{flags} & 1), 'SQLite: .keel.addrmap, reordered');
SKIP: {
    skip 'no map to read', 6 unless $m;
    my (@bad_out, @bad_orig, @bad_in, @bad_back, $n);
    for my $f (sort keys %$plain) {
        next unless exists $ord->{$f};
        $n++;
        my ($o, $p) = ($ord->{$f}, $plain->{$f});
        my $got = to_out($m, $p);
        push @bad_out, sprintf('%s: %#x -> %s, readelf %#x', $f, $p, defined $got ? sprintf('%#x', $got) : 'none', $o)
            unless defined $got && $got == $o;
        my $back = to_orig($m, $o);
        push @bad_orig, sprintf('%s: %#x -> %s, readelf %#x', $f, $o, defined $back ? sprintf('%#x', $back) : 'none', $p)
            unless defined $back && $back == $p;
        my $e = input_at($m, $o);
        if (!$e || $e->{orig} + ($o - $m->{base} - $e->{out}) != $p - $m->{base}) {
            push @bad_in, $f;
            next;
        }
        # the place, as main.o:.text.foo+0x12, and back to the address
        my $place = sprintf('%s%s:%s+%#x', $e->{file}, $e->{member} ? "($e->{member})" : '', $e->{name},
                            $o - $m->{base} - $e->{out});
        my ($file, $name, $off) = $place =~ /^(.*):([^:]+)\+(0x[0-9a-f]+|0)$/;
        my ($again) = grep { ($_->{member} ? "$_->{file}($_->{member})" : $_->{file}) eq $file && $_->{name} eq $name
                             && $_->{shndx} && hex($off) < $_->{size} } @{$m->{in}};
        push @bad_back, $place unless $again && $again->{out} + hex($off) + $m->{base} == $o;
    }
    ok($n > 1000, "SQLite: $n functions in both links");
    is(scalar(@bad_out), 0, 'SQLite: every original address converts to its output address') or diag join "\n", @bad_out[0 .. 9];
    is(scalar(@bad_orig), 0, 'SQLite: every output address converts to its original address')
        or diag join "\n", @bad_orig[0 .. 9];
    is(scalar(@bad_in), 0, "SQLite: each function's input-section record covers it in both spaces")
        or diag join ' ', @bad_in[0 .. 9];
    is(scalar(@bad_back), 0, 'SQLite: file:section+offset converts back to the address') or diag join "\n", @bad_back[0 .. 9];
    my ($main) = grep { $_ } map { input_at($m, $ord->{main}) } 1;
    ok($main && $main->{file} =~ m{(^|/)sql\.o$} && $main->{name} =~ /^\.text/, "SQLite: main is in sql.o's .text")
        or diag explain $main;
}

# lib/map's own views (keel_omap_view, keel_omap_lookup) read the same
# tables in place (tests/unit/map_addrmap.c), both ways
SKIP: {
    skip "no $build/tests/map_addrmap (make builds it)", 1 unless -x "$build/tests/map_addrmap";
    my $pairs = join '', map { sprintf "%x %x\n", $plain->{$_}, $ord->{$_} } grep { exists $ord->{$_} } sort keys %$plain;
    my $u = run(argv => ["$build/tests/map_addrmap", "$tmp/sql.ordered"], stdin => $pairs);
    ok($u->{status} == 0 && $u->{out} =~ /^ok (\d+)/ && $1 > 1000, "lib/map's views of the section: $u->{out}")
        or diag "$u->{out} $u->{err}";
}

# lld: the same ordering file gives the same order of the functions
$r = link_with('lld', 'sql.lld', @sql, "-Wl,--symbol-ordering-file=$tmp/rev.txt", '-Wl,--no-warn-symbol-ordering');
is($r->{status}, 0, 'SQLite: ld.lld links it with the ordering file') or diag $r->{err};
my $lld = functions("$tmp/sql.lld");
my @common = grep { exists $ord->{$_} && exists $lld->{$_} } keys %$plain;
my @k = sort { $ord->{$a} <=> $ord->{$b} } @common;
my @l = sort { $lld->{$a} <=> $lld->{$b} } @common;
my $first = (grep { $k[$_] ne $l[$_] } 0 .. $#k)[0];
ok(@common > 1000 && !defined $first, 'SQLite: ' . scalar(@common) . " functions in ld.lld's order")
    or diag defined $first ? "first difference at $first: keel @k[$first .. $first + 3] lld @l[$first .. $first + 3]" : '';

# --address-map alone: the same loaded image, an identity map
$r = link_with('keel', 'sql.map', @sql, '-Wl,--address-map');
is($r->{status}, 0, 'SQLite: keel links it with --address-map') or diag $r->{err};
my $ph = sub { run(argv => ['readelf', '-lW', $_[0]])->{out} };
is($ph->("$tmp/sql.map"), $ph->("$tmp/sql.plain"), '--address-map: the program headers unchanged');
my $sh = sub { join "\n", grep { !/keel\.addrmap|\.symtab|\.strtab|\.shstrtab|There are|Section Headers at/ } split /\n/, run(argv => ['readelf', '-SW', $_[0]])->{out} };
my ($s1, $s2) = ($sh->("$tmp/sql.map"), $sh->("$tmp/sql.plain"));
$s1 =~ s/^\s*\[\s*\d+\]//mg; $s2 =~ s/^\s*\[\s*\d+\]//mg;
my @a1 = grep { / A / || /\sAX?\s/ } split /\n/, $s1;
my @a2 = grep { / A / || /\sAX?\s/ } split /\n/, $s2;
is_deeply(\@a1, \@a2, '--address-map: the loaded sections unchanged');
my $im = read_map("$tmp/sql.map");
ok($im && $im->{flags} == 0 && $im->{nto} <= 2 && $im->{nfrom} <= 2, '--address-map: an identity map (one record and the bound)')
    or diag explain [$im->{nto}, $im->{nfrom}, $im->{flags}];
ok(!read_map("$tmp/sql.plain"), 'no map when nothing moved and none was asked for');

# ---------------------------------------------------------------- --gc-sections
sh("gcc -O2 -ffunction-sections -c $src/main.c -o main.o && gcc -O2 -ffunction-sections -c $src/helpers.c -o helpers.o");
$r = link_with('keel', 'gc.full', 'main.o', 'helpers.o');
my $r2 = link_with('keel', 'gc.out', 'main.o', 'helpers.o', '-Wl,--gc-sections');
ok($r->{status} == 0 && $r2->{status} == 0, '--gc-sections: keel links with and without') or diag "$r->{err} $r2->{err}";
my ($full, $gcd) = (functions("$tmp/gc.full"), functions("$tmp/gc.out"));
my @dropped = grep { !exists $gcd->{$_} } keys %$full;
ok((grep { $_ eq 'unused_helper' } @dropped), '--gc-sections: ' . scalar(@dropped) . ' functions dropped, unused_helper among them');
my $gm = read_map("$tmp/gc.out");
ok($gm && ($gm->{flags} & 2), '--gc-sections: .keel.addrmap made, with drops');
SKIP: {
    skip 'no map', 3 unless $gm;
    my @not = grep { defined to_out($gm, $full->{$_}) } @dropped;
    is(scalar(@not), 0, '--gc-sections: every dropped function is eliminated in the map') or diag "@not[0 .. 9]";
    my @bad = grep { (to_orig($gm, $gcd->{$_}) // -1) != $full->{$_} || (to_out($gm, $full->{$_}) // -1) != $gcd->{$_} }
        grep { exists $full->{$_} } keys %$gcd;
    is(scalar(@bad), 0, '--gc-sections: every kept function converts to its place in the link without it, and back')
        or diag "@bad[0 .. 9]";
    my ($u) = grep { $_->{name} eq '.text.unused_helper' } @{$gm->{in}};
    ok($u && !$u->{shndx} && $u->{orig} + $gm->{base} == $full->{unused_helper} && $u->{file} =~ /helpers\.o$/,
       '--gc-sections: helpers.o:.text.unused_helper listed, eliminated, at its original address');
}

$r = link_with('keel', 'gc.nomap', 'main.o', 'helpers.o', '-Wl,--gc-sections', '-Wl,--no-address-map');
ok($r->{status} == 0 && !read_map("$tmp/gc.nomap"), '--gc-sections --no-address-map: no map') or diag $r->{err};

# an original layout that does not fit (--section-start where only the
# collected link leaves room) is no error of the link's: a warning, no map
my ($fini) = map { /\]\s+\.fini\s+\S+\s+(\S+)/ ? $1 : () } split /\n/, run(argv => ['readelf', '-SW', "$tmp/gc.out"])->{out};
my $full_fits = link_with('keel', 'fini.full', 'main.o', 'helpers.o', "-Wl,--section-start=.fini=0x$fini");
$r = link_with('keel', 'fini.gc', 'main.o', 'helpers.o', '-Wl,--gc-sections', "-Wl,--section-start=.fini=0x$fini");
ok($full_fits->{status} != 0 && $full_fits->{err} =~ /overlaps/,
   '--section-start at the collected .fini: the link without --gc-sections overlaps') or diag $full_fits->{err};
ok($r->{status} == 0 && $r->{err} =~ /warning: no address map: the original layout fails: .*overlaps/
       && !read_map("$tmp/fini.gc") && run(argv => ["$tmp/fini.gc", '2'])->{status} == 0,
   '  with --gc-sections it links and runs, with a warning and no map') or diag $r->{err};

# ---------------------------------------------------------------- warnings
open($fh, '>', "$tmp/order.txt") or die;
print $fh "helper_b\n  second  \n# a comment\n\nnosuch\nlocal_twice\nhelper_a\nhelper_b\n_end\nunused_helper\nmain\n";
close $fh;
my $w = sub {
    my ($res) = @_;
    return join "\n", sort map { s/^.*?warning: //r } grep { /warning:/ } split /\n/, $res->{err};
};
my $kl = link_with('keel', 'w.keel', 'main.o', 'helpers.o', '-Wl,--gc-sections', "-Wl,--symbol-ordering-file=$tmp/order.txt");
my $ll = link_with('lld', 'w.lld', 'main.o', 'helpers.o', '-Wl,--gc-sections', "-Wl,--symbol-ordering-file=$tmp/order.txt");
ok($kl->{status} == 0 && $ll->{status} == 0, 'warnings: keel and ld.lld link') or diag "$kl->{err} $ll->{err}";
is($w->($kl), $w->($ll), "warnings: ld.lld's, in its words");
my ($ko, $lo) = (functions("$tmp/w.keel"), functions("$tmp/w.lld"));
my @names = grep { exists $ko->{$_} && exists $lo->{$_} } qw(helper_b second local_twice helper_a main first);
is(join(' ', sort { $ko->{$a} <=> $ko->{$b} } @names), join(' ', sort { $lo->{$a} <=> $lo->{$b} } @names),
   "warnings: the small program's functions in ld.lld's order");
$r = link_with('keel', 'w.quiet', 'main.o', 'helpers.o', "-Wl,--symbol-ordering-file=$tmp/order.txt",
               '-Wl,--no-warn-symbol-ordering');
ok($r->{status} == 0 && $r->{err} !~ /warning/, '--no-warn-symbol-ordering: no warnings') or diag $r->{err};
$r = run(argv => [$keel, 'link', '-r', '--symbol-ordering-file', "$tmp/order.txt", 'main.o', '-o', 'r.o']);
ok($r->{status} != 0 && $r->{err} =~ /--symbol-ordering-file with -r/, '-r: --symbol-ordering-file refused, not dropped')
    or diag $r->{err};
$r = run(argv => [$keel, 'link', '--symbol-ordering-file', "$tmp/none.txt", 'main.o', '-o', 'x']);
ok($r->{status} != 0 && $r->{err} =~ /none\.txt/ && !-e "$tmp/x", 'a missing ordering file: an error naming it, no output')
    or diag $r->{err};
done_testing();
