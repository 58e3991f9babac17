#!/usr/bin/perl
# keel run OBJ|ARCHIVE... [-- ARGS] (tools/run.c, the runtime loader of
# lib/load) against the same program linked normally by gcc and run.  Every
# program here runs twice, linked and through `keel run`, with the same
# argv (argv[0] is the first object's name without its .o, as keel run
# gives it), environment and standard input, and the two runs must agree
# on stdout, stderr and the exit status.
#
#   - tests/progs/run/{main,util,data}.c: a C program in three objects with
#     references every way between them (functions, globals, a common
#     symbol, a weak definition overridden by a strong one, static functions
#     of the same name, hidden and Lua-style internal visibility, function
#     pointers in .data, a string table in .rodata, constructors and
#     destructors with priorities, atexit, libc), built by gcc and clang,
#     -O0 and -O2, -fPIC, -fPIE and -fno-pic, with and without
#     -ffunction-sections -fdata-sections; non-PIC code, placed below 2 GiB,
#     cannot reach libc's data, so those builds use -DNO_HOST_DATA (no
#     `stderr`), and a non-PIC object that names stderr must be refused;
#   - C++ by g++ and clang++ (-O2 -fPIC): exceptions across two objects
#     (cxx_eh_*.cc), static objects, iostreams, std::thread (cxx_main.cc,
#     cxx_lib.cc), thread_local (cxx_tls*.cc); the exceptions again, built
#     -fvisibility=hidden as C++ tools are, main hidden too;
#   - Debian's libraries: Python (libpython3.11-pic.a under a three-line
#     pymain.c) against python3.11 itself, and SQL through libsqlite3.a
#     against the same driver linked with -lsqlite3;
#   - --list, --deps and --json, checked against readelf: sections that do
#     not overlap, with the sizes and alignments of the ELF sections, and
#     the cross-object edges that the objects' relocations predict; nothing
#     runs;
#   - errors: an undefined symbol (at the relocation's offset), a duplicate
#     strong definition, a truncated object, a missing file, a relocation
#     section that relocates itself, a missing -l library, usage errors.
#
# The C program's stdout is compared twice: destructors aside, then whole
# (the linker's one .fini_array, by priority across objects).  Python's own
# leaks at exit are not keel's: its runs set detect_leaks=0 for ASan builds.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Cwd qw(abs_path);
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use JSON::PP ();
use POSIX ();
use Oracle ();
use Programs qw(slurp spew have run_program status_text build_all);

# Where the linked program's output and keel's first differ.
sub first_difference { Programs::first_difference(@_[0, 1], 'linked') }

plan skip_all => 'keel run loads x86-64 objects into this process: x86-64 only' unless (POSIX::uname())[4] eq 'x86_64';
my $keel = abs_path(Oracle::keel_bin());
plan skip_all => 'no keel binary (' . Oracle::keel_bin() . ')' unless $keel && -x $keel;
my $readelf = Oracle::readelf_bin();
my $src = abs_path("$FindBin::Bin/progs/run");
my $parent = ($ENV{KEEL_BUILD} || 'build') . '/t';
make_path($parent);
my $tmp = abs_path(tempdir('run.XXXXXX', DIR => $parent, CLEANUP => 1));

my %env = (PATH => '/usr/local/bin:/usr/bin:/bin', LC_ALL => 'C', HOME => '/',
           KEEL_T_VAR => 'a value, with = and  spaces');
defined $ENV{$_} and $env{$_} = $ENV{$_} for qw(ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS);

# ------------------------------------------------------------------ helpers

# Run one program (Programs::run_program): argv => [ARGV0, ARGS...], file
# => what to exec (default ARGV0), dir => the working directory (default the
# test's), env (default %env), stdin.  Returns {status, out, err}.
my $runs = 0;
sub run { return run_program(env => \%env, dir => $tmp, @_, base => "$tmp/run" . ++$runs) }
# keel run with these arguments.
sub keel_run { my ($args, %o) = @_; return run(%o, file => $keel, argv => [$keel, 'run', @$args]) }

# The lines of a program's output without its destructors' ("dtor ...").
sub without_dtors { join '', grep { !/^dtor / } split /^/m, $_[0] }

