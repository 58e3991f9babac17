#!/usr/bin/perl
# keel link copies the inputs' sections on a second thread while the main
# thread relocates them (lib/link/fill.c, from 64 input files up).  Its
# output must not depend on how the threads are scheduled:
#   - a static C link (crt files and libc.a: some hundred objects, so the
#     helper thread runs) and a static C++ link give programs that print
#     and exit as ld.bfd's do;
#   - linking each 5 times gives the same bytes every time;
#   - keel built with ThreadSanitizer (build-tsan/keel, which
#     `make TSAN=1 tsan-tests` builds) links both with no report, and its
#     output is byte for byte the plain build's.
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
plan skip_all => 'no ld.bfd (binutils)' unless have('ld.bfd');
plan skip_all => 'no gcc' unless have('gcc');
make_path("$build/t");
my $tmp = abs_path(tempdir('link_threads.XXXXXX', DIR => "$build/t", CLEANUP => 1));
my $src = "$FindBin::Bin/progs/link";
my %env = (PATH => '/usr/local/bin:/usr/bin:/bin', LC_ALL => 'C', HOME => '/');
my $runs = 0;
sub run { return run_program(env => \%env, dir => $tmp, @_, base => "$tmp/run" . ++$runs) }

# The linker's arguments as gcc gives them (collect2's line of -###),
# with -o's value replaced by OUT.
sub linker_args {
    my ($out, @driver) = @_;
    my $r = run(argv => [@driver, '-###']);
    for my $line (split /\n/, $r->{err}) {
        next unless $line =~ m{^ "?(\S*/(?:collect2|ld|ld\.bfd))"? };
        my @w = shellwords($line);
        shift @w;
        for my $i (0 .. $#w - 1) { $w[$i + 1] = $out if $w[$i] eq '-o' }
        return @w;
    }
    return;
}

my $tsan_keel = ($ENV{KEEL_TSAN_BUILD} || "$FindBin::Bin/../build-tsan") . '/keel';
my @cases = (['C hello', 'gcc', "$src/hello.c", []], ['C++ iostream, exceptions, threads', 'g++', "$src/cxx.cc", ['-pthread']]);
for my $c (@cases) {
    my ($name, $cc, $file, $extra) = @$c;
    (my $base = $file) =~ s{.*/|\.\w+$}{}g;
    SKIP: {
        skip("$name: no $cc", 5) unless have($cc);
        my $r = run(argv => [$cc, '-O2', '-c', $file, '-o', "$tmp/$base.o"]);
        skip("$name: $cc cannot compile it: $r->{err}", 5) if $r->{status};
        my @driver = ($cc, '-static', "$tmp/$base.o", '-o', "$tmp/$base", @$extra);
        ok(linker_args("$tmp/x", @driver), "$name: gcc's linker line") or next;
        $r = run(argv => ['ld.bfd', linker_args("$tmp/$base.bfd", @driver)]);
        is($r->{status}, 0, "$name: ld.bfd links it") or diag($r->{err});
        my $want = run(argv => ["$tmp/$base.bfd"]);
        my @bytes;
        for my $i (1 .. 5) {
            $r = run(argv => [$keel, 'link', linker_args("$tmp/$base.$i", @driver)]);
            last if $r->{status};
            push @bytes, slurp("$tmp/$base.$i");
        }
        is($r->{status}, 0, "$name: keel links it 5 times") or diag($r->{err});
        my $got = run(argv => ["$tmp/$base.1"]);
        ok($got->{out} eq $want->{out} && $got->{status} == $want->{status},
           "$name: keel's program prints and exits as ld.bfd's (" . status_text($got->{status}) . ')')
            or diag("ld.bfd's: $want->{out}\nkeel's: $got->{out}");
        is(scalar(grep { $_ eq $bytes[0] } @bytes), 5, "$name: the 5 links are byte-identical");
        SKIP: {
            skip("no $tsan_keel (make TSAN=1 tsan-tests builds it)", 2) unless -x $tsan_keel;
            $r = run_program(env => {%env, TSAN_OPTIONS => 'halt_on_error=1 exitcode=66'}, dir => $tmp,
                             argv => [$tsan_keel, 'link', linker_args("$tmp/$base.tsan", @driver)],
                             base => "$tmp/run" . ++$runs);
            ok($r->{status} == 0 && $r->{err} !~ /ThreadSanitizer/,
               "$name: keel under ThreadSanitizer links it with no report (" . status_text($r->{status}) . ')')
                or diag($r->{err} =~ /(.{0,3000})/s);
            ok(slurp("$tmp/$base.tsan") eq $bytes[0], "$name: ThreadSanitizer's keel writes the same bytes");
        }
    }
}
done_testing();
