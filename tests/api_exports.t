#!/usr/bin/perl
# libkeel.so exports the public API and nothing else (issue 12, item 7):
# its dynamic symbol table, read by nm -D, against the functions that
# include/keel/*.h declare.  An internal name (lk_, rl_, ka_, kl_, kd_...)
# exported would be one a client could bind to and that every change
# of the library could break; a public one not exported would fail only
# when a client of the shared library links.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Programs qw(slurp have);

my $root = "$FindBin::Bin/..";
my $build = $ENV{KEEL_BUILD} // "$root/build";
my $so = "$build/libkeel.so";
plan skip_all => "no $so (make builds it)" unless -f $so;
plan skip_all => 'no nm (binutils)' unless have('nm');

# What the public headers declare: each declaration (comments and
# preprocessor lines out) that is not a typedef, struct or enum and names
# a keel_ function.
my %declared;
for my $h (glob("$root/include/keel/*.h")) {
    my $text = slurp($h);
    $text =~ s{/\*.*?\*/|//[^\n]*}{ }gs;
    $text =~ s{^\s*#[^\n]*}{}mg;
    $text =~ s/extern\s+"C"\s*\{//g;
    # struct, union and enum bodies hold members, not functions
    1 while $text =~ s/\b(?:struct|union|enum)\b[^;{}]*\{[^{}]*\}/ /gs;
    for my $decl (split /[;{}]/, $text) {
        next if $decl =~ /^\s*(?:typedef|static)\b/; # types; inline functions are the client's
        my ($name) = $decl =~ /\b(keel_\w+)\s*\(/ or next;
        $declared{$name} = $h =~ s{.*/}{}r;
    }
}
cmp_ok(scalar(keys %declared), '>', 50, scalar(keys %declared) . ' functions declared in include/keel/*.h');

my @nm = `nm -D --defined-only '$so'`;
is($?, 0, 'nm -D reads libkeel.so');
my %exported;
for (@nm) {
    my ($type, $name) = /^\S*\s+(\S)\s+(\S+)$/ or next;
    $name =~ s/@.*//;
    $exported{$name} = $type;
}
my @foreign = sort grep { !$declared{$_} } keys %exported;
ok(!@foreign, 'libkeel.so exports no name the public headers do not declare')
    or diag(scalar(@foreign) . " more: @foreign");
my @missing = sort grep { !$exported{$_} } keys %declared;
ok(!@missing, 'libkeel.so exports every function the public headers declare')
    or diag(join("\n", map { "$_ ($declared{$_})" } @missing));
my @notext = sort grep { $exported{$_} !~ /^[TtWi]$/ } grep { $declared{$_} } keys %exported;
ok(!@notext, 'every exported name is a function') or diag("@notext");
done_testing();