# Compare a keel run with the linked one.  Options: status => the status
# both must have, out_ok => a pattern the linked stdout must match (that
# the program did run), dtors => 1 (stdout is checked twice: without the
# destructors' lines, then whole, for their order).
sub compare {
    my ($name, $d, $k, %o) = @_;
    my $ran = !$o{out_ok} || $d->{out} =~ $o{out_ok};
    if ($o{dtors}) {
        my ($dd, $kd) = (without_dtors($d->{out}), without_dtors($k->{out}));
        ok($kd eq $dd && $ran, "$name: stdout, destructors aside")
            or diag($kd ne $dd ? 'keel differs from the linked program at ' . first_difference($dd, $kd)
                               : "the linked program did not print what it should: $d->{out}");
        ok($k->{out} eq $d->{out} && $ran, "$name: stdout, destructors in the linker's order")
            or diag('keel differs from the linked program at ' . first_difference($d->{out}, $k->{out}));
    } else {
        ok($k->{out} eq $d->{out} && $ran, "$name: stdout")
            or diag($k->{out} ne $d->{out} ? 'keel differs from the linked program at ' . first_difference($d->{out}, $k->{out})
                                           : "the linked program did not print what it should: $d->{out}");
    }
    my ($ds, $ks) = (status_text($d->{status}), status_text($k->{status}));
    ok($ks eq $ds && (!defined $o{status} || $ds eq $o{status}), "$name: $ds")
        or diag("linked: $ds, keel: $ks" . (defined $o{status} ? ", expected $o{status}" : '')
                . ($k->{err} ne '' ? "\nkeel's stderr: " . substr($k->{err}, 0, 2000) : ''));
    ok($k->{err} eq $d->{err}, "$name: stderr") or diag(first_difference($d->{err}, $k->{err}));
}

# ------------------------------------------------------------------ readelf

my %reloc_number = (
    R_X86_64_64 => 1, R_X86_64_PC32 => 2, R_X86_64_GOT32 => 3, R_X86_64_PLT32 => 4, R_X86_64_GOTPCREL => 9,
    R_X86_64_32 => 10, R_X86_64_32S => 11, R_X86_64_PC64 => 24, R_X86_64_GOTOFF64 => 25,
    R_X86_64_GOTPC32 => 26, R_X86_64_GOTPC64 => 29, R_X86_64_GOTPCRELX => 41, R_X86_64_REX_GOTPCRELX => 42,
);

# Sections of an object: [{index, name, type, size, flags, align}], by index.
sub elf_sections {
    my ($obj) = @_;
    my @s;
    for (split /\n/, `$readelf -SW $obj`) {
        next unless /^\s*\[\s*(\d+)\]\s+(\S+)\s+(\S+)\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)\s+[0-9a-f]+\s+(\S*)\s+\d+\s+\d+\s+(\d+)$/;
        $s[$1] = { index => $1, name => $2, type => $3, size => hex($4), flags => $5, align => $6 };
    }
    return \@s;
}

# Symbols of an object: [{name, bind, vis, ndx}] by symbol index.
sub elf_symbols {
    my ($obj) = @_;
    my @sym;
    for (split /\n/, `$readelf -sW $obj`) {
        next unless /^\s*(\d+):\s+[0-9a-f]+\s+\d+\s+\w+\s+(\w+)\s+(\w+)\s+(\w+)\s*(\S*)/;
        $sym[$1] = { name => $5, bind => $2, vis => $3, ndx => $4 };
    }
    return \@sym;
}

# Relocations: [{section (the ELF section they apply to), offset, type, sym}].
sub elf_relocs {
    my ($obj) = @_;
    my @r;
    my $sec;
    for (split /\n/, `$readelf -rW $obj`) {
        if (/^Relocation section '\.rela(\S+)'/) { $sec = $1; next }
        next unless defined $sec && /^([0-9a-f]+)\s+([0-9a-f]+)\s+(R_X86_64_\w+)/;
        push @r, { section => $sec, offset => hex($1), type => $3, sym => hex(substr($2, 0, -8) || 0) };
    }
    return \@r;
}

# The ELF section a keel section name stands for: the same name, or the
# one whose name ends in ".NAME" (keel names -ffunction-sections output by
# the symbol it holds: .text.foo is foo), taken in the order of the
# ELF section headers.
sub elf_section_for {
    my ($secs, $name, $taken) = @_;
    my @alloc = grep { $_ && $_->{flags} =~ /A/ && !$taken->{ $_->{index} } } @$secs;
    my @exact = grep { $_->{name} eq $name } @alloc;
    return $exact[0] if @exact;
    # Several (keel may give two sections one name): the first not yet
    # taken, as keel lists an object's sections in their ELF order.
    my @suffix = grep { $_->{name} =~ /\.\Q$name\E\z/ } @alloc;
    return $suffix[0];
}

# ------------------------------------------------------------------ builds

my @skips;
my @ccs = grep { have($_) || (push(@skips, "the C program built by $_: no $_ here"), 0) } qw(gcc clang);
plan skip_all => 'no C compiler (gcc or clang)' unless @ccs;
my $cc = $ccs[0];
my @jobs;

