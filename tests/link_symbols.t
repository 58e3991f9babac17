#!/usr/bin/perl
# Symbol resolution and inputs, keel link against ld.bfd on the same line
# (issue 11: items 5, 14, 15, 16, 18 and the symbol options of 20).  Each
# link is run by ld.bfd and by keel link; both must exit alike, say the
# same (messages compared without the program's name; undefined
# references by symbol and place, since ld.bfd words them over two lines
# with the function's name), write an executable alike, and the two
# executables must print the same and exit alike.
#   5  a common replaced by an archive member's data, .bss too (not by a
#      function, another common or a weak definition), and the map's
#      members;
#   14 GNU ld input scripts: quoted names, names searched in the script's
#      directory and the -L directories, -lNAME, syntax errors;
#   15 no entry symbol: a warning, the entry at .text;
#   16 an undefined symbol no linked relocation uses;
#   18 .gnu.linkonce.* sections in two objects;
#   20 --allow-multiple-definition, -z muldefs, --unresolved-symbols,
#      --warn-unresolved-symbols, --noinhibit-exec, --wrap, -y.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Programs qw(slurp spew);
use KeelTest qw(keel_setup run sh linker_args);

my ($build, $keel, $tmp) = keel_setup('link_symbols', need => ['ld.bfd (binutils)', 'gcc']);
my $src = "$FindBin::Bin/progs/link_symbols";

# The linker's arguments gcc's driver gives for a static link of @objs
# (the line of -### that runs collect2), with -o OUT.
sub driver_args {
    my @w = linker_args('gcc', '-static', @_, '-o', 'OUT');
    return @w ? @w : die "no linker line from gcc -###";
}

