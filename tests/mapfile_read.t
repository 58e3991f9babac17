#!/usr/bin/perl
# The mapfile reader (lib/link/mapfile_*.c) through tests/unit/mapfile_read,
# which prints the records it reads in a canonical form (one line per
# directive "FILE:LINE KEYWORD 'name' op values", one per attribute, its
# line first, indented by depth; names quoted, integers in hex).  The
# expected text is worked out by hand from the notes
# (/work/shared/specs/mapfile-v2.md), never produced by the reader:
#   - every example mapfile of the notes (section 5);
#   - the lexical grammar: case-insensitive keywords, quoting, integers
#     (C's bases, the width of the output class: overflow at 32 and 64
#     bits), names;
#   - conditional input: $if/$elif/$else/$endif, $add/$clear across files,
#     $error, the predefined names for each class, machine and output kind;
#   - a directory as the mapfile (its files in name order, dot files left);
#   - a version 1 mapfile, and every error of the notes a reader can give,
#     as "FILE: line N: message";
#   - keel link --mapfile: read first (a mapfile's error is its own), then
#     applied (tests/mapfile_layout.t).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Cwd qw(abs_path);
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use Programs qw(run_program spew);

my $build = $ENV{KEEL_BUILD} // "$FindBin::Bin/../build";
my $reader = "$build/tests/mapfile_read";
plan skip_all => "no unit test at $reader (make all)" unless -x $reader;
make_path("$build/t");
my $tmp = abs_path(tempdir('mapfile.XXXXXX', DIR => "$build/t", CLEANUP => 1));
my %env = (PATH => '/usr/bin:/bin', LC_ALL => 'C');
my $runs = 0;

# The reader on mapfiles written into $tmp (name => text, in order),
# with options; run from $tmp so the names print as written.
sub read_maps {
    my ($opts, @files) = @_;
    my @names;
    while (@files) {
        my ($name, $text) = splice(@files, 0, 2);
        spew("$tmp/$name", $text) if defined $text;
        push @names, $name;
    }
    return run_program(env => \%env, dir => $tmp, argv => [$reader, @$opts, @names], base => "$tmp/run" . ++$runs);
}

sub reads {
    my ($what, $text, $want, @opts) = @_;
    my $r = read_maps(\@opts, 'm.map' => $text);
    is($r->{out}, $want, "reads: $what") or diag($r->{err});
    is($r->{status}, 0, "reads: $what: exit 0") or diag($r->{err});
}

sub fails {
    my ($what, $text, $want, @opts) = @_;
    my $r = read_maps(\@opts, 'm.map' => $text);
    ok($r->{status} == 256 && $r->{err} eq "$want\n" && $r->{out} eq '', "error: $what")
        or diag("status $r->{status}\nwant: $want\ngot:  $r->{err}$r->{out}");
}

my $v2 = "\$mapfile_version 2\n";

# ------------------------------------------------- the notes' examples (5)
reads('example A (non-executable stack)', <<'EOF', <<'EOF');
$mapfile_version 2
STACK { FLAGS -= EXECUTE; };
LOAD_SEGMENT data { ROUND = 0x1000; };   # first data section page-aligned in file
EOF
m.map:2 STACK
  2 FLAGS -= EXECUTE
m.map:3 LOAD_SEGMENT 'data'
  3 ROUND = 0x1000
EOF

my $rom = <<'EOF';
$mapfile_version 2
HDR_NOALLOC;
LOAD_SEGMENT rom {
    VADDR = 0x80000000; MAX_SIZE = 0x4000; FLAGS = READ EXECUTE;
    ASSIGN_SECTION boot { IS_NAME = .text; FILE_BASENAME = start.o; };
    ASSIGN_SECTION ro   { FLAGS = ALLOC !WRITE; };
    IS_ORDER = boot ro;
    OS_ORDER = .text .rodata;
};
LOAD_SEGMENT ram {
    VADDR = 0x80100000; FLAGS = READ WRITE;
    ASSIGN_SECTION { FLAGS = ALLOC WRITE; };
    SIZE_SYMBOL = __ram_size;
};
EOF
reads('example B (static ROM/RAM image)', $rom, <<'EOF');
m.map:2 HDR_NOALLOC
m.map:3 LOAD_SEGMENT 'rom'
  4 VADDR = 0x80000000
  4 MAX_SIZE = 0x4000
  4 FLAGS = READ EXECUTE
  5 ASSIGN_SECTION 'boot'
    5 IS_NAME = '.text'
    5 FILE_BASENAME = 'start.o'
  6 ASSIGN_SECTION 'ro'
    6 FLAGS = ALLOC !WRITE
  7 IS_ORDER = 'boot' 'ro'
  8 OS_ORDER = '.text' '.rodata'
m.map:10 LOAD_SEGMENT 'ram'
  11 VADDR = 0x80100000
  11 FLAGS = READ WRITE
  12 ASSIGN_SECTION
    12 FLAGS = ALLOC WRITE
  13 SIZE_SYMBOL = '__ram_size'
EOF
# the same VADDR twice is the layout's error (it needs the final list): read
(my $same = $rom) =~ s/0x80100000/0x80000000/;
my $r = read_maps([], 'm.map' => $same);
ok($r->{status} == 0 && $r->{out} =~ /^  11 VADDR = 0x80000000$/m,
   'example B with ram at 0x80000000: read (the duplicate address is the layout\'s error)') or diag($r->{err});

reads('example C (own bss, versioned interface)', <<'EOF', <<'EOF');
$mapfile_version 2
$if _ELF64 && _x86
$add amd64
$endif
LOAD_SEGMENT bss;                                   # referencing enables it
SYMBOL_VERSION MYLIB_1.0 {
    global: mylib_open; mylib_read { FLAGS = NODIRECT; };
    local:  *;
};
EOF
m.map:5 LOAD_SEGMENT 'bss'
m.map:6 SYMBOL_VERSION 'MYLIB_1.0'
  7 SYMBOL GLOBAL 'mylib_open'
  7 SYMBOL GLOBAL 'mylib_read'
    7 FLAGS = NODIRECT
  8 SYMBOL LOCAL *
