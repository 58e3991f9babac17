#!/usr/bin/perl
# --fatal-warnings against ld.bfd on the same lines: a link that warns
# (no entry symbol; a .gnu.warning section's warning) fails with exit
# status 1 and writes no output; --no-fatal-warnings after it undoes it;
# a link without a warning is unaffected.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Programs qw(spew);
use KeelTest qw(keel_setup run);

my ($build, $keel, $tmp) = keel_setup('fatal', need => ['ld.bfd (binutils)', 'gcc']);

spew("$tmp/nostart.s", ".globl foo\n.text\nfoo: ret\n");
spew("$tmp/start.s", ".globl _start\n.text\n_start: call old\n mov \$60, %eax\n xor %edi, %edi\n syscall\n");
spew("$tmp/old.s", ".globl old\n.text\nold: ret\n.section .gnu.warning.old,\"\",\@progbits\n.string \"old is old\"\n");
spew("$tmp/clean.s", ".globl _start\n.text\n_start: mov \$60, %eax\n xor %edi, %edi\n syscall\n");
for my $f (qw(nostart start old clean)) {
    my $r = run(argv => ['gcc', '-c', "$f.s", '-o', "$f.o"]);
    BAIL_OUT("gcc -c $f.s: $r->{err}") if $r->{status};
}

for my $case (
    ['no entry symbol', [qw(nostart.o)]],
    ['a .gnu.warning', [qw(start.o old.o)]],
    ['no warning', [qw(clean.o)]],
) {
    my ($what, $inputs) = @$case;
    for my $opts (['--fatal-warnings'], ['--fatal-warnings', '--no-fatal-warnings'], []) {
        my $label = "$what, " . (join(' ', @$opts) || 'no option');
        unlink "$tmp/out.bfd", "$tmp/out.keel";
        my $b = run(argv => ['ld.bfd', @$opts, @$inputs, '-o', 'out.bfd']);
        my $k = run(argv => [$keel, 'link', @$opts, @$inputs, '-o', 'out.keel']);
        ok(($k->{status} >> 8) == ($b->{status} >> 8) && !!(-e "$tmp/out.keel") == !!(-e "$tmp/out.bfd"),
           "$label: exit " . ($b->{status} >> 8) . ', output ' . (-e "$tmp/out.bfd" ? 'written' : 'none') . ", as ld.bfd")
            or diag("ld.bfd: $b->{status} $b->{err}\nkeel: $k->{status} $k->{err}");
    }
}
done_testing();
