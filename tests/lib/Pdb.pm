package Pdb;
# PDB files for the tests and the fuzzer's seeds: the MSF 7.00 container
# read and written (any block size; scattered: no stream's blocks
# consecutive), a PE section header, and a minimal DBI stream whose
# optional debug header names the given streams.
use strict;
use warnings;
use Exporter 'import';
our @EXPORT_OK = qw(read_msf write_msf header dbi_stream);

sub read_msf {
    my ($b) = @_;
    my ($bs, undef, undef, $dirbytes, undef, $bmap) = unpack('V6', substr($b, 32, 24));
    my $ndir = int(($dirbytes + $bs - 1) / $bs);
    my @dblocks = unpack("V$ndir", substr($b, $bmap * $bs, 4 * $ndir));
    my $dir = join '', map { substr($b, $_ * $bs, $bs) } @dblocks;
    my @w = unpack('V*', substr($dir, 0, $dirbytes));
    my $ns = shift @w;
    my @sizes = splice(@w, 0, $ns);
    my @streams;
    for my $sz (@sizes) {
        my $s = $sz == 0xffffffff ? 0 : $sz;
        my @bl = splice(@w, 0, int(($s + $bs - 1) / $bs));
        push @streams, substr(join('', map { substr($b, $_ * $bs, $bs) } @bl), 0, $s);
    }
    return @streams;
}

# An MSF 7.00 file of the streams: block 0 the superblock, 1 and 2 the
# free block maps, then the streams' blocks (in reverse when scattered,
# so that no stream's blocks are consecutive), the directory, the block
# map.
sub write_msf {
    my ($bs, $scatter, @streams) = @_;
    my @chunks;
    for my $i (0 .. $#streams) {
        for (my ($o, $k) = (0, 0); $o < length $streams[$i]; $o += $bs, $k++) {
            push @chunks, [$i, $k, substr($streams[$i], $o, $bs)];
        }
    }
    @chunks = reverse @chunks if $scatter;
    my @data = ('', '', '');
    my @lists = map { [] } @streams;
    for my $c (@chunks) {
        $lists[$c->[0]][$c->[1]] = scalar @data;
        push @data, $c->[2];
    }
    my $dir = pack('V*', scalar @streams, (map { length } @streams), map { @$_ } @lists);
    my @dblocks;
    for (my $o = 0; $o < length $dir; $o += $bs) {
        push @dblocks, scalar @data;
        push @data, substr($dir, $o, $bs);
    }
    my $bmap = scalar @data;
    push @data, pack('V*', @dblocks);
    my $nb = scalar @data;
    my $fpm = join '', map { $_ < $nb ? '0' : '1' } 0 .. $bs * 8 - 1;
    $data[1] = pack('b*', $fpm);
    $data[0] = "Microsoft C/C++ MSF 7.00\r\n\x1aDS\0\0\0" . pack('V6', $bs, 1, $nb, length $dir, 0, $bmap);
    return join '', map { $_ . ("\0" x ($bs - length)) } @data;
}

sub header {
    my ($name, $vsize, $va, $raw, $ptr, $flags) = @_;
    return pack('a8V6v2V', $name, $vsize, $va, $raw, $ptr, 0, 0, 0, 0, $flags);
}

# A DBI stream: the 64-byte header (current format, no substreams) and an
# 11-slot optional debug header, slot => stream (0xffff where absent).
sub dbi_stream {
    my (%slot) = @_;
    my $dbg = pack('v11', map { $slot{$_} // 0xffff } 0 .. 10);
    # signature, version, age, 6 x u16 (stream numbers, build), the six
    # substream sizes before it (module info ... MFC index), the debug
    # header's size, EC's, flags, machine, padding
    return pack('l<VVv6l<6l<l<vvV', -1, 19990903, 1, 0xffff, 0, 0xffff, 0, 0xffff, 0, 0, 0, 0, 0, 0, 0,
        length $dbg, 0, 0, 0x8664, 0) . $dbg;
}

1;
