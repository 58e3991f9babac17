#!/usr/bin/perl
# GNU version scripts and dynamic lists, and the symbol policy of dynamic
# outputs (lib/link/version_script.c, version_match.c, export_policy.c).
#
# The reader: each construct of ld.bfd's grammar read into the canonical
# form (tests/unit/version_script.c prints it), compared with what ld.bfd's
# documentation says it means, written here by hand; each error and
# warning compared with ld.bfd's own message for the same file (ld.bfd
# -shared run with it).
#
# The policy: tests/progs/verscript/*.c linked -shared (and -pie) by
# ld.bfd under several scripts and options; for each defined global of the
# link keel's policy (tests/unit/export_policy.c) must say what ld.bfd's
# output shows: in .dynsym or not, its version and whether it is the
# default (readelf --dyn-syms), and whether the library's own references
# to it stayed preemptible (a JUMP_SLOT, GLOB_DAT or 64 relocation against
# it in readelf -r).  ld.bfd is the oracle: no answer is written here.
#
# And what shows today in the outputs keel writes (static executables, -r):
# ld.bfd reads and checks the scripts there but changes no symbol; keel
# must fail and succeed where ld.bfd does, with ld.bfd's words.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use KeelTest qw(keel_setup run sh);

my ($build, $keel, $tmp) = keel_setup('link_version_script', need => ['ld.bfd (binutils)', 'gcc', 'g++', 'readelf']);
my $src = "$FindBin::Bin/progs/verscript";
my ($vs, $pol) = ("$build/tests/version_script", "$build/tests/export_policy");
plan skip_all => "no $vs or $pol (make test builds them)" unless -x $vs && -x $pol;

sh("gcc -O1 -fPIC -fno-common -c $src/lib.c -o lib.o");
sh("gcc -O1 -fPIC -c $src/symver.c -o symver.o");
sh("g++ -O1 -fPIC -c $src/cxx.cc -o cxx.o");
sh("echo 'int x(void) { return 0; }' | gcc -fPIC -c -x c - -o tiny.o");

sub put {
    my ($name, $text) = @_;
    open my $f, '>', "$tmp/$name" or die "$name: $!";
    print $f $text;
    close $f;
}

