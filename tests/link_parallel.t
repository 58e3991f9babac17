#!/usr/bin/perl
# keel link relocates the inputs on two threads (lib/link/fill.c, from 64
# input files up): the main thread from the first file on, a helper from
# the last one back.  What it writes and says must be what one thread
# writes and says, in the files' order, with ld.bfd's link as the oracle:
#   - 70 objects, two of the last ten (the helper's: the first 60 are
#     the larger) with a call out of range: keel fails, and its error
#     names o62.o, the first ld.bfd names, every time (the helper holds
#     its messages back and the main thread does the file again);
#   - 70 objects with pointers (local and global) linked as a PIE and as a
#     shared library: .rela.dyn has ld.bfd's relocations (by type, and by
#     symbol for the symbolic ones), the PIE runs as ld.bfd's does, and
#     5 links give the same bytes.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Programs qw(spew slurp);
use KeelTest qw(keel_setup run linker_args);

my ($build, $keel, $tmp) = keel_setup('link_parallel', need => ['ld.bfd (binutils)', 'gcc', 'readelf (binutils)']);
my $N = 70;
my @ids = map { sprintf '%02d', $_ } 0 .. $N - 1;

# ---- an error in the helper's files: said in the files' order
# (the first 60 objects have 3000 relocations each: the main thread is
# busy with them while the helper does the last ones)
for my $i (@ids) {
    my $body = $i == 62 || $i == 67 ? "call far\n" : '';
    my $start = $i == 0 ? ".globl _start\n_start:\n" : '';
    my $data = $i < 60 ? ".data\n" . (".quad f$i\n" x 3000) : '';
    spew("$tmp/o$i.s", ".globl f$i\n.text\n${start}f$i:\n${body}ret\n$data");
    my $r = run(argv => ['gcc', '-c', "o$i.s", '-o', "o$i.o"]);
    BAIL_OUT("gcc -c o$i.s: $r->{err}") if $r->{status};
}
my @objs = map {"o$_.o"} @ids;
my $b = run(argv => ['ld.bfd', '-static', '--defsym', 'far=0x7000000000', @objs, '-o', 'range.bfd']);
my ($bfirst) = $b->{err} =~ /(o\d\d\.o)/;
ok($b->{status} && defined $bfirst && $bfirst eq 'o62.o', "ld.bfd: the call out of range, first in o62.o")
    or diag($b->{err});
