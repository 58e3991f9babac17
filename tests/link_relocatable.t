#!/usr/bin/perl
# keel link -r (relocatable output) against ld.bfd -r on the same inputs
# (sources in tests/progs/reloc/): C built with -ffunction-sections and
# -fdata-sections (TLS in .tdata and .tbss, a common, a weak overridden,
# a local static, string literals in SHF_MERGE sections), C++ whose two
# objects instantiate the same COMDAT inline functions and templates and
# throw, an archive member pulled by -r, -u, and a partial of partials.
# For each:
#   (a) readelf: the section lists (name, type, flags, size), the symbol
#       tables (name, binding, type, section, value) and the relocation
#       count per section are ld.bfd's (its R_X86_64_NONE entries, which
#       keel drops with the FDEs they belonged to, not counted; the size
#       of .eh_frame is not compared, ld.bfd trims padding keel keeps, nor
#       that of .rela.eh_frame, which holds those R_X86_64_NONE);
#       readelf -g's groups, signatures and members by name, as ld.bfd's;
#   (b) the partial object links into a program with gcc -static (ld.bfd)
#       and with keel link (gcc's linker line), and each prints what the
#       program linked from the original objects prints;
#   the same with -x, -X and -S;
#   (c) keel run loads the C partial (built -fPIC: keel run's TLS is
#       general-dynamic) and runs main with the same output;
#   (e) eu-elflint --gnu-ld finds nothing wrong in keel's output.
# And -d (-dc, -dp) allocating the commons, as ld.bfd -r -d; the refusals
# that stay: -r with -shared or -pie, --gc-sections without a root (ld.bfd's
# words), --defsym.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Cwd qw(abs_path);
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use Text::ParseWords qw(shellwords);
use Programs qw(slurp have run_program status_text);

my $build = $ENV{KEEL_BUILD} // "$FindBin::Bin/../build";
my $keel = $ENV{KEEL} // "$build/keel";
plan skip_all => "no keel at $keel" unless -x $keel;
plan skip_all => 'no gcc, g++ or ld.bfd' unless have('gcc') && have('g++') && have('ld.bfd');
plan skip_all => 'no readelf (binutils)' unless have('readelf');
make_path("$build/t");
my $tmp = abs_path(tempdir('link_relocatable.XXXXXX', DIR => "$build/t", CLEANUP => 1));
my $src = "$FindBin::Bin/progs/reloc";
my %env = (PATH => '/usr/local/bin:/usr/bin:/bin', LC_ALL => 'C', HOME => '/');
my $runs = 0;
sub run { return run_program(env => \%env, dir => $tmp, @_, base => "$tmp/run" . ++$runs) }

sub ok_run {
    my ($what, @argv) = @_;
    my $r = run(argv => [@argv]);
    return 1 if $r->{status} == 0;
    diag("$what: " . join(' ', @argv) . ': ' . status_text($r->{status}) . "\n$r->{err}");
    return 0;
}

# The linker's arguments as the compiler driver gives them (collect2's line).
sub linker_args {
    my (@driver) = @_;
    my $r = run(argv => [@driver, '-###']);
    for my $line (split /\n/, $r->{err}) {
        next unless $line =~ m{^ "?(\S*/(?:collect2|ld|ld\.bfd))"? };
        my @w = shellwords($line);
        shift @w;
        return @w;
    }
    return;
}

my $C = '-O1 -fcommon -ffunction-sections -fdata-sections';
my @compile = (
    "gcc $C -c $src/main.c -o main.o", "gcc $C -c $src/lib.c -o lib.o",
    "gcc $C -fPIC -c $src/main.c -o pmain.o", "gcc $C -fPIC -c $src/lib.c -o plib.o",
    "g++ -O0 -c $src/x.cc -o x.o", "g++ -O0 -c $src/y.cc -o y.o",
    "g++ -O2 -c $src/x.cc -o x2.o", "g++ -O2 -c $src/y.cc -o y2.o",
    "gcc -g $C -c $src/main.c -o gmain.o", "gcc -g -O1 -fcommon -c $src/lib.c -o glib.o",
    "g++ -g -O0 -c $src/x.cc -o gx.o", "g++ -g -O0 -c $src/y.cc -o gy.o",
    "gcc -fcf-protection=full $C -c $src/main.c -o cetmain.o", "gcc -fcf-protection=full $C -c $src/lib.c -o cetlib.o",
    "gcc -O1 -fcommon -c $src/commons.c -o commons.o",
    "printf '.text\\nhelper: ret\\n.globl entry_nofile\\nentry_nofile: call helper\\nret\\n' | as -o nofile.o -",
    "rm -f liblib.a && ar rcs liblib.a lib.o",
);
for my $c (@compile) {
    my $r = run(argv => ['sh', '-c', $c]);
    BAIL_OUT("$c: $r->{err}") if $r->{status};
}

