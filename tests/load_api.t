#!/usr/bin/perl
# The runtime loader's API on purpose-built objects: tests/progs/load_api/*.c
# are compiled here with gcc (-O1, -fPIC or -fno-pic, most with
# -ffunction-sections -fdata-sections), with an archive made by ar and a few
# damaged copies; readelf -SW, -sW and -rW of them become the oracle (the
# "facts" file) that tests/unit/load_api.c checks the loader against:
#
#   - the dependency graph of ga.o gb.o gc.o: one strong edge per relocation
#     against a symbol another object defines (type, offset, addend), a weak
#     edge back, nothing else; objects and their sections;
#   - section names (.text.foo is foo; the Rust hash), symbols in parent and
#     child namespaces, prefix lookups, keel_section_at everywhere;
#   - sections as functions, data copies and their refusals, unloading with
#     and without cascade (constructors and destructors report into an
#     object loaded first);
#   - failed loads (undefined symbol, duplicates, overflow, corrupt objects,
#     a failing second object) leave the namespace exactly as it was;
#   - loading from buffers and archives; lookups while another thread loads.
#
# The C program prints TAP lines; they are passed on here, with its TODO
# points (known loader bugs) as Test::More TODO tests and its SKIP points
# (a check the build cannot make, e.g. memory growth under ASan) as skips.
use strict;
use warnings;
no warnings 'portable';
use FindBin;
use Test::More;
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use File::Copy qw(copy);
use Time::HiRes qw(time);
use POSIX ();

our $TODO;

plan skip_all => 'the loader runs x86-64 code only' unless (POSIX::uname())[4] eq 'x86_64';
my $build = $ENV{KEEL_BUILD} || "$FindBin::Bin/../build";
my $prog = "$build/tests/load_api";
plan skip_all => "no $prog (make first)" unless -x $prog;
for my $tool (qw(gcc readelf ar)) {
    plan skip_all => "no $tool" unless grep { -x "$_/$tool" } split /:/, $ENV{PATH};
}

my $src = "$FindBin::Bin/progs/load_api";
make_path("$build/t");
my $dir = tempdir('load_api.XXXXXX', DIR => "$build/t", CLEANUP => 1);

# ------------------------------------------------------------- compiling
my $sections = '-ffunction-sections -fdata-sections';
my %flags = (
    gb       => '-fPIC',                  # everything in .text and .data
    undef    => '-fPIC',                  # the bad reference in .text
    nopic    => "-fno-pic $sections",     # R_X86_64_32
    useabs32 => "-fno-pic $sections",
    commondef => "-fPIC -fcommon $sections",
    relocme  => '-fPIC',                  # one .rela.text, damaged below
);
my @sources = map { m{([^/]+)\.c$} ? $1 : () } glob("$src/*.c");
my (%sectioned, %pid);
for my $name (@sources) {           # in parallel, a few at a time
    my $f = $flags{$name} // "-fPIC $sections";
    $sectioned{$name} = $f =~ /function-sections/;
    my $cmd = "gcc -O1 $f -c '$src/$name.c' -o '$dir/$name.o' >'$dir/$name.log' 2>&1";
    if (keys %pid >= 6) {
        my $done = wait;
        BAIL_OUT("$pid{$done} failed: " . `cat '$dir/$pid{$done}.log'`) if $?;
        delete $pid{$done};
    }
    my $p = fork // BAIL_OUT("fork: $!");
    exec('/bin/sh', '-c', $cmd) or POSIX::_exit(127) if !$p;
    $pid{$p} = $name;
}
while ((my $done = wait) > 0) {
    BAIL_OUT("$pid{$done} failed: " . `cat '$dir/$pid{$done}.log'`) if $?;
}
system('ar', 'rcs', "$dir/libam.a", map { "$dir/$_.o" } qw(am1 am2 am3)) == 0 or BAIL_OUT('ar failed');

