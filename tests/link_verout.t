#!/usr/bin/perl
# Versions of definitions, run paths and packed relative relocations in
# keel link's dynamic outputs (issue 13, items 3 and 4), each against
# ld.bfd's link of the same line:
#   - a library with a version script (two nodes, a parent, a local
#     catch-all, an extern "C++" name) and one with .symver'd foo@V1 and
#     foo@@V2: readelf --dyn-syms -V (names, versions, flags) and the tags
#     are ld.bfd's; a program ld.bfd links against keel's library needs the
#     versions it needs from ld.bfd's, and runs alike; a program built
#     against the old library keeps foo@V1; dlsym and dlvsym find each;
#   - the errors (a version node that does not exist, a duplicate version,
#     foo@@V2 twice, --no-undefined-version), with no output left;
#   - -rpath, -R DIR, LD_RUN_PATH, --enable-new-dtags, --disable-new-dtags:
#     DT_RUNPATH/DT_RPATH as ld.bfd writes them, and glibc finds a library
#     through keel's (a dlopen from the library searches its run path);
#   - -z pack-relative-relocs: a shared library and a -static-pie program
#     run; .relr.dyn packs the places the RELATIVE relocations of the same
#     link without it name, in as many entries as ld.bfd's.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Programs qw(slurp spew have);
use KeelTest qw(keel_setup run linker_args test_env sh);

my ($build, $keel, $tmp) = keel_setup('link_verout', need => ['ld.bfd (binutils)', 'gcc', 'g++', 'readelf']);
my $p = "$FindBin::Bin/progs/verout";

sub keel_ld { return run(file => $keel, argv => [$keel, 'link', @_]) }
sub bfd_ld  { return run(argv => ['ld.bfd', @_]) }

# What readelf says of the versions: each dynamic symbol (its name with
# its version, type, binding, visibility, defined or not), sorted; the
# version definitions in order (flags, index, count, name, parents).
sub verinfo {
    my ($file) = @_;
    my $r = run(argv => ['readelf', '-W', '--dyn-syms', '-V', $file]);
    my (@s, @d);
    for (split /\n/, $r->{out}) {
        push @s, "$5 $1 $2 $3 " . ($4 eq 'UND' ? 'UND' : 'def')
            if /^\s*\d+:\s+[0-9a-f]+\s+\d+\s+(\w+)\s+(\w+)\s+(\w+)\s+(\w+)\s+(\S+)$/;
        push @d, "$1 $2 $3 $4" if /Rev: 1\s+Flags: (\w+)\s+Index: (\d+)\s+Cnt: (\d+)\s+Name: (\S+)/;
        push @d, "parent $1" if /Parent \d+: (\S+)/;
    }
    return join("\n", sort @s) . "\n--\n" . join("\n", @d);
}

# The dynamic tags' names, sorted, and the run path's tag and string.
sub tags {
    my ($file) = @_;
    my $r = run(argv => ['readelf', '-dW', $file]);
    my @t = sort map { /^\s*0x[0-9a-f]+\s+\((\w+)\)/ ? $1 : () } split /\n/, $r->{out};
    my @path = $r->{out} =~ /\((RPATH|RUNPATH)\)\s+Library r\w+: \[(.*)\]/g;
    return join(' ', @t) . (@path ? " | @path" : '');
}

# The versions a program needs ("file: version"), sorted.
sub needs {
    my ($file) = @_;
    my $r = run(argv => ['readelf', '-VW', $file]);
    my ($lib, @n);
    for (split /\n/, $r->{out}) {
        $lib = $1 if /File: (\S+)/;
        push @n, "$lib: $1" if /Name: (\S+)\s+Flags/ && $lib;
    }
    return join ' ', sort @n;
}

# gcc's linker line for objects already compiled, without its -o.
sub gcc_line {
    my @w = linker_args(@_, '-o', 'x');
    my @out;
    for (my $i = 0; $i < @w; $i++) {
        if ($w[$i] eq '-o') { $i++; next }
        push @out, $w[$i];
    }
    return @out;
}

