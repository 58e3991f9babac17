#!/bin/sh
# The executable interpreter on generated, mostly malformed, executables.
exec "${KEEL_BUILD:-$(dirname "$0")/../build}/tests/exec_errors"