# C++: g++ and clang++, -O2 -fPIC; the programs are linked by g++.  (The
# longest jobs, so first.)
my $cxx_L;
my @cxx;
for my $cxx ('g++', 'clang++') {
    if (!have($cxx)) { push @skips, "the C++ programs built by $cxx: no $cxx here"; next }
    my $dir = "$tmp/cxx-$cxx";
    make_path($dir);
    push @cxx, { name => $cxx, dir => $dir };
    push @jobs, ["$dir/prog-tls", "cd $dir && $cxx -O2 -fPIC -pthread -Wall -I$src -c $src/cxx_eh_main.cc $src/cxx_eh_lib.cc"
                 . " $src/cxx_main.cc $src/cxx_lib.cc $src/cxx_tls.cc $src/cxx_tls_main.cc"
                 . " && g++ -o prog-eh cxx_eh_main.o cxx_eh_lib.o"
                 . " && g++ -pthread -o prog cxx_main.o cxx_lib.o"
                 . " && g++ -pthread -o prog-tls cxx_main.o cxx_lib.o cxx_tls_main.o cxx_tls.o"];
    # As a C++ build tool is built: -fvisibility=hidden, main included.
    make_path("$dir/hidden");
    push @jobs, ["$dir/hidden/prog-eh", "cd $dir/hidden && $cxx -O2 -fPIC -fvisibility=hidden"
                 . " -Wall -I$src -c $src/cxx_eh_main.cc $src/cxx_eh_lib.cc && g++ -o prog-eh cxx_eh_main.o cxx_eh_lib.o"];
}
if (@cxx && have('g++')) {
    # -lstdc++ as the linker finds it: in gcc's own directory.
    chomp(my $so = `g++ -print-file-name=libstdc++.so`);
    $cxx_L = $so =~ m{^(/.*)/libstdc\+\+\.so$} ? $1 : undef;
}

# The C program: every compiler, optimisation, code model and section mode.
my @c_variants;
my %model = ('fPIC' => '-fPIC', 'fPIE' => '-fPIE', 'fno-pic' => '-fno-pic -DNO_HOST_DATA');
for my $c (@ccs) {
    for my $opt ('-O0', '-O2') {
        for my $m ('fPIC', 'fPIE', 'fno-pic') {
            for my $fs (0, 1) {
                my $name = "$c $opt -$m" . ($fs ? ' -ffunction-sections -fdata-sections' : '');
                my $dir = "$tmp/c-$c$opt-$m" . ($fs ? '-fs' : '');
                make_path($dir);
                my $flags = "$opt $model{$m} -fcommon -Wall -I$src" . ($fs ? ' -ffunction-sections -fdata-sections' : '');
                my $link = $m eq 'fno-pic' ? '-no-pie' : $m eq 'fPIE' ? '-pie' : '';
                push @c_variants, { name => $name, dir => $dir, cc => $c, opt => $opt, model => $m, fs => $fs };
                push @jobs, ["$dir/prog", "cd $dir && $c $flags -c $src/main.c $src/util.c $src/data.c"
                                          . " && $c $link -o prog main.o util.o data.o"];
            }
        }
    }
}
# Objects for the error cases: a non-PIC main.o that names stderr, an
# undefined reference, a duplicate definition.
my $errdir = "$tmp/errors";
make_path($errdir);
push @jobs, ["$errdir/dup.o", "cd $errdir && $cc -O2 -fno-pic -fcommon -I$src -c $src/main.c"
                              . " && mv main.o nopic-stderr.o && $cc -O2 -fPIC -c $src/undef.c $src/dup.c"];

# Debian's libraries.
my $python = '/usr/bin/python3.11';
my $libpython = '/usr/lib/python3.11/config-3.11-x86_64-linux-gnu/libpython3.11-pic.a';
my $libsqlite = '/usr/lib/x86_64-linux-gnu/libsqlite3.a';
my $have_sqlite_h = -e '/usr/include/sqlite3.h';
push @jobs, ["$tmp/pymain.o", "cd $tmp && $cc -O2 -fPIC -c $src/pymain.c"] if -x $python && -e $libpython;
push @jobs, ["$tmp/sqlite_driver", "cd $tmp && $cc -O2 -fPIC -Wall -c $src/sqlite_driver.c"
                                   . " && $cc -o sqlite_driver sqlite_driver.o -lsqlite3"]
    if -e $libsqlite && $have_sqlite_h;

my $built = build_all(@jobs);
for (@jobs) {
    next if $built->{ $_->[0] };
    push @skips, "$_->[0]: '$_->[1]' fails here";
    diag("cannot build $_->[0] with '$_->[1]':\n" . slurp("$_->[0].log"));
}
for my $why (@skips) {
    SKIP: { skip $why, 1 }
}

# ------------------------------------------------------------ the C program

my @objs = qw(main.o util.o data.o);
my $code = 3;
for my $v (@c_variants) {
    next unless $built->{"$v->{dir}/prog"};
    # Returned from main, with arguments that need quoting.
    my @args = ($code, 'two words', '', "tab\there");
    my $d = run(dir => $v->{dir}, file => "$v->{dir}/prog", argv => ['main', @args]);
    my $k = keel_run([@objs, '--', @args], dir => $v->{dir});
    compare("$v->{name}: return $code", $d, $k, status => "exit $code", dtors => 1,
            out_ok => qr/\Actor util.c 101 .*^greeting: the strong greeting from data.c\n.*^returning $code\n/ms);
    # exit() called in util.c: atexit handlers, then destructors.
    @args = ('exit', $code + 1);
    $d = run(dir => $v->{dir}, file => "$v->{dir}/prog", argv => ['main', @args]);
    $k = keel_run([@objs, '--', @args], dir => $v->{dir});
    compare("$v->{name}: exit(" . ($code + 1) . ") in util.c", $d, $k, status => 'exit ' . ($code + 1), dtors => 1,
            out_ok => qr/^util.c: exit\(\d+\)\natexit b\natexit a: .*^dtor util.c 101/ms);
    $code = $code % 50 + 3;
}

