#!/bin/sh
# The loader's symbol table: names removed in place at unload, the rest still found.
exec "${KEEL_BUILD:-$(dirname "$0")/../build}/tests/sym_table"
