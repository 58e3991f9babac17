#!/usr/bin/perl
# keel as the system linker (gcc -B DIR with DIR/ld -> keel) for small
# projects of shared libraries, against the same build with ld.bfd
# (-fuse-ld=bfd): a review of the imports from shared libraries
# (lib/link/dyn_import.c, dyn_scan.c, dyn_symbols.c).  Each project is
# built twice, once per linker, in a directory of its own; then
#   - each run prints and exits as ld.bfd's build's does, lazily bound
#     and with LD_BIND_NOW=1;
#   - eu-elflint --gnu-ld says nothing of keel's outputs that it does not
#     say of ld.bfd's, and readelf -a reads them without a warning.
# Defects found (each check failed before its fix):
#   - a -shared link whose only call is crtbeginS.o's of the weak
#     __cxa_finalize (a .plt.got entry, no .plt: --as-needed dropped libc)
#     called address 0 at exit;
#   - a regular object's common of a name a library defines as strong
#     data stayed the executable's (0), where ld.bfd binds it to the
#     library's (3: a copy), and --as-needed dropped that library;
#   - -no-pie: the write pass gave an absolute word that the scan had
#     given a copy (in .rodata) the R_X86_64_64 counted for a writable
#     word after it, which lost its own (the program crashed);
#   - --gc-sections removed a dynamic output's exports that nothing in
#     it calls (a -shared library's functions, -rdynamic callbacks);
#   - STB_GNU_UNIQUE (g++'s inline function statics) was written GLOBAL
#     in .dynsym and .symtab, so two plugins loaded RTLD_LOCAL each had
#     their own copy.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Programs qw(have);
use KeelTest qw(keel_setup run test_env);

my ($build, $keel, $tmp) = keel_setup('review_dyn', need => ['ld.bfd (binutils)', 'gcc', 'g++', 'readelf']);
my $src = "$FindBin::Bin/progs/review_dyn";
mkdir "$tmp/bin" or die "$tmp/bin: $!";
symlink($keel, "$tmp/bin/ld") or die "$tmp/bin/ld: $!";

# name, the build (shell lines; @LD@ is the driver's linker option), the
# runs (argv under the build's directory, extra environment)
my @projects = (
    ['C libraries of their own (PIE and -no-pie, --as-needed)',
     ["gcc \@LD\@ -fPIC -shared $src/liba.c -o liba.so -Wl,-soname,liba.so",
      "gcc \@LD\@ -fPIC -shared $src/libb.c -o libb.so -L. -la -Wl,-soname,libb.so",
      "gcc \@LD\@ $src/main.c -o main -L. -lb -la -Wl,--as-needed",
      "gcc \@LD\@ -fno-pic -no-pie $src/main.c -o main_nopie -L. -lb -la"],
     [['main', '-x', 'hi'], ['main_nopie', '-x', 'hi']]],
    ['C++ exceptions both ways, threads, iostream and TLS in a .so',
     ["g++ \@LD\@ -O2 -fPIC -shared $src/cxxlib.cc -o libcx.so -pthread",
      "g++ \@LD\@ -O2 $src/cxxmain.cc -o cxx -L. -lcx -pthread",
      "g++ \@LD\@ -O2 -no-pie $src/cxxmain.cc -o cxx_nopie -L. -lcx -pthread"],
     [['cxx'], ['cxx_nopie']]],
    ['dlopen of a plugin calling back into -rdynamic, versioned memcpy, LD_PRELOAD',
     ["gcc \@LD\@ -fPIC -shared $src/plug.c -o plug.so",
      "gcc \@LD\@ -fPIC -shared $src/pre.c -o pre.so",
      "gcc \@LD\@ -rdynamic $src/host.c -o host -ldl",
      "gcc \@LD\@ -fno-pic -no-pie -Wl,-E $src/host.c -o host_nopie -ldl"],
     [['host', '@DIR@/plug.so'], ['host_nopie', '@DIR@/plug.so'],
      ['host', '@DIR@/plug.so', { LD_PRELOAD => '@DIR@/pre.so' }]]],
    ['a common (-fcommon) meeting a library\'s initialized variable, in either order',
     ["gcc \@LD\@ -fPIC -shared $src/cvar.c -o libcvar.so",
      "gcc \@LD\@ -fPIC -fcommon -shared $src/cvar_user.c -o libcvaru.so -L. -lcvar",
      "gcc \@LD\@ -fcommon $src/cvar_main.c -o cvar -L. -lcvaru -lcvar -Wl,--as-needed",
      "gcc \@LD\@ -fcommon -fno-pic -no-pie $src/cvar_main.c -o cvar_nopie -L. -lcvaru -lcvar",
      "gcc \@LD\@ -fcommon -Wl,--no-as-needed libcvar.so libcvaru.so $src/cvar_main.c -o cvar_after"],
     [['cvar'], ['cvar_nopie'], ['cvar_after']]],
    ['-no-pie: a read-only word taken by a copy, then writable words',
     ["gcc \@LD\@ -fPIC -shared $src/rolib.c -o librol.so",
      "gcc \@LD\@ -O2 -fno-pic -no-pie $src/ro.c $src/rw.c -o rorw -L. -lrol"],
     [['rorw']]],
    ['--gc-sections: a library\'s exports, a -rdynamic executable\'s',
     ["gcc \@LD\@ -O2 -fPIC -shared -ffunction-sections $src/gclib.c -o libgc.so -Wl,--gc-sections",
      "gcc \@LD\@ -O2 -fPIC -shared $src/gcplug.c -o gcplug.so",
      "gcc \@LD\@ -O2 -ffunction-sections -rdynamic $src/gchost.c -o gchost -L. -lgc -ldl -Wl,--gc-sections",
      "gcc \@LD\@ -O2 -fno-pic -no-pie -ffunction-sections -rdynamic $src/gchost.c -o gchost_nopie -L. -lgc -ldl "
      . "-Wl,--gc-sections"],
     [['gchost', '@DIR@/gcplug.so'], ['gchost_nopie', '@DIR@/gcplug.so']]],
    ['STB_GNU_UNIQUE across two plugins loaded RTLD_LOCAL',
     ["g++ \@LD\@ -O2 -fPIC -shared $src/plug_a.cc -o a.so",
      "g++ \@LD\@ -O2 -fPIC -shared $src/plug_b.cc -o b.so",
      "gcc \@LD\@ $src/uhost.c -o uhost -ldl"],
     [['uhost', '@DIR@/a.so', '@DIR@/b.so']]],
);