my %said;
for my $try (1 .. 10) {
    unlink "$tmp/range.keel";
    my $k = run(argv => [$keel, 'link', '-static', '--defsym', 'far=0x7000000000', @objs, '-o', 'range.keel']);
    my ($kfirst) = $k->{err} =~ /(o\d\d\.o)/;
    $said{($k->{status} ? 'fails' : 'links') . ', ' . ($kfirst // 'no file') . (-e "$tmp/range.keel" ? ', output' : '')}++;
}
is(join('; ', sort keys %said), "fails, $bfirst", "keel, 10 links: each fails naming $bfirst first, no output")
    or diag(explain(\%said));

# ---- dynamic relocations recorded by both threads
for my $i (@ids) {
    my $n = $i + 0;
    # (calls to functions of other objects, in a scrambled order: a
    # shared library's PLT entries, numbered by their first call; 300
    # pointers each: the link has more than 20,000 relocations, so that
    # the scan's filter runs on two threads, lib/link/scan_filter.c)
    my @callee = map { sprintf '%02d', ($n * 37 + 11 + $_ * 7) % $N } 0 .. 39;
    spew("$tmp/p$i.c", "int v$i = $n;\nstatic int s$i = 2 * $n;\nint *tab$i\[2] = {&v$i, &s$i};\n"
         . "int *big$i\[300] = {" . join(', ', map { $_ % 2 ? "&v$i" : "&s$i" } 1 .. 300) . "};\n"
         . "int get$i(void) { return *tab$i\[0] + *tab$i\[1]; }\n"
         . join('', map {"int get$_(void);\n"} @callee)
         . "int call$i(void) { return " . join(' + ', map {"get$_()"} @callee) . "; }\n");
    my $r = run(argv => ['gcc', '-O2', '-fPIC', '-c', "p$i.c", '-o', "p$i.o"]);
    BAIL_OUT("gcc -c p$i.c: $r->{err}") if $r->{status};
}
spew("$tmp/pmain.c", "#include <stdio.h>\n" . join('', map {"int get$_(void);\n"} @ids)
     . "int main(void) { long t = 0;\n" . join('', map {" t += get$_();\n"} @ids)
     . " printf(\"%ld\\n\", t); return 0; }\n");
my $r = run(argv => ['gcc', '-O2', '-fPIE', '-c', 'pmain.c', '-o', 'pmain.o']);
BAIL_OUT("gcc -c pmain.c: $r->{err}") if $r->{status};
my @pobjs = map {"p$_.o"} @ids;

# A relocation section's relocations as "TYPE SYMBOL" lines, sorted for
# .rela.dyn (the places differ), in order for .rela.plt (the PLT's)
sub relocs {
    my ($file, $sec) = @_;
    my $r = run(argv => ['readelf', '-rW', $file]);
    my (@rel, $in);
    for (split /\n/, $r->{out}) {
        $in = /^Relocation section '\Q$sec\E'/ if /^Relocation section/;
        next unless $in && /^[0-9a-f]{16}\s+[0-9a-f]+\s+(R_\S+)\s*(?:[0-9a-f]{16}\s+(\S+))?/;
        push @rel, $1 . ' ' . ($2 // '');
    }
    return join("\n", $sec eq '.rela.dyn' ? sort @rel : @rel);
}
sub rela_dyn { return relocs($_[0], '.rela.dyn') }

for my $case (['PIE', ['gcc', 'pmain.o', @pobjs]], ['shared library', ['gcc', '-shared', @pobjs]]) {
    my ($what, $driver) = @$case;
    my @args = linker_args(@$driver, '-o', 'OUT');
    ok(@args, "$what: gcc -### names the linker") or next;
    my @bfd = map { $_ eq 'OUT' ? 'dyn.bfd' : $_ } @args;
    $b = run(argv => ['ld.bfd', @bfd]);
    ok(!$b->{status}, "$what: ld.bfd links it") or diag($b->{err});
    my (%bytes, $krel);
    for my $try (1 .. 5) {
        my $k = run(argv => [$keel, 'link', map { $_ eq 'OUT' ? "dyn.keel$try" : $_ } @args]);
        if ($k->{status}) {
            $bytes{"fails: $k->{err}"}++;
            next;
        }
        $bytes{slurp("$tmp/dyn.keel$try")}++;
        $krel //= rela_dyn("dyn.keel$try");
    }
    is(scalar(keys %bytes), 1, "$what: 5 links, the same bytes") or diag(join "\n", grep {/^fails/} keys %bytes);
    my $brel = rela_dyn('dyn.bfd');
    ok($brel =~ /R_X86_64_RELATIVE/, "$what: ld.bfd's .rela.dyn has RELATIVE relocations");
    is($krel, $brel, "$what: .rela.dyn has ld.bfd's relocations (by type and symbol)");
    if ($what eq 'shared library') {
        # keel numbers the PLT entries by their first call in the inputs'
        # order (ld.bfd by its hash table's: the same set, sorted)
        my (@first, %seen);
        for my $o (@pobjs) {
            my $r = run(argv => ['readelf', '-rW', $o]);
            push @first, grep { !$seen{$_}++ } $r->{out} =~ /^[0-9a-f]+\s+[0-9a-f]+\s+R_X86_64_PLT32\s+[0-9a-f]+\s+(\S+)/mg;
        }
        my $kplt = relocs('dyn.keel1', '.rela.plt');
        is($kplt, join("\n", map {"R_X86_64_JUMP_SLOT $_"} @first), "$what: .rela.plt by first call (" . @first . ')');
        is(join("\n", sort split /\n/, $kplt), join("\n", sort split /\n/, relocs('dyn.bfd', '.rela.plt')),
           "$what: .rela.plt has ld.bfd's relocations");
    }
    if ($what eq 'PIE') {
        my $bo = run(argv => ["$tmp/dyn.bfd"]);
        my $ko = run(argv => ["$tmp/dyn.keel1"]);
        is("$ko->{status} $ko->{out}", "$bo->{status} $bo->{out}", "PIE: runs as ld.bfd's (prints $bo->{out})");
    }
}
done_testing();
