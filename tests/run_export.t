#!/usr/bin/perl
# keel run lends the loaded program's global symbols to the shared
# libraries it dlopens (KEEL_NS_EXPORT, lib/load/export.c), as a program
# linked with -E (gcc -rdynamic) lends its own: an interpreter's C modules
# call back into it.
#
#   - tests/progs/export/host.c (+ dump.c): an interpreter-style host with
#     host_call, host_value and host_name, that dlopens module.c (gcc
#     -shared -fPIC, linked by ld.bfd), which calls back into it and reads
#     and writes its variable.  `keel run host.o dump.o -- module.so`
#     against the same objects linked by `gcc -rdynamic`: same stdout,
#     stderr and status; -E (the default, said) the same;
#     --no-export-dynamic against the link without -rdynamic: glibc's
#     "undefined symbol" message from dlopen, the same status;
#   - the export object itself (copied out by dump.c from its memfd):
#     readelf -a -W without a warning, eu-elflint without an error, and
#     its dynamic symbols are the objects' defined globals (readelf -s of
#     host.o and dump.o) but the thread-local one: each once, SHN_ABS,
#     same type and size;
#   - the API (tests/progs/export/batches.c, linked with libkeel.a): two
#     batches, in a namespace and its child, lend their names (ld.so's
#     dlsym finds what keel_symbol finds; a module binds to both); a name
#     the child's batch defines again is lent once, by the first; an
#     unload closes the export object when nothing bound to it, retires
#     its names when ld.so keeps it, retires one object's names when the
#     rest of its batch stays; a new load lends them again at their new
#     addresses; a forked child's unload leaves the parent's names; a
#     program that closes keel's descriptors breaks no later export (their
#     paths, /proc/self/fd/N, come again) and loses no descriptor of its
#     own at an unload; a failed batch and an inert namespace lend nothing;
#   - Python: /usr/bin/python3.11 against pymain.o + libpython3.11-pic.a
#     run by keel run, importing extension modules that are shared objects
#     in lib-dynload (_json, _queue), which need libpython's symbols: the
#     same output; with --no-export-dynamic the import fails with
#     "undefined symbol".
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Cwd qw(abs_path);
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use Oracle ();
use Programs qw(slurp spew have run_program status_text);

my $keel = abs_path(Oracle::keel_bin());
my $readelf = Oracle::readelf_bin();
my $src = abs_path("$FindBin::Bin/progs/export");
my $parent = ($ENV{KEEL_BUILD} || 'build') . '/t';
make_path($parent);
my $tmp = abs_path(tempdir('run_export.XXXXXX', DIR => $parent, CLEANUP => 1));

my %env = (PATH => '/usr/local/bin:/usr/bin:/bin', LC_ALL => 'C', HOME => '/');
defined $ENV{$_} and $env{$_} = $ENV{$_} for qw(ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS);

