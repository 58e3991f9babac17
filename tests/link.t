#!/usr/bin/perl
# keel link against ld.bfd on real static links (glibc C, C with threads
# and libm, C++ with iostream, exceptions, thread_local and threads, clang,
# musl-gcc, Python from libpython3.11.a, SQLite): the command line gcc's
# driver gives its linker (collect2's, from -###) is run by ld.bfd and by
# keel link, each with -Map.
#   - the first part of the two maps (every archive member taken, and the
#     file and symbol that needed it) must be identical;
#   - the two executables must print the same and exit alike;
#   - readelf -a and objdump -d read keel's without a warning;
#   - linking twice gives identical bytes;
#   - with --gc-sections the executable is smaller and still runs alike.
# Then the errors: an undefined reference at its place, a multiple
# definition naming both places; neither leaves an output file.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Programs qw(slurp have);
use KeelTest qw(keel_setup run linker_args bfd_case);
use LinkPrograms qw(link_programs);

my ($build, $keel, $tmp) = keel_setup('link', need => ['ld.bfd (binutils)', 'gcc']);
my $src = "$FindBin::Bin/progs/link";

# The map's first part: from its heading to the first blank line after
# the entries.
sub members {
    my ($map) = @_;
    my $text = slurp($map);
    return undef unless $text =~ /^Archive member included to satisfy reference by file \(symbol\)\n\n(.*?)(?:\n\n|\z)/ms;
    return $1 =~ s/\n+\z//r;
}

