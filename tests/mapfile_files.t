#!/usr/bin/perl
# A mapfile's ASSIGN_SECTION file attributes (issue 14; the notes,
# /work/shared/specs/mapfile-v2.md "ASSIGN_SECTION"; docs/linker.md,
# "Mapfiles: the layout"): FILE_PATH is the file as given on the command
# line, FILE_BASENAME its last component, FILE_OBJNAME an archive member's
# name or a plain file's basename; "archive(member)" matches that member
# only, a value without one every member; any attribute matching will do;
# BASENAME and OBJNAME hold no '/'.  Each case puts the .data of the files
# it matches in a segment of its own at 0x800000, and which of the five
# values (tests/progs/mapfile_files/) went there is read with readelf -lW
# and nm; the program runs, whatever the layout.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Programs qw(spew);
use KeelTest qw(keel_setup run);

my ($build, $keel, $tmp) = keel_setup('mapfile_files', need => ['gcc', 'ar (binutils)']);
my $src = "$FindBin::Bin/progs/mapfile_files";
my @CF = qw(-O1 -ffreestanding -fno-pic -fno-stack-protector -fcf-protection=none -fno-asynchronous-unwind-tables);

sub sh {
    my (@argv) = @_;
    my $r = run(argv => \@argv);
    BAIL_OUT("@argv: $r->{err}") if $r->{status};
}
mkdir "$tmp/$_" for qw(dir plain);
sh('gcc', @CF, '-c', '-o', "$tmp/main.o", "$src/main.c");
my %val = (foo_val => 'dir/foo.o', bar_val => 'dir/bar.o', plain_m_val => 'plain/m.o', ar_m_val => 'm.o', ar_n_val => 'n.o');
my $bit = 1;
for my $name (qw(foo_val bar_val plain_m_val ar_m_val ar_n_val)) {
    sh('gcc', @CF, "-DNAME=$name", "-DVALUE=$bit", '-c', '-o', "$tmp/$val{$name}", "$src/val.c");
    $bit *= 2;
}
unlink "$tmp/lib.a";
sh('ar', 'rcs', "$tmp/lib.a", "$tmp/m.o", "$tmp/n.o");
# the inputs as given, relative to $tmp (where keel runs): FILE_PATH sees these
my @in = qw(main.o dir/foo.o dir/bar.o plain/m.o lib.a);

my $n = 0;
# keel link in $tmp with a mapfile holding $attrs in a criterion of
# segment 'picked': the run's result and the output's name
sub klink {
    my ($attrs) = @_;
    my $out = 'f' . ++$n;
    unlink "$tmp/$out";
    spew("$tmp/$out.map", "\$mapfile_version 2\nLOAD_SEGMENT picked {\n    VADDR = 0x800000;\n"
        . "    ASSIGN_SECTION { FLAGS = ALLOC WRITE; $attrs };\n};\n");
    return (run(file => $keel, argv => [$keel, 'link', '-o', $out, '--mapfile', "$out.map", @in]), $out);
}

# the values whose symbols lie in the PT_LOAD at 0x800000 (readelf -lW,
# nm), sorted and joined by spaces
sub picked {
    my ($out) = @_;
    my $ph = run(argv => ['readelf', '-lW', "$tmp/$out"])->{out};
    my ($lo, $size) = $ph =~ /^\s+LOAD\s+0x[0-9a-f]+\s+0x0*(800000)\s+0x[0-9a-f]+\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s/m
        or return ''; # none: the segment is empty, so not written
    ($lo, $size) = (hex $lo, hex $size);
    my @in;
    for (split /\n/, run(argv => ['nm', "$tmp/$out"])->{out}) {
        my ($a, $s) = /^([0-9a-f]+) \w (\w+_val)$/ or next;
        push @in, $s if hex($a) >= $lo && hex($a) < $lo + $size;
    }
    return join ' ', sort @in;
}

sub case {
    my ($attrs, $want, $what) = @_;
    my ($r, $out) = klink($attrs);
    my $got = $r->{status} ? "link failed: $r->{err}" : picked($out);
    my $ran = $r->{status} ? -1 : run(argv => ["$tmp/$out"])->{status} >> 8;
    is("$got; exit $ran", join(' ', sort split ' ', $want) . '; exit 31', "$attrs: $what");
}

