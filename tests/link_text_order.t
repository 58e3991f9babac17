#!/usr/bin/perl
# The order of input sections within .text (and .data.rel.ro) follows the
# statements of GNU ld's default script, as ld.bfd places them: cold code
# (.text.unlikely*, .text.*_unlikely), then .text.exit*, .text.startup*
# (main at -O2), .text.hot*, .text.sorted.* by name, then the rest in
# input order.  Checked against ld.bfd's link of the same objects: the
# functions' order by address, with and without -ffunction-sections and
# --sort-section=name, and the programs' output.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use KeelTest qw(keel_setup run sh);

my ($build, $keel, $tmp) = keel_setup('link_text_order', need => ['ld.bfd (binutils)', 'gcc', 'nm (binutils)']);
my $src = "$FindBin::Bin/progs/text_order";
mkdir "$tmp/ld";
symlink $keel, "$tmp/ld/ld" or die "symlink: $!";

# The functions defined in .text, in address order.
sub order {
    my ($exe) = @_;
    my $r = run(argv => ['nm', '-n', '--defined-only', $exe]);
    my %ours = map { $_ => 1 } qw(plain_first hot_one cold_one sorted_b sorted_a exit_one startup_extra
                                  suffix_unlikely not_hot main cold_two hot_two sorted_0 plain_second);
    return join ' ', grep { $ours{$_} } map { (split ' ')[2] // () } split /\n/, $r->{out};
}

for my $case (['-O2', []], ['-O2 -ffunction-sections', []], ['-O0', []], ['-O2 -ffunction-sections', ['-Wl,--sort-section=name']]) {
    my ($cflags, $ldflags) = @$case;
    my $label = "$cflags" . (@$ldflags ? " @$ldflags" : '');
    sh("gcc $cflags -c $src/order.c -o order.o && gcc $cflags -c $src/second.c -o second.o");
    my $b = run(argv => ['gcc', '-static', '-fuse-ld=bfd', @$ldflags, 'order.o', 'second.o', '-o', 'bfd.out']);
    my $k = run(argv => ['gcc', '-static', "-B$tmp/ld", @$ldflags, 'order.o', 'second.o', '-o', 'keel.out']);
    is($b->{status}, 0, "$label: ld.bfd links") or diag $b->{err};
    is($k->{status}, 0, "$label: keel links") or diag $k->{err};
    my ($ob, $ok) = (order("$tmp/bfd.out"), order("$tmp/keel.out"));
    is($ok, $ob, "$label: the functions in ld.bfd's order");
    my ($rb, $rk) = (run(argv => ["$tmp/bfd.out"]), run(argv => ["$tmp/keel.out"]));
    ok($rk->{status} == 0 && $rk->{out} eq $rb->{out}, "$label: the program prints what ld.bfd's does")
        or diag "ld.bfd: $rb->{out} keel: $rk->{out} $rk->{err}";
}
done_testing();