my %sflag = (W => 1, A => 2, X => 4, M => 0x10, S => 0x20, I => 0x40, L => 0x80, G => 0x200, T => 0x400, E => 0x80000000);
sub sflags { my $f = 0; $f |= $sflag{$_} // 0 for split //, $_[0]; return sprintf('%#x', $f) }

sub readelf { my $r = run(argv => ['readelf', @_]); return $r->{out} }

# Sections: index => name, and the sorted "name type flags size" lines.
sub sections {
    my ($file) = @_;
    my (%name, @rows);
    for (split /\n/, readelf('-SW', $file)) {
        next unless /^\s*\[\s*(\d+)\]\s+(\S+)\s+(\S+)\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)\s+[0-9a-f]+\s+(\S*?)\s*\d+\s+\d+\s+\d+\s*$/;
        my ($i, $n, $type, $size, $flags) = ($1, $2, $3, $4, $5);
        $name{$i} = $n;
        next if $i == 0;
        push @rows, join(' ', $n, $type, sflags($flags), $n =~ /^(?:\.rela)?\.eh_frame$/ ? '-' : hex($size));
    }
    return (\%name, [sort @rows]);
}

# Symbols, sorted: "name bind type section value" (the section by name).
sub symbols {
    my ($file, $names) = @_;
    my @rows;
    for (split /\n/, readelf('-sW', $file)) {
        next unless /^\s*\d+:\s+([0-9a-f]+)\s+\d+\s+(\S+)\s+(\S+)\s+\S+\s+(\S+)\s*(\S*)/;
        my ($value, $type, $bind, $ndx, $name) = ($1, $2, $3, $4, $5);
        $ndx = $names->{$ndx} // "?$ndx" if $ndx =~ /^\d+$/;
        $name = "[$ndx]" if $type eq 'SECTION';
        push @rows, join(' ', $name, $bind, $type, $ndx, hex($value));
    }
    return [sort @rows];
}

# Relocation sections: "name count", then each entry as "offset type
# symbol+addend" (the symbol by name: the indices differ with the order
# of the symbols); R_X86_64_NONE not counted nor listed.
sub relocs {
    my ($file) = @_;
    my (%n, %e, $cur);
    for (split /\n/, readelf('-rW', $file)) {
        if (/^Relocation section '([^']+)'/) { $cur = $1; $n{$cur} //= 0; $e{$cur} = []; next }
        next unless defined $cur && /^([0-9a-f]{16})\s+[0-9a-f]+\s+(R_X86_64_\w+)\s*(.*)$/ && $2 ne 'R_X86_64_NONE';
        $n{$cur}++;
        my ($off, $type, $rest) = ($1, $2, $3);
        $rest =~ s/^[0-9a-f]+\s+//; # the symbol's value: compared with the symbols
        push @{ $e{$cur} }, "$cur $off $type $rest";
    }
    return [(map {"$_ $n{$_}"} sort keys %n), map { @{ $e{$_} } } sort keys %e];
}

sub same_tables {
    my ($what, $mine, $bfd, $mask) = @_;
    my ($kn, $ks) = sections("$tmp/$mine");
    my ($bn, $bs) = sections("$tmp/$bfd");
    is_deeply($ks, $bs, "$what: sections as ld.bfd's") or diag(join("\n", 'keel:', @$ks, 'ld.bfd:', @$bs));
    my ($ky, $by) = (symbols("$tmp/$mine", $kn), symbols("$tmp/$bfd", $bn));
    ($ky, $by) = map { [sort map { $mask->($_) } @$_] } $ky, $by if $mask;
    is_deeply($ky, $by, "$what: symbols as ld.bfd's") or diag(join("\n", 'keel:', @$ky, 'ld.bfd:', @$by));
    my ($kr, $br) = (relocs("$tmp/$mine"), relocs("$tmp/$bfd"));
    is_deeply($kr, $br, "$what: relocations as ld.bfd's (per section: count, offsets, types, symbols, addends)")
        or diag(join("\n", 'keel:', @$kr[0 .. 20], 'ld.bfd:', @$br[0 .. 20]));
}