EOF

reads('example D (renaming and a reservation)', <<'EOF', <<'EOF');
$mapfile_version 2
LOAD_SEGMENT text {
    ASSIGN_SECTION hot {
        IS_NAME = MATCH(r/^\.text\.hot\..*$/);
        FLAGS = ALLOC EXECUTE;
        OUTPUT_SECTION { NAME = .text.hot; };
    };
    OS_ORDER = .text.hot .text;
};
RESERVE_SEGMENT gap { VADDR = 0x7f0000000000; SIZE = 0x40000000; };
EOF
m.map:2 LOAD_SEGMENT 'text'
  3 ASSIGN_SECTION 'hot'
    4 IS_NAME = MATCH(r '^\.text\.hot\..*$')
    5 FLAGS = ALLOC EXECUTE
    6 OUTPUT_SECTION
      6 NAME = '.text.hot'
  8 OS_ORDER = '.text.hot' '.text'
m.map:10 RESERVE_SEGMENT 'gap'
  10 VADDR = 0x7f0000000000
  10 SIZE = 0x40000000
EOF

# ------------------------------------------------------ every directive
reads('every segment attribute and its operators', <<'EOF', <<'EOF');
$mapfile_version 2
LOAD_SEGMENT seg { ALIGN = 0x200000; DISABLE; FLAGS += WRITE; FLAGS -= EXECUTE;
  FLAGS = DATA STACK 0; MAX_SIZE = 0; NOHDR;
  ASSIGN_SECTION a; ASSIGN_SECTION b { TYPE = progbits; TYPE = SHT_NOBITS; FLAGS += AMD64_LARGE; };
  ASSIGN_SECTION { FILE_PATH = lib/x.a(m.o); FILE_OBJNAME = MATCH(g/*.o/i); FILE_BASENAME = MATCH(t/a b/);
    OUTPUT_SECTION { ANCILLARY = anc; DISCARD; FLAGS = ALLOC; FLAGS += WRITE; FLAGS -= EXECUTE;
      NAME = MATCHREF(/.hot${1}/); TYPE = Sht_Note; }; };
  IS_ORDER = a; IS_ORDER += b;
  OS_ORDER = .a; OS_ORDER += .b .c; PADDR = 0x1000; SIZE_SYMBOL = s1; SIZE_SYMBOL += s2 s3; ROUND = 0; VADDR = 0x400000 }
;
NOTE_SEGMENT n { ASSIGN_SECTION; DISABLE; OS_ORDER = .note.x };
NULL_SEGMENT z { ASSIGN_SECTION c { IS_NAME = .comment }; IS_ORDER = c; };
RESERVE_SEGMENT r { TYPE = SYSSTAT; VADDR = 0x10000; ALIGN = 0x1000; PADDR = 0; ROUND = 0x10; SIZE_SYMBOL = rs; };
EOF
m.map:2 LOAD_SEGMENT 'seg'
  2 ALIGN = 0x200000
  2 DISABLE
  2 FLAGS += WRITE
  2 FLAGS -= EXECUTE
  3 FLAGS = DATA STACK 0x0
  3 MAX_SIZE = 0x0
  3 NOHDR
  4 ASSIGN_SECTION 'a'
  4 ASSIGN_SECTION 'b'
    4 TYPE = SHT_PROGBITS
    4 TYPE = SHT_NOBITS
    4 FLAGS += AMD64_LARGE
  5 ASSIGN_SECTION
    5 FILE_PATH = 'lib/x.a(m.o)'
    5 FILE_OBJNAME = MATCH(gi '*.o')
    5 FILE_BASENAME = MATCH(t 'a b')
    6 OUTPUT_SECTION
      6 ANCILLARY = 'anc'
      6 DISCARD
      6 FLAGS = ALLOC
      6 FLAGS += WRITE
      6 FLAGS -= EXECUTE
      7 NAME = MATCHREF('.hot${1}')
      7 TYPE = SHT_NOTE
  8 IS_ORDER = 'a'
  8 IS_ORDER += 'b'
  9 OS_ORDER = '.a'
  9 OS_ORDER += '.b' '.c'
  9 PADDR = 0x1000
  9 SIZE_SYMBOL = 's1'
  9 SIZE_SYMBOL += 's2' 's3'
  9 ROUND = 0x0
  9 VADDR = 0x400000
m.map:11 NOTE_SEGMENT 'n'
  11 ASSIGN_SECTION
  11 DISABLE
  11 OS_ORDER = '.note.x'
m.map:12 NULL_SEGMENT 'z'
  12 ASSIGN_SECTION 'c'
    12 IS_NAME = '.comment'
  12 IS_ORDER = 'c'
m.map:13 RESERVE_SEGMENT 'r'
  13 TYPE = SYSSTAT
  13 VADDR = 0x10000
  13 ALIGN = 0x1000
  13 PADDR = 0x0
  13 ROUND = 0x10
  13 SIZE_SYMBOL = 'rs'
EOF

reads('the other directives', <<'EOF', <<'EOF');
$mapfile_version 2
LOAD_SEGMENT a; LOAD_SEGMENT b;
SEGMENT_ORDER = a; SEGMENT_ORDER += b;
PHDR_ADD_NULL = 2;
HDR_NOALLOC;;
STACK { FLAGS = READ WRITE };
CAPABILITY { HW = sse2 AVX; HW_1 = 0x10 mmx; SF_1 -= 1; MACHINE += i86pc; PLATFORM = 'x y' };
CAPABILITY cap1;
CAPABILITY cap2 { HW_2 += avx512f; SF = fpknwn; };
DEPEND_VERSIONS libc.so.6 { ALLOW = GLIBC_2.2.5; REQUIRE = GLIBC_2.34; };
SYMBOL_SCOPE { local: hidden_one; protected: p { TYPE = FUNCTION; SIZE = 16; }; eliminate: *; };
SYMBOL_VERSION V1 {};
SYMBOL_VERSION V2 { foo { VALUE = 0x10; TYPE = data; FLAGS = DIRECT DYNSORT; AUXILIARY = libx.so; };
  exported: e; singleton: s; symbolic: y { FLAGS = INTERPOSE NODIRECT NODYNSORT; };
  hidden: h { ASSERT { ALIAS = foo; }; }; default: d { ASSERT { BINDING = WEAK; SH_ATTR = NOBITS; SIZE = 8; TYPE = TLS }; };
  global: f { FILTER = libf.so; TYPE = COMMON; RENAME = g; FLAGS = EXTERN; FLAGS = PARENT; };
} V1 'V0';
EOF
m.map:2 LOAD_SEGMENT 'a'
m.map:2 LOAD_SEGMENT 'b'
m.map:3 SEGMENT_ORDER = 'a'
m.map:3 SEGMENT_ORDER += 'b'
m.map:4 PHDR_ADD_NULL = 0x2
m.map:5 HDR_NOALLOC
m.map:6 STACK
  6 FLAGS = READ WRITE
m.map:7 CAPABILITY
  7 HW = 'sse2' 'AVX'
  7 HW_1 = 0x10 'mmx'
  7 SF_1 -= 0x1
  7 MACHINE += 'i86pc'
  7 PLATFORM = 'x y'
m.map:8 CAPABILITY 'cap1'
m.map:9 CAPABILITY 'cap2'
  9 HW_2 += 'avx512f'
  9 SF = 'fpknwn'
m.map:10 DEPEND_VERSIONS 'libc.so.6'
  10 ALLOW = 'GLIBC_2.2.5'
  10 REQUIRE = 'GLIBC_2.34'
m.map:11 SYMBOL_SCOPE
  11 SYMBOL LOCAL 'hidden_one'
  11 SYMBOL PROTECTED 'p'
    11 TYPE = FUNCTION
    11 SIZE = 0x10
  11 SYMBOL ELIMINATE *
m.map:12 SYMBOL_VERSION 'V1' {}
m.map:13 SYMBOL_VERSION 'V2' inherits 'V1' 'V0'
  13 SYMBOL DEFAULT 'foo'
    13 VALUE = 0x10
    13 TYPE = DATA
    13 FLAGS = DIRECT DYNSORT
    13 AUXILIARY = 'libx.so'
  14 SYMBOL EXPORTED 'e'
  14 SYMBOL SINGLETON 's'
  14 SYMBOL SYMBOLIC 'y'
    14 FLAGS = INTERPOSE NODIRECT NODYNSORT
  15 SYMBOL HIDDEN 'h'
    15 ASSERT
      15 ALIAS = 'foo'
  15 SYMBOL DEFAULT 'd'
    15 ASSERT
      15 BINDING = WEAK
      15 SH_ATTR = NOBITS
      15 SIZE = 0x8
      15 TYPE = TLS
  16 SYMBOL GLOBAL 'f'
    16 FILTER = 'libf.so'
    16 TYPE = COMMON
    16 RENAME = 'g'
    16 FLAGS = EXTERN
    16 FLAGS = PARENT
EOF

# ------------------------------------------------------ lexical grammar
reads('keywords in any case, names as written, comments, blanks', "  # lead\n\n\t\$MAPFILE_VERSION\t2 # v2\n"
      . "load_segment Hot_Seg {\r\n\tflags = read Execute ; vaddr\f=\x0b0X10\n}; # end\n"
      . "Load_Segment hot_seg { align = 010; max_size = 4096 ; }\n;", <<'EOF');
m.map:4 LOAD_SEGMENT 'Hot_Seg'
  5 FLAGS = READ EXECUTE
  5 VADDR = 0x10
m.map:7 LOAD_SEGMENT 'hot_seg'
  7 ALIGN = 0x8
  7 MAX_SIZE = 0x1000
EOF
reads('quoting: single quotes literal, double quotes with C escapes, names with $ - %',
      $v2 . q{LOAD_SEGMENT 'a\tb c' { OS_ORDER = "x\ty" "q\"\\\\" "\101\7" 'it''s' .a$b-c%d /p/q; };} . "\n", <<'EOF');
m.map:2 LOAD_SEGMENT 'a\tb c'
  2 OS_ORDER = 'x\011y' 'q"\' 'A\007' 'it' 's' '.a$b-c%d' '/p/q'
EOF
reads('a quoted keyword is a name where a name goes', $v2 . "LOAD_SEGMENT 'LOAD_SEGMENT' { SIZE_SYMBOL = \"FLAGS\"; };\n", <<'EOF');
m.map:2 LOAD_SEGMENT 'LOAD_SEGMENT'
  2 SIZE_SYMBOL = 'FLAGS'
EOF
reads('integers: 64 bits wide for ELF64', $v2 . "LOAD_SEGMENT a { VADDR = 0xffffffffffffffff; PADDR = 18446744073709551615; MAX_SIZE = 01777777777777777777777; };\n", <<'EOF');
m.map:2 LOAD_SEGMENT 'a'
  2 VADDR = 0xffffffffffffffff
  2 PADDR = 0xffffffffffffffff
  2 MAX_SIZE = 0xffffffffffffffff
EOF
fails('64-bit overflow (hex)', $v2 . "LOAD_SEGMENT a { VADDR = 0x10000000000000000; };\n",
      'm.map: line 2: numeric value exceeds word size: 0x10000000000000000');
fails('64-bit overflow (decimal)', $v2 . "\nLOAD_SEGMENT a { VADDR = 18446744073709551616; };\n",
      'm.map: line 3: numeric value exceeds word size: 18446744073709551616');
fails('64-bit overflow (octal)', $v2 . "LOAD_SEGMENT a { VADDR = 02000000000000000000000; };\n",
      'm.map: line 2: numeric value exceeds word size: 02000000000000000000000');
reads('integers: 32 bits wide for ELF32', $v2 . "LOAD_SEGMENT a { VADDR = 0xffffffff; PADDR = 4294967295; };\n", <<'EOF', '-32');
m.map:2 LOAD_SEGMENT 'a'
  2 VADDR = 0xffffffff
  2 PADDR = 0xffffffff
EOF
fails('32-bit overflow (hex)', $v2 . "LOAD_SEGMENT a { VADDR = 0x100000000; };\n",
      'm.map: line 2: numeric value exceeds word size: 0x100000000', '-32');
fails('32-bit overflow (decimal)', $v2 . "LOAD_SEGMENT a { SIZE_SYMBOL = s; PADDR = 4294967296; };\n",
      'm.map: line 2: numeric value exceeds word size: 4294967296', '-32');
fails('malformed number (octal 9)', $v2 . "LOAD_SEGMENT a { ALIGN = 09; };\n", 'm.map: line 2: malformed numeric value: 09');
fails('malformed number (0x)', $v2 . "LOAD_SEGMENT a { ALIGN = 0x; };\n", 'm.map: line 2: malformed numeric value: 0x');
fails('malformed number (suffix)', $v2 . "LOAD_SEGMENT a { ALIGN = 16k; };\n", 'm.map: line 2: malformed numeric value: 16k');

# ------------------------------------------------------------ version
fails('a version 1 (SysV) mapfile', "text = LOAD ?RX;\n",
      'm.map: line 1: not a version 2 mapfile: keel reads only version 2 mapfiles, which start with $mapfile_version 2 (a version 1 (SysV) mapfile must be rewritten)');
fails('a $if first is version 1', "# c\n\$if _ELF64\n\$endif\n",
      'm.map: line 2: not a version 2 mapfile: keel reads only version 2 mapfiles, which start with $mapfile_version 2 (a version 1 (SysV) mapfile must be rewritten)');
fails('version 1 declared', "\$mapfile_version 1\n", 'm.map: line 1: must specify version 2 or higher: 1');
fails('version 3', "\$mapfile_version 3\n", 'm.map: line 1: unknown mapfile version: 3');
fails('text after the version', "\$mapfile_version 2 x\n", 'm.map: line 1: $mapfile_version: unexpected text after the version');
fails('$mapfile_version later', $v2 . "HDR_NOALLOC;\n  \$mapfile_version 2\n", 'm.map: line 3: $mapfile_version must be first directive in file');
reads('an empty version 2 mapfile', $v2, '');

# ------------------------------------------------------ lexical errors
fails('unexpected text', $v2 . "LOAD_SEGMENT a { ALIGN = 8 & 8; };\n", "m.map: line 2: unexpected text: '&'");
fails('a lone +', $v2 . "LOAD_SEGMENT a { FLAGS + READ; };\n", "m.map: line 2: unexpected text: '+' (expected '+=')");
fails('a lone -', $v2 . "LOAD_SEGMENT a { FLAGS - READ; };\n", "m.map: line 2: unexpected text: '-' (expected '-=')");
fails('parentheses outside MATCH', $v2 . "LOAD_SEGMENT a { OS_ORDER = (x); };\n", "m.map: line 2: unexpected text: '('");
fails('illegal character (high byte)', $v2 . "LOAD_SEGMENT \xe9;\n", "m.map: line 2: illegal character '\\351'");
fails('illegal character (control)', $v2 . "LOAD_SEGMENT a\x01;\n", "m.map: line 2: illegal character '\\001'");
fails('a name followed by a quote', $v2 . "LOAD_SEGMENT a'b';\n", "m.map: line 2: whitespace needed before token: '");
fails('unterminated double quotes', $v2 . "LOAD_SEGMENT \"a;\nx\";\n", 'm.map: line 2: unterminated quoted string');
fails('unterminated single quotes', $v2 . "LOAD_SEGMENT 'a", 'm.map: line 2: unterminated quoted string');
fails('a NUL byte in quotes', $v2 . "LOAD_SEGMENT 'a\0b';\n", "m.map: line 2: illegal character '\\000'");
fails('\\0 in double quotes', $v2 . "LOAD_SEGMENT \"a\\0\";\n", 'm.map: line 2: invalid octal escape in quoted string: \\0');
fails('a bad escape', $v2 . "LOAD_SEGMENT \"a\\q\";\n", "m.map: line 2: invalid escape sequence in quoted string: '\\q'");
fails('a quoted keyword', $v2 . "LOAD_SEGMENT a { \"ALIGN\" = 8; };\n", 'm.map: line 2: mapfile keywords should not be quoted: ALIGN');
fails('a quoted directive', $v2 . "'STACK' { FLAGS = READ; };\n", 'm.map: line 2: mapfile keywords should not be quoted: STACK');
fails('a quoted flag', $v2 . "STACK { FLAGS = 'READ'; };\n", 'm.map: line 2: mapfile keywords should not be quoted: READ');
fails('$ not at the start of a line', $v2 . "HDR_NOALLOC; \$add x\n", "m.map: line 2: '\$' control directive not at start of line");

# -------------------------------------------------- conditional input
my $cond = <<'EOF';
$mapfile_version 2
$if _ELF64
LOAD_SEGMENT elf64;
$elif _ELF32
LOAD_SEGMENT elf32;
$else
LOAD_SEGMENT neither;
$endif
$if _x86 && _x86_64 && true && !nothing && (1 || 0) && !0
LOAD_SEGMENT x86_64;
$elif _x86
LOAD_SEGMENT x86;
$endif
$if _ET_EXEC
LOAD_SEGMENT exec;
$elif _ET_DYN
LOAD_SEGMENT dyn;
$elif _ET_REL
LOAD_SEGMENT rel;
$endif
$if _sparc || undefined_name
LOAD_SEGMENT sparc;
$endif
EOF
reads('predefined names: ELF64, x86-64, executable', $cond,
      "m.map:3 LOAD_SEGMENT 'elf64'\nm.map:10 LOAD_SEGMENT 'x86_64'\nm.map:15 LOAD_SEGMENT 'exec'\n");
reads('predefined names: ELF32, i386, shared object', $cond,
      "m.map:5 LOAD_SEGMENT 'elf32'\nm.map:12 LOAD_SEGMENT 'x86'\nm.map:17 LOAD_SEGMENT 'dyn'\n",
      '-32', '-machine', '3', '-kind', 'dyn');
reads('predefined names: another machine, relocatable', $cond,
      "m.map:3 LOAD_SEGMENT 'elf64'\nm.map:19 LOAD_SEGMENT 'rel'\n", '-machine', '183', '-kind', 'rel');
reads('nesting; a skipped region is not read, its control lines only counted', <<'EOF', <<'EOF');
$mapfile_version 2
$if 0
  this is not read ( & ^ "
  $if bad &&& expression ((
    $error not said
  $else junk
    $add never
  $endif junk
  $bogus directive
$elif 1
  $if 1
    LOAD_SEGMENT inner;
  $elif 1
    LOAD_SEGMENT not_this;
  $else
    LOAD_SEGMENT nor_this;
  $endif
$else
  LOAD_SEGMENT not_else;
$endif
$if never
LOAD_SEGMENT never;
$endif
EOF
m.map:12 LOAD_SEGMENT 'inner'
EOF
reads('$add and $clear, carried into the next mapfile; comments after arguments', <<'EOF', <<'EOF');
$mapfile_version 2
$add  one   # a comment
$add two
$clear two
$if one && !two && (one || two)   # both ways
LOAD_SEGMENT yes;
$endif
$if (one || two) && !one
LOAD_SEGMENT no;
$endif
EOF
m.map:6 LOAD_SEGMENT 'yes'
EOF
$r = read_maps([], 'first.map' => "${v2}\$add from_first\n\$clear true\n",
               'second.map' => "${v2}\$if from_first && !true\nLOAD_SEGMENT carried;\n\$endif\n");
is($r->{out}, "second.map:3 LOAD_SEGMENT 'carried'\n", 'names $add-ed in one mapfile are defined in the next')
    or diag($r->{err});
fails('$error', $v2 . "\$if _ELF64\n  \$error  64-bit is not for this  # why\n\$endif\n", 'm.map: line 3: error: 64-bit is not for this');
fails('$if without $endif', $v2 . "\$if 1\n\$if 0\n\$endif\nHDR_NOALLOC;\n", 'm.map: line 6: EOF encountered without closing $endif for the $if at line 2');
$r = read_maps([], 'open.map' => "${v2}\$if 1\n", 'close.map' => "${v2}\$endif\n");
ok($r->{status} == 256 && $r->{err} eq "open.map: line 3: EOF encountered without closing \$endif for the \$if at line 2\n",
   'a $if closes in its own file') or diag($r->{err});
fails('$elif without $if', $v2 . "\$elif 1\n", 'm.map: line 2: $elif used without opening $if');
fails('$else without $if', $v2 . "\$else\n", 'm.map: line 2: $else used without opening $if');
fails('$endif without $if', $v2 . "\$endif\n", 'm.map: line 2: $endif used without opening $if');
fails('$elif after $else', $v2 . "\$if 0\n\$else\n\$elif 1\n\$endif\n", 'm.map: line 4: $elif used after $else (the $if at line 2)');
fails('$else after $else', $v2 . "\$if 0\n\$else\n\$else\n\$endif\n", 'm.map: line 4: $else used after $else (the $if at line 2)');
fails('$else with an argument', $v2 . "\$if 0\n\$else 1\n\$endif\n", 'm.map: line 3: $else takes no argument');
fails('$endif with an argument', $v2 . "\$if 0\n\$endif 1\n", 'm.map: line 3: $endif takes no argument');
fails('unrecognized control directive', $v2 . "\$include x\n", 'm.map: line 2: unrecognized mapfile control directive: $include');
fails('a control directive without a blank', $v2 . "\$if(1)\n\$endif\n", 'm.map: line 2: unrecognized mapfile control directive: $if(');
fails('syntax error: empty $if', $v2 . "\$if\n\$endif\n", 'm.map: line 2: syntax error in conditional expression');
fails('syntax error: two operands', $v2 . "\$if a b\n\$endif\n", 'm.map: line 2: syntax error in conditional expression');
fails('syntax error: a missing operand', $v2 . "\$if a &&\n\$endif\n", 'm.map: line 2: syntax error in conditional expression');
fails('invalid operator: a single &', $v2 . "\$if a & b\n\$endif\n", "m.map: line 2: invalid operator use in conditional expression: '&' (expected '&&')");
fails('invalid operator: no left operand', $v2 . "\$if || b\n\$endif\n", "m.map: line 2: invalid operator use in conditional expression: '|' without an operand");
fails('invalid operator: && and || mixed', $v2 . "\$if a || b && c\n\$endif\n", 'm.map: line 2: invalid operator use in conditional expression: && and || mixed without parentheses');
fails('unbalanced parenthesis: open', $v2 . "\$if (a && (b)\n\$endif\n", 'm.map: line 2: unbalanced parenthesis in conditional expression');
fails('unbalanced parenthesis: close', $v2 . "\$if a)\n\$endif\n", 'm.map: line 2: unbalanced parenthesis in conditional expression');
fails('malformed operand', $v2 . "\$if 2\n\$endif\n", 'm.map: line 2: malformed conditional expression operand: 2 (0, 1 or a name)');
fails('malformed $add', $v2 . "\$add a b\n", "m.map: line 2: malformed \$add argument: 'a b' (one name)");
fails('malformed $clear', $v2 . "\$clear\n", "m.map: line 2: malformed \$clear argument: '' (one name)");

# ------------------------------------------------- a directory of mapfiles
make_path("$tmp/dir");
spew("$tmp/dir/b.map", "${v2}LOAD_SEGMENT from_b;\n");
spew("$tmp/dir/a.map", "${v2}\$if B_first\nLOAD_SEGMENT from_a;\n\$endif\n");
spew("$tmp/dir/B", "${v2}\$add B_first\nLOAD_SEGMENT from_B;\n");
spew("$tmp/dir/.hidden", "not a mapfile\n");
$r = read_maps([], 'dir');
is($r->{out}, "dir/B:3 LOAD_SEGMENT 'from_B'\ndir/a.map:3 LOAD_SEGMENT 'from_a'\ndir/b.map:2 LOAD_SEGMENT 'from_b'\n",
   'a directory: its files in strcmp order of their names, dot files left out') or diag($r->{err});
$r = read_maps([], 'dir/a.map' => undef, 'dir/b.map' => undef, 'dir/B' => undef, 'dir/a.map' => undef);
is($r->{out}, "dir/b.map:2 LOAD_SEGMENT 'from_b'\ndir/B:3 LOAD_SEGMENT 'from_B'\ndir/a.map:3 LOAD_SEGMENT 'from_a'\n",
   'mapfiles in command-line order, names defined carried forward only')
    or diag($r->{err});
$r = read_maps([], 'nonexistent.map');
ok($r->{status} == 256 && $r->{err} =~ /^nonexistent\.map: cannot open mapfile: No such file or directory$/, 'a missing mapfile')
    or diag($r->{err});

# ------------------------------------------------------ grammar errors
fails('empty {}', $v2 . "LOAD_SEGMENT a {};\n", 'm.map: line 2: LOAD_SEGMENT specified no attributes (empty {})');
fails('empty {} of ASSIGN_SECTION', $v2 . "LOAD_SEGMENT a { ASSIGN_SECTION x {}; };\n", 'm.map: line 2: ASSIGN_SECTION specified no attributes (empty {})');
fails('empty SYMBOL_SCOPE', $v2 . "SYMBOL_SCOPE {\n};\n", 'm.map: line 2: SYMBOL_SCOPE specified no attributes (empty {})');
fails('no ; after a directive', $v2 . "LOAD_SEGMENT a { ALIGN = 8; }\nLOAD_SEGMENT b;\n", "m.map: line 3: expected ';' to terminate LOAD_SEGMENT");
fails('no ; after an empty directive', $v2 . "LOAD_SEGMENT a\n", "m.map: line 3: expected ';' to terminate LOAD_SEGMENT");
fails('no ; between attributes', $v2 . "LOAD_SEGMENT a { ALIGN = 8 VADDR = 0; };\n", "m.map: line 2: ALIGN takes one value: unexpected 'VADDR'");
fails('no ; after a nested block', $v2 . "LOAD_SEGMENT a { ASSIGN_SECTION { TYPE = NOTE; } ALIGN = 8; };\n", "m.map: line 2: expected ';' to terminate ASSIGN_SECTION");
fails('a value list empty', $v2 . "LOAD_SEGMENT a { OS_ORDER = ; };\n", 'm.map: line 2: OS_ORDER specified without values');
fails('SEGMENT_ORDER empty', $v2 . "SEGMENT_ORDER += ;\n", 'm.map: line 2: SEGMENT_ORDER specified without values');
fails('an attribute of another directive', $v2 . "NOTE_SEGMENT n { VADDR = 0x1000; };\n",
      "m.map: line 2: expected attribute name (ASSIGN_SECTION DISABLE IS_ORDER OS_ORDER), or terminator: found 'VADDR'");
fails('DISABLE in RESERVE_SEGMENT', $v2 . "RESERVE_SEGMENT r { VADDR = 0; SIZE = 1; DISABLE; };\n",
      "m.map: line 2: expected attribute name (ALIGN PADDR ROUND SIZE_SYMBOL VADDR SIZE TYPE), or terminator: found 'DISABLE'");
fails('an unknown attribute of ASSIGN_SECTION', $v2 . "LOAD_SEGMENT a { ASSIGN_SECTION { NAME = x; }; };\n",
      "m.map: line 2: expected attribute name (FILE_BASENAME FILE_OBJNAME FILE_PATH FLAGS IS_NAME TYPE OUTPUT_SECTION), or terminator: found 'NAME'");
fails('an operator the attribute does not take', $v2 . "LOAD_SEGMENT a { VADDR += 0x1000; };\n", "m.map: line 2: VADDR: '+=' is not allowed here");
fails('-= on IS_ORDER', $v2 . "LOAD_SEGMENT a { IS_ORDER -= x; };\n", "m.map: line 2: IS_ORDER: '-=' is not allowed here");
fails('a value on a bare attribute', $v2 . "LOAD_SEGMENT a { NOHDR = 1; };\n", "m.map: line 2: NOHDR: '=' is not allowed here");
fails('no operator', $v2 . "LOAD_SEGMENT a { ALIGN 8; };\n", "m.map: line 2: ALIGN: expected an operator (=), not '8'");
fails('an unknown directive', $v2 . "TEXT_SEGMENT a;\n", "m.map: line 2: expected a directive, not 'TEXT_SEGMENT'");
fails('a segment flag that is not one', $v2 . "LOAD_SEGMENT a { FLAGS = READ ALLOC; };\n", "m.map: line 2: segment FLAGS: invalid value 'ALLOC'");
fails('a section type that is not one', $v2 . "LOAD_SEGMENT a { ASSIGN_SECTION { TYPE = SHT_BOGUS; }; };\n", "m.map: line 2: TYPE: unknown section type 'SHT_BOGUS'");
fails("'!' twice", $v2 . "LOAD_SEGMENT a { ASSIGN_SECTION { FLAGS = !!WRITE; }; };\n", "m.map: line 2: '!' can only be specified once per flag");
fails("a flag with and without '!'", $v2 . "LOAD_SEGMENT a { ASSIGN_SECTION { FLAGS = WRITE !WRITE; }; };\n", "m.map: line 2: '!' can only be specified once per flag: WRITE");
fails("'!' alone", $v2 . "LOAD_SEGMENT a { ASSIGN_SECTION { FLAGS = ALLOC !; }; };\n", "m.map: line 2: '!' appears without corresponding flag");
fails("'!' in an output section's flags", $v2 . "LOAD_SEGMENT a { ASSIGN_SECTION { OUTPUT_SECTION { FLAGS = !WRITE; }; }; };\n", "m.map: line 2: FLAGS: '!' is for entrance criteria only");
fails('ALIGN not a power of 2', $v2 . "LOAD_SEGMENT a { ALIGN = 0x3000; };\n", 'm.map: line 2: ALIGN value must be a power of 2: 0x3000');
fails('ROUND not a power of 2', $v2 . "LOAD_SEGMENT a { ROUND = 3; };\n", 'm.map: line 2: ROUND value must be 0 or a power of 2: 0x3');
fails('FILE_BASENAME with a /', $v2 . "LOAD_SEGMENT a { ASSIGN_SECTION { FILE_BASENAME = dir/x.o; }; };\n", "m.map: line 2: FILE_BASENAME cannot contain '/': dir/x.o");
fails('FILE_OBJNAME with a /', $v2 . "LOAD_SEGMENT a { ASSIGN_SECTION { FILE_OBJNAME = /x.o; }; };\n", "m.map: line 2: FILE_OBJNAME cannot contain '/': /x.o");
fails('MATCH of an unknown kind', $v2 . "LOAD_SEGMENT a { ASSIGN_SECTION { IS_NAME = MATCH(x/a/); }; };\n", 'm.map: line 2: MATCH: expected g, r or t, then /text/');
fails('MATCH unterminated', $v2 . "LOAD_SEGMENT a { ASSIGN_SECTION { IS_NAME = MATCH(g/a); }; };\n", 'm.map: line 2: MATCH: unterminated /text/');
fails('MATCHREF outside NAME', $v2 . "LOAD_SEGMENT a { ASSIGN_SECTION { IS_NAME = MATCHREF(/a/); }; };\n", "m.map: line 2: unexpected text: '('");
fails('cannot redefine entrance criteria', $v2 . "LOAD_SEGMENT a { ASSIGN_SECTION x; };\nNOTE_SEGMENT n { ASSIGN_SECTION x; };\n", 'm.map: line 3: cannot redefine entrance criteria: x');
fails('unknown entrance criteria in IS_ORDER', $v2 . "LOAD_SEGMENT a { IS_ORDER = x; ASSIGN_SECTION x; };\n", 'm.map: line 2: unknown entrance criteria (ASSIGN_SECTION) of segment a: x');
fails("another segment's criteria in IS_ORDER", $v2 . "LOAD_SEGMENT a { ASSIGN_SECTION x; };\nLOAD_SEGMENT b { IS_ORDER = x; };\n", 'm.map: line 3: unknown entrance criteria (ASSIGN_SECTION) of segment b: x');
fails('IS_ORDER twice', $v2 . "LOAD_SEGMENT a { ASSIGN_SECTION x; ASSIGN_SECTION y; IS_ORDER = x y; };\nLOAD_SEGMENT a { IS_ORDER += x; };\n", 'm.map: line 3: entrance criteria is already in IS_ORDER list: x');
reads('IS_ORDER = starts a new list', $v2 . "LOAD_SEGMENT a { ASSIGN_SECTION x; IS_ORDER = x; IS_ORDER = x; };\n",
      "m.map:2 LOAD_SEGMENT 'a'\n  2 ASSIGN_SECTION 'x'\n  2 IS_ORDER = 'x'\n  2 IS_ORDER = 'x'\n");
fails('OS_ORDER twice', $v2 . "LOAD_SEGMENT a { OS_ORDER = .text .data .text; };\n", 'm.map: line 2: section is already in OS_ORDER list: .text');
fails('size symbols reset', $v2 . "LOAD_SEGMENT a { SIZE_SYMBOL = s; };\nLOAD_SEGMENT a { SIZE_SYMBOL = t; };\n", 'm.map: line 3: existing segment size symbols cannot be reset: a');
fails('extra disabled', $v2 . "NULL_SEGMENT extra { DISABLE; };\n", 'm.map: line 2: segment cannot be disabled: extra');
fails('SEGMENT_ORDER after VADDR', $v2 . "LOAD_SEGMENT a { VADDR = 0x1000; };\nSEGMENT_ORDER = b a;\n", 'm.map: line 3: segment cannot have an explicit address and also be in the SEGMENT_ORDER list: a');
fails('PADDR after SEGMENT_ORDER', $v2 . "SEGMENT_ORDER = a;\nLOAD_SEGMENT a { PADDR = 0x1000; };\n", 'm.map: line 3: segment cannot have an explicit address and also be in the SEGMENT_ORDER list: a');
reads('SEGMENT_ORDER = replaces the list', $v2 . "SEGMENT_ORDER = a;\nSEGMENT_ORDER = b;\nLOAD_SEGMENT a { VADDR = 0; };\n",
      "m.map:2 SEGMENT_ORDER = 'a'\nm.map:3 SEGMENT_ORDER = 'b'\nm.map:4 LOAD_SEGMENT 'a'\n  4 VADDR = 0x0\n");
fails('SEGMENT_ORDER twice', $v2 . "SEGMENT_ORDER = a b;\nSEGMENT_ORDER += a;\n", 'm.map: line 3: segment is already in SEGMENT_ORDER list: a');
fails('a segment of another kind', $v2 . "NOTE_SEGMENT n;\nLOAD_SEGMENT n;\n", 'm.map: line 3: PT_NOTE segment cannot be used with LOAD_SEGMENT directive: n');
$r = read_maps([], 'one.map' => "${v2}NULL_SEGMENT z;\n", 'two.map' => "${v2}RESERVE_SEGMENT z { VADDR = 0; SIZE = 1; };\n");
ok($r->{status} == 256 && $r->{err} eq "two.map: line 2: PT_NULL segment cannot be used with RESERVE_SEGMENT directive: z\n",
   'a segment of another kind, in another mapfile') or diag($r->{err});
fails('an empty RESERVE_SEGMENT', $v2 . "RESERVE_SEGMENT r;\n", 'm.map: line 2: RESERVE_SEGMENT r: cannot be empty: it must have a VADDR and a SIZE');
fails('a RESERVE_SEGMENT without SIZE', $v2 . "RESERVE_SEGMENT r { VADDR = 0x1000; };\n", 'm.map: line 2: RESERVE_SEGMENT r: must have a VADDR and a SIZE');
$r = read_maps([], 'one.map' => "${v2}RESERVE_SEGMENT r { VADDR = 0x1000; };\n", 'two.map' => "${v2}RESERVE_SEGMENT r { SIZE = 0x1000; };\n");
ok($r->{status} == 0, 'a RESERVE_SEGMENT completed by a later mapfile') or diag($r->{err});
fails('a SYSSTAT RESERVE_SEGMENT without VADDR', $v2 . "RESERVE_SEGMENT r { TYPE = SYSSTAT_ZONE; };\n", 'm.map: line 2: RESERVE_SEGMENT r: must have a VADDR');
fails("'*' in the global scope", $v2 . "SYMBOL_VERSION V { global: *; };\n", "m.map: line 2: '*' is allowed only in the local (hidden) or eliminate scope, not in GLOBAL");
fails("'*' before any scope", $v2 . "SYMBOL_SCOPE { *; };\n", "m.map: line 2: '*' is allowed only in the local (hidden) or eliminate scope, not in the default scope");
fails('an unknown scope', $v2 . "SYMBOL_SCOPE { public: x; };\n", 'm.map: line 2: unknown symbol scope: public');
fails('SYMBOL_SCOPE inheriting', $v2 . "SYMBOL_SCOPE { x; } V1;\n", 'm.map: line 2: SYMBOL_SCOPE cannot name inherited versions');
fails('SIZE on an EXTERN symbol', $v2 . "SYMBOL_SCOPE { x { FLAGS = EXTERN; SIZE = 4; }; };\n", 'm.map: line 2: symbol x: SIZE and VALUE cannot be used with FLAGS EXTERN or PARENT');
fails('two filters', $v2 . "SYMBOL_SCOPE { x { FILTER = a; AUXILIARY = b; }; };\n", 'm.map: line 2: symbol x: only one AUXILIARY or FILTER per symbol');
fails('ASSERT ALIAS with SIZE', $v2 . "SYMBOL_SCOPE { x { ASSERT { ALIAS = y; SIZE = 4; }; }; };\n", 'm.map: line 2: symbol x: ASSERT ALIAS cannot be combined with SH_ATTR, SIZE or TYPE');
fails('a symbol type that is not one', $v2 . "SYMBOL_SCOPE { x { TYPE = OBJECT; }; };\n", "m.map: line 2: symbol TYPE: invalid value 'OBJECT'");
fails('STUB_OBJECT', $v2 . "STUB_OBJECT;\n", 'm.map: line 2: STUB_OBJECT is not supported: keel writes no stub objects');
fails('PHDR_ADD_NULL +=', $v2 . "PHDR_ADD_NULL += 1;\n", "m.map: line 2: PHDR_ADD_NULL: expected '=', not '+='");
fails('STACK without a block', $v2 . "STACK;\n", "m.map: line 2: STACK: expected '{', not ';'");
fails('an unterminated block', $v2 . "LOAD_SEGMENT a { ALIGN = 8;\n", "m.map: line 3: expected attribute name (ALIGN ASSIGN_SECTION DISABLE FLAGS IS_ORDER MAX_SIZE NOHDR OS_ORDER PADDR ROUND SIZE_SYMBOL VADDR), or terminator: found end of file");

# --------------------------------------------- keel link --mapfile FILE
# read before the link, then applied: a mapfile's error is its own and
# leaves no output; valid ones give one
SKIP: {
    my $keel = $ENV{KEEL} // "$build/keel";
    skip "no keel at $keel", 4 unless -x $keel;
    skip 'no gcc', 4 unless Programs::have('gcc');
    spew("$tmp/start.c", "void _start(void) { for (;;) ; }\n");
    my $cc = run_program(env => \%env, dir => $tmp, argv => ['gcc', '-c', '-O2', 'start.c', '-o', 'start.o'], base => "$tmp/cc");
    skip "gcc -c failed: $cc->{err}", 4 if $cc->{status};
    spew("$tmp/good.map", "${v2}STACK { FLAGS -= EXECUTE; };\n");
    spew("$tmp/bad.map", "${v2}LOAD_SEGMENT x {\n  FLAGS = READ ALLOC;\n};\n");
    my $link = sub { run_program(env => \%env, dir => $tmp, argv => [$keel, 'link', '-o', 'out', 'start.o', @_], base => "$tmp/link" . ++$runs) };
    $r = $link->('--mapfile', 'good.map', '--mapfile=bad.map');
    ok($r->{status} == 256 && $r->{err} =~ /^keel \w+: bad\.map: line 3: segment FLAGS: invalid value 'ALLOC'$/m && !-e "$tmp/out",
       'keel link --mapfile: a mapfile\'s error, FILE: line N:, and no output') or diag($r->{err});
    $r = $link->('--mapfile', 'good.map', '--mapfile', 'dir');
    ok($r->{status} == 0 && -e "$tmp/out",
       'keel link --mapfile: valid mapfiles (a file and a directory) read and applied') or diag($r->{err});
    unlink "$tmp/out";
    spew("$tmp/v1.map", "text = LOAD ?RX;\n");
    $r = $link->('--mapfile', 'v1.map');
    ok($r->{status} == 256 && $r->{err} =~ /^keel \w+: v1\.map: line 1: not a version 2 mapfile: keel reads only version 2/m,
       'keel link --mapfile: a version 1 mapfile') or diag($r->{err});
    $r = $link->('--mapfile', 'missing.map');
    ok($r->{status} == 256 && $r->{err} =~ /^keel \w+: missing\.map: cannot open mapfile: No such file or directory$/m,
       'keel link --mapfile: a missing mapfile') or diag($r->{err});
}

done_testing();
