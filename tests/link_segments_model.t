#!/usr/bin/perl
# The link-editor's segment model as data (lib/link/segments.c): the unit
# test's checks of the default list, its roles, order and criteria, and of
# edits (tests/unit/link_segments_model.c); then links made with the model
# edited as a mapfile will edit it, checked against keel link's own
# output, ld.bfd's layout, readelf and the programs' runs:
#   - no edit: byte for byte keel link's output;
#   - header and rodata disabled by hand: byte for byte keel link -z
#     noseparate-code's, and ld.bfd -z noseparate-code's PT_LOADs;
#   - a new segment for .text.hot, with a size symbol; bss enabled; an
#     output-section order; an address and alignment; a maximum size and
#     data after .bss, both refused with no output.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Programs qw(slurp status_text);
use KeelTest qw(keel_setup run);

my ($build, $keel, $tmp) = keel_setup('segmodel', need => ['gcc', 'ld.bfd (binutils)']);
my $model = "$build/tests/link_segments_model";
plan skip_all => "no unit test at $model (make all)" unless -x $model;

# the model's own checks (TAP of its own): every line ok
my $u = run(file => $model, argv => [$model]);
my @lines = split /\n/, $u->{out};
my @bad = grep { /^not ok/ } @lines;
ok($u->{status} == 0 && @lines > 50 && !@bad, 'the segment model unit checks: ' . scalar(grep { /^ok/ } @lines) . ' pass')
    or diag join "\n", @bad, $u->{err};

my $c = run(argv => ['gcc', '-O1', '-ffreestanding', '-fno-pic', '-fno-stack-protector', '-c',
                     "$FindBin::Bin/progs/link_segments_model/start.c", '-o', "$tmp/start.o"]);
BAIL_OUT("gcc: $c->{err}") if $c->{status};

sub model_link {
    my ($edit) = @_;
    unlink "$tmp/$edit";
    return run(file => $model, argv => [$model, 'link', $edit, "$tmp/$edit", "$tmp/start.o"]);
}

