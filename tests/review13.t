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

done_testing();