# ld.bfd's messages without its name, keel's without "error: "/"warning: "
sub bfd_lines {
    my ($err) = @_;
    return join "\n", grep { !/failed to set dynamic section sizes/ } map { s/^ld(?:\.bfd)?:\s*//r } split /\n/, $err;
}

sub unit_lines {
    my ($out) = @_;
    return join "\n", map { s/^(?:error|warning): //r } grep { /^(?:error|warning): / } split /\n/, $out;
}

# ---------------------------------------------------------------- reader
# construct => [script, canonical form expected (ld.bfd's manual: "VERS_1.1 {
# global: foo1; local: old*; };" etc.)]
my @forms = (
    ['anonymous node', "{ global: foo; local: *; };", "node (anonymous)\n  global C exact \"foo\"\n  local C star \"*\"\n"],
    ['named nodes, inheritance, no scope keyword',
     "VERS_1.1 {\n global:\n  foo1;\n local:\n  old*;\n  original*;\n  new*;\n};\n\nVERS_1.2 {\n  foo2;\n} VERS_1.1;\n\nVERS_2.0 {\n  bar1; bar2;\n  extern \"C++\" {\n    ns::*;\n    \"f(int, double)\";\n  };\n} VERS_1.2;\n",
     "node VERS_1.1\n  global C exact \"foo1\"\n  local C glob \"old*\"\n  local C glob \"original*\"\n  local C glob \"new*\"\n"
     . "node VERS_1.2 parents VERS_1.1\n  global C exact \"foo2\"\n"
     . "node VERS_2.0 parents VERS_1.2\n  global C exact \"bar1\"\n  global C exact \"bar2\"\n  global C++ glob \"ns::*\"\n  global C++ exact \"f(int, double)\"\n"],
    ['empty node, several parents', "A { };\nB { } A;\nC { x; } A B;\n",
     "node A\nnode B parents A\nnode C parents A B\n  global C exact \"x\"\n"],
    ['globs ? [..] and escapes, quoted names are exact',
     "V { global: f?o; b[ab]r; esc\\*aped; \"q*uoted\"; local: *_internal; };",
     "node V\n  global C glob \"f?o\"\n  global C glob \"b[ab]r\"\n  global C exact \"esc*aped\"\n  global C exact \"q*uoted\"\n  local C glob \"*_internal\"\n"],
    ['comments # and /* */ and keywords as names',
     "# a comment\nV /* here */ { global; local; extern; /* multi\nline */ x; # to the end\n};\n",
     "node V\n  global C exact \"global\"\n  global C exact \"local\"\n  global C exact \"extern\"\n  global C exact \"x\"\n"],
    ['extern "C" and nested blocks, last ; optional', "V { extern \"C\" { a; b }; extern \"C++\" { \"A::f()\" }; c; };",
     "node V\n  global C exact \"a\"\n  global C exact \"b\"\n  global C++ exact \"A::f()\"\n  global C exact \"c\"\n"],
);
for my $f (@forms) {
    my ($what, $text, $want) = @$f;
    put('form.map', $text);
    my $k = run(file => $vs, argv => [$vs, 'form.map']);
    is($k->{out}, $want, "reader: $what: the canonical form");
    my $b = run(argv => ['ld.bfd', '-shared', '-o', 'form.so', 'tiny.o', '--version-script', 'form.map']);
    is($b->{status}, 0, "reader: $what: ld.bfd takes it too");
}

# errors and warnings, against ld.bfd's own on the same file
my @bad = (
    ['no ; after the node', "V1 { global: foo; local: *; }"],
    ['empty file', ""],
    ['name without ;', "V1 { foo };"],
    ['local: before global:', "V1 { local: a; global: b; };"],
    ['local: without global: before it', "{ foo; local: *; };"],
    ['global: twice', "V1 { global: foo; local: bar; global: x; };"],
    ['extern without braces', "V1 { extern \"C\" foo; };"],
    ['a tag with $ inside', "V.1\$x { foo; };"],
    ['a single colon in a name', "V1 { foo::bar; a:b; };"],
    ['error on a later line', "V1 {\n  foo;\n  bar\n};\n"],
    ['anonymous with named', "{ global: foo; }; V2 { bar; };"],
    ['named then anonymous', "V2 { bar; }; { global: foo; };"],
    ['tag twice', "V1 { foo; };\nV1 { bar; };"],
    ['global here, local there', "V1 { foo; }; V2 { local: foo; };"],
    ['the same glob both ways', "V1 { global: x*; }; V2 { local: x*; };"],
    ['unknown parent', "V1 { foo; } V0;"],
    ['parent after its child', "V2 { } V1; V1 { };"],
    ['unknown language', "V1 { extern \"Klingon\" { x; }; };"],
    ['comment never closed', "V1 { foo; /* unterminated"],
    ['invalid characters are skipped', "V1 { foo; @ 1bar; \"baz; };"],
    ['a name in two nodes is no error', "V1 { foo; }; V2 { foo; };"],
);
for my $c (@bad) {
    my ($what, $text) = @$c;
    put('bad.map', $text);
    my $b = run(argv => ['ld.bfd', '-shared', '-o', 'bad.so', 'tiny.o', '--version-script', 'bad.map']);
    my $k = run(file => $vs, argv => [$vs, 'bad.map']);
    is(unit_lines($k->{out}), bfd_lines($b->{err}), "reader: $what: ld.bfd's message");
    is($k->{status} ? 'fails' : 'reads', $b->{status} ? 'fails' : 'reads', "reader: $what: fails where ld.bfd does");
}

# a dynamic list: `{ names; };`, no tags, no scopes
put('list.map', "{ fn_a; \"data_x\"; extern \"C++\" { ns::*; }; };\n{ api_*; };\n");
is(run(file => $vs, argv => [$vs, '--dynamic-list', 'list.map'])->{out},
   "node (anonymous)\n  global C exact \"fn_a\"\n  global C exact \"data_x\"\n  global C++ glob \"ns::*\"\n  global C glob \"api_*\"\n",
   'reader: a dynamic list of two blocks is one list');
for my $c (['a tag in a dynamic list', "V1 { fn_a; };"], ['a scope in a dynamic list', "{ global: fn_a; };"],
           ['no ; in a dynamic list', "{ fn_a; }"]) {
    my ($what, $text) = @$c;
    put('badlist.map', $text);
    my $b = run(argv => ['ld.bfd', '-shared', '-o', 'bad.so', 'tiny.o', '--dynamic-list', 'badlist.map']);
    my $k = run(file => $vs, argv => [$vs, '--dynamic-list', 'badlist.map']);
    is(unit_lines($k->{out}), bfd_lines($b->{err}), "reader: $what: ld.bfd's message");
}

# ---------------------------------------------------------------- policy
# ld.bfd's view of its output: name@ver (or name) of each defined .dynsym
# entry but the version nodes' own, and the names its dynamic relocations
# reference
sub bfd_view {
    my ($so) = @_;
    my %dyn;
    my $ds = sh("readelf -W --dyn-syms $so")->{out};
    for (split /\n/, $ds) {
        my @f = split ' ';
        next unless @f >= 8 && $f[0] =~ /^\d+:$/ && $f[6] ne 'UND';
        next if $f[6] eq 'ABS' && $f[2] eq '0' && $f[7] !~ /@/; # a version node's symbol
        $dyn{ $f[7] =~ s/ \(\d+\)$//r } = 1;
    }
    my %pre;
    for (split /\n/, sh("readelf -W -r $so")->{out}) {
        next unless /R_X86_64_(?:JUMP_SLOT|GLOB_DAT|64)\s+\S+\s+(\S+)/;
        $pre{ $1 =~ s/@.*//r } = 1;
    }
    return (\%dyn, \%pre);
}

# the symbols each library references from inside (all but the entry points)
my %referenced = map { $_ => 1 } qw(fn_a fn_b api_open api_close api_internal prot_fn weak_fn data_x data_y prot_data
  weak_data _ZN2ns1fEi _ZN2ns1fEd _ZN2ns1gEd _Znwm _ZdlPvm _ZTIN2ns1TE _ZN2ns1T1vEv);
# (_ZdlPv, the unsized delete, is defined but not called from inside)

sub policy {
    my ($what, $kind, $objs, @opts) = @_;
    my $tag = $what =~ s/\W+/_/gr;
    my @ld = ($kind eq 'shared' ? ('-shared') : ('-pie', '-e', 'use_all'));
    my $b = run(argv => ['ld.bfd', @ld, '-o', "$tag.so", @$objs, @opts]);
    my ($dyn, $pre) = $b->{status} ? () : bfd_view("$tmp/$tag.so");
    my $bfd_V = $b->{status} ? '' : sh("readelf -V $tag.so")->{out};
    # the same output name, which ld.bfd's errors give (keel writes -r there)
    my $k = run(file => $pol, argv => [$pol, $kind, "$tag.so", @opts, @$objs]);
    if ($b->{status}) {
        is(unit_lines($k->{out}), bfd_lines($b->{err}), "policy: $what: ld.bfd's error");
        return;
    }
    is($k->{status}, 0, "policy: $what: keel's policy applies") or diag($k->{out});
    my (@want, @got, @pwant, @pgot);
    for (split /\n/, $k->{out}) {
        my ($name, $exp, $preempt, $dynname) = split ' ';
        next if $name =~ /^_(?:GLOBAL_OFFSET_TABLE_|DYNAMIC)$/;
        push @got, "$name: " . ($exp eq 'exported' ? $dynname : '-');
        my $in = $dyn->{$dynname};
        # ld.bfd lists foo@@V also as foo when... never: exact name with version
        push @want, "$name: " . ($in ? $dynname : '-');
        if ($referenced{$name}) {
            push @pgot, "$name: " . ($preempt eq 'preemptible' ? 'preemptible' : 'binds locally');
            push @pwant, "$name: " . ($pre->{$name} ? 'preemptible' : 'binds locally');
        }
    }
    # the version sections keel's writers make of the policy, read back,
    # against ld.bfd's (readelf -V's .gnu.version_d lines; each symbol's
    # version as readelf --dyn-syms shows it)
    my $v = run(file => $pol, argv => [$pol, '--versions', "$tag.so", $kind, "$tag.ver.o", @opts, @$objs]);
    my $bfd_vd = join "\n", grep { /^Version definition section|^\s+0x[0-9a-f]+: |^\s+000000: / }
      map { s/^(Version definition section '.gnu.version_d' contains \d+ entr)ies:.*/$1ies:/r }
      split /\n/, $bfd_V =~ s/Version symbols section.*?\n\n//sr =~ s/Version needs section.*//sr;
    my $keel_vd = join "\n", grep { !/^versym / } split /\n/, $v->{out};
    is($keel_vd, $bfd_vd, "versions: $what: .gnu.version_d as ld.bfd's, byte offsets and all");
    my $bfd_vs = join ' ', sort grep { /@/ } keys %$dyn;
    my $keel_vs = join ' ', sort grep { /@/ } map { s/^versym //r } grep { /^versym / } split /\n/, $v->{out};
    is($keel_vs, $bfd_vs, "versions: $what: each symbol's version read back from .gnu.version as ld.bfd's");
    ok(@got > 0, "policy: $what: symbols to compare");
    is(join("\n", @got), join("\n", @want), "policy: $what: exported, with ld.bfd's version and default");
    is(join("\n", @pgot), join("\n", @pwant), "policy: $what: preemptible where ld.bfd's references are");
}

sub script { my ($name, $text) = @_; put($name, $text); return $name }

my @lib = ('lib.o');
policy('no options', 'shared', \@lib);
policy('anonymous script', 'shared', \@lib, '--version-script', script('anon.map', "{ global: api_*; local: *; };"));
policy('two nodes, inheritance', 'shared', \@lib, '--version-script',
       script('two.map', "LIB_1.0 { global: api_open; fn_*; local: *; };\nLIB_2.0 { global: api_close; data_*; } LIB_1.0;\n"));
policy('three nodes, two parents', 'shared', \@lib, '--version-script',
       script('three.map', "A { fn_a; };\nB { fn_b; } A;\nC { global: api_open; local: api_close; } B A;\n"));
policy('exact beats glob, local exact beats global glob', 'shared', \@lib, '--version-script',
       script('prec1.map', "V1 { fn_*; api_*; }; V2 { fn_a; }; V3 { local: api_close; };"));
policy('a later glob beats an earlier one', 'shared', \@lib, '--version-script',
       script('prec2.map', "V1 { fn*; data_*; }; V2 { f*; d*; };"));
policy('a glob beats *, global glob beats local glob', 'shared', \@lib, '--version-script',
       script('prec3.map', "V1 { global: *; }; V2 { global: fn_*; local: api_*; }; V3 { global: api_o*; };"));
policy('local * with a global *', 'shared', \@lib, '--version-script',
       script('prec4.map', "V1 { global: fn_a; local: *; }; V2 { global: data_x; };"));
policy('the first exact name wins', 'shared', \@lib, '--version-script',
       script('prec5.map', "V1 { fn_a; }; V2 { fn_a; api_open; }; V3 { api_open; };"));
policy('two scripts', 'shared', \@lib, '--version-script', script('s1.map', "V1 { fn_a; };"), '--version-script',
       script('s2.map', "V2 { global: fn_b; local: *; } V1;"));
policy('-Bsymbolic', 'shared', \@lib, '-Bsymbolic');
policy('-Bsymbolic-functions', 'shared', \@lib, '-Bsymbolic-functions');
policy('a dynamic list', 'shared', \@lib, '--dynamic-list', script('dl.map', "{ fn_a; data_x; };"));
policy('a dynamic list wins over -Bsymbolic', 'shared', \@lib, '-Bsymbolic', '--dynamic-list', 'dl.map');
policy('--dynamic-list-data', 'shared', \@lib, '--dynamic-list-data');
policy('--dynamic-list-data and a list', 'shared', \@lib, '--dynamic-list-data', '--dynamic-list', 'dl.map');
policy('--export-dynamic-symbol alone', 'shared', \@lib, '--export-dynamic-symbol', 'fn_b');
policy('--export-dynamic-symbol with -Bsymbolic', 'shared', \@lib, '-Bsymbolic', '--export-dynamic-symbol', 'fn_*');
policy('a script and a list', 'shared', \@lib, '--version-script', 'anon.map', '--dynamic-list', 'dl.map');
policy('executable', 'exec', \@lib);
policy('executable -E', 'exec', \@lib, '-E');
policy('executable -E and a script', 'exec', \@lib, '-E', '--version-script', 'two.map');
policy('executable, a dynamic list', 'exec', \@lib, '--dynamic-list', 'dl.map');
policy('executable, --export-dynamic-symbol', 'exec', \@lib, '--export-dynamic-symbol', 'api_*');
policy('executable, --dynamic-list-data', 'exec', \@lib, '--dynamic-list-data');

my @cxx = ('cxx.o');
policy('extern "C++"', 'shared', \@cxx, '--version-script',
       script('cxx.map', "V1 { extern \"C++\" { ns::f*; \"ns::g(double)\"; }; use_cxx; local: *; };"));
policy('extern "C++" exact beats a C glob', 'shared', \@cxx, '--version-script',
       script('cxx2.map', "V1 { _Z*; }; V2 { extern \"C++\" { \"ns::f(int)\"; }; };"));
policy('--dynamic-list-cpp-typeinfo', 'shared', \@cxx, '-Bsymbolic', '--dynamic-list-cpp-typeinfo');
policy('--dynamic-list-cpp-new', 'shared', \@cxx, '--dynamic-list-cpp-new');

my @sv = ('symver.o');
policy('foo@V1 and foo@@V2', 'shared', \@sv, '--version-script', script('sv.map', "V1 { plain; }; V2 { } V1;"));
policy('foo@@V2 local by its node', 'shared', \@sv, '--version-script', script('sv2.map', "V1 { }; V2 { global: foo; local: *; } V1;"));
policy('a version that no node has', 'shared', \@sv, '--version-script', script('sv3.map', "V2 { };"));
policy('versions in an executable make their nodes', 'exec', \@sv, '-E');

# ---------------------------------------------------------------- today's outputs
# a static executable and -r: ld.bfd reads the script (its errors stop the
# link) and changes no symbol of .symtab
sh("echo 'int fn_a(void); int main(void) { return fn_a() - 1; }' | gcc -c -x c - -o main.o");
for my $mode (['static', []], ['-r', ['-r']]) {
    my ($name, $extra) = @$mode;
    for my $s (['anon.map', 'a script'], ['bad.map', 'a bad script'], ['nosuch.map', 'a missing script']) {
        my ($map, $what) = @$s;
        put('bad.map', "V1 { foo };");
        my @args = (@$extra, '-e', 'main', 'main.o', 'lib.o', '--version-script', $map, '-E', '-Bsymbolic');
        my $b = run(argv => ['ld.bfd', @args, '-o', "today.bfd"]);
        my $k = run(file => $keel, argv => [$keel, 'link', @args, '-o', "today.keel"]);
        is($k->{status} ? 'fails' : 'links', $b->{status} ? 'fails' : 'links', "$name, $what: keel links where ld.bfd does");
        is(join("\n", map { s/^keel ld:\s*//r } split /\n/, $k->{err}), bfd_lines($b->{err}), "$name, $what: ld.bfd's words");
        next if $b->{status};
        # type, binding, visibility and name of the library's symbols
        my ($bs, $ks) = map {
            join "\n", sort map { my @f = split ' '; "@f[3,4,5,7]" }
              grep { /^\s*\d+:.*\b(?:fn_|api_|data_|prot_|weak_|hid_|use_all|main)/ } split /\n/, sh("readelf -W -s $_")->{out}
        } "$tmp/today.bfd", "$tmp/today.keel";
        ok($bs =~ /fn_a/ && $bs =~ /HIDDEN/, "$name, $what: ld.bfd's .symtab has the library's symbols");
        is($ks, $bs, "$name, $what: the same types, bindings and visibilities in .symtab as ld.bfd's");
    }
}

# NAME@@VER defines NAME too in a static link (ld.bfd's indirect symbol):
# references bind to it, a second NAME is a multiple definition (ld.bfd's
# words, the program's name and quotes aside), NAME@V does not define
# NAME, and .symtab holds NAME@@VER, not NAME
use KeelTest qw(linker_args);
sh("gcc -O1 -c $src/symver_main.c -o symver_main.o");
sh("gcc -O1 -c $src/dupfoo.c -o dupfoo.o");
sh("gcc -O1 -c $src/symver.c -o symver_static.o");
sub static_both {
    my ($what, @objs) = @_;
    my @args = linker_args('gcc', '-static', @objs, '-o', 'sv.bfd');
    my $b = run(argv => ['ld.bfd', @args]);
    s/^sv\.bfd$/sv.keel/ for @args;
    my $k = run(file => $keel, argv => [$keel, 'link', @args]);
    my $msg = sub { join "\n", map { s/^(?:ld\.bfd|keel ld):\s*//r =~ s/`/'/gr =~ s/^\w+\.c:\(/<src>:(/r =~ s/; \w+\.o:\w+\.c:/; <obj>:/r =~ s/; \w+\.o:\(/; <obj>:(/r =~ s/^\w+\.o:\(\.text/<src>:(.text/r } grep { !/: in function/ } split /\n/, $_[0] };
    is($k->{status} ? 'fails' : 'links', $b->{status} ? 'fails' : 'links', "static, $what: keel links where ld.bfd does");
    is($msg->($k->{err}), $msg->($b->{err}), "static, $what: ld.bfd's messages");
    return if $b->{status} || $k->{status};
    is(run(file => "$tmp/sv.keel", argv => ['sv.keel'])->{out}, run(file => "$tmp/sv.bfd", argv => ['sv.bfd'])->{out},
       "static, $what: runs as ld.bfd's link does");
    my ($bs, $ks) = map { join ' ', sort grep { /\b(?:foo|bar)\b|@/ } map { (split ' ')[7] // () } split /\n/, sh("readelf -W -s $_")->{out} }
      "$tmp/sv.bfd", "$tmp/sv.keel";
    is($ks, $bs, "static, $what: .symtab names the versions as ld.bfd's does");
}
static_both('foo@@V2 binds foo', 'symver_main.o', 'symver_static.o');
static_both('foo@@V2 and a second foo', 'symver_main.o', 'symver_static.o', 'dupfoo.o');
static_both('a foo and then foo@@V2', 'symver_main.o', 'dupfoo.o', 'symver_static.o');

done_testing();
