#!/bin/sh
# The address-map model (lib/map) case by case against the pdb crate's
# documented behaviour and its bugs (tests/unit/map_model.c).
exec "${KEEL_BUILD:-$(dirname "$0")/../build}/tests/map_model"
