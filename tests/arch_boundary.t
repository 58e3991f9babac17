#!/usr/bin/perl
# lib/arch is the only home of machine knowledge (docs/design.md,
# "Targets"): no C or assembly file of lib/ or tools/ outside lib/arch
#   - names an R_X86_64_* relocation or EM_X86_64;
#   - uses 62 as a machine number (compared with or stored into a
#     machine field, an e_machine at offset 18, a machine argument);
#   - picks the x86-64 target by name (ka_arch_x86_64) instead of asking
#     ka_arch_for(e_machine);
#   - writes x86 instruction bytes: a run of byte constants (0xNN in an
#     initializer or in consecutive indexed stores, "\xNN" escapes in a
#     string) holding an opcode sequence -- jmp/call through memory
#     (ff 25, ff 15), syscall (0f 05), long nop (0f 1f), addr32 call
#     (67 e8), xchg %ax,%ax (66 90), REX.W mov/lea/mov-imm (48 8b, 48 8d,
#     48 c7), %fs:0 load (64 48 8b), int3 padding (cc cc, or a memset
#     with 0xcc).
# Comments are not code: they are removed before the checks.
#
# The exceptions, and why:
#   lib/elf/names.c      the reader's name tables: turning EM_X86_64 and
#                        R_X86_64_* numbers into names is its job, for
#                        every machine, and the targets' unit test checks
#                        the targets against it
#   tools/info*.c        keel info prints machine-specific names and flags
#                        (SHN_X86_64_LCOMMON) of any file, not only of
#                        machines keel has a target for
#   tools/exec_clients.h the host's own machine for keel exec, picked by
#                        the compiler's predefined macros (one line per
#                        host): a fact of the build, not of a target
use strict;
use warnings;
use FindBin;
use File::Find;
use Test::More;

my $root = "$FindBin::Bin/..";
my %exception = map { $_ => 1 } qw(lib/elf/names.c tools/exec_clients.h);
sub excepted { my ($f) = @_; return $exception{$f} || $f =~ m{^tools/info[^/]*\.c$} }

my @files;
find(sub {
    return unless -f && /\.(?:c|h|S|s)$/;
    my $rel = $File::Find::name =~ s{^\Q$root\E/}{}r;
    push @files, $rel;
}, "$root/lib", "$root/tools");
@files = sort grep { !m{^lib/arch/} } @files;
ok(@files > 20, scalar(@files) . ' files of lib/ and tools/ outside lib/arch to check');

# Comments out (kept line numbers), strings kept: a message or a byte
# string naming a relocation counts.
sub code_of {
    my ($text) = @_;
    $text =~ s{("(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')|(/\*.*?\*/|//[^\n]*)}{
        defined $1 ? $1 : "\n" x ($2 =~ tr/\n//)
    }gse;
    return $text;
}

my @opcodes = ('ff 25', 'ff 15', '0f 05', '0f 1f', '67 e8', '66 90', '48 8b', '48 8d', '48 c7', '64 48 8b', 'cc cc');

# Runs of byte constants: each constant with the text before it; a run
# goes on while only separators (commas, braces, quotes, whitespace, or a
# ";" and the next indexed store "p[1] =") lie between two constants.
sub byte_runs {
    my ($code) = @_;
    my @runs;
    my ($run, $last_end, $line) = (undef, 0, 1);
    while ($code =~ /(?<![\w.])0[xX]([0-9a-fA-F]{1,2})(?![0-9a-fA-F\w.])|\\x([0-9a-fA-F]{2})/g) {
        my ($hex, $start, $end) = (lc($1 // $2), $-[0], $+[0]);
        my $between = substr($code, $last_end, $start - $last_end);
        my $joins = defined $run && $between =~ /^(?:[\s,{}"]*|\s*;\s*[\w>.-]+\s*\[[^\]\n]*\]\s*=\s*)$/;
        $line += (substr($code, $last_end, $start - $last_end) =~ tr/\n//);
        if ($joins) {
            push @{$run->{bytes}}, (length $hex == 1 ? "0$hex" : $hex);
        } else {
            push @runs, $run if $run;
            $run = {line => $line, bytes => [(length $hex == 1 ? "0$hex" : $hex)]};
        }
        $last_end = $end;
    }
    push @runs, $run if $run;
    return @runs;
}

my @found;
for my $f (@files) {
    next if excepted($f);
    open my $fh, '<', "$root/$f" or die "$f: $!";
    my $code = code_of(do { local $/; <$fh> });
    close $fh;
    my @lines = split /\n/, $code, -1;
    for my $i (0 .. $#lines) {
        my $l = $lines[$i];
        my $at = "$f:" . ($i + 1);
        push @found, "$at: names $1" if $l =~ /\b(R_X86_64_\w+|EM_X86_64)\b/;
        push @found, "$at: picks the x86-64 target by name" if $l =~ /\bka_arch_x86_64\b/;
        push @found, "$at: 62 as a machine number"
            if $l =~ /\b62\b/ && $l =~ /machine|\bEM_|\+\s*18\s*,|reloc_type_name/i;
        push @found, "$at: int3 padding (memset with 0xcc)" if $l =~ /memset\s*\([^;]*,\s*0xcc\b/i;
    }
    for my $run (byte_runs($code)) {
        my $seq = join ' ', @{$run->{bytes}};
        for my $op (@opcodes) {
            if (" $seq " =~ / \Q$op\E /) {
                push @found, "$f:$run->{line}: x86 instruction bytes ($op in: $seq)";
                last;
            }
        }
    }
}
is(scalar(@found), 0, 'no machine knowledge outside lib/arch') or diag(join "\n", @found);

# The check finds what it is for (a file written here, never in the tree).
my $probe = code_of(<<'EOF');
static const unsigned char stub[] = {0xff, 0x25, 0x00, 0x00};
/* R_X86_64_PC32 in a comment is fine */
    p[0] = 0xff;
    p[1] = 0x25;
    if (e->machine != 62) return;
    put16(buf + 18, 62);
    memset(p + 6, 0xcc, 10);
    type = R_X86_64_IRELATIVE;
    static const char seq[] = "\x64\x48\x8b\x04\x25";
    uint32_t k = 0xca62c1d6, m = 0xff;
EOF
my @runs = map { join ' ', @{$_->{bytes}} } byte_runs($probe);
ok((grep { /^ff 25 00/ } @runs), 'an initializer of opcode bytes is a run');
ok((grep { $_ eq 'ff 25' } @runs), 'consecutive indexed stores are a run');
ok((grep { /^64 48 8b/ } @runs), 'a string of \\x escapes is a run');
ok(!(grep { /ca|62/ } @runs), 'a 32-bit constant is not a byte');
unlike($probe, qr/R_X86_64_PC32/, 'comments are removed');
like($probe, qr/R_X86_64_IRELATIVE/, 'code is kept');
done_testing();
