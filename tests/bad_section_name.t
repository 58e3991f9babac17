#!/usr/bin/perl
# An object whose section name is out of its string table: the COMDAT
# pass (lib/resolve/comdat.c) reads every section's name, and its error
# is negative like a claim's failure. keel run took it for a claim that
# had already said its error, went on with no resolutions and crashed
# (the loader fuzzer found it); keel link went on likewise. Both must
# refuse the object, naming the section, and keel link write nothing.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Programs qw(spew status_text);
use KeelTest qw(keel_setup run);

my ($build, $keel, $tmp) = keel_setup('badname', need => ['gcc']);

spew("$tmp/m.c", "int v = 1;\nint main(void) { return v - 1; }\n");
my $cc = run(argv => [qw(gcc -c m.c -o m.o)]);
BAIL_OUT("gcc: $cc->{err}") if $cc->{status};
# the name of the last section but one (.strtab, unallocated) points far
# past the end of the section-name table
open(my $f, '+<:raw', "$tmp/m.o") or die;
my $d = do { local $/; <$f> };
my $shoff = unpack('Q<', substr($d, 0x28, 8));
my $n = unpack('v', substr($d, 0x3c, 2));
my $bad = $n - 2;
substr($d, $shoff + 64 * $bad, 4) = pack('V', 0x7fff);
seek($f, 0, 0);
print $f $d;
close $f;

my $r = run(argv => [$keel, 'run', '--list', 'm.o']);
is(status_text($r->{status}), 'exit 1', 'keel run refuses it (no crash)') or diag($r->{err});
like($r->{err}, qr/m\.o: section $bad: .*past its end/, 'keel run names the object and the section');
$r = run(argv => [$keel, 'run', 'm.o']);
is(status_text($r->{status}), 'exit 1', 'keel run does not run it');
$r = run(argv => [$keel, 'link', '-e', 'main', 'm.o', '-o', 'm.out']);
is(status_text($r->{status}), 'exit 1', 'keel link refuses it') or diag($r->{err});
like($r->{err}, qr/m\.o: section $bad: .*past its end/, 'keel link names the object and the section');
ok(!-e "$tmp/m.out", 'keel link writes no output');

# A section typed as a dynamic object's table (SHT_DYNSYM, SHT_HASH,
# SHT_GNU_versym): kept as an orphan, it became a symbol table with an
# entry size of 0 in the output (the link fuzzer found it). keel link
# refuses the object, naming the section, and writes nothing.
for my $type ([11, 'SHT_DYNSYM'], [5, 'SHT_HASH'], [0x6fffffff, 'SHT_GNU_versym']) {
    my $cc2 = run(argv => [qw(gcc -c m.c -o t.o)]);
    BAIL_OUT("gcc: $cc2->{err}") if $cc2->{status};
    open(my $g, '+<:raw', "$tmp/t.o") or die;
    my $o = do { local $/; <$g> };
    my $off = unpack('Q<', substr($o, 0x28, 8));
    my $cnt = unpack('v', substr($o, 0x3c, 2));
    my $strndx = unpack('v', substr($o, 0x3e, 2));
    my $stroff = unpack('Q<', substr($o, $off + 64 * $strndx + 24, 8));
    my ($which) = grep {
        my $nm = unpack('V', substr($o, $off + 64 * $_, 4));
        substr($o, $stroff + $nm, 9) eq ".comment\0"
    } 1 .. $cnt - 1;
    BAIL_OUT('no .comment in gcc\'s object') unless $which;
    substr($o, $off + 64 * $which + 4, 4) = pack('V', $type->[0]);
    seek($g, 0, 0);
    print $g $o;
    close $g;
    unlink "$tmp/t.out";
    my $k = run(argv => [$keel, 'link', '-e', 'main', 't.o', '-o', 't.out']);
    ok(status_text($k->{status}) eq 'exit 1' && $k->{err} =~ /t\.o: section \.comment \($which\) has type/ && !-e "$tmp/t.out",
       ".comment typed $type->[1]: refused, named, nothing written") or diag("$k->{status} $k->{err}");
}
done_testing();
