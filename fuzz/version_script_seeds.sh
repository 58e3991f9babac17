#!/bin/sh
# Seeds for the version-script fuzzer (fuzz/version_script.c):
#
#   sh fuzz/version_script_seeds.sh CORPUS_DIR
#
# Scripts with every construct ld.bfd's grammar has (anonymous and named
# nodes, parents, global:/local:, globs, escapes, quoted names, extern
# "C"/"C++" blocks, comments), dynamic lists, and a pair split by the
# target's "%%next" line; the first byte picks a version script (0) or a
# dynamic list (1).
set -u

out=${1:-}
if [ -z "$out" ]; then
    echo "usage: sh fuzz/version_script_seeds.sh CORPUS_DIR" >&2
    exit 2
fi
mkdir -p "$out" || exit 1

seed() { # NAME FIRST-BYTE (octal) TEXT
    { printf "\\$2"; printf '%s' "$3"; } >"$out/vscript-$1"
}

seed anon 0 '{ global: foo; bar*; local: *; };'
seed nodes 0 'VERS_1.1 {
 global:
  foo1;
 local:
  old*;
  original*;
  new*;
};
VERS_1.2 { foo2; } VERS_1.1;
VERS_2.0 {
  bar1; bar2;
  extern "C++" { ns::*; "f(int, double)"; };
} VERS_1.2;
'
seed globs 0 '# comment
V /* c */ { global: f?o; b[ab]r; esc\*aped; "q*uoted"; global; local; extern; local: *_internal; };'
seed extern 0 'V { extern "C" { a; b }; extern "C++" { "A::f()"; extern "C" { c; }; }; d; };'
seed errors 0 'V1 { foo; }; V1 { bar; }; V2 { local: foo; } V0;'
seed pair 0 'V1 { foo; local: *; };
%%next
V2 { bar; } V1;
%%next
V3 { extern "Java" { x; }; } V2 V1;'
seed list 1 '{ fn_a; "data_x"; extern "C++" { ns::*; }; };
{ api_*; };'
