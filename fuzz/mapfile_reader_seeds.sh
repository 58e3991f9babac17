#!/bin/sh
# Seeds for the mapfile reader fuzzer (fuzz/mapfile_reader.c):
#
#   sh fuzz/mapfile_reader_seeds.sh CORPUS_DIR
#
# The notes' four examples and mapfiles that use every directive,
# attribute, operator and control directive, each behind the target's
# first byte (0: ELF64 x86-64 executable; 0x13: ELF32 i386 shared object),
# and a pair split by the target's "%%next" line.
set -u

out=${1:-}
if [ -z "$out" ]; then
    echo "usage: sh fuzz/mapfile_reader_seeds.sh CORPUS_DIR" >&2
    exit 2
fi
mkdir -p "$out" || exit 1

seed() { # NAME FIRST-BYTE (octal) TEXT
    { printf "\\$2"; printf '%s' "$3"; } >"$out/mapfile-$1"
}

A='$mapfile_version 2
STACK { FLAGS -= EXECUTE; };
LOAD_SEGMENT data { ROUND = 0x1000; };   # first data section page-aligned in file
'
B='$mapfile_version 2
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
'
C='$mapfile_version 2
$if _ELF64 && _x86
$add amd64
$endif
LOAD_SEGMENT bss;                                   # referencing enables it
SYMBOL_VERSION MYLIB_1.0 {
    global: mylib_open; mylib_read { FLAGS = NODIRECT; };
    local:  *;
};
'
D='$mapfile_version 2
LOAD_SEGMENT text {
    ASSIGN_SECTION hot {
        IS_NAME = MATCH(r/^\.text\.hot\..*$/);
        FLAGS = ALLOC EXECUTE;
        OUTPUT_SECTION { NAME = .text.hot; };
    };
    OS_ORDER = .text.hot .text;
};
RESERVE_SEGMENT gap { VADDR = 0x7f0000000000; SIZE = 0x40000000; };
'
E='$mapfile_version 2
$if (_ELF32 || _ELF64) && !_sparc
$add both
$elif _ET_DYN
$error not here
$else
$clear both
$endif
load_segment "seg one" { ALIGN = 0x200000; DISABLE; FLAGS += WRITE; FLAGS -= EXECUTE;
  FLAGS = DATA STACK 0; MAX_SIZE = 0; NOHDR; PADDR = 010; ROUND = 16;
  ASSIGN_SECTION a; ASSIGN_SECTION b { TYPE = progbits; TYPE = SHT_NOBITS; FLAGS += AMD64_LARGE; };
  ASSIGN_SECTION { FILE_PATH = lib/x.a(m.o); FILE_OBJNAME = MATCH(g/*.o/i); FILE_BASENAME = MATCH(t/a b/);
    OUTPUT_SECTION { ANCILLARY = anc; DISCARD; FLAGS = ALLOC; FLAGS += WRITE; FLAGS -= EXECUTE;
      NAME = MATCHREF(/.hot${1}/); TYPE = Sht_Note; }; };
  IS_ORDER = a; IS_ORDER += b; OS_ORDER = .a; OS_ORDER += '"'"'.b\t'"'"' "\101\n";
  SIZE_SYMBOL = s1; SIZE_SYMBOL += s2 s3; };
NOTE_SEGMENT n { ASSIGN_SECTION; OS_ORDER = .note.x };
NULL_SEGMENT z { ASSIGN_SECTION c { IS_NAME = .comment }; IS_ORDER = c; };
RESERVE_SEGMENT r { TYPE = SYSSTAT; VADDR = 0x10000; ALIGN = 0x1000; SIZE_SYMBOL = rs; };
LOAD_SEGMENT p; LOAD_SEGMENT q;
SEGMENT_ORDER = p; SEGMENT_ORDER += q;
PHDR_ADD_NULL = 2;
HDR_NOALLOC;;
STACK { FLAGS = READ WRITE };
CAPABILITY { HW = sse2 AVX; HW_1 = 0x10 mmx; SF_1 -= 1; MACHINE += i86pc; PLATFORM = '"'"'x y'"'"' };
CAPABILITY cap1;
DEPEND_VERSIONS libc.so.6 { ALLOW = GLIBC_2.2.5; REQUIRE = GLIBC_2.34; };
SYMBOL_SCOPE { local: h1; protected: p { TYPE = FUNCTION; SIZE = 16; }; eliminate: *; };
SYMBOL_VERSION V1 {};
SYMBOL_VERSION V2 { foo { VALUE = 0x10; TYPE = data; FLAGS = DIRECT DYNSORT; AUXILIARY = libx.so; };
  exported: e; singleton: s; symbolic: y { FLAGS = INTERPOSE NODIRECT NODYNSORT; };
  hidden: h { ASSERT { ALIAS = foo; }; }; default: d { ASSERT { BINDING = WEAK; SH_ATTR = NOBITS; SIZE = 8; TYPE = TLS }; };
} V1 '"'"'V0'"'"';
'
seed a 0 "$A"
seed b 0 "$B"
seed b32 23 "$B"
seed c 0 "$C"
seed c32 23 "$C"
seed d 0 "$D"
seed e 0 "$E"
seed e32 23 "$E"
seed pair 0 "$C
%%next
\$mapfile_version 2
\$if amd64
LOAD_SEGMENT more { ASSIGN_SECTION x; IS_ORDER = x; };
\$endif
%%next
$A"