SKIP: {
    skip 'the error objects could not be built', 3 unless $built->{"$errdir/dup.o"};
    my ($x) = grep { $_->{model} eq 'fno-pic' && $_->{cc} eq $cc && $built->{"$_->{dir}/prog"} } @c_variants;
    skip "no -fno-pic build by $cc", 3 unless $x;
    # Non-PIC code below 2 GiB that names libc's stderr: refused, clearly.
    my $k = keel_run(["$errdir/nopic-stderr.o", 'util.o', 'data.o'], dir => $x->{dir});
    is(status_text($k->{status}), 'exit 1', 'non-PIC code naming stderr: exit 1');
    like($k->{err}, qr/\Akeel: \Q$errdir\E\/nopic-stderr\.o:\(\.text[^)]*\+0x[0-9a-f]+\): relocation R_X86_64_PC32 against 'stderr' out of range\b.*\n\z/,
         "non-PIC code naming stderr: keel's message");
    is($k->{out}, '', 'non-PIC code naming stderr: nothing runs');
}

# ---------------------------------------------------- --list, --deps, --json

# On a few builds: the sections of --list --json against readelf -S, and
# the edges of --deps --json against readelf -r.
my @listed = grep { $built->{"$_->{dir}/prog"} }
    grep { ($_->{cc} eq 'gcc' && $_->{opt} eq '-O2' && $_->{model} eq 'fPIC' && $_->{fs})
        || ($_->{cc} eq 'gcc' && $_->{opt} eq '-O2' && $_->{model} eq 'fPIC' && !$_->{fs})
        || ($_->{cc} eq 'clang' && $_->{opt} eq '-O0' && $_->{model} eq 'fPIE' && !$_->{fs})
        || ($_->{cc} eq 'gcc' && $_->{opt} eq '-O0' && $_->{model} eq 'fno-pic' && !$_->{fs})
        || ($_->{cc} eq 'clang' && $_->{opt} eq '-O2' && $_->{model} eq 'fno-pic' && $_->{fs}) } @c_variants;
