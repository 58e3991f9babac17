#!/usr/bin/perl
# keel as the system linker for real projects (Debian's sources of zlib,
# jansson, libyaml, expat, lua5.4 built with CC="gcc -B DIR", DIR/ld ->
# keel, and their own test suites run), reduced to small cases, each
# against ld.bfd's answer to the same question.  Defects found (each
# check failed before its fix):
#   - libtool's configure asks `$LD --help` for ": supported targets:.*
#     elf" before it lets the linker make shared libraries; keel's --help
#     had no such line, so every libtool project (jansson, libyaml, expat)
#     quietly built static libraries only, and its test suite passed on
#     them.
#   - libtool reads GNU ld's version from `ld -v` and took keel's "0.1.0"
#     for a GNU ld older than 2.11, which cannot take version scripts: a
#     library built with -export-symbols(-regex) (jansson) exported every
#     global, its internal hashtable_*, jsonp_*, utf8_* too.
#   - a shared library's reference to NAME, which NAME@@VER defines (an
#     assembler .symver, as xz's liblzma gives its functions their default
#     version), was bound to the definition at link time: ld.bfd binds it
#     as NAME@@VER, through the PLT or GOT by symbol, so that a program's
#     NAME interposes it.
#   - a shared object's .symtab had its hidden and internal symbols, and
#     those a version script makes local, GLOBAL: ld.bfd writes them
#     LOCAL with default visibility among the locals (the gABI: a hidden
#     symbol is removed or made local when an object is linked).
# Not fixed (TODO below): a dynamic output's .symtab lacks what ld.bfd
# writes there besides the inputs' definitions: the imports, undefined
# (puts@GLIBC_2.2.5; `nm -u` lists none of keel's), the version nodes'
# absolute symbols and _DYNAMIC/_GLOBAL_OFFSET_TABLE_/__bss_start/_end/
# _edata/__GNU_EH_FRAME_HDR; symtab.c writes only defined globals, and
# the imports' version names are version_need.c's (static there).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Programs qw(have slurp);
use KeelTest qw(keel_setup run test_env);

my ($build, $keel, $tmp) = keel_setup('review13', need => ['ld.bfd (binutils)', 'gcc', 'readelf']);
my $src = "$FindBin::Bin/progs/review13";
mkdir "$tmp/bin" or die "$tmp/bin: $!";
symlink($keel, "$tmp/bin/ld") or die "$tmp/bin/ld: $!";

# libtool.m4's test (_LT_LINKER_SHLIBS, linux with GNU ld): the pattern is
# read from the installed libtool.m4 when there is one, so that the test
# follows libtool's own words.
{
    my $pattern = ': supported targets:.* elf';
    my $m4 = slurp('/usr/share/aclocal/libtool.m4');
    $pattern = $1 if $m4 =~ /\$LD --help 2>&1 \| \$E?GREP '([^']*supported targets[^']*)'/;
    my $bfd = run(argv => ['ld.bfd', '--help']);
    my $k = run(argv => ["$tmp/bin/ld", '--help']);
    ok(($bfd->{out} . $bfd->{err}) =~ /$pattern/, "ld.bfd --help matches libtool's '$pattern'");
    ok(($k->{out} . $k->{err}) =~ /$pattern/ && $k->{status} == 0,
       "keel's --help matches libtool's '$pattern': libtool builds shared libraries with it");
}

# libtool.m4's supports_anon_versioning (the `case` of `$LD -v`), run as
# libtool runs it, for ld.bfd and for keel.
SKIP: {
    my $m4 = slurp('/usr/share/aclocal/libtool.m4');
    my ($case) = $m4 =~ /^(\s*supports_anon_versioning=no\n.*?\n\s*esac)\n/ms;
    skip 'no /usr/share/aclocal/libtool.m4 (Debian package libtool) to read its test from', 2 unless $case;
    $case =~ s/\[\[/[/g;
    $case =~ s/\]\]/]/g; # m4's quotes
    for my $ld (['ld.bfd', 'ld.bfd'], ["$tmp/bin/ld", 'keel']) {
        my $r = run(argv => ['/bin/sh', '-c', "LD='$ld->[0]'; SED=sed; $case\necho \$supports_anon_versioning"]);
        is($r->{out}, "yes\n", "libtool thinks $ld->[1] takes version scripts (its supports_anon_versioning)");
    }
}