sub elflint {
    my ($f) = @_;
    my $r = run(argv => ['eu-elflint', '--gnu-ld', $f]);
    return grep { !/^No errors/ } split /\n/, $r->{out} . $r->{err};
}

my $n = 0;
for my $p (@projects) {
    my ($name, $steps, $runs) = @$p;
    my %dir;
    my ($built, $keel_failed) = (1, 0);
    for my $ld ('bfd', 'keel') {
        my $d = $dir{$ld} = "$tmp/p" . $n . $ld;
        mkdir $d or die "$d: $!";
        my $opt = $ld eq 'bfd' ? '-fuse-ld=bfd' : "-B$tmp/bin";
        for my $step (@$steps) {
            my $cmd = $step =~ s/\@LD\@/$opt/r;
            my $r = run(argv => ['/bin/sh', '-c', "cd $d && $cmd"]);
            next unless $r->{status};
            $built = 0;
            if ($ld eq 'bfd') {
                diag("$name: ld.bfd's build fails: $cmd: $r->{err}");
            } else {
                fail("$name: keel builds it ($cmd)");
                $keel_failed = 1;
                diag($r->{err});
            }
            last;
        }
        last unless $built;
    }
    $n++;
    SKIP: {
        skip "$name: the build with ld.bfd fails (diagnosed above)", 1 if !$built && !$keel_failed;
        next unless $built;
        pass("$name: keel builds it");
        for my $run (@$runs) {
            my @argv = grep { !ref } @$run;
            my ($extra) = grep { ref } @$run;
            my %out;
            for my $ld ('bfd', 'keel') {
                my $d = $dir{$ld};
                my @a = map { s/\@DIR\@/$d/gr } @argv;
                my %e = (test_env(), LD_LIBRARY_PATH => $d, map { $_ => ($extra->{$_} =~ s/\@DIR\@/$d/gr) } keys %{ $extra // {} });
                for my $now (0, 1) {
                    my $r = run(argv => ["$d/$a[0]", @a[1 .. $#a]], env => { %e, ($now ? (LD_BIND_NOW => 1) : ()) });
                    $out{"$ld$now"} = "status $r->{status}\n$r->{out}" . ($r->{err} =~ s/\Q$d\E/DIR/gr);
                }
            }
            my $what = join(' ', @argv) . ($extra ? ' with ' . join(' ', sort keys %$extra) : '');
            is($out{keel0}, $out{bfd0}, "$name: $what runs as ld.bfd's build does");
            is($out{keel1}, $out{bfd1}, "$name: $what, LD_BIND_NOW=1, as ld.bfd's build");
        }
        opendir my $dh, $dir{keel} or die;
        for my $f (sort grep { -f "$dir{keel}/$_" && -x _ || /\.so$/ } readdir $dh) {
            my $k = "$dir{keel}/$f";
            my $re = run(argv => ['readelf', '-aW', $k]);
            my $warn = join '', grep { /warning|error/i } split /^/m, $re->{err};
            is($warn, '', "$name: readelf -a reads $f without a warning");
            SKIP: {
                skip "no eu-elflint", 1 unless have('eu-elflint');
                my %bfd = map { $_ => 1 } elflint("$dir{bfd}/$f");
                is(join("\n", grep { !$bfd{$_} } elflint($k)), '',
                   "$name: eu-elflint --gnu-ld says nothing of $f it does not say of ld.bfd's");
            }
        }
    }
}

# The binding ld.bfd gives g++'s inline static, in .dynsym and .symtab
sub binding {
    my ($f, $table) = @_;
    my ($b) = run(argv => ['readelf', $table, '-W', $f])->{out} =~ /\s(\w+)\s+DEFAULT\s+\d+\s+_ZZ14shared_countervE1c$/m;
    return $b // 'none';
}
my ($k, $b) = ("$tmp/p6keel/a.so", "$tmp/p6bfd/a.so");
SKIP: {
    skip 'the STB_GNU_UNIQUE project was not built', 2 unless -e $k && -e $b;
    for my $table ('--dyn-syms', '--syms') {
        my $want = binding($b, $table);
        is(binding($k, $table), $want, "readelf $table: the inline static is $want, as in ld.bfd's");
    }
}

done_testing();
