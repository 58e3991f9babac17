#!/usr/bin/perl
# One input and resolution layer for the loader and the link-editor
# (issue 12, item 3; lib/resolve/): the same inputs, run by `keel run` and
# linked by `keel link`, behave the same, and as ld.bfd's link of the same
# line does (the oracle).  Each case is linked by ld.bfd and by keel link
# from gcc's static line; both must fail alike or write programs that
# print the same; `keel run` of the same objects and archives must fail
# where the link fails (saying the same thing) or print the same.
#   (a) two STB_GNU_UNIQUE definitions of a name, outside COMDAT groups:
#       ld.bfd's "multiple definition" (the loader used to keep the first
#       silently); a unique definition beats a weak one; unique
#       definitions in COMDAT groups of one signature are one;
#   (b) constructors of .init_array, .init_array.N and .ctors(.N)
#       sections (destructors of .fini_array(.N) and .dtors(.N), the same
#       order backwards): numbered ones by priority, then every unnumbered one in
#       input order (the loader ran an unnumbered array with
#       .init_array.65535, the link-editor ran .init_array.70000 after the
#       unnumbered ones; the loader ran .preinit_array among the
#       unnumbered .init_arrays, a linked program runs it first);
#   (c) a thin archive (ar T) in another directory: the member is the file
#       beside it (the loader refused thin archives); a member that is
#       not there is ld.bfd's "error opening thin archive member";
#   (d) COMDAT by .gnu.linkonce.* names: the first copy is kept (the loader
#       kept both and refused the duplicate names);
#   (e) a common takes an archive member that defines the name with data,
#       not one that defines a function (the loader took none).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use KeelTest qw(keel_setup run sh linker_args);

my ($build, $keel, $tmp) = keel_setup('resolve_shared', need => ['ld.bfd (binutils)', 'gcc', 'ar (binutils)']);
my $src = "$FindBin::Bin/progs/resolve_shared";

# The linker's arguments gcc's driver gives for a static link of @inputs.
sub driver_args {
    my @w = linker_args('gcc', '-static', @_, '-o', 'OUT');
    return @w ? @w : die "no linker line from gcc -###";
}