# ------------------------------------------------------------ readelf
# One readelf -S -s -r -W per object; the three tables' lines differ.
sub readelf {
    my ($file) = @_;
    my $out = `readelf -S -s -r -W '$file' 2>&1`;
    BAIL_OUT("readelf $file: $out") if $?;
    return [split /\n/, $out];
}

# [index] => {name, type, flags, size, info}
sub sections {
    my ($lines) = @_;
    my @s;
    for (@$lines) {
        next unless /^\s*\[\s*(\d+)\]\s+(\S+)\s+(\S+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([A-Za-z]*)\s+(\d+)\s+(\d+)\s+(\d+)\s*$/;
        $s[$1] = {name => $2, type => $3, size => hex($6), flags => $8, info => $10};
    }
    return \@s;
}

# [index] => {value, type, bind, vis, ndx, name}
sub symbols {
    my ($lines) = @_;
    my @s;
    for (@$lines) {
        next unless /^\s*(\d+):\s+([0-9a-f]+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*(.*)$/;
        $s[$1] = {value => hex($2), type => $4, bind => $5, vis => $6, ndx => $7, name => $8};
    }
    return \@s;
}

# [{section (the relocated one's name), offset, type, sym, addend}]
sub relocs {
    my ($lines, $secs) = @_;
    my (@r, $target);
    for (@$lines) {
        if (/^Relocation section '([^']+)'/) {
            my ($rela) = grep { defined && $_->{name} eq $1 } @$secs;
            $target = $secs->[$rela->{info}]{name};
            next;
        }
        next unless /^([0-9a-f]{16})\s+([0-9a-f]{16})\s+(\S+)\s+(.*)$/;
        my ($off, $info, $rest) = (hex($1), hex($2), $4);
        my $addend = $rest =~ /([+-]) ([0-9a-f]+)\s*$/ ? ($1 eq '-' ? -hex($2) : hex($2)) : 0;
        push @r, {section => $target, offset => $off, type => $info & 0xffffffff, sym => $info >> 32,
                  addend => $addend};
    }
    return \@r;
}

my (%secs, %syms, %rels);
for my $name (@sources) {
    my $lines = readelf("$dir/$name.o");
    $secs{$name} = sections($lines);
    $syms{$name} = symbols($lines);
    $rels{$name} = relocs($lines, $secs{$name});
}

my @facts;
for my $name (sort @sources) {
    my $file = "$dir/$name.o";
    my $s = $secs{$name};
    my $nalloc = grep { defined && $_->{flags} =~ /A/ } @$s;
    push @facts, "obj $file $nalloc";
    for my $sym (@{ $syms{$name} }) {
        next unless $sym && $sym->{bind} =~ /^(GLOBAL|WEAK)$/ && $sym->{ndx} =~ /^\d+$/;
        my $sec = $s->[$sym->{ndx}];
        my $kind = $sec->{flags} =~ /X/ ? 'T' : $sec->{type} eq 'NOBITS' ? 'B' : $sec->{flags} =~ /W/ ? 'D' : 'R';
        # -ffunction-sections/-fdata-sections: the section is named after
        # the symbol it holds; otherwise keel keeps the ELF name; sections
        # named by hand (the Rust-style ones) are checked in the C program
        my $keel = !$sectioned{$name} ? $sec->{name}
                 : $sec->{name} =~ /\.\Q$sym->{name}\E$/ ? $sym->{name} : '-';
        push @facts, sprintf('sym %s %s %s %x %x %s %s', $file, $sym->{name}, $sec->{name}, $sym->{value},
                             $sec->{size}, $kind, $keel);
    }
}

