#!/usr/bin/perl
# keel info against readelf on every member of every static library on the
# machine: glibc's libc.a, Debian's -dev archives, Python's libpython.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Oracle qw(find_files check_files);

my @files = grep { Oracle::is_elf($_) == 2 }
    (find_files('/usr/lib/x86_64-linux-gnu', qr{\.a$}), find_files('/usr/lib/python3.11', qr{\.a$}),
     glob('/usr/lib/gcc/x86_64-linux-gnu/*/*.a'));
plan skip_all => 'no archives found' unless @files;
plan tests => scalar @files;
my $n = check_files(\@files, batch => 8);
diag("compared $n archive members in " . scalar(@files) . " archives against readelf");