# Messages without the program's name, GNU ld's quotes as keel's.
sub messages {
    my ($err) = @_;
    return map { s/^(?:ld\.bfd|keel ld|keel):\s?//r =~ s/`/'/gr } grep { length } split /\n/, $err;
}

sub status { my ($s) = @_; return $s & 127 ? "signal " . ($s & 127) : "exit " . ($s >> 8) }

# Link @inputs by ld.bfd and by keel link, and run them by keel run.  With
# a failed link, `fails` is a pattern every refusal must say.
sub same {
    my ($name, $inputs, %o) = @_;
    my $tag = $name =~ s/\W+/_/gr;
    my ($bo, $ko) = ("$tmp/$tag.bfd", "$tmp/$tag.keel");
    my @args = driver_args(@$inputs);
    my $b = run(argv => ['ld.bfd', map { $_ eq 'OUT' ? $bo : $_ } @args]);
    my $k = run(file => $keel, argv => [$keel, 'link', map { $_ eq 'OUT' ? $ko : $_ } @args]);
    my $r = run(file => $keel, argv => [$keel, 'run', @$inputs]);
    if ($o{fails}) {
        ok($b->{status} && $b->{err} =~ $o{fails}, "$name: ld.bfd refuses it ($o{fails})")
            or diag("ld.bfd: " . status($b->{status}) . " $b->{err}");
        ok($k->{status} && $k->{err} =~ $o{fails} && !-e $ko, "$name: keel link refuses it, as ld.bfd does")
            or diag("keel link: " . status($k->{status}) . " $k->{err}");
        ok($r->{status} && $r->{err} =~ $o{fails} && $r->{out} eq '', "$name: keel run refuses it, as the link does")
            or diag("keel run: " . status($r->{status}) . " '$r->{out}' $r->{err}");
        # in ld.bfd's words: both places named
        my %bfd = map { $_ => 1 } messages($b->{err});
        for ([ 'keel link', $k ], [ 'keel run', $r ]) {
            my ($who, $x) = @$_;
            my ($first) = messages($x->{err});
            ok(defined $first && $bfd{$first}, "$name: $who says what ld.bfd says")
                or diag("ld.bfd: $b->{err}\n$who: $x->{err}");
        }
        return;
    }
    ok(!$b->{status}, "$name: ld.bfd links it") or diag("ld.bfd: $b->{err}");
    ok(!$k->{status}, "$name: keel link links it") or diag("keel link: $k->{err}");
    my $want = run(argv => [$bo]);
    my $got = run(argv => [$ko]);
    ok($want->{out} ne '' && $got->{out} eq $want->{out} && $got->{status} == $want->{status},
       "$name: keel link's program prints and exits as ld.bfd's")
        or diag("ld.bfd's: " . status($want->{status}) . " '$want->{out}'\nkeel's: " . status($got->{status})
                . " '$got->{out}' $got->{err}");
    ok($r->{out} eq $want->{out} && $r->{status} == $want->{status},
       "$name: keel run prints and exits as the linked program")
        or diag("linked: " . status($want->{status}) . " '$want->{out}'\nkeel run: " . status($r->{status})
                . " '$r->{out}' $r->{err}");
}

# ------------------------------------------------------------- compile
sh("gcc -O2 -c $src/main.c -o main.o");
sh("gcc -c $src/$_.s -o $_.o") for qw(unique_a unique_b unique_weak unique_group_a unique_group_b);
sh("gcc -O2 -c $src/prio_main.c -o prio_main.o");
my %prio = (a => '-DPLAIN -DCTORS', b => '-DP65535 -DP70000 -DPLAIN', c => '-DP101 -DCTORS_65434 -DCTORS',
            d => '-DP65535', e => '-DPLAIN', f => '-DP0 -DPLAIN', g => '-DPREINIT',
            h => '-DFINI_PLAIN -DDTORS', i => '-DFINI_65535 -DFINI_PLAIN -DDTORS_65434', j => '-DFINI_101 -DDTORS');
sh("gcc -O2 -DPRIO_TAG=$_ $prio{$_} -c $src/prio.c -o prio_$_.o") for sort keys %prio;
sh("gcc -O2 -c $src/thin_main.c -o thin_main.o");
sh("gcc -O2 -c $src/linkonce_main.c -o linkonce_main.o");
sh("gcc -c $FindBin::Bin/progs/link_symbols/$_.s -o $_.o") for qw(linkonce_a linkonce_b); # (link_symbols.t's inputs)
sh("gcc -O2 -fcommon -c $src/common_main.c -o common_main.o");
sh("gcc -O2 -c $src/common_$_.c -o common_$_.o && rm -f libcommon_$_.a && ar rcs libcommon_$_.a common_$_.o")
    for qw(data func);
sh("mkdir -p sub && gcc -O2 -c $src/thin_member.c -o sub/thin_member.o"
   . " && cd sub && rm -f libthin.a && ar rcsT libthin.a thin_member.o");

# ------------------------------------------------- (a) STB_GNU_UNIQUE
same('two unique definitions', [qw(main.o unique_a.o unique_b.o)], fails => qr/multiple definition of .u'/);
same('a unique definition and a weak one', [qw(main.o unique_weak.o unique_a.o)]);
same('unique definitions in COMDAT groups', [qw(main.o unique_group_a.o unique_group_b.o)]);

# ------------------------------------------------ (b) init priorities
same('numbered and unnumbered init arrays', [qw(prio_main.o prio_a.o prio_b.o prio_c.o)]);
same('.init_array.65535 after an earlier unnumbered one', [qw(prio_main.o prio_e.o prio_d.o)]);
same('.preinit_array before .init_array.0', [qw(prio_main.o prio_f.o prio_g.o)]);
# destructors: the same order, run backwards
same('numbered and unnumbered fini arrays', [qw(prio_main.o prio_h.o prio_i.o prio_j.o)]);

# ------------------------------------------------- (c) thin archives
like(slurp_head("$tmp/sub/libthin.a"), qr/^!<thin>\n/, 'sub/libthin.a is a thin archive');
same('a thin archive in another directory', [qw(thin_main.o sub/libthin.a)]);
sh('mkdir -p gone && cp sub/thin_member.o gone/ && cd gone && rm -f libgone.a && ar rcsT libgone.a thin_member.o'
   . ' && rm thin_member.o');
same('a thin archive whose member is gone', [qw(thin_main.o gone/libgone.a)],
     fails => qr/error opening thin archive member/);

# ---------------------------------------------- (d) .gnu.linkonce.*
same('.gnu.linkonce sections in two objects', [qw(linkonce_main.o linkonce_a.o linkonce_b.o)]);

# ------------------------------------ (e) a common and archive members
same('a common and a member with data', [qw(common_main.o libcommon_data.a)]);
same('a common and a member with a function', [qw(common_main.o libcommon_func.a)]);

sub slurp_head { open(my $fh, '<:raw', $_[0]) or return ''; read($fh, my $s, 8); return $s // '' }

done_testing();