# The graph batch: every relocation against a global another object defines.
my @graph = qw(ga gb gc);
my %defined_in;
for my $name (@graph) {
    for my $sym (@{ $syms{$name} }) {
        $defined_in{ $sym->{name} } = $name
            if $sym && $sym->{bind} =~ /^(GLOBAL|WEAK)$/ && $sym->{ndx} =~ /^\d+$/;
    }
}
my $nedges = 0;
for my $name (@graph) {
    for my $r (@{ $rels{$name} }) {
        my $sym = $syms{$name}[ $r->{sym} ];
        next unless $sym && $sym->{ndx} eq 'UND' && $defined_in{ $sym->{name} } && $defined_in{ $sym->{name} } ne $name;
        # the section holding the relocation, named by a global it defines
        my $idx = (grep { defined $secs{$name}[$_] && $secs{$name}[$_]{name} eq $r->{section} } 0 .. $#{ $secs{$name} })[0];
        my ($holder) = grep { $_ && $_->{bind} eq 'GLOBAL' && $_->{ndx} eq $idx } @{ $syms{$name} };
        BAIL_OUT("$name.o: section $r->{section} holds a reference to $sym->{name} but no global symbol") unless $holder;
        push @facts, sprintf('edge %s %u %x %d %s', $holder->{name}, $r->{type}, $r->{offset}, $r->{addend},
                             $sym->{name});
        $nedges++;
    }
}

# Expected messages: the relocation's section and offset from readelf.
sub reloc_against {
    my ($name, $symname) = @_;
    my @r = grep { my $s = $syms{$name}[ $_->{sym} ]; $s && $s->{name} eq $symname } @{ $rels{$name} };
    BAIL_OUT("$name.o: not one relocation against $symname") unless @r == 1;
    return $r[0];
}
my $r = reloc_against('undef', 'keel_test_nosuch');
push @facts, sprintf("expect undef %s/undef.o:(%s+0x%x): undefined reference to 'keel_test_nosuch'", $dir,
                     $r->{section}, $r->{offset});
$r = reloc_against('usefar', 'far_abs');
push @facts, sprintf('expect far_prefix %s/usefar.o:(%s+0x%x): ', $dir, $r->{section}, $r->{offset});
# The mains of hidmain1.o and hidmain2.o: hidden globals, as keel_program_symbol
# must find them.
push @facts, 'expect hidmain_vis ' . join(' ', map {
    my $o = $_;
    my ($m) = grep { $_ && $_->{name} eq 'main' && $_->{bind} eq 'GLOBAL' } @{ $syms{$o} };
    $m ? $m->{vis} : '?'
} qw(hidmain1 hidmain2));

# The first relocation of nopic.o that needs addresses below 2 GiB, as the
# message of a namespace that lives above must name it (item 25).
my ($low) = grep { $_->{type} == 10 || $_->{type} == 11 || $_->{type} == 12 || $_->{type} == 14 } @{ $rels{nopic} };
BAIL_OUT('nopic.o has no R_X86_64_32') unless $low;
push @facts, sprintf('expect low_prefix %s/nopic.o:(%s+0x%x): relocation %s against ', $dir, $low->{section},
                     $low->{offset}, {10 => 'R_X86_64_32', 11 => 'R_X86_64_32S', 12 => 'R_X86_64_16',
                                      14 => 'R_X86_64_8'}->{ $low->{type} });
$r = reloc_against('useabs32', 'big_abs');
push @facts, sprintf('expect abs32_prefix %s/useabs32.o:(%s+0x%x): ', $dir, $r->{section}, $r->{offset});

# ------------------------------------------------------ damaged objects
sub slurp { open(my $f, '<:raw', $_[0]) or die "$_[0]: $!"; local $/; return scalar <$f> }
sub spew { open(my $f, '>:raw', $_[0]) or die "$_[0]: $!"; print $f $_[1]; close $f or die }

my $good2 = slurp("$dir/good2.o");
spew("$dir/trunc.o", substr($good2, 0, int(length($good2) / 2)));
my $gb = slurp("$dir/gb.o");
my ($shoff, $shentsize) = (unpack('Q<', substr($gb, 0x28, 8)), unpack('S<', substr($gb, 0x3a, 2)));
my ($data) = grep { defined $secs{gb}[$_] && $secs{gb}[$_]{name} eq '.data' } 0 .. $#{ $secs{gb} };
BAIL_OUT('gb.o has no .data') unless $data && $secs{gb}[$data]{size};
substr($gb, $shoff + $data * $shentsize + 0x18, 8) = pack('Q<', 0xfffffff0);
spew("$dir/badoff.o", $gb);
spew("$dir/garbage.o", "this is not an object file\n" x 20);

# Relocation sections that cannot be attached (issue 11, item 9): relocme.o's
# .rela.text relocating itself, a section past the end, with the string
# table as its symbol table, and as SHT_REL.  Each must be refused with the
# section named (before, the first three loaded with .text unrelocated).
{
    my $o = slurp("$dir/relocme.o");
    my ($off, $ent) = (unpack('Q<', substr($o, 0x28, 8)), unpack('S<', substr($o, 0x3a, 2)));
    my $s = $secs{relocme};
    my ($rela) = grep { defined $s->[$_] && $s->[$_]{name} eq '.rela.text' } 0 .. $#$s;
    my ($strtab) = grep { defined $s->[$_] && $s->[$_]{name} eq '.strtab' } 0 .. $#$s;
    BAIL_OUT('relocme.o has no .rela.text or .strtab') unless $rela && $strtab;
    my $at = $off + $rela * $ent;
    my %bad = (relself => [0x2c, 'L<', $rela], relpast => [0x2c, 'L<', 0xffff], rellink => [0x28, 'L<', $strtab],
               reltype => [0x04, 'L<', 9]);
    for my $name (sort keys %bad) {
        my ($field, $fmt, $value) = @{ $bad{$name} };
        my $copy = $o;
        substr($copy, $at + $field, 4) = pack($fmt, $value);
        spew("$dir/$name.o", $copy);
    }
    push @facts, "expect relsec .rela.text (index $rela)";
    # and a .data of 2 GiB: said to be too large, not misaligned (item 25)
    my ($data) = grep { defined $s->[$_] && $s->[$_]{name} eq '.data' } 0 .. $#$s;
    BAIL_OUT('relocme.o has no .data') unless $data;
    my $copy = $o;
    substr($copy, $off + $data * $ent + 0x20, 8) = pack('Q<', 0x80000000);
    spew("$dir/hugedata.o", $copy);
    push @facts, "expect hugedata section .data (index $data): size 2147483648 ";
}

open(my $ff, '>', "$dir/facts") or die;
print $ff "$_\n" for @facts;
close $ff;
note(scalar(@sources) . " objects compiled; $nedges relocations between ga.o, gb.o and gc.o");

# ------------------------------------------------------------ the run
my $start = time;
open(my $run, '-|', $prog, "$dir/facts", $dir) or BAIL_OUT("cannot run $prog: $!");
my ($count, $last_failed) = (0, 0);
while (my $line = <$run>) {
    chomp $line;
    if ($line =~ /^ok \d+ - (.*?) # SKIP (.*)$/) {
        my ($desc, $why) = ($1, $2);
        $count++;
      SKIP: { skip("$desc: $why", 1) }
        $last_failed = 0;
    } elsif ($line =~ /^(not )?ok \d+ - (.*?)(?: # TODO (.*))?$/) {
        my ($not, $desc, $todo) = ($1, $2, $3);
        $count++;
        local $TODO = $todo;
        ok(!$not, $desc);
        $last_failed = $not && !defined $todo;
    } elsif ($line =~ /^# ?(.*)$/) {
        $last_failed ? diag($1) : note($1);
    } else {
        diag("load_api: $line");
    }
}
close $run;
my $status = $?;
ok($status == 0, "load_api ran to the end and exited 0 (" .
   ($status & 127 ? 'signal ' . ($status & 127) : 'status ' . ($status >> 8)) . ", $count checks)");
cmp_ok($count, '>', 100, 'load_api made its checks');
note(sprintf('load_api took %.1f s', time - $start));
done_testing();