# Builds a project with each linker, in directories of its own; returns
# {bfd => DIR, keel => DIR}, or undef (and says why) when one fails.
my $nproj = 0;
sub build_both {
    my ($name, @steps) = @_;
    my %dir;
    for my $ld ('bfd', 'keel') {
        my $d = $dir{$ld} = "$tmp/p" . $nproj . $ld;
        mkdir $d or die "$d: $!";
        my $opt = $ld eq 'bfd' ? '-fuse-ld=bfd' : "-B$tmp/bin";
        for my $step (@steps) {
            my $cmd = $step =~ s/\@LD\@/$opt/gr;
            my $r = run(argv => ['/bin/sh', '-c', "cd $d && $cmd"]);
            next unless $r->{status};
            diag("$name: $ld: $cmd: $r->{err}");
            return undef;
        }
    }
    $nproj++;
    return \%dir;
}

# The program's output and status, lazily and with LD_BIND_NOW=1.
sub runs {
    my ($d, @argv) = @_;
    my $out = '';
    for my $now (0, 1) {
        my $r = run(argv => ["$d/$argv[0]", @argv[1 .. $#argv]],
                    env => { test_env(), LD_LIBRARY_PATH => $d, ($now ? (LD_BIND_NOW => 1) : ()) });
        $out .= "status $r->{status}\n$r->{out}$r->{err}";
    }
    return $out;
}

# The dynamic relocations' types and symbols, sorted (not their places).
sub dynrels {
    my ($f) = @_;
    my $r = run(argv => ['readelf', '-rW', $f]);
    return join "\n", sort map { /^[0-9a-f]+\s+[0-9a-f]+\s+(R_\S+)\s+(?:[0-9a-f]+\s+(\S+))?/ ? "$1 " . ($2 // '') : () }
        split /\n/, $r->{out};
}

{
    my $name = 'a library\'s reference to NAME that NAME@@VER defines';
    my $d = build_both($name,
        "gcc \@LD\@ -O1 -fPIC -shared $src/symver_def.c $src/symver_use.c -o libsv.so -Wl,--version-script=$src/symver.map",
        "gcc \@LD\@ $src/symver_main.c -o m -L. -lsv");
    SKIP: {
        skip "$name: not built (said above)", 2 unless $d;
        is(runs($d->{keel}, 'm'), runs($d->{bfd}, 'm'), "$name: the program's foo and var interpose it, as with ld.bfd");
        is(dynrels("$d->{keel}/libsv.so"), dynrels("$d->{bfd}/libsv.so"),
           "$name: its dynamic relocations are ld.bfd's (by foo\@\@V1 and var\@\@V1)");
    }
}

# .symtab's defined symbols other than sections and files, as
# "NAME BIND VIS" lines, for the names both linkers write.
sub symtab_bindings {
    my ($f) = @_;
    my $out = run(argv => ['readelf', '-sW', $f])->{out};
    $out =~ s/.*?Symbol table '\.symtab'//s or return {};
    my %b;
    for (split /\n/, $out) {
        my @w = split ' ';
        next unless @w == 8 && $w[0] =~ /^\d+:$/ && $w[6] ne 'UND' && $w[3] !~ /^(?:SECTION|FILE)$/;
        $b{$w[7]} = "$w[4] $w[5]";
    }
    return \%b;
}

{
    my $name = 'a shared object\'s hidden, internal and version-script local symbols';
    my $d = build_both($name,
        "gcc \@LD\@ -O1 -fPIC -shared $src/forced_local.c -o libfl.so -Wl,--version-script=$src/forced_local.map",
        "gcc \@LD\@ -O1 -fPIC -shared $src/symver_def.c $src/symver_use.c -o libsv.so -Wl,--version-script=$src/symver.map");
    SKIP: {
        skip "$name: not built (said above)", 2 unless $d;
        for my $lib ('libfl.so', 'libsv.so') {
            my ($k, $b) = (symtab_bindings("$d->{keel}/$lib"), symtab_bindings("$d->{bfd}/$lib"));
            my @both = sort grep { exists $k->{$_} } keys %$b;
            is(join("\n", map { "$_ $k->{$_}" } @both), join("\n", map { "$_ $b->{$_}" } @both),
               "$name: $lib\'s .symtab binds them as ld.bfd's (" . scalar(@both) . ' symbols)');
        }
    }
}

# The undefined symbols of .symtab (nm -u), as ld.bfd writes them.
{
    my $name = 'a PIE\'s imports in .symtab';
    my $d = build_both($name, "gcc \@LD\@ $src/hello.c -o m");
    SKIP: {
        skip "$name: not built (said above)", 1 unless $d;
        my @u = map { join "\n", sort grep { length } split /\n/, run(argv => ['nm', '-u', "$d->{$_}/m"])->{out} } 'keel', 'bfd';
        local $TODO = 'symtab.c writes no undefined global (see the head of this file)';
        is($u[0], $u[1], "$name: nm -u lists them as in ld.bfd's");
    }
}

done_testing();