my $elflint = have('eu-elflint');
sub elflint_clean {
    my ($what, $file) = @_;
  SKIP: {
        skip 'no eu-elflint (elfutils)', 1 unless $elflint;
        my $r = run(argv => ['eu-elflint', '--gnu-ld', $file]);
        is($r->{status}, 0, "$what: eu-elflint --gnu-ld clean") or diag($r->{out} . $r->{err});
    }
}

# Run a program: its output and status.
sub output_of { my $r = run(argv => [@_]); return status_text($r->{status}) . "\n" . $r->{out} }

# (b) the partial in a program, by ld.bfd and by keel: as the direct link.
sub programs {
    my ($what, $driver, $partial, @objects) = @_;
    my @extra = $driver eq 'gcc' ? ('-fcommon') : ();
    ok_run('direct link', $driver, '-static', @objects, '-o', "$partial.direct") or return fail("$what: direct link");
    my $want = output_of("$tmp/$partial.direct");
    ok(ok_run('ld.bfd', $driver, '-static', $partial, '-o', "$partial.bfd")
           && output_of("$tmp/$partial.bfd") eq $want, "$what: linked by ld.bfd, runs as the objects do");
    my @args = linker_args($driver, '-static', $partial, '-o', "$partial.keel");
    ok(@args && ok_run('keel link', $keel, 'link', @args) && output_of("$tmp/$partial.keel") eq $want,
       "$what: linked by keel link, runs as the objects do");
}

sub partial {
    my ($what, $out, @args) = @_;
    my $ok = ok_run("$what (keel)", $keel, 'link', '-r', @args, '-o', $out);
    ok($ok, "$what: keel link -r");
    ok(ok_run("$what (ld.bfd)", 'ld.bfd', '-r', @args, '-o', "$out.bfd"), "$what: ld.bfd -r") or return 0;
    return $ok;
}

# C: functions and data in their own sections, TLS, a common, a weak, strings
if (partial('C', 'c.o', 'main.o', 'lib.o')) {
    same_tables('C', 'c.o', 'c.o.bfd');
    elflint_clean('C', "$tmp/c.o");
    programs('C', 'gcc', 'c.o', 'main.o', 'lib.o');
    my $r = run(argv => ['readelf', '-h', "$tmp/c.o"]);
    like($r->{out}, qr/Type:\s+REL /, 'C: the output is ET_REL');
    ok(!(((stat "$tmp/c.o")[2]) & 0111), 'C: the object is not executable (as ld.bfd -r leaves it)');
}

# debugging sections concatenated, with their relocations
if (partial('C -g', 'cg.o', 'gmain.o', 'glib.o')) {
    same_tables('C -g', 'cg.o', 'cg.o.bfd');
    elflint_clean('C -g', "$tmp/cg.o");
    programs('C -g', 'gcc', 'cg.o', 'gmain.o', 'glib.o');
}

# -x, -X, -S: the locals and debugging sections ld.bfd -r leaves (a local
# left out is its section's symbol plus its value in a relocation; one a
# relocation uses in a mergeable section stays)
for my $o ('-x', '-X', '-S') {
    next unless partial("C -g $o", "cg$o.o", $o, 'gmain.o', 'glib.o');
    same_tables("C -g $o", "cg$o.o", "cg$o.o.bfd");
    elflint_clean("C -g $o", "$tmp/cg$o.o");
    programs("C -g $o", 'gcc', "cg$o.o", 'gmain.o', 'glib.o');
}

# C++: COMDAT groups kept once, exceptions (.eh_frame, .gcc_except_table);
# with -g, the debugging references to a dropped copy go to the kept one
for my $opt (['-O0', 'x.o', 'y.o'], ['-O2', 'x2.o', 'y2.o'], ['-g', 'gx.o', 'gy.o']) {
    my ($o, @objs) = @$opt;
    next unless partial("C++ $o", "cc$o.o", @objs);
    same_tables("C++ $o", "cc$o.o", "cc$o.o.bfd");
    my $groups = () = readelf('-gW', "$tmp/cc$o.o") =~ /COMDAT group section/g;
    my $bfd_groups = () = readelf('-gW', "$tmp/cc$o.o.bfd") =~ /COMDAT group section/g;
    ok($groups > 0 && $groups == $bfd_groups, "C++ $o: $groups COMDAT groups, as ld.bfd's $bfd_groups");
    # by name: the section indices differ with the order of the sections
    is(readelf('-gW', "$tmp/cc$o.o") =~ s/\[\s*\d+\]//gr =~ s/\s+/ /gr,
       readelf('-gW', "$tmp/cc$o.o.bfd") =~ s/\[\s*\d+\]//gr =~ s/\s+/ /gr,
       "C++ $o: the groups' signatures and members as ld.bfd's");
    elflint_clean("C++ $o", "$tmp/cc$o.o");
    programs("C++ $o", 'g++', "cc$o.o", @objs);
}

