#!/usr/bin/perl
# One parsed input and one archive walk for the loader and the link-editor
# (issue 12, item 3; lib/resolve/input.c, lib/resolve/pull.c).  The same
# inputs go through `keel run`, `keel link` and ld.bfd (the oracle): the
# archive members each pulls, in the order it pulls them (ld.bfd's and
# keel link's maps, "Archive member included ..."; keel run --list's
# objects), and what the program returns, must agree:
#   (a) a chain main -> a -> b -> c of members stored c, b, a: each pull
#       is found only by walking the index again;
#   (b) a thin archive in another directory, whose members pull each other;
#   (c) a name defined by members of two archives: the first archive on
#       the line provides it; but a reference that appears only when the
#       second archive's member comes in is met by that archive, searched
#       again (the loader used to take the first archive's copy always);
#   (d) a member whose .data runs past its end: both refuse it with the
#       same words, naming archive(member) and the section (the loader
#       said "section .data is cut short").
# Then the parsed identity (kr_input_file, kr_input_section) of real
# objects, members of Debian's static libraries, against `readelf -SW`
# and `readelf -gW`: every section's name, type, flags, offset, size,
# alignment, link and info, its relocation section and its group.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Cwd qw(abs_path);
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use Programs qw(have run_program);

my $build = $ENV{KEEL_BUILD} // "$FindBin::Bin/../build";
my $keel = $ENV{KEEL} // "$build/keel";
my $unit = "$build/tests/resolve_input";
plan skip_all => "no keel at $keel" unless -x $keel;
plan skip_all => "no $unit (make test)" unless -x $unit;
plan skip_all => 'no ld.bfd (binutils)' unless have('ld.bfd');
plan skip_all => 'no gcc' unless have('gcc');
plan skip_all => 'no ar (binutils)' unless have('ar');
plan skip_all => 'no readelf (binutils)' unless have('readelf');
make_path("$build/t");
my $tmp = abs_path(tempdir('resolve_input.XXXXXX', DIR => "$build/t", CLEANUP => 1));
my $src = "$FindBin::Bin/progs/resolve_input";
my %env = (PATH => '/usr/local/bin:/usr/bin:/bin', LC_ALL => 'C', HOME => '/');
my $runs = 0;
sub run { return run_program(env => \%env, dir => $tmp, @_, base => "$tmp/run" . ++$runs) }

sub sh {
    my ($cmd) = @_;
    my $r = run(argv => ['/bin/sh', '-c', $cmd]);
    die "$cmd: $r->{err}" if $r->{status};
}

sub status { my ($s) = @_; return $s & 127 ? "signal " . ($s & 127) : "exit " . ($s >> 8) }

sub slurp { open(my $fh, '<', $_[0]) or return ''; local $/; return scalar <$fh> }

# The members a map says were included, in its order: each by its file's
# name (a thin member's path, or the member's name in the archive).
sub map_members {
    my ($text) = @_;
    my ($block) = $text =~ /^Archive member included to satisfy reference by file \(symbol\)\n\n(.*?)\n\n/ms;
    return () unless defined $block;
    return map { (/^(\S+)/)[0] =~ s/^[^(]*\(([^)]*)\)$/$1/r =~ s{.*/}{}r } grep { /^\S/ } split /\n/, $block;
}

# The archive members keel run loaded, in its order: --list's objects
# after the inputs that are objects.
sub run_members {
    my ($out, @objects) = @_;
    my %given = map { $_ => 1 } @objects;
    return map { s/^[^(]*\(([^)]*)\)$/$1/r =~ s{.*/}{}r } grep { !$given{$_} } map { /^(\S.*):$/ ? $1 : () }
        split /\n/, $out;
}

# ld.bfd, keel link and keel run of start.o (for the links) and @inputs.
sub same {
    my ($name, $inputs, $objects) = @_;
    my $tag = $name =~ s/\W+/_/gr;
    my $b = run(argv => ['ld.bfd', '-Map', "$tag.bmap", '-o', "$tag.bfd", 'start.o', @$inputs]);
    my $k = run(file => $keel, argv => [$keel, 'link', '-Map', "$tag.kmap", '-o', "$tag.keel", 'start.o', @$inputs]);
    ok(!$b->{status}, "$name: ld.bfd links it") or diag("ld.bfd: $b->{err}");
    ok(!$k->{status}, "$name: keel link links it") or diag("keel link: $k->{err}");
    my @want = map_members(slurp("$tmp/$tag.bmap"));
    my @link = map_members(slurp("$tmp/$tag.kmap"));
    my $l = run(file => $keel, argv => [$keel, 'run', '--list', @$inputs]);
    my @run = run_members($l->{out}, @$objects);
    ok(@want > 0, "$name: ld.bfd pulls members (@want)");
    is("@link", "@want", "$name: keel link pulls what ld.bfd pulls, in its order");
    is("@run", "@want", "$name: keel run pulls the same members, in the same order") or diag($l->{err});
    my $bx = run(argv => ["$tmp/$tag.bfd"]);
    my $kx = run(argv => ["$tmp/$tag.keel"]);
    my $r = run(file => $keel, argv => [$keel, 'run', @$inputs]);
    ok($kx->{status} == $bx->{status}, "$name: keel link's program exits as ld.bfd's (" . status($bx->{status}) . ")")
        or diag('keel link\'s: ' . status($kx->{status}) . " $kx->{err}");
    ok($r->{status} == $bx->{status}, "$name: keel run exits as the linked program")
        or diag('keel run: ' . status($r->{status}) . " $r->{err}");
}