# readelf -lW: [flags, vaddr, offset, align, memsz, [sections]] per PT_LOAD
sub loads {
    my ($file) = @_;
    my $r = run(argv => ['readelf', '-lW', $file]);
    my (@ph, @map);
    for (split /\n/, $r->{out}) {
        if (my @m = /^\s+(\w+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(R?\s?W?\s?E?)\s+0x([0-9a-f]+)/) {
            push @ph, {type => $m[0], offset => hex $m[1], vaddr => hex $m[2], memsz => hex $m[4],
                       flags => $m[5] =~ s/\s//gr, align => hex $m[6]};
        } elsif (/^\s+(\d\d)\s+(.*?)\s*$/) {
            $map[$1] = [split ' ', $2];
        }
    }
    $ph[$_]{sections} = $map[$_] // [] for 0 .. $#ph;
    return grep { $_->{type} eq 'LOAD' } @ph;
}
sub layout { return join ' | ', map { "$_->{flags}: @{$_->{sections}}" } loads($_[0]) }

sub runs_with {
    my ($file, $code, $label) = @_;
    my $r = run(argv => [$file]);
    ok($r->{status} == $code << 8 && $r->{out} eq "hello from the segment model\n", "$label: runs, exit $code")
        or diag status_text($r->{status}) . " $r->{out}";
}

# no edit: keel link's output, byte for byte
my $k = run(file => $keel, argv => [$keel, 'link', "$tmp/start.o", '-o', "$tmp/plain.keel"]);
my $m = model_link('none');
ok($k->{status} == 0 && $m->{status} == 0 && slurp("$tmp/none") eq slurp("$tmp/plain.keel"),
   'the default model links what keel link does, byte for byte') or diag "$k->{err}$m->{err}";
runs_with("$tmp/none", 15, 'default');

# -z noseparate-code is the edit "header and rodata disabled"
$k = run(file => $keel, argv => [$keel, 'link', '-z', 'noseparate-code', "$tmp/start.o", '-o', "$tmp/ns.keel"]);
$m = model_link('noseparate');
ok($k->{status} == 0 && $m->{status} == 0 && slurp("$tmp/noseparate") eq slurp("$tmp/ns.keel"),
   'header and rodata disabled by hand: keel link -z noseparate-code\'s output, byte for byte')
    or diag "$k->{err}$m->{err}";
my $b = run(argv => ['ld.bfd', '-z', 'noseparate-code', "$tmp/start.o", '-o', "$tmp/ns.bfd"]);
my $want = layout("$tmp/ns.bfd");
ok($want =~ /^RE: \S/, "ld.bfd -z noseparate-code: $want");
is(layout("$tmp/noseparate"), $want, 'and its PT_LOADs and their sections');
runs_with("$tmp/noseparate", 15, 'noseparate');

# a segment of its own for .text.hot, after text, with a size symbol
$m = model_link('hot');
ok($m->{status} == 0, 'a new segment for .text.hot links') or diag $m->{err};
my @l = loads("$tmp/hot");
my @base = loads("$tmp/none");
my ($hot) = grep { "@{$_->{sections}}" eq '.text.hot' } @l;
ok($hot && $hot->{flags} eq 'RE' && @l == @base + 1 && $l[2] == $hot && "@{$l[1]{sections}}" eq '.text',
   'its own R E PT_LOAD right after text\'s: ' . layout("$tmp/hot"));
my ($size) = run(argv => ['readelf', '-SW', "$tmp/hot"])->{out} =~ /\.text\.hot\s+PROGBITS\s+\S+\s+\S+\s+([0-9a-f]+)/;
ok(defined $size && $hot && $hot->{memsz} == hex $size, 'its size is .text.hot\'s');
runs_with("$tmp/hot", 15 + ($hot ? $hot->{memsz} : 0), 'hot (exit 15 + the size symbol\'s value)');

# bss enabled: .bss in a zero-filled PT_LOAD of its own
$m = model_link('bss');
@l = loads("$tmp/bss");
ok($m->{status} == 0 && @l == @base + 1 && "@{$l[-1]{sections}}" eq '.bss' && $l[-1]{flags} eq 'RW'
   && "@{$l[-2]{sections}}" eq '.data', 'bss enabled: .bss has a PT_LOAD of its own: ' . layout("$tmp/bss"))
    or diag $m->{err};
runs_with("$tmp/bss", 15, 'bss');

# an output-section order: .eh_frame first in rodata; a name with no section is a warning
$m = model_link('order');
my ($ro) = grep { grep { $_ eq '.rodata' } @{$_->{sections}} } loads("$tmp/order");
ok($m->{status} == 0 && $ro && "@{$ro->{sections}}" eq '.eh_frame .rodata', 'output-section order: .eh_frame .rodata')
    or diag $m->{err};
like($m->{err}, qr/warning: segment rodata: section ordering requested, but no matching section found: \.nosuch/,
     'a name no section has: a warning');
runs_with("$tmp/order", 15, 'order');

# an address and an alignment
$m = model_link('address');
my ($data) = grep { grep { $_ eq '.data' } @{$_->{sections}} } loads("$tmp/address");
ok($m->{status} == 0 && $data && $data->{vaddr} == 0x800000 && $data->{align} == 0x10000
   && $data->{offset} % 0x10000 == 0, 'data at 0x800000, aligned to 0x10000 (offset congruent)') or diag $m->{err};
runs_with("$tmp/address", 15, 'address');

# refused: the text segment above its maximum size; data after .bss
my ($text) = grep { "@{$_->{sections}}" eq '.text' } @base;
$m = model_link('maxsize');
ok($m->{status} && $text && !-e "$tmp/maxsize", 'a segment larger than its maximum size: no output');
like($m->{err}, qr/segment text calculated size 0x${\ sprintf('%x', $text ? $text->{memsz} : 0)} is larger than user-defined size 0x10/,
     'GNU-style message with the size readelf shows');
$m = model_link('zeros');
ok($m->{status} && !-e "$tmp/zeros", '.data ordered after .bss: no output');
like($m->{err}, qr/segment data: NOBITS section found before end of initialized data/, 'the model\'s message');

done_testing();
