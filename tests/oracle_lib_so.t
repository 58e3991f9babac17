#!/usr/bin/perl
# keel info against readelf on every ELF file of one kind (shared objects) under the
# system library directory.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Oracle qw(find_files check_files);

my @files = grep { Oracle::is_elf($_) == 1 }
    (find_files('/usr/lib/x86_64-linux-gnu', qr{\.so(\.[0-9.]+)?$}));
plan skip_all => 'none found' unless @files;
plan tests => scalar @files;
check_files(\@files, batch => 30);
diag("compared " . scalar(@files) . " shared objects against readelf");