# ------------------------------------------------------------- compile
sh("gcc -c $src/start.s -o start.o");
for my $c (glob("$src/*.c")) {
    my $o = $c =~ s{.*/}{}r =~ s/\.c$/.o/r;
    sh("gcc -O1 -fno-pic -fno-asynchronous-unwind-tables -c $c -o $o");
}
sh('rm -f chain.a one.a two.a && ar rcs chain.a chain_c.o chain_b.o chain_a.o'
   . ' && ar rcs one.a first_x1.o two_x1.o && ar rcs two.a two_y.o two_x2.o first_x2.o');
sh('mkdir -p sub lib && cp thin_f.o thin_g.o sub/ && cd lib && rm -f thin.a'
   . ' && ar rcsT thin.a ../sub/thin_g.o ../sub/thin_f.o');

# ------------------------------------------------------- (a) to (c)
same('a chain of members stored backwards', [qw(chain_main.o chain.a)], [qw(chain_main.o)]);
same('a thin archive in another directory', [qw(thin_main.o lib/thin.a)], [qw(thin_main.o)]);
same('a name in two archives, referenced first', [qw(first_main.o one.a two.a)], [qw(first_main.o)]);
same('a name in two archives, referenced by the second', [qw(two_main.o one.a two.a)], [qw(two_main.o)]);

# ------------------------------------------------- (d) a truncated member
# trunc_f.o's .data made larger than the file: sh_size of its header
{
    my $obj = slurp_raw("$tmp/trunc_f.o");
    my ($shoff) = unpack('Q<', substr($obj, 0x28, 8));
    my ($shentsize, $shnum, $shstrndx) = unpack('v3', substr($obj, 0x3a, 6));
    my $strtab_off = unpack('Q<', substr($obj, $shoff + $shstrndx * $shentsize + 0x18, 8));
    my $data_ix;
    for my $i (1 .. $shnum - 1) {
        my $name_off = unpack('V', substr($obj, $shoff + $i * $shentsize, 4));
        my $name = unpack('Z*', substr($obj, $strtab_off + $name_off, 64));
        $data_ix = $i if $name eq '.data';
    }
    die 'trunc_f.o has no .data' unless $data_ix;
    substr($obj, $shoff + $data_ix * $shentsize + 0x20, 8) = pack('Q<', 0x10000);
    open(my $fh, '>:raw', "$tmp/trunc_bad.o") or die;
    print $fh $obj;
    close $fh;
    sh('rm -f trunc.a && ar rcs trunc.a trunc_bad.o');
    my $b = run(argv => ['ld.bfd', '-o', 'trunc.bfd', 'start.o', 'trunc_main.o', 'trunc.a']);
    my $k = run(file => $keel, argv => [$keel, 'link', '-o', 'trunc.keel', 'start.o', 'trunc_main.o', 'trunc.a']);
    my $r = run(file => $keel, argv => [$keel, 'run', 'trunc_main.o', 'trunc.a']);
    ok($b->{status}, 'a truncated member: ld.bfd refuses it');
    my $want = qr/trunc\.a\(trunc_bad\.o\): section \.data \($data_ix\): offset 0x[0-9a-f]+ and size 0x10000 extend past the end of the file/;
    ok($k->{status} && $k->{err} =~ $want && !-e "$tmp/trunc.keel", 'a truncated member: keel link names archive(member) and the section')
        or diag("keel link: $k->{err}");
    ok($r->{status} && $r->{err} =~ $want, 'a truncated member: keel run names archive(member) and the section')
        or diag("keel run: $r->{err}");
    my ($km) = $k->{err} =~ /^[^:]*: (.*)$/m;
    my ($rm) = $r->{err} =~ /^[^:]*: (.*)$/m;
    is($rm, $km, 'a truncated member: keel run and keel link say the same');
}

sub slurp_raw { open(my $fh, '<:raw', $_[0]) or die "$_[0]: $!"; local $/; return scalar <$fh> }

