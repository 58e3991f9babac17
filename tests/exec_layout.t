#!/usr/bin/perl
# keel exec --layout (the interpreter's record-only client) against readelf:
# for every ELF executable and shared object in /usr/bin and the system
# library directory, the pieces the interpreter directs must be the PT_LOAD,
# PT_TLS and PT_NOTE segments readelf lists, and the info must agree with
# readelf's entry point, interpreter, PT_PHDR, PT_GNU_STACK, PT_GNU_RELRO
# and build ID.  A load bias must move every address and nothing else.
use strict;
use warnings;
no warnings "portable"; # 64-bit addresses through hex()
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Oracle qw(elf_files);

my $keel = Oracle::keel_bin();
my @files = grep { my $t = elf_type($_); $t == 2 || $t == 3 }
    elf_files(globs => ['/usr/bin/*', '/usr/lib/x86_64-linux-gnu/*.so*', '/usr/lib/x86_64-linux-gnu/*/*.so*'], kind => 'elf');
# Executables /usr/bin lacks: static ones (glibc and musl), static PIEs, and
# ELF32 i386 (gcc -m32), built here.
my $dir = ($ENV{KEEL_BUILD} || 'build') . '/t/exec';
system("mkdir -p $dir") == 0 or die;
open(my $src, '>', "$dir/h.c") or die;
print $src "#include <stdio.h>\n__thread int t = 1;\nint main(void) { return printf(\"%d\\n\", t) < 0; }\n";
close $src;
my @generated = (['gcc -static', 'static'], ['gcc -static-pie', 'static-pie'], ['gcc -m32 -static', 'static-32'],
                 ['gcc -m32 -static-pie', 'static-pie-32'], ['gcc -m32', 'dynamic-32'], ['musl-gcc -static', 'musl-static'],
                 ['clang -static-pie', 'clang-static-pie']);
for (@generated) {
    my ($cc, $name) = @$_;
    if (system("$cc -O2 -o $dir/$name $dir/h.c >/dev/null 2>&1") == 0) { push @files, "$dir/$name" }
    else { diag("skipped $name: '$cc' cannot build it here (gcc-multilib or musl-tools missing?)") }
}
plan skip_all => 'no executables found' unless @files;
plan tests => @files + 3;

sub elf_type {
    open(my $fh, '<:raw', $_[0]) or return 0;
    read($fh, my $h, 18) == 18 or return 0;
    return unpack(substr($h, 5, 1) eq "\x02" ? 'n' : 'v', substr($h, 16, 2));
}

# What readelf says, in the terms of the interpreter's callbacks.
sub from_readelf {
    my ($text, $bias) = @_;
    my %r = (pieces => [], interp => '(none)', stack => '(no PT_GNU_STACK)', relro => '(none)',
             tls => '(none)', buildid => '(none)', phdr => undef);
    my $hex = sub { sprintf '0x%x', hex($_[0]) + ($_[1] ? $bias : 0) };
    for (split /\n/, $text) {
        if (/^\s*Entry point(?: address:)?\s+(0x[0-9a-f]+)/) { $r{entry} = $hex->($1, 1) }
        elsif (/Requesting program interpreter: (.*)\]/) { $r{interp} = $1 }
        elsif (/Build ID: ([0-9a-f]+)/) { $r{buildid} = $1 if $r{buildid} eq '(none)' }
        elsif (/^\s+(LOAD|TLS|NOTE|PHDR|GNU_STACK|GNU_RELRO)\s+0x(\S+) 0x(\S+) 0x\S+ 0x(\S+) 0x(\S+) (.{3}) /) {
            my ($t, $off, $va, $fs, $ms, $fl) = ($1, hex $2, hex $3, hex $4, hex $5, $6);
            my $prot = ($fl =~ /R/ ? 'R' : '-') . ($fl =~ /W/ ? 'W' : '-') . ($fl =~ /E/ ? 'X' : '-');
            if ($t eq 'LOAD' && $ms) {
                push @{ $r{pieces} }, sprintf('%x %x %x %x %s ALLOC%s', $off, $fs, $va + $bias, $ms, $prot, $fs ? ' LOAD' : '');
            } elsif ($t eq 'TLS') {
                push @{ $r{pieces} }, sprintf('%x %x %x %x %s TLS', $off, $fs, $va + $bias, $ms, $prot);
                $r{tls} = sprintf('0x%x file 0x%x mem 0x%x', $va + $bias, $fs, $ms);
            } elsif ($t eq 'NOTE') {
                push @{ $r{pieces} }, sprintf('%x %x 0 0 --- NOTE', $off, $fs);
            } elsif ($t eq 'PHDR') {
                $r{phdr} = sprintf('0x%x', $va + $bias);
            } elsif ($t eq 'GNU_STACK') {
                $r{stack} = $fl =~ /E/ ? 'executable' : 'not executable';
            } elsif ($t eq 'GNU_RELRO') {
                $r{relro} = sprintf('0x%x-0x%x', $va + $bias, $va + $bias + $ms);
            }
        }
    }
    return \%r;
}