sub first_difference {
    my ($want, $got) = @_;
    my @w = split /\n/, $want;
    my @g = split /\n/, $got;
    for my $i (0 .. ($#w > $#g ? $#w : $#g)) {
        return sprintf("line %d:\n  ld.bfd: %s\n  keel:   %s", $i + 1, $w[$i] // '(none)', $g[$i] // '(none)')
            if ($w[$i] // '') ne ($g[$i] // '');
    }
    return 'same';
}

# The programs (tests/lib/LinkPrograms.pm, which link_variants.t shares),
# each linked -static here.
my @cases = map {
    my @c = @$_;
    $c[2] = [$c[2][0], '-static', @{ $c[2] }[1 .. $#{ $c[2] }]];
    \@c
} link_programs($src);

for my $case (@cases) {
    my ($name, $compile, $driver, $tool, $needs, $prog_args) = @$case;
    SKIP: {
        my $points = 7;
        my $tag = $name =~ s/\W+/-/gr;
        # keel's map names symbols as they are (ld.bfd demangles C++ names
        # unless told not to)
        my @args = bfd_case(name => $name, compile => $compile, driver => $driver, tool => $tool, needs => $needs,
                            points => $points, out => "$tmp/$tag.bfd",
                            bfd_args => ['--no-demangle', '-Map', "$tmp/$tag.bfd.map"]);
        my $k = run(file => $keel, argv => [$keel, 'link', @args, '-Map', "$tmp/$tag.keel.map", '-o', "$tmp/$tag.keel"]);
        my ($want, $got) = (members("$tmp/$tag.bfd.map"), members("$tmp/$tag.keel.map"));
        ok(defined $got, "$name: keel link writes the map") or diag("keel link: $k->{err}");
        my $n = defined $want ? () = $want =~ /^\S/mg : 0;
        ok(defined $want && defined $got && $got eq $want,
           "$name: the $n archive members taken, and why, are ld.bfd's")
            or diag(defined $want && defined $got ? first_difference($want, $got) : "ld.bfd map: " . ($want // 'none'));
        ok($k->{status} == 0 && -x "$tmp/$tag.keel", "$name: keel link writes an executable")
            or diag("keel link: $k->{err}");
        my @pa = @{ $prog_args // [] };
        my ($dr, $kr) = (run(argv => ["$tmp/$tag.bfd", @pa]), run(argv => ["$tmp/$tag.keel", @pa]));
        ok($kr->{out} eq $dr->{out} && $kr->{err} eq $dr->{err} && $kr->{status} == $dr->{status} && $dr->{out} ne '',
           "$name: it prints what ld.bfd's link prints, and exits alike")
            or diag("ld.bfd's: status $dr->{status}, out '$dr->{out}', err '$dr->{err}'\n"
                    . "keel's:   status $kr->{status}, out '$kr->{out}', err '" . substr($kr->{err}, 0, 500) . "'");
        my $re = run(argv => ['readelf', '-aW', "$tmp/$tag.keel"]);
        my $od = run(argv => ['objdump', '-d', "$tmp/$tag.keel"]);
        my $warn = join '', grep { /warning|error/i } split /^/m, $re->{err} . $od->{err};
        ok($re->{status} == 0 && $od->{status} == 0 && $warn eq '', "$name: readelf -a and objdump -d read it without a warning")
            or diag($warn);
        run(file => $keel, argv => [$keel, 'link', @args, '-o', "$tmp/$tag.again"]);
        ok(-e "$tmp/$tag.again" && slurp("$tmp/$tag.again") eq slurp("$tmp/$tag.keel"),
           "$name: linking again gives the same bytes");
        my $g = run(file => $keel, argv => [$keel, 'link', @args, '--gc-sections', '-o', "$tmp/$tag.gc"]);
        my $gr = run(argv => ["$tmp/$tag.gc", @pa]);
        ok($g->{status} == 0 && $gr->{out} eq $dr->{out} && $gr->{status} == $dr->{status}
               && loaded_size("$tmp/$tag.gc") < loaded_size("$tmp/$tag.keel"),
           "$name: with --gc-sections, smaller (" . loaded_size("$tmp/$tag.gc") . " bytes against "
               . loaded_size("$tmp/$tag.keel") . ", without the address map) and the same output")
            or diag("keel link --gc-sections: $g->{err}; run: status $gr->{status}, err " . substr($gr->{err}, 0, 300));
    }
}

# A file's size without its address map (.keel.addrmap, which --gc-sections
# adds when it drops sections: tests/link_addrmap.t).
sub loaded_size {
    my ($exe) = @_;
    my ($map) = map { /\.keel\.addrmap\s+PROGBITS\s+\S+\s+\S+\s+(\S+)/ ? hex $1 : () }
        split /\n/, run(argv => ['readelf', '-SW', $exe])->{out};
    return (-s $exe // 0) - ($map // 0);
}

# ---------------------------------------------------------------- errors
SKIP: {
    my @args = linker_args(qw(gcc -static hello.o -o hello));
    skip 'no gcc linker line', 4 unless @args && -e "$tmp/hello.o";
    open(my $fh, '>', "$tmp/undef.c") or die;
    print $fh "int missing(void);\nint main(void) { return missing(); }\n";
    close $fh;
    run(argv => [qw(gcc -O0 -c undef.c -o undef.o)]);
    my @u = map { $_ eq 'hello.o' ? 'undef.o' : $_ } @args;
    my $k = run(file => $keel, argv => [$keel, 'link', @u, '-o', "$tmp/u.out"]);
    my $r = run(argv => [qw(readelf -rW undef.o)]);
    my ($off) = $r->{out} =~ /^([0-9a-f]+)\s+\S+\s+\S+\s+\S+\s+missing/m;
    my $place = sprintf('.text+0x%x', hex($off // 0));
    like($k->{err}, qr/undef\.o: in function 'main':\nundef\.c:\(\Q$place\E\): undefined reference to 'missing'/,
         "undefined reference: named at its relocation ($place)");
    ok($k->{status} != 0 && !-e "$tmp/u.out", 'undefined reference: exit status not 0, no output file');

    for my $n (1, 2) {
        open(my $d, '>', "$tmp/dup$n.c") or die;
        print $d "int dup_var = $n;\n" . ($n == 1 ? "int main(void) { return dup_var; }\n" : '');
        close $d;
        run(argv => ['gcc', '-c', "dup$n.c", '-o', "dup$n.o"]);
    }
    my @d = map { $_ eq 'hello.o' ? ('dup1.o', 'dup2.o') : $_ } @args;
    $k = run(file => $keel, argv => [$keel, 'link', @d, '-o', "$tmp/d.out"]);
    like($k->{err}, qr/dup2\.o:\(\.data\+0x0\): multiple definition of 'dup_var'; \S*dup1\.o:\(\.data\+0x0\): first defined here/,
         'multiple definition: both places named');
    ok($k->{status} != 0 && !-e "$tmp/d.out", 'multiple definition: exit status not 0, no output file');
}

# A corrupt object, and a relocation that cannot hold its value.
SKIP: {
    my @args = linker_args(qw(gcc -static hello.o -o hello));
    skip 'no gcc linker line', 4 unless @args && -e "$tmp/hello.o";
    my $obj = slurp("$tmp/hello.o");
    open(my $fh, '>:raw', "$tmp/cut.o") or die;
    print $fh substr($obj, 0, int(length($obj) / 2));
    close $fh;
    my @c = map { $_ eq 'hello.o' ? 'cut.o' : $_ } @args;
    my $k = run(file => $keel, argv => [$keel, 'link', @c, '-o', "$tmp/cut.out"]);
    like($k->{err}, qr/^keel ld: \S*cut\.o: .+/m, 'a truncated object: the error names it');
    ok($k->{status} != 0 && !-e "$tmp/cut.out", 'a truncated object: exit status not 0, no output file');

    open($fh, '>', "$tmp/far.s") or die;
    print $fh ".text\n.globl main\nmain:\n  movl \$far_away, %eax\n  ret\n.section .note.GNU-stack,\"\",\@progbits\n";
    close $fh;
    run(argv => [qw(gcc -c far.s -o far.o)]);
    my @f = map { $_ eq 'hello.o' ? 'far.o' : $_ } @args;
    $k = run(file => $keel, argv => [$keel, 'link', @f, '--defsym', 'far_away=0x123456789', '-o', "$tmp/far.out"]);
    like($k->{err}, qr/far\.o:\(\.text\+0x1\): relocation R_X86_64_32 against 'far_away' out of range/,
         'an overflow: the place and the symbol named');
    ok($k->{status} != 0 && !-e "$tmp/far.out", 'an overflow: exit status not 0, no output file');
}

done_testing();