my $runs = 0;
# Run one program (Programs::run_program): argv, file, env (added to %env).
sub run {
    my %o = @_;
    my $e = { %env, %{ delete $o{env} // {} } };
    return run_program(dir => $tmp, %o, env => $e, base => "$tmp/run" . ++$runs);
}
sub keel_run { my ($args, %o) = @_; return run(%o, file => $keel, argv => [$keel, 'run', @$args]) }
sub sh { my ($cmd) = @_; my $r = run(argv => ['/bin/sh', '-c', $cmd]); return $r->{status} == 0 ? '' : "$cmd: $r->{err}" }

# Two runs agree on stdout, stderr and status; out_ok checks the stdout.
sub compare {
    my ($name, $want, $got, %o) = @_;
    my $ok = $want->{out} eq $got->{out} && $want->{err} eq $got->{err} && $want->{status} == $got->{status};
    $ok &&= $got->{out} =~ $o{out_ok} if $o{out_ok};
    ok($ok, $name) or diag("linked: ", status_text($want->{status}), "\n$want->{out}$want->{err}\nkeel run: ",
                           status_text($got->{status}), "\n$got->{out}$got->{err}");
}

my $cc = 'gcc';
my $built = '';
$built .= sh("cd $tmp && $cc -O2 -fPIC -c $src/host.c $src/dump.c");
$built .= sh("cd $tmp && $cc -O2 -fPIC -shared -fuse-ld=bfd -o module.so $src/module.c");
$built .= sh("cd $tmp && $cc -rdynamic -o host-E host.o dump.o && $cc -o host-noE host.o dump.o");
BAIL_OUT("cannot build tests/progs/export: $built") if $built;

# ------------------------------------------------------ the host and module

my $expect = qr/\Amodule: called from host, host_value 40\nmodule_run\(1\) = 1043\n.*host_value = 42, host_tls = 3\n\z/s;
my $linked = run(argv => ['./host', "$tmp/module.so"], file => "$tmp/host-E");
compare('keel run: the module calls back into the host, as with gcc -rdynamic', $linked,
        keel_run(['host.o', 'dump.o', '--', "$tmp/module.so"]), out_ok => $expect);
compare('keel run -E: the same (the default, said)', $linked,
        keel_run(['-E', 'host.o', 'dump.o', '--', "$tmp/module.so"]), out_ok => $expect);
my $plain = run(argv => ['./host', "$tmp/module.so"], file => "$tmp/host-noE");
compare('keel run --no-export-dynamic: dlopen fails as without -rdynamic', $plain,
        keel_run(['--no-export-dynamic', 'host.o', 'dump.o', '--', "$tmp/module.so"]),
        out_ok => qr/\Adlopen: \Q$tmp\E\/module\.so: undefined symbol: host_/);

# ------------------------------------------------------ the export object

make_path("$tmp/dump");
my $r = keel_run(['host.o', 'dump.o', '--', "$tmp/module.so"], env => { EXPORT_DUMP => "$tmp/dump" });
my @objs = glob("$tmp/dump/keel-export-*.so");
ok($r->{status} == 0 && @objs == 1, 'one export object, copied out of its memfd')
    or diag(status_text($r->{status}), " $r->{err} @objs");
SKIP: {
    skip 'no export object to check', 3 unless @objs == 1;
    my $re = run(argv => [$readelf, '-a', '-W', $objs[0]]);
    ok($re->{status} == 0 && $re->{err} eq '' && $re->{out} =~ /\(SONAME\)\s+Library soname: \[keel-export-\d+\.so\]/,
       'readelf -a: no warning, a DT_SONAME') or diag($re->{err});
    SKIP: {
        skip 'no eu-elflint (Debian package elfutils)', 1 unless have('eu-elflint');
        my $el = run(argv => ['eu-elflint', $objs[0]]);
        ok($el->{status} == 0 && $el->{out} =~ /No errors/, 'eu-elflint: no errors') or diag($el->{out}, $el->{err});
    }
    # the objects' defined globals (name => "TYPE SIZE"), as readelf shows them
    my (%want, %got, %tls, @dups);
    for my $o ("$tmp/host.o", "$tmp/dump.o") {
        for (split /\n/, run(argv => [$readelf, '-sW', $o])->{out}) {
            my @f = split ' ';
            next unless @f == 8 && $f[0] =~ /^\d+:$/;
            next unless ($f[4] eq 'GLOBAL' || $f[4] eq 'WEAK') && $f[6] ne 'UND' && $f[5] eq 'DEFAULT';
            $tls{$f[7]} = 1, next if $f[3] eq 'TLS'; # not lent (no TLS block to hold it)
            $want{$f[7]} = "$f[3] $f[2] ABS";
        }
    }
    for (split /\n/, run(argv => [$readelf, '--dyn-syms', '-W', $objs[0]])->{out}) {
        my @f = split ' ';
        next unless @f == 8 && $f[0] =~ /^\d+:$/;
        push @dups, $f[7] if exists $got{$f[7]};
        $got{$f[7]} = "$f[3] $f[2] $f[6]";
    }
    my @diff = grep { ($want{$_} // '') ne ($got{$_} // '') } sort(keys %want, keys %got);
    ok(!@diff && !@dups && keys %want >= 4 && $tls{host_tls},
       'its symbols: the globals of host.o and dump.o but thread-local host_tls, once each, ABS, type and size kept')
        or diag(join("\n", map { "$_: objects '" . ($want{$_} // '') . "', export '" . ($got{$_} // '') . "'" } @diff),
                "\nduplicates: @dups");
}

# ------------------------------------------------------------ the API

{
    my $build = abs_path($ENV{KEEL_BUILD} || 'build');
    # a sanitizer build's library needs its runtime linked in
    my $san = run(argv => [$readelf, '-d', "$build/libkeel.so"])->{out} =~ /libasan/
        ? '-fsanitize=address,undefined' : '';
    my $b = sh("cd $tmp && $cc -O2 -fPIC -c $src/lib_a.c $src/lib_b.c $src/lib_c1.c $src/lib_c2.c $src/lib_c3.c $src/bad.c && "
               . "$cc -O2 -fPIC -shared -fuse-ld=bfd -o mod_b.so $src/mod_b.c && "
               . "$cc -O2 -fPIC -shared -fuse-ld=bfd -o mod_c3.so $src/mod_c3.c && "
               . "$cc -O2 $san -I$FindBin::Bin/../include -o batches $src/batches.c $src/dump.c $build/libkeel.a -lpthread");
    is($b, '', 'batches.c builds against libkeel.a');
    make_path("$tmp/dump-api");
    my $r = run(argv => ['./batches', "$tmp/mod_b.so", "$tmp/dump-api", "$tmp/mod_c3.so"], file => "$tmp/batches");
    my @lines = split /\n/, $r->{out};
    ok(@lines >= 31 && !grep(!/^ok /, grep { !/^  / } @lines) && $r->{status} == 0, 'the API: every step as ld.so sees it')
        or diag(status_text($r->{status}), "\n$r->{out}$r->{err}");
    # each name once across the export objects, both_fn the first batch's
    my (%seen, @twice);
    my @objs = glob("$tmp/dump-api/keel-export-*.so");
    for my $o (@objs) {
        for (split /\n/, run(argv => [$readelf, '--dyn-syms', '-W', $o])->{out}) {
            my @f = split ' ';
            next unless @f == 8 && $f[0] =~ /^\d+:$/;
            push @twice, $f[7] if $seen{$f[7]}++;
        }
    }
    ok(@objs == 2 && !@twice && $seen{both_fn} && $seen{b_fn} && $seen{a_value}, 'a name the child defines again is lent once')
        or diag("objects: @objs; twice: @twice; seen: @{[sort keys %seen]}");
}

# ------------------------------------------------------------------ Python

my $python = '/usr/bin/python3.11';
my $libpython = '/usr/lib/python3.11/config-3.11-x86_64-linux-gnu/libpython3.11-pic.a';
my $dynload = '/usr/lib/python3.11/lib-dynload';
SKIP: {
    skip "no $python", 2 unless -x $python;
    skip "no $libpython (Debian package libpython3.11-dev)", 2 unless -e $libpython;
    skip "no _json or _queue module in $dynload", 2 unless glob("$dynload/_json.*.so") && glob("$dynload/_queue.*.so");
    my $b = sh("cd $tmp && $cc -O2 -fPIC -c $FindBin::Bin/../bench/load/pymain.c");
    skip "bench/load/pymain.c could not be built: $b", 2 if $b;
    my %penv = (ASAN_OPTIONS => join(':', grep { defined && $_ ne '' } $env{ASAN_OPTIONS}, 'detect_leaks=0'));
    my @py = ('pymain.o', $libpython, '-lz', '-lexpat', '-lm', '--');
    # the modules must come from lib-dynload, not be built in
    my $script = <<'PY';
import sys, _json, _queue, json
for m in (_json, _queue):
    print(m.__name__, m.__name__ in sys.builtin_module_names, m.__file__.startswith(sys.base_prefix + "/lib/python3.11/lib-dynload/"))
print(json.encoder.c_make_encoder is not None, json.dumps({"a": [1, 2.5, None, "\u00e9"]}), json.loads('{"x": [1, "\\u00e9", true]}'))
q = _queue.SimpleQueue()
q.put(7)
print(q.get(), q.empty())
PY
    compare('python: extension modules of lib-dynload (_json, _queue) import into keel run\'s python',
            run(argv => [$python, '-c', $script], env => \%penv), keel_run([@py, '-c', $script], env => \%penv),
            out_ok => qr/\A_json False True\n_queue False True\nTrue \{"a": \[1, 2\.5, null, "\\u00e9"\]\}/);
    my $k = keel_run(['--no-export-dynamic', @py, '-c', 'import _json'], env => \%penv);
    ok($k->{status} != 0 && $k->{err} =~ /ImportError: \S+\/_json\.\S+\.so: undefined symbol: \w+/,
       'python --no-export-dynamic: the import fails, undefined symbol') or diag($k->{err});
}

done_testing();
