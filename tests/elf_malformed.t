#!/bin/sh
# Malformed ELF files and archives through the reader's API (the TAP comes
# from tests/unit/elf_malformed.c, built by the Makefile).
root=$(cd "$(dirname "$0")/.." && pwd)
exec "${KEEL_BUILD:-$root/build}/tests/elf_malformed"
