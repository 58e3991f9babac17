#!/bin/sh
# Seeds for the PDB reader fuzzer (fuzz/pdb_reader.c):
#
#   sh fuzz/pdb_reader_seeds.sh CORPUS_DIR
#
# Small PDBs written by tests/lib/Pdb.pm: the notes' OMAP example (512-
# and 4096-byte blocks, scattered and not), identity (section headers
# only), no headers at all; and, when clang and lld-link are installed, a
# real PDB of lld-link repacked with 512-byte blocks (under the fuzzer's
# 64 KiB input limit).  Bare OMAP and section tables come with them.
set -u
out=${1:-}
if [ -z "$out" ]; then
    echo "usage: sh fuzz/pdb_reader_seeds.sh CORPUS_DIR" >&2
    exit 2
fi
mkdir -p "$out" || exit 1
root=$(cd "$(dirname "$0")/.." && pwd)
real=
if command -v clang >/dev/null 2>&1 && command -v lld-link >/dev/null 2>&1; then
    tmp=$(mktemp -d) &&
        clang --target=x86_64-pc-windows-msvc -O1 -g -c "$root/tests/progs/map/pdbprog.c" -o "$tmp/p.obj" &&
        lld-link /nologo /debug /nodefaultlib /entry:main /subsystem:console /out:"$tmp/p.exe" /pdb:"$tmp/p.pdb" \
            "$tmp/p.obj" >/dev/null 2>&1 && real=$tmp/p.pdb
fi
perl -I"$root/tests/lib" -MPdb=read_msf,write_msf,header,dbi_stream -e '
my ($out, $real) = @ARGV;
sub spew { open(my $f, ">:raw", $_[0]) or die; print $f $_[1]; close $f }
my $cur = header(".text", 0x1000, 0x15000, 0x1000, 0x400, 0x60000020)
    . header(".textc", 0x1000, 0x2d000, 0x1000, 0x1400, 0x60000020);
my $orig = header(".text", 0x200, 0x1000, 0x200, 0x400, 0x60000020);
my $from = pack("V*", 0x1000, 0, 0x10b0, 0x15dec, 0x10bd, 0, 0x10c4, 0x2da00, 0x10c6, 0);
my $to = pack("V*", 0x15dec, 0x10b0, 0x15df9, 0, 0x2da00, 0x10c4, 0x2da02, 0);
my @base = ("", "", "");
my @omap = (@base, dbi_stream(3 => 6, 4 => 7, 5 => 4, 10 => 5), $cur, $orig, $to, $from);
for my $bs (512, 4096) {
    for my $sc (0, 1) {
        spew("$out/pdb-omap-$bs-$sc", write_msf($bs, $sc, @omap));
    }
}
spew("$out/pdb-identity", write_msf(512, 1, @base, dbi_stream(5 => 4), $cur));
spew("$out/pdb-empty", write_msf(512, 0, @base, dbi_stream()));
spew("$out/pdb-bare-omap", $from);
spew("$out/pdb-bare-sections", $cur);
if ($real) {
    open(my $f, "<:raw", $real) or exit 0;
    local $/;
    spew("$out/pdb-real-512", write_msf(512, 1, read_msf(<$f>)));
}
' "$out" "$real"
[ -n "$real" ] && rm -rf "$(dirname "$real")"
exit 0
