#!/usr/bin/perl
# keel info --json: valid JSON whose contents agree with readelf, and an
# "error" member (not broken JSON) when a file is bad.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP;
use File::Path qw(make_path);
use Oracle;

my $keel = Oracle::keel_bin();
my @files = grep { -f } ('/usr/bin/ls', '/usr/lib/x86_64-linux-gnu/libc.so.6',
                         glob('/usr/lib/gcc/x86_64-linux-gnu/*/crtbeginT.o'), '/usr/lib/x86_64-linux-gnu/crt1.o');
plan tests => 6 * @files + 4;

for my $f (@files) {
    my $out = `$keel info --json $f`;
    is($?, 0, "$f: exit status 0");
    my $doc = eval { decode_json($out) };
    ok($doc && ref $doc eq 'ARRAY' && @$doc == 1, "$f: one JSON document") or diag($@);
    my $j = $doc->[0];
    my $r = Oracle::parse_image([split /\n/, `readelf -W -S -l -s -d $f`], 0);

    # Sections: every field readelf shows.
    my @rs = map { join ' ', @$_{qw(name type addr off size es lk inf al)} } @{ $r->{sections} };
    my @js = map { join ' ', $_->{name}, $_->{type_name},
                   @$_{qw(addr offset size entsize link info addralign)} } @{ $j->{sections} };
    ok(@rs > 5 && eq_array(\@js, \@rs), "$f: sections agree with readelf (" . scalar(@rs) . ")");

    # Segments: type, offset, addresses and sizes, and the section mapping.
    my @rseg = map { my @w = split / /; join ' ', $w[0], map { hex } @w[1 .. 5] } @{ $r->{segments} };
    my @jseg = map { join ' ', @$_{qw(type_name offset vaddr paddr filesz memsz)} } @{ $j->{segments} };
    my @rmap = map { my ($n, @s) = split / /; join ' ', @s } @{ $r->{mapping} };
    my @jmap = map { my $seg = $_; join ' ', map { $j->{sections}[$_]{name} } @{ $seg->{sections} } } @{ $j->{segments} };
    is_deeply([\@jseg, \@jmap], [\@rseg, \@rmap], "$f: segments and mapping agree with readelf");

    # Symbols: each table's count, and each symbol's value, size and name.
    my @rsym = map { my $t = $_; [$t->{name}, $t->{count},
                     map { my @w = split / /, $_, 8; "$w[1] $w[2] " . ($w[7] // '') } @{ $t->{syms} }] } @{ $r->{symtabs} };
    my @jsym = map { my $t = $_; [$t->{name}, scalar @{ $t->{symbols} },
                     map { my $v = $_->{version_kind} // 'none';
                           my $n = $_->{name} . ($v eq 'default' ? "\@\@$_->{version}" : $v eq 'hidden' ? "\@$_->{version}"
                                 : $v eq 'needed' ? "\@$_->{version} ($_->{version_index})" : '');
                           sprintf('%016x %s %s', $_->{value}, $_->{size} > 99999 ? sprintf('0x%x', $_->{size}) : $_->{size}, $n) }
                     @{ $t->{symbols} }] } @{ $j->{symbol_tables} };
    ok(@rsym && eq_array(\@jsym, \@rsym), "$f: symbols agree with readelf (" . scalar(@rsym) . " tables)");

    # Dynamic entries: tag and the library names.
    my @rd = map { join ' ', $_->{tag}, $_->{string} // '' } @{ $r->{dynamic} };
    my @jd = map { join ' ', $_->{tag}, ($_->{name} =~ /^(NEEDED|SONAME|RPATH|RUNPATH)$/ ? $_->{string} : '') } @{ $j->{dynamic} // [] };
    is_deeply(\@jd, \@rd, "$f: dynamic entries agree with readelf");
}

# A bad file among good ones: valid JSON, an error member, exit status 1.
my $dir = ($ENV{KEEL_BUILD} || 'build') . '/t/json';
make_path($dir);
open my $fh, '>:raw', "$dir/trunc" or die;
open my $ls, '<:raw', '/usr/bin/ls' or die;
read($ls, my $buf, 2000);
print $fh $buf;
close $fh;
my $out = `$keel info --json /usr/bin/ls $dir/trunc 2>/dev/null`;
is($? >> 8, 1, 'a truncated file makes the exit status 1');
my $doc = eval { decode_json($out) };
ok($doc && @$doc == 2, 'the output is still one valid JSON array') or diag($@);
like($doc->[1]{error} // '', qr/0x[0-9a-f]+/, 'the bad file has an error member naming an offset');
ok(exists $doc->[0]{sections} && !exists $doc->[0]{error}, 'the good file is complete');