sub from_keel {
    my ($text) = @_;
    my %k = (pieces => []);
    for (split /\n/, $text) {
        if (/^  file 0x(\S+) \+0x(\S+)  mem 0x(\S+) \+0x(\S+)  (...)((?: \w+)*)$/) {
            my $kinds = $6;
            next if $kinds =~ /DEBUG/;
            push @{ $k{pieces} }, sprintf('%x %x %x %x %s%s', hex $1, hex $2, hex $3, hex $4, $5, $kinds);
        }
        elsif (/^  entry\s+(\S+)/) { $k{entry} = $1 }
        elsif (/^  interpreter (.*)$/) { $k{interp} = $1 }
        elsif (/^  stack\s+(.*)$/) { $k{stack} = $1 }
        elsif (/^  relro\s+(.*)$/) { $k{relro} = $1 }
        elsif (/^  tls\s+(\S+ file \S+ mem \S+|\(none\))/) { $k{tls} = $1 }
        elsif (/^  build-id\s+(\S+)/) { $k{buildid} = $1 }
        elsif (/^  phdr\s+(\S+)/) { $k{phdr} = $1 }
    }
    return \%k;
}

sub compare {
    my ($f, $r, $k) = @_;
    my @d;
    push @d, "pieces: readelf [@{ $r->{pieces} }] keel [@{ $k->{pieces} }]"
        unless "@{ $r->{pieces} }" eq "@{ $k->{pieces} }";
    for my $f (qw(entry interp stack relro tls buildid)) {
        push @d, "$f: readelf '" . ($r->{$f} // '') . "' keel '" . ($k->{$f} // '') . "'"
            if ($r->{$f} // '') ne ($k->{$f} // '');
    }
    push @d, "phdr: readelf PT_PHDR $r->{phdr}, keel $k->{phdr}" if defined $r->{phdr} && $r->{phdr} ne ($k->{phdr} // '');
    return @d;
}

for my $f (@files) {
    my $q = quotemeta $f;
    my $r = from_readelf(scalar `readelf -W -l -h -n $q 2>/dev/null`, 0);
    my $out = `$keel exec --layout $q 2>&1`;
    my @d = $? ? ("keel exec failed: $out") : compare($f, $r, from_keel($out));
    ok(!@d, $f) or diag(join "\n", @d[0 .. ($#d < 5 ? $#d : 5)]);
}

# A PIE at a bias: every address moves by the bias.
my $bias = 0x555555554000;
for my $f ('/usr/bin/ls', '/usr/lib/x86_64-linux-gnu/libc.so.6') {
    my $r = from_readelf(scalar `readelf -W -l -h -n $f 2>/dev/null`, $bias);
    my $out = `$keel exec --layout --bias $bias $f 2>&1`;
    my @d = compare($f, $r, from_keel($out));
    ok(!@d, "$f at load bias 0x555555554000") or diag(join "\n", @d);
}
# Debug pieces: an unstripped program reports its symbol and string tables
# and its DWARF sections, and nothing it does not have.
system("printf 'int main(void){return 0;}\\n' > $dir/m.c && cc -g -o $dir/m $dir/m.c") == 0 or die;
my $out = `$keel exec --layout $dir/m`;
my @want;
for (split /\n/, `readelf -SW $dir/m`) {
    next unless /^\s*\[\s*\d+\]\s+(\S+)\s+(\S+)\s+\S+\s+(\S+)\s+(\S+)\s+\S+\s+(\S*)\s+\d+/;
    my ($name, $type, $off, $size, $flags) = ($1, $2, $3, $4, $5);
    next if $flags =~ /A/ || $name eq '.shstrtab';
    push @want, sprintf('%x %x', hex $off, hex $size)
        if $type eq 'SYMTAB' || $type eq 'STRTAB' || $name =~ /^\.debug_/;
}
my @got = map { /^  file 0x(\S+) \+0x(\S+) .* DEBUG/ ? sprintf('%x %x', hex $1, hex $2) : () } split /\n/, $out;
ok(@want >= 4 && "@got" eq "@want", 'an unstripped program: .symtab, .strtab and .debug_* reported as DEBUG pieces')
    or diag("readelf: @want\nkeel:    @got");
