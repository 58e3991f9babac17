#!/usr/bin/perl
# Undefined references, keel link against ld.bfd on the same line: each
# link is run by both, and keel must exit as ld.bfd does, write an output
# only when ld.bfd does, and say on stderr what ld.bfd says, line for line
# (without the program's name, ` read as '): every reference, "in
# function" lines, five references in a row then "more undefined
# references to 'X' follow", references from data, from an archive
# member, from an object without STT_FILE, under
# --warn-unresolved-symbols, --unresolved-symbols=*, -z undefs, -z defs
# and --noinhibit-exec.  For a -g object ld.bfd names file:line from
# DWARF, which keel does not read: there the place before ": undefined"
# is left out of the comparison, the "in function" lines are not.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use KeelTest qw(keel_setup run sh);

my ($build, $keel, $tmp) = keel_setup('link_undefined', need => ['ld.bfd (binutils)', 'gcc']);
my $src = "$FindBin::Bin/progs/link_undefined";

# -O0 keeps main in .text (gcc -O2 puts it in .text.startup, which ld.bfd's
# script places first: its file's references would come first)
sh("gcc -O0 -fno-asynchronous-unwind-tables -c $src/refs.c -o refs.o");
sh("gcc -O0 -fno-asynchronous-unwind-tables -g -c $src/refs.c -o refs_g.o");
sh("gcc -O0 -fno-asynchronous-unwind-tables -c $src/main.c -o main.o");
sh("gcc -O0 -fno-asynchronous-unwind-tables -c $src/member.c -o member.o");
sh("rm -f lib.a && ar rc lib.a member.o");
sh("as $src/nofile.s -o nofile.o");

# stderr without the program's name, ld.bfd's quotes as keel's
sub messages {
    my ($err) = @_;
    return join "\n", map { s/^(?:ld\.bfd|keel ld):\s?//r =~ s/`/'/gr } split /\n/, $err;
}

sub status { my ($s) = @_; return $s & 127 ? "signal " . ($s & 127) : "exit " . ($s >> 8) }

# Link @args by both; compare exit, output and messages.  nolines => 1
# leaves out the place before ": [warning: ](undefined|more)" (DWARF's).
sub both {
    my ($name, $args, %o) = @_;
    my $tag = $name =~ s/\W+/_/gr;
    my ($bo, $ko) = ("$tmp/$tag.bfd", "$tmp/$tag.keel");
    my $b = run(argv => ['ld.bfd', @$args, '-o', $bo]);
    my $k = run(file => $keel, argv => [$keel, 'link', @$args, '-o', $ko]);
    is(status($k->{status}), status($b->{status}), "$name: keel link exits as ld.bfd does");
    is(-e $ko ? 'output' : 'no output', -e $bo ? 'output' : 'no output', "$name: an output only if ld.bfd writes one");
    my ($want, $got) = map { messages($_->{err}) } $b, $k;
    if ($o{nolines}) {
        s/^[^\n]*?(: (?:warning: )?(?:undefined reference|more undefined references))/<place>$1/mg for $want, $got;
    }
    ok($want ne "", "$name: ld.bfd says something") unless $o{quiet};
    is($got, $want, "$name: ld.bfd's messages, line for line");
}

my @prog = qw(refs.o main.o lib.a);
both('several symbols, many references, data, an archive member', \@prog);
both('the archive member first', [qw(main.o lib.a refs.o)]);
both('no STT_FILE: no source name', [qw(-e asm_func nofile.o)]);
both('a -g object (the places left out)', [qw(refs_g.o main.o lib.a)], nolines => 1);
both('--warn-unresolved-symbols', [@prog, '--warn-unresolved-symbols']);
both('--noinhibit-exec', [@prog, '--noinhibit-exec']);
both('--warn-unresolved-symbols --noinhibit-exec', [@prog, '--warn-unresolved-symbols', '--noinhibit-exec']);
both('--error-unresolved-symbols after --warn', [@prog, '--warn-unresolved-symbols', '--error-unresolved-symbols']);
for my $how (qw(ignore-all ignore-in-object-files report-all ignore-in-shared-libs)) {
    both("--unresolved-symbols=$how", [@prog, "--unresolved-symbols=$how"], quiet => ($how =~ /^ignore-(?:all|in-obj)/ ? 1 : 0));
}
both('-z undefs', [@prog, '-z', 'undefs'], quiet => 1);
both('-z defs', [@prog, '-z', 'defs']);
both('-z undefs, then --unresolved-symbols=report-all', [@prog, '-z', 'undefs', '--unresolved-symbols=report-all']);
both('--unresolved-symbols=ignore-all, then -z defs', [@prog, '--unresolved-symbols=ignore-all', '-z', 'defs']);

# many functions, each in its own section, each calling two undefined
# functions: every place found among many candidates
{
    open(my $fh, '>', "$tmp/many.c") or die;
    print $fh "void _start(void) {}\n";
    printf $fh "extern int u%d(void);\nint f%d(void) { return u%d() + u%d(); }\n", $_, $_, $_, $_ % 7 for 0 .. 1999;
    close $fh;
    sh("gcc -O0 -ffunction-sections -fno-asynchronous-unwind-tables -c many.c -o many.o");
    both('2000 functions in 2000 sections', ['many.o']);
}

done_testing();