# .note.gnu.property merged as for an executable: both inputs' IBT and
# SHSTK, and none when an input lacks them
for my $case (['properties', 'cetmain.o', 'cetlib.o'], ['properties, one input without', 'cetmain.o', 'lib.o']) {
    my ($what, @objs) = @$case;
    next unless partial($what, "$objs[1].p.o", @objs);
    same_tables($what, "$objs[1].p.o", "$objs[1].p.o.bfd");
    is(readelf('-nW', "$tmp/$objs[1].p.o") =~ s/^File:.*$//mr, readelf('-nW', "$tmp/$objs[1].p.o.bfd") =~ s/^File:.*$//mr,
       "$what: the notes as ld.bfd's");
    elflint_clean($what, "$tmp/$objs[1].p.o");
}

# -d: the commons allocated in .bss, in ld.bfd's order and places
# (their order is ld.bfd's hash table's, which keel does not copy: the
# values of the commons are not compared, but each must sit at its
# alignment, apart from the others, inside .bss), and the partial runs
my %common_align = (c_int => 4, c_double => 8, c_chars => 1, c_longs => 32, c_one => 1, shared_common => 4);
for my $o ('-d', '-dc', '-dp') {
    next unless partial("commons $o", "commons$o.o", $o, 'commons.o', 'main.o', 'lib.o');
    same_tables("commons $o", "commons$o.o", "commons$o.o.bfd",
                sub { my $r = shift; $r =~ s/ \d+$/ -/ if $r =~ /^(\w+) / && $common_align{$1}; $r });
    my ($names) = sections("$tmp/commons$o.o");
    my ($bss) = grep { $names->{$_} eq '.bss' } keys %$names;
    my $bss_size = (map { /^\.bss NOBITS \S+ (\d+)/ ? $1 : () } @{ (sections("$tmp/commons$o.o"))[1] })[0];
    my (@places, $bad);
    for (split /\n/, readelf('-sW', "$tmp/commons$o.o")) {
        next unless /^\s*\d+:\s+([0-9a-f]+)\s+(\d+)\s+OBJECT\s+GLOBAL\s+\S+\s+(\d+)\s+(\w+)/ && $common_align{$4};
        my ($v, $size, $ndx, $name) = (hex($1), $2, $3, $4);
        $bad .= "$name not in .bss; " if $ndx != $bss;
        $bad .= "$name at $v, not $common_align{$name}-aligned; " if $v % $common_align{$name};
        $bad .= "$name past .bss; " if $v + $size > $bss_size;
        push @places, [$v, $v + $size, $name];
    }
    @places = sort { $a->[0] <=> $b->[0] } @places;
    for my $i (1 .. $#places) {
        $bad .= "$places[$i][2] overlaps $places[$i - 1][2]; " if $places[$i][0] < $places[$i - 1][1];
    }
    ok(@places == keys %common_align && !$bad, "commons $o: each allocated in .bss at its alignment, apart")
        or diag($bad // scalar(@places) . ' commons found');
    elflint_clean("commons $o", "$tmp/commons$o.o");
}
ok(ok_run('keel', $keel, 'link', '-r', '-d', 'main.o', 'lib.o', '-o', 'dml.o'), '-d: keel link -r -d main.o lib.o')
    and programs('-d', 'gcc', 'dml.o', 'main.o', 'lib.o');

# an object with locals and no FILE symbol: ld.bfd gives them one, the
# object's name
if (partial('no FILE symbol', 'nf.o', 'nofile.o', 'main.o')) {
    same_tables('no FILE symbol', 'nf.o', 'nf.o.bfd');
    elflint_clean('no FILE symbol', "$tmp/nf.o");
}

# static Python's archive whole (1297 objects): the same tables, and the
# partial runs Python
my $py = '/usr/lib/x86_64-linux-gnu/libpython3.11.a';
SKIP: {
    skip "no $py (libpython3.11-dev)", 5 unless -e $py;
    last SKIP unless partial('libpython', 'py.o', '--whole-archive', $py);
    same_tables('libpython', 'py.o', 'py.o.bfd');
    my $r = run(argv => ['sh', '-c', "printf 'extern int Py_BytesMain(int, char **);\\nint main(int c, char **v) { return Py_BytesMain(c, v); }\\n' > pymain.c && gcc -O2 -c pymain.c -o pymain.o && gcc -static pymain.o py.o -lexpat -lz -lm -lutil -o py"]);
    is(output_of("$tmp/py", '-c', 'print(sum(range(10)))'), "exit 0\n45\n", 'libpython: the partial linked by ld.bfd runs Python')
        or diag($r->{err});
}

# an archive member taken for an undefined symbol, and -u
if (partial('archive', 'ar.o', 'main.o', 'liblib.a')) {
    same_tables('archive', 'ar.o', 'ar.o.bfd');
    programs('archive', 'gcc', 'ar.o', 'main.o', 'lib.o');
}
if (partial('-u', 'u.o', '-u', 'not_in_any_input', 'main.o')) {
    same_tables('-u', 'u.o', 'u.o.bfd');
    elflint_clean('-u', "$tmp/u.o");
}

# (d) a partial of partials
if (partial('partial main', 'p1.o', 'main.o') && partial('partial lib', 'p2.o', 'lib.o')) {
    my $ok = ok_run('keel', $keel, 'link', '-r', 'p1.o', 'p2.o', '-o', 'pp.o');
    ok($ok, 'partial of partials: keel link -r');
    ok_run('ld.bfd', 'ld.bfd', '-r', 'p1.o.bfd', 'p2.o.bfd', '-o', 'pp.o.bfd');
    if ($ok) {
        same_tables('partial of partials', 'pp.o', 'pp.o.bfd');
        elflint_clean('partial of partials', "$tmp/pp.o");
        programs('partial of partials', 'gcc', 'pp.o', 'main.o', 'lib.o');
    }
}
if (partial('C++ partials', 'px.o', 'x.o') && partial('C++ partials', 'py.o', 'y.o')) {
    ok(ok_run('keel', $keel, 'link', '-r', 'px.o', 'py.o', '-o', 'ppx.o'), 'C++ partial of partials: keel link -r')
        and programs('C++ partial of partials', 'g++', 'ppx.o', 'x.o', 'y.o');
}

# (c) keel run loads the partial and runs main
{
    my $ok = ok_run('keel', $keel, 'link', '-r', 'pmain.o', 'plib.o', '-o', 'run.o');
    ok($ok, 'keel run: the -fPIC partial made');
    ok_run('direct', 'gcc', '-fcommon', 'pmain.o', 'plib.o', '-o', 'run.direct');
    my $r = run(argv => [$keel, 'run', 'run.o']);
    is(status_text($r->{status}) . "\n" . $r->{out}, output_of("$tmp/run.direct"), 'keel run: runs main as the program does')
        or diag($r->{err});
}

# the refusals, in plain words, and no output
for my $case (
    [['-shared'], qr/shared/], [['-pie'], qr/position-independent|pie/],
    [['--gc-sections'], qr/--gc-sections requires a defined symbol root specified by -e or -u/],
    [['--defsym', 'x=1'], qr/--defsym with -r \(relocatable output\) is not supported yet/],
) {
    my ($args, $re) = @$case;
    unlink "$tmp/refused.o";
    my $r = run(argv => [$keel, 'link', '-r', @$args, 'main.o', '-o', 'refused.o']);
    ok($r->{status} != 0 && $r->{err} =~ $re && !-e "$tmp/refused.o", "-r @$args: refused plainly, no output")
        or diag($r->{err});
}

# a relocation past its section's end: an error naming it, no output
{
    my ($names) = sections("$tmp/main.o");
    my $d = slurp("$tmp/main.o");
    my ($shoff) = unpack('Q<', substr($d, 0x28, 8));
    my ($idx) = grep { $names->{$_} eq '.rela.text.main' } keys %$names;
    my ($off) = unpack('Q<', substr($d, $shoff + $idx * 64 + 0x18, 8));
    substr($d, $off, 8) = pack('Q<', 0x7fff0000); # the first entry's r_offset
    open(my $fh, '>:raw', "$tmp/badrel.o") or die;
    print $fh $d;
    close $fh;
    unlink "$tmp/bad.o";
    my $r = run(argv => [$keel, 'link', '-r', 'badrel.o', '-o', 'bad.o']);
    ok($r->{status} != 0 && $r->{err} =~ /badrel\.o: relocation 0 in section $idx: offset 0x7fff0000 is out of range/ &&
       !-e "$tmp/bad.o", 'a relocation past its section: refused, no output') or diag($r->{err});
}

done_testing();