# Messages without the program's name ("ld.bfd:" or "keel ld: ").
sub messages {
    my ($err) = @_;
    return join "\n", map { s/^(?:ld\.bfd|keel ld):\s?//r =~ s/`/'/gr } grep { length } split /\n/, $err;
}

# The undefined references a link reports: "section+offset symbol" (and
# whether it says warning), sorted; ld.bfd's two-line form and keel's one.
sub undefined_refs {
    my ($err) = @_;
    my %seen;
    for my $line (split /\n/, $err) {
        next unless $line =~ /\((\S+\+0x[0-9a-f]+)\): (warning: )?undefined reference to [`'](.+)'$/;
        $seen{"$1 " . ($2 // '') . $3} = 1;
    }
    return join ', ', sort keys %seen;
}

sub members {
    my ($map) = @_;
    my $text = slurp($map);
    return undef unless $text =~ /^Archive member included to satisfy reference by file \(symbol\)\n\n(.*?)(?:\n\n|\z)/ms;
    return $1 =~ s/\n+\z//r;
}

sub status { my ($s) = @_; return $s & 127 ? "signal " . ($s & 127) : "exit " . ($s >> 8) }

# Link @args (OUT is the output) by both linkers and compare.  Options:
# msgs => 'same' (exact, the default), 'undef' (references by place),
# 'first' (keel's one error is one of ld.bfd's), 'entry' (the entry
# warning, its address keel's .text); map => compare
# the archive members; run => [args] to run the programs with.
sub both {
    my ($name, $args, %o) = @_;
    my $tag = $name =~ s/\W+/_/gr;
    my ($bo, $ko) = ("$tmp/$tag.bfd", "$tmp/$tag.keel");
    unlink $bo, $ko;
    my @map = $o{map} ? ('-Map', "$tmp/$tag.map") : ();
    my @ba = map { $_ eq 'OUT' ? $bo : $_ } @$args;
    my @ka = map { $_ eq 'OUT' ? $ko : $_ } @$args;
    my $b = run(argv => ['ld.bfd', @ba, @map]);
    rename "$tmp/$tag.map", "$tmp/$tag.bfd.map" if $o{map};
    my $k = run(file => $keel, argv => [$keel, 'link', @ka, @map]);
    rename "$tmp/$tag.map", "$tmp/$tag.keel.map" if $o{map};
    is(status($k->{status}), status($b->{status}), "$name: keel link exits as ld.bfd does")
        or diag("ld.bfd said: $b->{err}\nkeel said: $k->{err}");
    my $mode = $o{msgs} // 'same';
    if ($mode eq 'same') {
        is(messages($k->{err}), messages($b->{err}), "$name: the same messages");
    } elsif ($mode eq 'first') { # keel stops at its first error, ld.bfd goes on
        my %bfd = map { $_ => 1 } split /\n/, messages($b->{err});
        my ($first) = split /\n/, messages($k->{err});
        ok(defined $first && $bfd{$first}, "$name: keel's message is ld.bfd's")
            or diag("ld.bfd said: $b->{err}\nkeel said: $k->{err}");
    } elsif ($mode eq 'undef') {
        my $want = undefined_refs($b->{err});
        ok($want ne '' && undefined_refs($k->{err}) eq $want, "$name: the same undefined references ($want)")
            or diag("ld.bfd said: $b->{err}\nkeel said: $k->{err}");
    } elsif ($mode eq 'entry') {
        my $re = run(argv => ['readelf', '-SW', $ko]);
        my ($text) = $re->{out} =~ /\]\s+\.text\s+PROGBITS\s+([0-9a-f]+)/;
        my $want = messages($b->{err}) =~ s/defaulting to [0-9a-f]+/defaulting to <.text>/r;
        my $got = messages($k->{err});
        ok(defined $text && $got =~ s/defaulting to \Q$text\E\b/defaulting to <.text>/ && $got eq $want,
           "$name: ld.bfd's warning, the address keel's .text (" . ($text // 'none') . ")")
            or diag("ld.bfd said: $b->{err}\nkeel said: $k->{err}");
        my $h = run(argv => ['readelf', '-hW', $ko]);
        my ($entry) = $h->{out} =~ /Entry point address:\s+0x([0-9a-f]+)/;
        ok(defined $entry && defined $text && hex($entry) == hex($text), "$name: the entry is .text's start");
    }
    if ($o{map}) {
        my ($want, $got) = (members("$tmp/$tag.bfd.map"), members("$tmp/$tag.keel.map"));
        ok(defined $want && defined $got && $got eq $want, "$name: the archive members taken, and why, are ld.bfd's")
            or diag("ld.bfd: " . ($want // 'no map') . "\nkeel:   " . ($got // 'no map'));
    }
    is(-e $ko ? 'output' : 'none', -e $bo ? 'output' : 'none', "$name: an executable where ld.bfd writes one");
    if (-e $bo && -e $ko) {
        my ($br, $kr) = (run(argv => [$bo, @{ $o{run} // [] }]), run(argv => [$ko, @{ $o{run} // [] }]));
        ok($kr->{out} eq $br->{out} && $kr->{status} == $br->{status},
           "$name: the program prints and exits as ld.bfd's (" . status($br->{status}) . ")")
            or diag("ld.bfd's: " . status($br->{status}) . " '$br->{out}'\nkeel's: " . status($kr->{status})
                    . " '$kr->{out}' $kr->{err}");
    }
}

# ----------------------------------------------------------- compile
for my $c (qw(common_main common_data common_func common_common common_weak)) {
    sh("gcc -O2 -fcommon -c $src/$c.c -o $c.o");
}
sh("gcc -O2 -fno-common -c $src/common_bss.c -o common_bss.o");
for my $m (qw(data bss func common weak)) {
    sh("rm -f libc_$m.a && ar rcs libc_$m.a common_$m.o");
}
for my $c (qw(script_main script_val linkonce_main wrap_main wrap_impl unresolved)) {
    sh("gcc -O2 -c $src/$c.c -o $c.o");
}
for my $s (qw(nostart undef_unused undef_dead undef_debug linkonce_a linkonce_b)) {
    sh("gcc -c $src/$s.s -o $s.o");
}

# ------------------------------------------------- 5: common and archive
for my $m (qw(data bss func common weak)) {
    my @args = driver_args('common_main.o', "libc_$m.a");
    both("common and an archive member's $m", \@args, map => 1);
}

# --------------------------------------------------------- 14: scripts
sh('mkdir -p lib scripts && cp script_val.o lib/val.o && cp script_val.o scripts/near.o'
   . ' && rm -f lib/libval.a && ar rcs lib/libval.a script_val.o');
my @scripts = (
    ['a quoted name', qq{GROUP ( "lib/val.o" )\n}],
    ['a name in a -L directory', "/* found in lib */\nINPUT ( val.o )\n", '-Llib'],
    ['an archive in a -L directory, a comma', "GROUP ( libval.a , libval.a )\n", '-Llib'],
    ['a comma joined to a name is part of it', "GROUP ( libval.a, libval.a )\n", '-Llib'],
    ['-lNAME', "GROUP ( -lval )\n", '-Llib'],
    ['-lNAME in AS_NEEDED', "GROUP ( AS_NEEDED ( -lval ) )\n", '-Llib'],
    ['a name beside the script', "INPUT ( near.o );\n"],
    ['OUTPUT_FORMAT, an absolute name', qq{OUTPUT_FORMAT("elf64-x86-64")\nGROUP ( $tmp/lib/libval.a )\n}],
    ['an unterminated GROUP', "/* libval */\nGROUP ( val.o\n", '-Llib'],
    ['a stray word', "GROUP ( val.o )\n\nINPUTS ( x )\n", '-Llib'],
    ['a stray parenthesis', "GROUP ( val.o ) )\n", '-Llib'],
    ['a name not found', "GROUP ( nowhere.o )\n", '-Llib'],
    ['-lNAME not found', "GROUP ( -lnowhere )\n", '-Llib'],
    ['a quoted -lNAME is a file name', qq{INPUT ( "-lval" )\n}, '-Llib'],
);
for my $i (0 .. $#scripts) {
    my ($name, $text, @opts) = @{ $scripts[$i] };
    spew("$tmp/scripts/s$i", $text);
    my @args = driver_args('script_main.o', @opts, "scripts/s$i");
    both("script: $name", \@args);
}

# ------------------------------------------------------ 15: entry point
both('no _start', ['nostart.o', '-o', 'OUT'], msgs => 'entry');
both('-e naming no symbol', ['-e', 'nowhere', 'nostart.o', '-o', 'OUT'], msgs => 'entry');
{
    # -e with a number that is no symbol: that address (hexadecimal)
    both('-e with an address', ['-e', '0x401234', 'undef_unused.o', '-o', 'OUT']);
    my ($b, $k) = map { run(argv => ['readelf', '-hW', "$tmp/_e_with_an_address.$_"])->{out} } qw(bfd keel);
    my ($be) = $b =~ /Entry point address:\s+(\S+)/;
    my ($ke) = $k =~ /Entry point address:\s+(\S+)/;
    is($ke // 'none', $be // 'no entry', '-e with an address: the entry is that address, as ld.bfd\'s');
}

# ------------------------------------------ 16: undefined and not used
both('an undefined symbol no relocation uses', ['undef_unused.o', '-o', 'OUT']);
both('-u naming a symbol nothing defines', ['-u', 'nowhere', 'undef_unused.o', '-o', 'OUT']);
both('an undefined symbol used only by a dropped section', ['--gc-sections', 'undef_dead.o', '-o', 'OUT']);
both('the same, without --gc-sections', ['undef_dead.o', '-o', 'OUT'], msgs => 'undef');
both('an undefined symbol used by debug information', ['undef_debug.o', '-o', 'OUT'], msgs => 'undef');

# ------------------------------------------------ 18: .gnu.linkonce.*
both('.gnu.linkonce sections in two objects', [driver_args(qw(linkonce_main.o linkonce_a.o linkonce_b.o))]);
both('.gnu.linkonce sections, the other order', [driver_args(qw(linkonce_main.o linkonce_b.o linkonce_a.o))]);

# ------------------------------------------------- 20: symbol options
my @wrap = driver_args(qw(wrap_main.o wrap_impl.o));
both('two definitions', \@wrap, msgs => 'first');
both('--allow-multiple-definition', [@wrap, '--allow-multiple-definition', '--wrap=foo']);
both('-z muldefs, --wrap foo', [@wrap, '-z', 'muldefs', '--wrap', 'foo']);
both('--wrap: __real_foo undefined without it', [@wrap, '-z', 'muldefs'], msgs => 'undef');
both('-y and --trace-symbol',
     [@wrap, '-z', 'muldefs', '--wrap=foo', '-y', 'foo', '--trace-symbol=dupv', '-y__wrap_foo', '-y', 'nowhere',
      '--trace-symbol', 'printf']);
both('--noinhibit-exec: a multiple definition', [@wrap, '--noinhibit-exec', '--wrap=foo']);
my @unres = driver_args('unresolved.o');
both('an undefined reference', \@unres, msgs => 'undef');
for my $how (qw(ignore-all ignore-in-object-files report-all ignore-in-shared-libs)) {
    both("--unresolved-symbols=$how", [@unres, "--unresolved-symbols=$how"],
         msgs => $how =~ /^ignore-all|object/ ? 'same' : 'undef');
}
both('--unresolved-symbols with a bad value', [@unres, '--unresolved-symbols=bogus']);
both('--warn-unresolved-symbols', [@unres, '--warn-unresolved-symbols'], msgs => 'undef');
both('--noinhibit-exec: an undefined reference', [@unres, '--noinhibit-exec'], msgs => 'undef');

done_testing();
