#!/bin/sh
# The x86-64 target's relocations against values worked out by hand from
# the psABI, every type it knows, at the boundaries of each field
# (tests/unit/arch_reloc.c).
exec "${KEEL_BUILD:-$(dirname "$0")/../build}/tests/arch_reloc"
