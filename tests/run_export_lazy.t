#!/usr/bin/perl
# keel run lends the loaded program's names to dlopen lazily (host.c's
# wrappers, export.c's rl_export_pending): the export object is written at
# loaded code's first dlopen, not at the load, so a program that never
# calls dlopen pays nothing.  tests/progs/exportlazy/prog.c, run by keel
# run, against the same objects linked by gcc -rdynamic (the oracle for
# stdout: the modules' callbacks into the program resolve):
#   - none: it refers to dlopen but never calls it: no export object is
#     mapped (its memfd name is not in /proc/self/maps); with
#     KEEL_EXPORT_EAGER=1 there is one (the eager path, and proof that the
#     check sees one);
#   - late: dlopen after the load: mod1.so's callback resolves;
#   - pointer: a pointer to dlopen taken at load time (a data relocation),
#     called later: the same;
#   - threads: two threads dlopen a module each at once: both resolve;
#   - self: dlsym(RTLD_DEFAULT) of its own name, no dlopen: found, as in
#     the -rdynamic link (dlsym lends too).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Cwd qw(abs_path);
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use Oracle ();
use Programs qw(run_program status_text);

my $keel = abs_path(Oracle::keel_bin());
my $src = abs_path("$FindBin::Bin/progs/exportlazy");
my $parent = ($ENV{KEEL_BUILD} || 'build') . '/t';
make_path($parent);
my $tmp = abs_path(tempdir('run_export_lazy.XXXXXX', DIR => $parent, CLEANUP => 1));

my %env = (PATH => '/usr/local/bin:/usr/bin:/bin', LC_ALL => 'C', HOME => '/');
defined $ENV{$_} and $env{$_} = $ENV{$_} for qw(ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS);

my $runs = 0;
sub run {
    my %o = @_;
    my $e = { %env, %{ delete $o{env} // {} } };
    return run_program(dir => $tmp, %o, env => $e, base => "$tmp/run" . ++$runs);
}
sub keel_run { my ($args, %o) = @_; return run(%o, file => $keel, argv => [$keel, 'run', @$args]) }
sub sh { my ($cmd) = @_; my $r = run(argv => ['/bin/sh', '-c', $cmd]); return $r->{status} == 0 ? '' : "$cmd: $r->{err}" }

my $built = sh("cd $tmp && gcc -O2 -fPIC -c $src/prog.c && "
               . "gcc -O2 -fPIC -shared -fuse-ld=bfd -o mod1.so $src/mod1.c && "
               . "gcc -O2 -fPIC -shared -fuse-ld=bfd -o mod2.so $src/mod2.c && "
               . "gcc -rdynamic -pthread -o prog-E prog.o");
BAIL_OUT("cannot build tests/progs/exportlazy: $built") if $built;

# keel run against the -rdynamic link: the same stdout and status, and
# stderr saying whether an export object is mapped at the end
sub check {
    my ($name, $args, $mapped, %o) = @_;
    my $want = run(argv => ['./prog', @$args], file => "$tmp/prog-E");
    my $got = keel_run(['prog.o', '-lpthread', '--', @$args], %o);
    my $ok = $want->{status} == 0 && $got->{status} == 0 && $want->{out} eq $got->{out}
        && $got->{out} =~ ($o{out_ok} // qr/./) && $got->{err} eq "export objects mapped: $mapped\n";
    ok($ok, $name) or diag("linked: ", status_text($want->{status}), "\n$want->{out}$want->{err}keel run: ",
                           status_text($got->{status}), "\n$got->{out}$got->{err}");
}

check('never calls dlopen: no export object', ['none'], 'none', out_ok => qr/\Ano dlopen\n\z/);
check('KEEL_EXPORT_EAGER=1: one at the load', ['none'], 'some', env => { KEEL_EXPORT_EAGER => '1' });
check('dlopen after the load: the callback resolves', ['late', "$tmp/mod1.so"], 'some',
      out_ok => qr/\Amod1_run = 421\n\z/);
check('a pointer to dlopen taken at the load, called later: the same', ['pointer', "$tmp/mod1.so"], 'some',
      out_ok => qr/\Amod1_run = 421\n\z/);
for my $i (1 .. 5) {
    check("two threads dlopen at once (run $i): both callbacks resolve",
          ['threads', "$tmp/mod1.so", "$tmp/mod2.so"], 'some', out_ok => qr/\Amod1_run = 421, mod2_run = 422\n\z/);
}
check('dlsym of its own name in the global scope, no dlopen: found', ['self'], 'some',
      out_ok => qr/\Adlsym\(RTLD_DEFAULT, "prog_cb"\) == prog_cb\n\z/);
done_testing();