# FILE_PATH: the name as given, not its last component; a glob
case('FILE_PATH = foo.o;', '', 'not a file given as dir/foo.o');
case('FILE_PATH = dir/foo.o;', 'foo_val', 'the file given as dir/foo.o');
case('FILE_PATH = MATCH(g/dir\/*.o/);', 'foo_val bar_val', 'a glob of the path as given');
case('FILE_PATH = MATCH(g/b*.o/);', '', 'a glob matches the whole path (dir/bar.o), not its basename');
case('FILE_PATH = lib.a;', 'ar_m_val ar_n_val', 'an archive: every member');
case('FILE_PATH = lib.a(m.o);', 'ar_m_val', 'archive(member): that member only');
case('FILE_PATH = m.o;', '', 'neither plain/m.o nor lib.a\'s member m.o');
# FILE_BASENAME: the last component (an archive's, for its members)
case('FILE_BASENAME = foo.o;', 'foo_val', 'matches dir/foo.o');
case('FILE_BASENAME = dir;', '', 'not a directory of the path');
case('FILE_BASENAME = m.o;', 'plain_m_val', 'plain/m.o, not lib.a\'s member m.o');
case('FILE_BASENAME = lib.a(m.o);', 'ar_m_val', 'archive(member): that member only');
case('FILE_BASENAME = lib.a;', 'ar_m_val ar_n_val', 'an archive: every member');
case('FILE_BASENAME = MATCH(g/*.a(n*)/);', 'ar_n_val', 'a glob of archive(member)');
# FILE_OBJNAME: the member's name, or a plain file's basename
case('FILE_OBJNAME = m.o;', 'plain_m_val ar_m_val', 'lib.a\'s member m.o and the plain file plain/m.o');
case('FILE_OBJNAME = n.o;', 'ar_n_val', 'lib.a\'s member n.o only');
case('FILE_OBJNAME = lib.a;', '', 'not the archive\'s name');
case('FILE_OBJNAME = MATCH(t/FOO.O/i);', 'foo_val', 'a text without case');
# any one of the attributes
case('FILE_BASENAME = foo.o; FILE_OBJNAME = n.o;', 'foo_val ar_n_val', 'any attribute that matches');
case('FILE_PATH = dir/bar.o; FILE_PATH = plain/m.o;', 'bar_val plain_m_val', 'any of them, repeated');

# --print-mapfile prints each attribute as given; read back, the same bytes
{
    my ($r, $out) = klink('FILE_PATH = lib.a(m.o); FILE_BASENAME = MATCH(g/f*.o/); FILE_OBJNAME = MATCH(t/N.O/i);');
    my $p = run(file => $keel, argv => [$keel, 'link', '-o', 'pm.a', '--mapfile', "$out.map", @in, '--print-mapfile']);
    spew("$tmp/pm.map", $p->{out});
    my $q = run(file => $keel, argv => [$keel, 'link', '-o', 'pm.b', '--mapfile', 'pm.map', @in]);
    my $c = run(argv => ['cmp', "$tmp/pm.a", "$tmp/pm.b"]);
    ok($r->{status} == 0 && picked($out) eq 'ar_m_val ar_n_val foo_val'
           && $p->{out} =~ /FILE_PATH = 'lib\.a\(m\.o\)';\n\s*FILE_BASENAME = MATCH\(g\/f\*\.o\/\);\n\s*FILE_OBJNAME = MATCH\(t\/N\.O\/i\);/
           && $q->{status} == 0 && $c->{status} == 0,
       '--print-mapfile: the three attributes as given; read back, the same bytes')
        or diag($r->{err} . $p->{out} . $p->{err} . $q->{err} . $c->{out});
}

# BASENAME and OBJNAME hold no '/', in any value, a glob or a text: an
# error FILE: line N:, and no output
for my $t (['FILE_BASENAME = dir/x.o;', "FILE_BASENAME cannot contain '/': dir/x.o"],
           ['FILE_OBJNAME = MATCH(g/*\/m.o/);', "FILE_OBJNAME cannot contain '/': */m.o"],
           ['FILE_BASENAME = MATCH(t/d\/x.o/i);', "FILE_BASENAME cannot contain '/': d/x.o"]) {
    my ($r, $out) = klink($t->[0]);
    ok($r->{status} != 0 && index($r->{err}, "$out.map: line 4: $t->[1]") >= 0 && !-e "$tmp/$out", "error: $t->[0]")
        or diag("status $r->{status}; got: $r->{err}");
}

done_testing();