sub first_error {
    my ($err) = @_;
    my ($line) = grep { !/in function/ } split /\n/, $err;
    $line //= '';
    $line =~ s/^(?:ld\.bfd|keel ld|keel link): //;
    $line =~ s{\b[kb]/}{}g;  # (the two outputs' directories)
    $line =~ s/^.*(multiple definition of ).(\S+).;.*/$1'$2'/; # (ld.bfd names the source file, keel the object)
    return $line;
}

sh("mkdir -p k b && gcc -O2 -fPIC -c $p/vs.c -o vs.o && g++ -O2 -fPIC -c $p/vsxx.cc -o vsxx.o"
   . " && gcc -O2 -fPIC -c $p/sv.c -o sv.o && gcc -O2 -fPIC -c $p/sv_old.c -o sv_old.o"
   . " && gcc -O2 -c $p/main.c -o main.o && gcc -O2 -c $p/dl.c -o dl.o");

# ---------------------------------------------------------------- versions
{
    my @vs = ('-shared', '-soname', 'libvs.so', '--version-script', "$p/vs.map", 'vs.o', 'vsxx.o');
    my $k = keel_ld(@vs, '-o', 'k/libvs.so');
    my $b = bfd_ld(@vs, '-o', 'b/libvs.so');
    ok($k->{status} == 0 && $b->{status} == 0, 'a version script: keel links the library') or diag($k->{err});
    is(verinfo('k/libvs.so'), verinfo('b/libvs.so'),
       'a version script: the symbols\' versions and the version definitions are ld.bfd\'s');
    is(tags('k/libvs.so'), tags('b/libvs.so'), 'a version script: the dynamic tags are ld.bfd\'s (VERDEF, VERDEFNUM, VERSYM)');
    # no soname: the base version is the output's file name
    keel_ld(@vs[3 .. $#vs], '-shared', '-o', 'k/libbase.so');
    bfd_ld(@vs[3 .. $#vs], '-shared', '-o', 'b/libbase.so');
    is(verinfo('k/libbase.so'), verinfo('b/libbase.so'), 'no -soname: the base version is named as ld.bfd names it');

    my @sv = ('-shared', '-soname', 'libsv.so', '--version-script', "$p/sv.map", 'sv.o');
    $k = keel_ld(@sv, '-o', 'k/libsv.so');
    $b = bfd_ld(@sv, '-o', 'b/libsv.so');
    ok($k->{status} == 0 && $b->{status} == 0, '.symver: keel links foo@V1 and foo@@V2') or diag($k->{err});
    is(verinfo('k/libsv.so'), verinfo('b/libsv.so'), '.symver: foo@V1 (hidden) and foo@@V2 as ld.bfd writes them');
    is(tags('k/libsv.so'), tags('b/libsv.so'), '.symver: the dynamic tags are ld.bfd\'s');
    SKIP: {
        skip 'no eu-elflint (elfutils)', 1 unless have('eu-elflint');
        my @new;
        for my $f (qw(libvs.so libsv.so)) {
            my ($lk, $lb) = map {
                my $r = run(argv => ['eu-elflint', '--gnu-ld', "$_/$f"]);
                my %m = map { s/\d+/N/gr => 1 } grep { !/^No errors/ } split /\n/, $r->{out} . $r->{err};
                \%m
            } qw(k b);
            push @new, grep { !$lb->{$_} } sort keys %$lk;
        }
        ok(!@new, 'eu-elflint --gnu-ld finds nothing in the versioned libraries it does not find in ld.bfd\'s')
            or diag(join "\n", @new);
    }
    sh('mkdir -p old && ld.bfd -shared -soname libsv.so --version-script ' . "$p/sv.map" . ' sv_old.o -o old/libsv.so');

    # programs ld.bfd links against each library
    for my $d (qw(k b)) {
        sh("gcc -o $d/main main.o -L$d -lsv && gcc -o $d/dl dl.o");
    }
    sh('gcc -o old/main main.o -Lold -lsv');
    is(needs('k/main'), needs('b/main'), 'a program linked against keel\'s library needs the versions it needs from ld.bfd\'s');
    like(needs('k/main'), qr/libsv.so: V2/, '... foo@@V2');
    my %env = test_env();
    my %out;
    for my $d (qw(k b)) {
        my $e = {%env, LD_LIBRARY_PATH => "$tmp/$d"};
        $out{$d} = join '|', map { my $r = run(argv => $_, env => $e); "$r->{status} $r->{out}" }
            ["$tmp/$d/main"], ["$tmp/old/main"], ["$tmp/$d/dl", "$tmp/$d/libsv.so"];
    }
    is($out{k}, $out{b}, 'the programs run alike with keel\'s library and with ld.bfd\'s');
    like($out{k}, qr/^0 foo 2\n\|0 foo 1\n\|0 foo 2, foo\@V1 1, foo\@V2 2\n$/,
         'the new program gets foo@@V2, the old one keeps foo@V1, dlvsym finds each');
    my $r = run(argv => ["$tmp/old/main"], env => {%env, LD_LIBRARY_PATH => "$tmp/k", LD_DEBUG => 'bindings'});
    like($r->{err}, qr/normal symbol .foo. \[V1\]/, 'LD_DEBUG=bindings: the old program binds foo [V1] in keel\'s library');
}

# --default-symver: every unversioned export gets a version named as the
# output (its soname, else its file name), index 2, the scripts' after it;
# and an executable's versions (-pie -E), with a node the link makes for
# foo@VX unless the script makes foo@VX local or foo@VX is not exported
# (no -E).
{
    sh("gcc -O2 -fPIE -c $p/exe.c -o exe.o");
    my @cases = (['-shared', '-soname', 'libds.so.1', '--default-symver', 'vs.o', 'vsxx.o'],
                 ['-shared', '--default-symver', '--version-script', "$p/vs.map", 'vs.o', 'vsxx.o'],
                 ['-shared', '--default-symver', '--version-script', "$p/sv.map", 'sv.o'],
                 ['-pie', '-E', '--version-script', "$p/vs.map", 'exe.o'],
                 ['-pie', '-E', '--version-script', "$p/exe.map", 'exe.o'],
                 ['-pie', '--version-script', "$p/exe.map", 'exe.o'],
                 ['-pie', '-E', '--version-script', "$p/exe_local.map", 'exe.o'],
                 ['-pie', '-E', '--default-symver', 'exe.o']);
    for my $c (@cases) {
        my $k = keel_ld(@$c, '-o', 'k/ds.out');
        my $b = bfd_ld(@$c, '-o', 'b/ds.out');
        # (the link-editor's own symbols under -E are another part's)
        my ($vk, $vb) = map { join "\n", grep { !/^(?:_edata|_end|__bss_start)\b/ } split /\n/, verinfo($_) } 'k/ds.out', 'b/ds.out';
        ok($k->{status} == 0 && $b->{status} == 0, "@$c: keel links it") or diag($k->{err});
        is($vk, $vb, "@$c: the versions are ld.bfd's");
    }
}

# ---------------------------------------------------------------- errors
{
    spew("$tmp/nov2.map", "V1 { global: foo; };\n");
    spew("$tmp/dup.map", "V1 { };\nV1 { };\n");
    spew("$tmp/undef.map", "V1 { global: nothere; };\n");
    sh(q{printf 'int f1(void){return 1;}\n__asm__(".symver f1,foo@@V2");\n' > d1.c && sed s/f1/f2/g d1.c > d2.c && gcc -fPIC -c d1.c d2.c});
    my @cases = (['a version node that does not exist', '--version-script', 'nov2.map', 'sv.o'],
                 ['a duplicate version', '--version-script', 'dup.map', 'sv.o'],
                 ['foo@@V2 defined twice', '--version-script', "$p/sv.map", 'd1.o', 'd2.o'],
                 ['--no-undefined-version', '--no-undefined-version', '--version-script', 'undef.map', 'sv_old.o']);
    for my $c (@cases) {
        my ($what, @a) = @$c;
        unlink "$tmp/k/err.so", "$tmp/b/err.so";
        my $k = keel_ld('-shared', @a, '-o', 'k/err.so');
        my $b = bfd_ld('-shared', @a, '-o', 'b/err.so');
        ok($k->{status} != 0 && $b->{status} != 0 && !-e "$tmp/k/err.so", "$what: an error, no output");
        is(first_error($k->{err}), first_error($b->{err}), "$what: in ld.bfd's words");
    }
    my $k = keel_ld('-shared', '--undefined-version', '--version-script', 'undef.map', 'sv_old.o', '-o', 'k/ok.so');
    ok($k->{status} == 0, '--undefined-version (ld.bfd\'s default): no error') or diag($k->{err});
    $k = keel_ld('-shared', '--default-imported-symver', 'sv_old.o', '-o', 'k/ds.so');
    ok($k->{status} != 0 && $k->{err} =~ /--default-imported-symver is not supported/ && !-e "$tmp/k/ds.so",
       '--default-imported-symver: refused plainly') or diag($k->{err});
    $k = keel_ld('-shared', '-R', 'sv_old.o', 'sv_old.o', '-o', 'k/r.so');
    ok($k->{status} != 0 && $k->{err} =~ /just-symbols is not supported/ && !-e "$tmp/k/r.so", '-R FILE: refused plainly')
        or diag($k->{err});
}

# ---------------------------------------------------------------- run paths
{
    sh("gcc -O2 -fPIC -c $p/target.c -o target.o && gcc -O2 -fPIC -c $p/opener.c -o opener.o"
       . " && gcc -O2 -c $p/usage.c -o usage.o && mkdir -p rp/sub && ld.bfd -shared -o rp/sub/libtarget.so target.o");
    my @combos = ([], ['-rpath', '/a', '-rpath', '$ORIGIN/x', '-rpath', '/a', '-rpath', '/b:/c'], ['-R', $tmp],
                  ['--enable-new-dtags', '-rpath', '/a'], ['--disable-new-dtags', '-rpath', '/a:/b'],
                  ['--disable-new-dtags', '--enable-new-dtags', '-rpath', '/e']);
    my %env = test_env();
    for my $c (@combos) {
        my @a = ('-shared', '-soname', 'libt.so', @$c, 'target.o');
        keel_ld(@a, '-o', 'k/rp.so');
        bfd_ld(@a, '-o', 'b/rp.so');
        is(tags('k/rp.so'), tags('b/rp.so'), "-shared @$c: readelf -d as ld.bfd's");
    }
    for my $d (qw(k b)) {
        run(argv => ['ld.bfd', '-shared', 'target.o', '-o', "$d/env.so"], env => {%env, LD_RUN_PATH => '/env'})
            if $d eq 'b';
        run(file => $keel, argv => [$keel, 'link', '-shared', 'target.o', '-o', "$d/env.so"], env => {%env, LD_RUN_PATH => '/env'})
            if $d eq 'k';
    }
    is(tags('k/env.so'), tags('b/env.so'), 'LD_RUN_PATH without -rpath: readelf -d as ld.bfd\'s');
    # -static-pie: a dynamic section too
    sh("gcc -fPIE -O2 -c $p/relr.c -o relr_pie.o");
    my @spie = gcc_line('gcc', '-static-pie', 'relr_pie.o');
    SKIP: {
        skip 'gcc gives no -static-pie line', 1 unless @spie;
        my $k = keel_ld(@spie, '-rpath', '/sp', '-o', 'k/sp');
        my $b = bfd_ld(@spie, '-rpath', '/sp', '-o', 'b/sp');
        is(tags('k/sp'), tags('b/sp'), '-static-pie -rpath: readelf -d as ld.bfd\'s') or diag($k->{err});
    }
    # glibc finds libtarget.so through the opener's run path, as in ld.bfd's
    for my $dt ('--enable-new-dtags', '--disable-new-dtags', '') {
        my %run;
        for my $d (qw(k b)) {
            my @a = ('-shared', $dt ? ($dt, '-rpath', '$ORIGIN/sub') : (), 'opener.o', '-o', "rp/libopener.so");
            my $l = $d eq 'k' ? keel_ld(@a) : bfd_ld(@a);
            sh('gcc -o rp/usage usage.o -Lrp -lopener');
            my $r = run(argv => ["$tmp/rp/usage"], env => {%env, LD_LIBRARY_PATH => "$tmp/rp"});
            $run{$d} = "$l->{status} $r->{status} $r->{out}";
        }
        is($run{k}, $run{b}, ($dt || 'no -rpath') . ': the library opens libtarget.so as ld.bfd\'s does');
        like($run{k}, $dt ? qr/target 42/ : qr/target -1/, ($dt || 'no -rpath') . ': ' . ($dt ? 'found through the run path' : 'not found'));
    }
    # a static executable: ld.bfd ignores -rpath, so does keel
    sh("gcc -O2 -c $p/relr.c -o relr_st.o");
    my @st = gcc_line('gcc', '-static', 'relr_st.o');
    SKIP: {
        skip 'gcc gives no -static line', 1 unless @st;
        my $k = keel_ld(@st, '-rpath', '/x', '-o', 'k/st');
        my $d = run(argv => ['readelf', '-dW', 'k/st']);
        ok($k->{status} == 0 && $d->{out} =~ /no dynamic section/, 'a static executable: -rpath is ignored silently')
            or diag($k->{err} . $d->{out});
    }
}

# Every tag at once, in ld.bfd's order (the list is not sorted here).
{
    sh("gcc -O2 -fPIC -c $p/many.c -o many.o");
    my @a = ('-shared', '-soname', 'm.so', '-Bsymbolic', '-rpath', '/x', '--version-script', "$p/sv.map",
             '-z', 'pack-relative-relocs', '-z', 'now', '-z', 'origin', '-z', 'nodelete', 'many.o', 'sv.o');
    my $k = keel_ld(@a, '-o', 'k/m.so');
    bfd_ld(@a, '-o', 'b/m.so');
    my ($tk, $tb) = map { join ' ', run(argv => ['readelf', '-dW', $_])->{out} =~ /^\s*0x[0-9a-f]+\s+\((\w+)\)/mg }
        'k/m.so', 'b/m.so';
    is($tk, $tb, 'every option at once: the dynamic tags in ld.bfd\'s order') or diag($k->{err});
}

# ---------------------------------------------------------------- -z pack-relative-relocs
# The places the dynamic relocations name, each as section+offset (the two
# links place sections apart): RELATIVE ones of .rela.dyn, and .relr.dyn's.
sub places {
    my ($file, $which) = @_;
    my $s = run(argv => ['readelf', '-SW', $file])->{out};
    my @sec;
    push @sec, [$1, hex $2, hex $3] while $s =~ /\]\s+(\S+)\s+\w+\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)/g;
    my $r = run(argv => ['readelf', '-rW', $file])->{out};
    my @off;
    if ($which eq 'relr') {
        my ($part) = $r =~ /'\.relr\.dyn'.*?\n(.*)/s;
        @off = map { hex } ($part // '') =~ /^([0-9a-f]{16})$/mg;
    } else {
        @off = map { hex } $r =~ /^([0-9a-f]+)\s+[0-9a-f]+\s+R_X86_64_RELATIVE/mg;
    }
    my @p;
    for my $o (@off) {
        my ($in) = grep { $_->[1] && $o >= $_->[1] && $o < $_->[1] + $_->[2] } @sec;
        push @p, $in ? sprintf('%s+%x', $in->[0], $o - $in->[1]) : sprintf('?%x', $o);
    }
    return join ' ', sort @p;
}

sub relr_count {
    my ($file) = @_;
    my $r = run(argv => ['readelf', '-rW', $file])->{out};
    return $r =~ /'\.relr\.dyn' at offset 0x[0-9a-f]+ contains (\d+) entr\w+:\s+(\d+) offsets/ ? "$1 entries, $2 offsets" : 'none';
}

{
    sh("gcc -O2 -fPIC -DLIB -c $p/relr.c -o relr_lib.o && gcc -O2 -c $p/relr_use.c -o relr_use.o");
    my @a = ('-shared', '-soname', 'librelr.so', 'relr_lib.o');
    my $k = keel_ld(@a, '-z', 'pack-relative-relocs', '-o', 'k/librelr.so');
    my $b = bfd_ld(@a, '-z', 'pack-relative-relocs', '-o', 'b/librelr.so');
    keel_ld(@a, '-z', 'pack-relative-relocs', '-z', 'nopack-relative-relocs', '-o', 'k/librela.so');
    ok($k->{status} == 0, '-shared -z pack-relative-relocs: keel links it') or diag($k->{err});
    is(relr_count('k/librelr.so'), relr_count('b/librelr.so'), '-shared: .relr.dyn\'s entries and offsets as many as ld.bfd\'s');
    my $kp = places('k/librelr.so', 'relr');
    my $kr = places('k/librela.so', 'rela');
    my @left = split ' ', places('k/librelr.so', 'rela');
    is(join(' ', sort(split(' ', $kp), @left)), $kr,
       '-shared: .relr.dyn and what .rela.dyn keeps are the RELATIVE relocations of the link without it');
    is(scalar(@left), scalar(() = places('b/librelr.so', 'rela') =~ /\S+/g), '-shared: .rela.dyn keeps as many RELATIVE as ld.bfd\'s (the odd place)');
    is(tags('k/librelr.so'), tags('b/librelr.so'), '-shared: the dynamic tags are ld.bfd\'s (RELR, RELRSZ, RELRENT)');
    is(tags('k/librela.so'), tags('b/librela.so') // '', '-z nopack-relative-relocs: no DT_RELR')
        if bfd_ld(@a, '-o', 'b/librela.so')->{status} == 0;
    my %env = test_env();
    for my $d (qw(k b)) {
        sh("gcc -o $d/relr_use relr_use.o -L$d -lrelr");
    }
    my ($rk, $rb) = map { run(argv => ["$tmp/$_/relr_use"], env => {%env, LD_LIBRARY_PATH => "$tmp/$_"}) } qw(k b);
    is("$rk->{status} $rk->{out}", "0 relr ok\n", '-shared: a program using keel\'s packed library runs') or diag($rk->{err});

    my @spie = gcc_line('gcc', '-static-pie', 'relr_pie.o');
    SKIP: {
        skip 'gcc gives no -static-pie line', 5 unless @spie;
        for my $d (qw(k b)) {
            my $l = $d eq 'k' ? keel_ld(@spie, '-z', 'pack-relative-relocs', '-o', "$d/spie")
                              : bfd_ld(@spie, '-z', 'pack-relative-relocs', '-o', "$d/spie");
            diag($l->{err}) if $l->{status};
        }
        keel_ld(@spie, '-o', 'k/spie0');
        my $r = run(argv => ["$tmp/k/spie"]);
        is("$r->{status} $r->{out}", "0 relr ok\n", '-static-pie -z pack-relative-relocs: keel\'s program runs');
        is(relr_count('k/spie'), relr_count('b/spie'), '-static-pie: .relr.dyn\'s entries and offsets as many as ld.bfd\'s');
        isnt(relr_count('k/spie'), 'none', '-static-pie: a .relr.dyn');
        my @kept = split ' ', places('k/spie', 'rela');
        is(join(' ', sort(split(' ', places('k/spie', 'relr')), @kept)), places('k/spie0', 'rela'),
           '-static-pie: .relr.dyn and what .rela.dyn keeps are the RELATIVE relocations of the link without it');
        is(tags('k/spie'), tags('b/spie'), '-static-pie: the dynamic tags are ld.bfd\'s');
    }
}

# A PIE against the shared glibc: glibc refuses DT_RELR without a need of
# libc.so.6's GLIBC_ABI_DT_RELR, which ld.bfd adds.
{
    sh("mkdir -p kld && ln -sf $keel kld/ld && gcc -O2 -fPIE -c $p/relr.c -o relr_dyn.o");
    my $k = run(argv => ['gcc', "-B$tmp/kld/", '-Wl,-z,pack-relative-relocs', 'relr_dyn.o', '-o', 'k/pie']);
    my $b = run(argv => ['gcc', '-Wl,-z,pack-relative-relocs', 'relr_dyn.o', '-o', 'b/pie']);
    my $r = run(argv => ["$tmp/k/pie"]);
    is("$k->{status} $r->{status} $r->{out}", "0 0 relr ok\n", 'a PIE against glibc with -z pack-relative-relocs runs')
        or diag("$k->{err} $r->{err}");
    my ($nk, $nb) = map { join ' ', run(argv => ['readelf', '-VW', $_])->{out} =~ /Name: (GLIBC_ABI_DT_RELR)/g } 'k/pie', 'b/pie';
    is($nk, $nb, '... needing GLIBC_ABI_DT_RELR of libc.so.6 as ld.bfd\'s does');
    isnt($nb, '', '... (ld.bfd\'s does)');
}

done_testing();