for my $v (@listed) {
    my $name = $v->{name};
    my %elf = map { $_ => { sections => elf_sections("$v->{dir}/$_"), symbols => elf_symbols("$v->{dir}/$_"),
                            relocs => elf_relocs("$v->{dir}/$_") } } @objs;

    my $k = keel_run(['--list', '--json', @objs], dir => $v->{dir});
    my $list = eval { JSON::PP->new->decode($k->{out}) };
    ok(!$@ && $k->{status} == 0 && $k->{err} eq '' && ref $list eq 'ARRAY'
       && join(' ', map { ref $_ eq 'HASH' ? $_->{object} // '?' : '?' } @$list) eq "@objs",
       "$name: --list --json is a JSON array of the three objects, in order")
        or diag("status " . status_text($k->{status}) . ", error $@, stderr $k->{err}\n" . substr($k->{out}, 0, 500));
    $list = [] unless ref $list eq 'ARRAY';
    ok($k->{out} !~ /^[cd]tor [a-z]+\.c\b/m && $k->{err} eq '', "$name: --list runs no constructor");

    # No two sections overlap.
    my @all = sort { $a->{address} <=> $b->{address} }
              map { my $o = $_->{object}; map { { %$_, object => $o } } @{ $_->{sections} } } @$list;
    my @overlaps;
    for my $i (1 .. $#all) {
        my ($p, $s) = @all[$i - 1, $i];
        push @overlaps, "$p->{object}:$p->{name} [$p->{address}, +$p->{size}) and $s->{object}:$s->{name} [$s->{address}, +$s->{size})"
            if $p->{size} && $s->{size} && $p->{address} + $p->{size} > $s->{address};
    }
    ok(@all && !@overlaps, "$name: --list: no two sections overlap") or diag(join "\n", @overlaps);

    # Each listed section is an ELF section of its object, with its size
    # and alignment; every allocated ELF section is listed.  (Commons are
    # keel's own section, .bss.common.)
    my (@wrong, %keel_to_elf);
    for my $o (@$list) {
        my $secs = $elf{ $o->{object} }{sections} or next;
        my %taken;
        for my $s (@{ $o->{sections} }) {
            next if $s->{name} eq '.bss.common';
            my $e = elf_section_for($secs, $s->{name}, \%taken);
            if (!$e) { push @wrong, "$o->{object}: $s->{name}: no such ELF section"; next }
            $taken{ $e->{index} } = 1;
            $s->{elf} = $e->{name};
            push @{ $keel_to_elf{"$o->{object}\0$s->{name}"} }, $e->{name};
            push @wrong, "$o->{object}: $s->{name} ($e->{name}): size $s->{size}, readelf says $e->{size}"
                if $s->{size} != $e->{size};
            push @wrong, "$o->{object}: $s->{name} ($e->{name}): address $s->{address} not aligned to $e->{align}"
                if $e->{align} > 1 && $s->{address} % $e->{align};
            my $want = $e->{type} eq 'INIT_ARRAY' ? 'init_array' : $e->{type} eq 'FINI_ARRAY' ? 'fini_array'
                     : $e->{name} eq '.eh_frame' ? 'eh_frame' : $e->{flags} =~ /T/ ? undef
                     : $e->{flags} =~ /X/ ? 'text' : $e->{type} eq 'NOBITS' ? 'bss'
                     : $e->{flags} =~ /W/ ? 'data' : 'rodata';
            push @wrong, "$o->{object}: $s->{name} ($e->{name}, $e->{type} $e->{flags}): type $s->{type}, not $want"
                if defined $want && $s->{type} ne $want;
        }
        for my $e (grep { $_ && $_->{flags} =~ /A/ && $_->{type} ne 'NOTE' && $_->{size} } @$secs) {
            push @wrong, "$o->{object}: ELF section $e->{name} ($e->{size} bytes) is not listed" unless $taken{ $e->{index} };
        }
    }
    ok(@all && !@wrong, "$name: --list: the sections are the objects' ELF sections, with their sizes")
        or diag(join "\n", @wrong);

    # A section keel names after a symbol (.text.foo is foo) holds that
    # symbol.  (The strings of -fdata-sections, .rodata.foo.str1.1, are
    # foo.str1.1.)
    # No two sections of an object have the same name.
    my @misnamed;
    for my $o (@$list) {
        my ($secs, $syms) = @{ $elf{ $o->{object} } // {} }{qw(sections symbols)};
        next unless $secs;
        my %seen;
        for my $s (@{ $o->{sections} }) {
            my $e = $s->{elf};
            push @misnamed, [$e // '?', "$o->{object}: two sections are named '$s->{name}'"] if $seen{ $s->{name} }++;
            next if !defined $e || $e eq $s->{name} || $s->{name} =~ /\.(str\d+\.\d+|cst\d+)\z/;
            my ($idx) = map { $_->{index} } grep { $_ && $_->{name} eq $e } @$secs;
            push @misnamed, [$e, "$o->{object}: $e is listed as '$s->{name}', but holds no symbol of that name"]
                unless grep { $_ && $_->{name} eq $s->{name} && $_->{ndx} eq $idx } @$syms;
        }
    }
    ok(@all && !@misnamed, "$name: --list: a section named after a symbol holds it, and names are unique")
        or diag(join "\n", map { $_->[1] } @misnamed);

    # The text form lists as many sections.
    my $t = keel_run(['--list', @objs], dir => $v->{dir});
    my $lines = () = $t->{out} =~ /^\s+0x[0-9a-f]+\s+\d+\s+\S+\s+\S+/mg;
    ok($t->{status} == 0 && $lines == @all, "$name: --list (text) shows the same " . scalar(@all) . " sections")
        or diag("$lines lines, status " . status_text($t->{status}) . "\n$t->{out}$t->{err}");

    # --deps --json: every relocation against a global symbol another
    # object defines (a strong definition winning over a weak one) is an
    # edge at the relocation's offset, with its type, to that object's
    # section.  References to common symbols are left out (which object
    # holds a common is keel's choice).
    my %def; # name => [object, ELF section name, strong]
    for my $o (@objs) {
        for my $sym (@{ $elf{$o}{symbols} }) {
            next unless $sym && $sym->{bind} =~ /^(GLOBAL|WEAK)$/ && $sym->{ndx} =~ /^\d+$/ && $sym->{name} ne '';
            my $strong = $sym->{bind} eq 'GLOBAL';
            next if $def{ $sym->{name} } && ($def{ $sym->{name} }[2] || !$strong);
            $def{ $sym->{name} } = [$o, $elf{$o}{sections}[ $sym->{ndx} ]{name}, $strong];
        }
    }
    my @want;
    for my $o (@objs) {
        for my $r (@{ $elf{$o}{relocs} }) {
            next if $r->{section} eq '.eh_frame';
            my $sym = $elf{$o}{symbols}[ $r->{sym} ];
            next unless $sym && $sym->{ndx} eq 'UND' && $def{ $sym->{name} } && $def{ $sym->{name} }[0] ne $o;
            push @want, { from => $o, from_elf => $r->{section}, offset => $r->{offset},
                          type => $reloc_number{ $r->{type} } // $r->{type}, rtype => $r->{type},
                          sym => $sym->{name}, to => $def{ $sym->{name} }[0], to_elf => $def{ $sym->{name} }[1] };
        }
    }
    $k = keel_run(['--deps', '--json', @objs], dir => $v->{dir});
    my $deps = eval { JSON::PP->new->decode($k->{out}) };
    ok(!$@ && $k->{status} == 0 && ref $deps eq 'ARRAY' && $k->{out} !~ /^[cd]tor [a-z]+\.c\b/m && $k->{err} eq '',
       "$name: --deps --json is a JSON array, and nothing runs")
        or diag("status " . status_text($k->{status}) . ", error $@, stderr $k->{err}\n" . substr($k->{out}, 0, 500));
    $deps = [] unless ref $deps eq 'ARRAY';
    my %have;
    for my $e (@$deps) {
        next unless ref $e eq 'HASH';
        # (A name keel gives two sections stands for either.)
        for my $from_elf (@{ $keel_to_elf{"$e->{from}\0$e->{from_section}"} // ["?$e->{from_section}"] }) {
            for my $to_elf (@{ $keel_to_elf{"$e->{to}\0$e->{to_section}"} // ["?$e->{to_section}"] }) {
                $have{"$e->{from} $from_elf $e->{offset} $e->{type} $e->{to} $to_elf"} = 1;
            }
        }
    }
    my @missing = map { "$_->{from}:($_->{from_elf}+" . sprintf('0x%x', $_->{offset}) . ") $_->{rtype} '$_->{sym}'"
                        . " -> $_->{to}:$_->{to_elf}" }
                  grep { !$have{"$_->{from} $_->{from_elf} $_->{offset} $_->{type} $_->{to} $_->{to_elf}"} } @want;
    ok(@want >= 20 && !@missing, "$name: --deps has an edge for each of the " . scalar(@want) . " cross-object relocations")
        or diag(@want . " predicted; missing:\n" . join("\n", @missing) . "\nkeel's edges:\n" . join("\n", sort keys %have));
    # One of them, by name: main's call to util.c's run_callbacks.
    ok((grep { $_->{sym} eq 'run_callbacks' && $_->{from} eq 'main.o' } @want)
       && !(grep { $_->{sym} eq 'run_callbacks' } map { { sym => $_ } } @missing),
       "$name: --deps: main.o's call to run_callbacks is an edge to util.o");
    # util.c's weak greeting loses to data.c's strong one.
    ok($def{greeting} && $def{greeting}[0] eq 'data.o'
       && (grep { my $t = $_; $t->{to} eq 'data.o' && grep { $_ eq $def{greeting}[1] } @{ $keel_to_elf{"data.o\0$t->{to_section}"} // [] } }
           grep { $_->{from} eq 'main.o' } @$deps),
       "$name: --deps: main.o's greeting goes to data.o's strong definition");
    $t = keel_run(['--deps', @objs], dir => $v->{dir});
    $lines = () = $t->{out} =~ /^\S+:\S+\+0x[0-9a-f]+ -> \S+:\S+ \(type \d+, addend -?\d+\)$/mg;
    ok($t->{status} == 0 && $lines == @$deps && $lines > 0, "$name: --deps (text) shows the same " . scalar(@$deps) . " edges")
        or diag("$lines lines, status " . status_text($t->{status}) . "\n$t->{out}$t->{err}");
}

# ------------------------------------------------------------------ C++

for my $v (@cxx) {
    next unless $built->{"$v->{dir}/prog-tls"};
    my @lib = ($cxx_L ? ('-L', $cxx_L) : (), '-lstdc++');
    # Exceptions across two objects, and nothing else.
    my $d = run(dir => $v->{dir}, file => "$v->{dir}/prog-eh", argv => ['cxx_eh_main', 6]);
    my $k = keel_run([@lib, 'cxx_eh_main.o', 'cxx_eh_lib.o', '--', 6], dir => $v->{dir});
    compare("$v->{name}: exceptions across objects", $d, $k, status => 'exit 6',
            out_ok => qr/^main caught EhError 'thrown from cxx_eh_lib.cc' depth 0\n.*^cxx_eh_lib.cc caught logic_error: invalid 1\n.*^main caught 'runtime 2'\n\z/ms);
    # Static objects, iostreams, exceptions, std::thread; no TLS.
    $d = run(dir => $v->{dir}, file => "$v->{dir}/prog", argv => ['cxx_main', 7]);
    $k = keel_run([@lib, 'cxx_main.o', 'cxx_lib.o', '--', 7], dir => $v->{dir});
    compare("$v->{name}: static objects, iostreams, exceptions", $d, $k, status => 'exit 7',
            out_ok => qr/\Aconstruct main global .*^caught LibError .*^no TLS objects\n.*^destroy main global in cxx_main.cc\n\z/ms);
    # thread_local, in the main thread and a std::thread.
    $d = run(dir => $v->{dir}, file => "$v->{dir}/prog-tls", argv => ['cxx_main', 8]);
    $k = keel_run([@lib, 'cxx_main.o', 'cxx_lib.o', 'cxx_tls_main.o', 'cxx_tls.o', '--', 8], dir => $v->{dir});
    compare("$v->{name}: thread_local", $d, $k, status => 'exit 8',
            out_ok => qr/^Counter\(\) n=1000\nmain sees 1001, plain_tls 15\n.*^thread sees 1001, plain_tls 15, then 1002\n/ms);
}
# -fvisibility=hidden: main is a hidden global (readelf says so), which a
# linker takes as the program's main; so must keel run, inside the batch.
for my $v (@cxx) {
    my $hd = "$v->{dir}/hidden";
    next unless $built->{"$hd/prog-eh"};
    my ($main) = grep { $_ && $_->{name} eq 'main' } @{ elf_symbols("$hd/cxx_eh_main.o") };
    ok($main && $main->{bind} eq 'GLOBAL' && $main->{vis} eq 'HIDDEN',
       "$v->{name} -fvisibility=hidden: main is a hidden global (readelf -s)");
    my @lib = ($cxx_L ? ('-L', $cxx_L) : (), '-lstdc++');
    my $d = run(dir => $hd, file => "$hd/prog-eh", argv => ['cxx_eh_main.o', 5]);
    my $k = keel_run([@lib, 'cxx_eh_main.o', 'cxx_eh_lib.o', '--', 5], dir => $hd);
    compare("$v->{name} -fvisibility=hidden: a hidden main runs", $d, $k, status => 'exit 5',
            out_ok => qr/^main caught EhError 'thrown from cxx_eh_lib.cc' depth 0\n/m);
}

# ---------------------------------------------------------------- Python

# Modules built into libpython; extension modules (lib-dynload), which
# see keel's symbols through its export object, are run_export.t's.
my $py_script = <<'EOF';
import sys, re, collections, itertools, functools, math, binascii
need = ("_sre", "_collections", "itertools", "_functools", "math", "binascii", "_operator", "_heapq")
print("builtin", [m for m in need if m not in sys.builtin_module_names])
print("argv", sys.argv[1:])
words = re.findall(r"[a-z]+", "the quick brown fox jumps over the lazy dog, the end")
print(re.sub(r"(\w+)@(\w+)", r"\2 at \1", "user@host and me@there"))
c = collections.Counter(words)
print(c.most_common(2), sorted(collections.OrderedDict(sorted(c.items())))[:4])
dq = collections.deque(range(5), maxlen=3)
dq.appendleft(9)
Point = collections.namedtuple("Point", "x y")
print(list(dq), Point(3, 4), Point(3, 4)._replace(y=7), collections.defaultdict(list, a=[1])["a"])
print(list(itertools.islice(itertools.cycle("ab"), 5)), list(itertools.permutations([1, 2, 3], 2)))
print(list(itertools.accumulate([1, 2, 3, 4], lambda a, b: a * b)), [k + str(len(list(g))) for k, g in itertools.groupby("aaabccdd")])
def fib(n):
    a, b = 0, 1
    for _ in range(n):
        yield a
        a, b = b, a + b
print(sum(fib(90)), list(fib(10)), max(x * x for x in range(10) if x % 3))
print("%5.2f|%-6s|%x|%r" % (math.pi, "left", 255, "q"), "{:>8}|{:08.3f}|{!r}".format("r", math.e, b"\x00"), f"{2**100:,}")
try:
    {}["missing"]
except KeyError as e:
    print("caught", type(e).__name__, e)
try:
    int("not a number")
except ValueError as e:
    print("caught", e)
print(functools.reduce(lambda a, b: a ^ b, range(100)), binascii.crc32(b"keel"), sorted({3: 1, 1: 2}.items()))
print("to stderr", file=sys.stderr)
sys.exit(3)
EOF
SKIP: {
    skip "no $python", 6 unless -x $python;
    skip "no $libpython (Debian package libpython3.11-dev)", 6 unless -e $libpython;
    skip 'tests/progs/run/pymain.c could not be built', 6 unless $built->{"$tmp/pymain.o"};
    # The loaded program's own leaks at exit are Python's, not keel's.
    my %penv = (%env, ASAN_OPTIONS => join(':', grep { defined && $_ ne '' } $env{ASAN_OPTIONS}, 'detect_leaks=0'));
    my @py = ('pymain.o', $libpython, '-lz', '-lexpat', '-lm', '--');
    my $script = 'import json; print(json.dumps([1,2]))';
    compare('python: -c "import json; ..."', run(argv => [$python, '-c', $script], env => \%penv),
            keel_run([@py, '-c', $script], env => \%penv), status => 'exit 0', out_ok => qr/\A\[1, 2\]\n\z/);
    compare('python: re, collections, itertools, a generator, exceptions',
            run(argv => [$python, '-c', $py_script, 'one', 'two words'], env => \%penv),
            keel_run([@py, '-c', $py_script, 'one', 'two words'], env => \%penv), status => 'exit 3',
            out_ok => qr/\Abuiltin \[\]\nargv \['one', 'two words'\]\n.*^caught ValueError|^caught invalid literal/ms);
}

# ---------------------------------------------------------------- SQLite

SKIP: {
    skip "no $libsqlite or sqlite3.h (Debian package libsqlite3-dev)", 3 unless -e $libsqlite && $have_sqlite_h;
    skip 'tests/progs/run/sqlite_driver.c could not be built', 3 unless $built->{"$tmp/sqlite_driver"};
    # libsqlite3.a needs libm (log, exp, ...) and nothing else beyond libc.
    compare('sqlite: libsqlite3.a against -lsqlite3', run(file => "$tmp/sqlite_driver", argv => ['sqlite_driver', 5]),
            keel_run(['sqlite_driver.o', $libsqlite, '-lm', '--', 5]), status => 'exit 5',
            out_ok => qr/^'Bergen'\|'Norway'\n.*^'0,1,1,2,3,5,8,13,21,34,55,89,144,233,377,610'\n.*^sqlite 3\.\d+\.\d+, 1 argument\(s\)\n\z/ms);
}

# ---------------------------------------------------------------- errors

# One line on stderr, nothing on stdout (no constructor ran), exit 1.
sub refused {
    my ($name, $args, $message, %o) = @_;
    my $k = keel_run($args, %o);
    is(status_text($k->{status}), 'exit 1', "$name: exit 1");
    like($k->{err}, qr/\A$message\n\z/, "$name: keel's message");
    is($k->{out}, '', "$name: nothing runs");
}
my ($any) = grep { $built->{"$_->{dir}/prog"} && $_->{model} eq 'fPIC' } @c_variants;
SKIP: {
    skip 'no -fPIC build of the C program, or no error objects', 15 unless $any && $built->{"$errdir/dup.o"};
    my $dir = $any->{dir};
    my ($r) = grep { my $s = elf_symbols("$errdir/undef.o")->[ $_->{sym} ]; $s && $s->{name} eq 'nosuch' }
              @{ elf_relocs("$errdir/undef.o") };
    my $at = $r ? sprintf('\(%s\+0x%x\)', quotemeta($r->{section}), $r->{offset}) : '\(\.text[^)]*\+0x[0-9a-f]+\)';
    refused('an undefined symbol', [@objs, "$errdir/undef.o"],
            "keel: \Q$errdir\E/undef\\.o:$at: undefined reference to 'nosuch'", dir => $dir);
    refused('a duplicate strong definition', [@objs, "$errdir/dup.o"],
            "keel: (?=.*\\butil\\.o\\b)(?=.*\Q$errdir\E/dup\\.o).*'counter'.*", dir => $dir);
    my $obj = slurp("$dir/main.o");
    spew("$tmp/truncated.o", substr($obj, 0, int(length($obj) / 2)));
    refused('a truncated object', ['util.o', 'data.o', "$tmp/truncated.o"], "keel: \Q$tmp\E/truncated\\.o: .+", dir => $dir);
    refused('a missing file', [@objs, "$tmp/no-such.o"], "keel: \Q$tmp\E/no-such\\.o: cannot open: No such file or directory",
            dir => $dir);
    # main.o whose .rela.text names itself as the section it relocates:
    # before, keel ran main unrelocated (SIGTRAP); refused, naming it.
    my $secs = elf_sections("$dir/main.o");
    my ($rela) = grep { $_ && $_->{name} eq '.rela.text' } @$secs;
    my ($shoff, $shentsize) = (unpack('Q<', substr($obj, 0x28, 8)), unpack('S<', substr($obj, 0x3a, 2)));
    my $bad = $obj;
    substr($bad, $shoff + $rela->{index} * $shentsize + 0x2c, 4) = pack('L<', $rela->{index}) if $rela;
    spew("$tmp/relself.o", $bad);
    refused('a relocation section that relocates itself', ["$tmp/relself.o", 'util.o', 'data.o'],
            "keel: \Q$tmp\E/relself\\.o: invalid info $rela->{index} for reloc section \\.rela\\.text \\(index $rela->{index}\\): .*",
            dir => $dir);
}
SKIP: {
    skip 'no -fPIC build of the C program', 3 unless $any;
    refused('a missing -l library', ['-lkeel-no-such-library', @objs], 'keel run: cannot find -lkeel-no-such-library \(.*\)',
            dir => $any->{dir});
}
for my $u (['an unknown option', ['--no-such-option', 'main.o'], qr/\Akeel run: unknown option '--no-such-option'\nusage: keel run /],
           ['no input files', ['--list'], qr/\Akeel run: no input files\nusage: keel run /]) {
    my $k = keel_run($u->[1]);
    is(status_text($k->{status}), 'exit 2', "$u->[0]: exit 2");
    like($k->{err}, $u->[2], "$u->[0]: keel's message and usage");
}

done_testing();
