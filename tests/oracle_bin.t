#!/usr/bin/perl
# keel info against readelf on every ELF executable in /usr/bin.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Oracle qw(elf_files check_files);

my @files = elf_files(globs => ['/usr/bin/*'], kind => 'elf');
plan skip_all => 'no ELF files in /usr/bin' unless @files;
plan tests => scalar @files;
my $n = check_files(\@files);
diag("compared " . scalar(@files) . " files from /usr/bin against readelf");
