#!/bin/sh
# The executable interpreter on generated a.out executables of every magic,
# valid and malformed.
exec "${KEEL_BUILD:-$(dirname "$0")/../build}/tests/exec_aout"
