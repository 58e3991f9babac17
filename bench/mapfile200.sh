#!/bin/sh
# Writes the 200-line mapfile of bench/link.sh's mapfile row (issue 14's
# speed check): 66 LOAD_SEGMENT text blocks of one IS_NAME criterion each
# that no input section matches, so every section is tried against every
# criterion and the layout stays the default one, and an OS_ORDER on the
# data segment.
echo '$mapfile_version 2'
i=1
while [ $i -le 66 ]; do
    echo 'LOAD_SEGMENT text {'
    echo "    ASSIGN_SECTION { IS_NAME = .text.keel_bench_none_$i; };"
    echo '};'
    i=$((i + 1))
done
echo 'LOAD_SEGMENT data { OS_ORDER = .data; };'