# ------------------------------------- the parsed identity against readelf
our %files;
my @libs = grep { -f } ('/usr/lib/x86_64-linux-gnu/libz.a', '/usr/lib/x86_64-linux-gnu/libexpat.a',
                        glob('/usr/lib/gcc/x86_64-linux-gnu/*/libstdc++.a'));
SKIP: {
    skip 'no static libraries (zlib1g-dev, libexpat1-dev, libstdc++-dev)', 1 unless @libs;
    my ($files, $sections, $groups, $bad) = (0, 0, 0, 0);
    for my $lib (@libs) {
        my $u = run(argv => [$unit, $lib]);
        ok(!$u->{status}, "$lib: parsed") or diag($u->{err});
        my $re = run(argv => ['readelf', '-SW', $lib]);
        my $rg = run(argv => ['readelf', '-gW', $lib]);
        # readelf: per "File: lib(member)", each [Nr] line; groups' members
        my (%want, %group, $file);
        for (split /\n/, $re->{out}) {
            if (/^File: (.*)$/) { $file = $1; next }
            next unless defined $file && /^\s*\[\s*(\d+)\]\s+(\S+)?\s+(\S+)\s+[0-9a-f]{16}\s+([0-9a-f]+)\s+([0-9a-f]+)\s+[0-9a-f]+\s+(\S*)\s+(\d+)\s+(\d+)\s+(\d+)$/;
            next if $1 == 0;
            $want{$file}{$1} = { name => $2, type => $3, off => hex($4), size => hex($5), flags => $6, link => $7, info => $8, align => $9 };
        }
        # members of groups: readelf -gW lists "[Index]    Name" under each group
        my $cur;
        for (split /\n/, $rg->{out}) {
            if (/^File: (.*)$/) { $file = $1; next }
            if (/group section \[\s*(\d+)\]/) { $cur = $1; next }
            if (defined $cur && /^\s+\[\s*(\d+)\]\s+\S+/) { $group{$file}{$1} //= $cur; next }
            undef $cur if /^\s*$/;
        }
        my (%got, %relocs_of);
        for (split /\n/, $u->{out}) {
            if (/^file (.*) \d+$/) { $file = $1; next }
            my @f = split / /;
            next unless $f[0] eq 'sec';
            my ($ix, $name, $type, $flags, $off, $size, $align, $link, $info, $rel, $grp, $cls, $data) = @f[1 .. 13];
            $ix = hex($ix);
            my $w = $want{$file}{$ix};
            $files{$file} = 1;
            $sections++;
            my @why;
            push @why, "none in readelf" unless $w;
            if ($w) {
                push @why, "name $name, readelf $w->{name}" if $name ne ($w->{name} // '?');
                push @why, "size" if hex($size) != $w->{size};
                push @why, "offset" if hex($off) != $w->{off} && $w->{type} ne 'NOBITS';
                push @why, "align" if hex($align) != $w->{align};
                push @why, "link" if hex($link) != $w->{link};
                push @why, "info" if hex($info) != $w->{info};
                push @why, "alloc flag" if (hex($flags) & 2 ? 1 : 0) != ($w->{flags} =~ /A/ ? 1 : 0);
                push @why, "exec flag" if (hex($flags) & 4 ? 1 : 0) != ($w->{flags} =~ /X/ ? 1 : 0);
                push @why, "group flag" if (hex($flags) & 0x200 ? 1 : 0) != ($w->{flags} =~ /G/ ? 1 : 0);
                push @why, "type" if ($w->{type} eq 'NOBITS') != (hex($type) == 8) || ($w->{type} eq 'RELA') != (hex($type) == 4);
                push @why, "bytes not in the file" unless $data;
                my $g = $group{$file}{$ix} // 0;
                push @why, "group $grp, readelf $g" if hex($grp) != $g;
                $groups++ if $g;
            }
            $got{$file}{$ix} = hex($rel);
            if (@why) {
                $bad++;
                diag("$file [$ix] $name: @why") if $bad <= 10;
            }
        }
        # each section's relocation section: the first RELA naming it
        for my $f (keys %want) {
            my %first;
            for my $ix (sort { $a <=> $b } keys %{ $want{$f} }) {
                my $w = $want{$f}{$ix};
                $first{ $w->{info} } //= $ix if $w->{type} eq 'RELA' && $w->{info};
            }
            for my $ix (keys %{ $want{$f} }) {
                my $g = $got{$f}{$ix} // -1;
                if ($g != ($first{$ix} // 0)) {
                    $bad++;
                    diag("$f [$ix]: relocation section $g, readelf's " . ($first{$ix} // 0)) if $bad <= 10;
                }
            }
        }
    }
    ok($sections > 1000 && $bad == 0, "the parsed sections of " . scalar(keys %files) . " objects ($sections sections, $groups in groups) are readelf's");
}


done_testing();
