#!/usr/bin/perl
# keel map on PDB files (lib/map's MSF, DBI and address-map reader), and
# on ELF files by their sections and symbols.
#   - a real PDB (clang --target=x86_64-pc-windows-msvc, lld-link /debug):
#     its section table equal to llvm-pdbutil dump --section-headers, and
#     every section's bounds by virtual size;
#   - the same streams repacked by the writer below with 512- and
#     1024-byte blocks, scattered (no stream's blocks consecutive):
#     llvm-pdbutil reads them alike, and so must keel;
#   - OMAP: the real PDB given original section headers and both OMAP
#     streams of the notes' example (the original range 0x10b0-0x10c6
#     splits into 0x15dec-0x15df9 and 0x2da00-0x2da02, the middle
#     eliminated), the translations worked out by hand;
#   - malformed PDBs: an error naming the stream and offset, never a crash;
#   - ELF: the function keel map names at every function's first and last
#     byte equals eu-addr2line -f's.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use KeelTest qw(keel_setup run sh);
use Programs qw(have slurp spew);
use Pdb qw(read_msf write_msf header);

my ($build, $keel, $tmp) = keel_setup('map_pdb');
my $progs = "$FindBin::Bin/progs/map";

sub keel_map {
    my ($stdin, @args) = @_;
    return run(argv => [$keel, 'map', @args], stdin => $stdin);
}

# DBI's optional debug header: its offset in stream 3
sub dbg_offset {
    my ($dbi) = @_;
    my @s = unpack('l<6', substr($dbi, 24, 24));   # modinfo, seccontr, secmap, srcinfo, tsmap, mfc
    my ($dbg, $ec) = unpack('l<2', substr($dbi, 48, 8));
    return (64 + $s[0] + $s[1] + $s[2] + $s[3] + $s[4] + $ec, $dbg);
}

sub set_slot {
    my ($streams, $slot, $n) = @_;
    my ($off, $size) = dbg_offset($streams->[3]);
    die "debug header of $size bytes" if $size < 2 * ($slot + 1);
    substr($streams->[3], $off + 2 * $slot, 2) = pack('v', $n);
}

# llvm-pdbutil's section tables as "sections|original N name vsize va raw ptr flags" lines
sub pdbutil_sections {
    my ($pdb) = @_;
    my $r = run(argv => ['llvm-pdbutil', 'dump', '--section-headers', $pdb]);
    return undef if $r->{status};
    my ($what, @lines, %h) = ('');
    for (split /\n/, $r->{out}) {
        $what = 'sections' if /^\s*Section Headers\s*$/;
        $what = 'original' if /^\s*Original Section Headers\s*$/;
        if (/SECTION HEADER #(\d+)/) { %h = (n => $1) }
        elsif (/^\s*(\S+) name$/) { $h{name} = $1 }
        elsif (/^\s*([0-9A-F]+) (virtual size|virtual address|size of raw data|file pointer to raw data)$/) {
            $h{$2} = hex $1;
        } elsif (/^\s*([0-9A-F]+) flags$/) {
            push @lines, sprintf("%s %d %s 0x%x 0x%x 0x%x 0x%x 0x%x", $what, $h{n}, $h{name}, $h{'virtual size'},
                $h{'virtual address'}, $h{'size of raw data'}, $h{'file pointer to raw data'}, hex $1);
        }
    }
    return join("\n", @lines) . "\n";
}

SKIP: {
    my @tools = grep { !have($_) } qw(clang lld-link llvm-pdbutil);
    skip "no @tools (clang, lld, llvm: tests/deps.sh)", 1 if @tools;
    sh("clang --target=x86_64-pc-windows-msvc -O1 -g -c $progs/pdbprog.c -o prog.obj");
    sh("lld-link /nologo /debug /nodefaultlib /entry:main /subsystem:console /out:prog.exe /pdb:prog.pdb prog.obj");
    my $want = pdbutil_sections('prog.pdb');
    my $r = keel_map('', '--sections', 'prog.pdb');
    is($r->{out}, $want, 'real PDB (4096-byte blocks): the section table is llvm-pdbutil\'s') or diag($r->{err});
    my ($dv, $dr) = $want =~ /\.data (0x[0-9a-f]+) 0x[0-9a-f]+ (0x[0-9a-f]+) / or diag($want);
    ok(defined $dv && hex $dv > hex $dr, "...with a .data whose virtual size ($dv) is above its raw size ($dr)");

    # every section's first and last byte by virtual size, and one past it
    for my $line (split /\n/, $want) {
        my (undef, $n, $name, $vsize, $va) = split ' ', $line;
        ($vsize, $va) = (hex $vsize, hex $va);
        my $last = sprintf('0x%x', $vsize - 1);
        $r = keel_map('', 'prog.pdb', "$n:0", "$n:$last", sprintf('%x', $va + $vsize - 1), sprintf('%x', $va + $vsize),
            sprintf('%d:0x%x', $n, $vsize));
        my $a = sprintf('0x%x %d:0x0(%s) -> 0x%x %d:0x0(%s)', $va, $n, $name, $va, $n, $name);
        my $b = sprintf('0x%x %d:%s(%s) -> 0x%x %d:%s(%s)', $va + $vsize - 1, $n, $last, $name, $va + $vsize - 1, $n,
            $last, $name);
        # one past the end: no section, or the next one if it starts right there
        my $past = sprintf('0x%x - -> 0x%x -', $va + $vsize, $va + $vsize);
        my $next = sprintf('0x%x %d:0x0(', $va + $vsize, $n + 1);
        my @got = split /\n/, $r->{out};
        ok($r->{status} == 0 && $got[0] eq $a && $got[1] eq $b && $got[2] eq $b
            && ($got[3] eq $past || index($got[3], $next) == 0)
            && $got[4] eq "$n:0x" . sprintf('%x', $vsize) . ' past its section',
            "section $n ($name): bounds by virtual size 0x" . sprintf('%x', $vsize)) or diag($r->{out} . $r->{err});
    }

    # repacked with small blocks, scattered: llvm-pdbutil and keel agree
    my @streams = read_msf(slurp("$tmp/prog.pdb"));
    for my $bs (512, 1024) {
        spew("$tmp/small$bs.pdb", write_msf($bs, 1, @streams));
        my $w = pdbutil_sections("small$bs.pdb");
        is($w, $want, "$bs-byte blocks, scattered: llvm-pdbutil reads the repacked file alike");
        $r = keel_map('', '--sections', "small$bs.pdb");
        is($r->{out}, $want, "$bs-byte blocks, scattered: keel reads the same table") or diag($r->{err});
    }

    # ------------------------------------------------------------- OMAP
    # the notes' example, with 64 more records after it so that the table
    # spans blocks (512-byte blocks: read through the scratch copy)
    my @from = ([0x1000, 0], [0x10b0, 0x15dec], [0x10bd, 0], [0x10c4, 0x2da00], [0x10c6, 0]);
    push @from, [0x1100 + 8 * $_, 0x2e000 + 8 * $_] for 0 .. 63;    # original .data's 8-byte pieces, moved
    my @to = ([0x15dec, 0x10b0], [0x15df9, 0], [0x2da00, 0x10c4], [0x2da02, 0], [0x2e000, 0x1100]);
    my $cur = header('.text', 0x1000, 0x15000, 0x1000, 0x400, 0x60000020)
        . header('.textc', 0x1000, 0x2d000, 0x1000, 0x1400, 0x60000020)
        . header('.data', 0x200, 0x2e000, 0x200, 0x2400, 0xc0000040);
    my $orig = header('.text', 0x100, 0x1000, 0x200, 0x400, 0x60000020)
        . header('.data', 0x200, 0x1100, 0x200, 0x600, 0xc0000040);
    my @om = @streams;
    my $ns = @om;
    push @om, $cur, $orig, pack('V*', map { @$_ } @to), pack('V*', map { @$_ } @from);
    set_slot(\@om, 5, $ns);
    set_slot(\@om, 10, $ns + 1);
    set_slot(\@om, 3, $ns + 2);
    set_slot(\@om, 4, $ns + 3);
    my %omap;
    for my $bs (4096, 512) {
        my $f = "omap$bs.pdb";
        spew("$tmp/$f", $omap{$bs} = write_msf($bs, $bs == 512, @om));
        my $w = pdbutil_sections($f);
        $r = keel_map('', '--sections', $f);
        is($r->{out}, $w, "OMAP PDB ($bs-byte blocks): both section tables are llvm-pdbutil's") or diag($r->{err});
        like($w, qr/^original 2 \.data /m, '...the original table among them');

        my %cases = (
            # original -> output (OMAP_FROM_SRC), by hand from the records above
            "--to-output 1:0xb5" => "0x10b5 1:0xb5(.text) -> 0x15df1 1:0xdf1(.text)\n",
            "--to-output 10c5" => "0x10c5 1:0xc5(.text) -> 0x2da01 2:0xa01(.textc)\n",
            "--to-output 10bd 10c3" => "0x10bd 1:0xbd(.text) -> eliminated\n0x10c3 1:0xc3(.text) -> eliminated\n",
            "--to-output 0x0fff" => "0xfff - -> unmapped\n",
            "--to-output 2:0x1f" => "0x111f 2:0x1f(.data) -> 0x2e01f 3:0x1f(.data)\n",
            "--to-output 0:0x10" => "0:0x10 no section\n",
            "--to-output 1:0x100" => "1:0x100 past its section\n",
            # output -> original (OMAP_TO_SRC)
            "2da01" => "0x2da01 2:0xa01(.textc) -> 0x10c5 1:0xc5(.text)\n",
            "1:0xdf8" => "0x15df8 1:0xdf8(.text) -> 0x10bc 1:0xbc(.text)\n",
            "15df9" => "0x15df9 1:0xdf9(.text) -> eliminated\n",
            "3:0x1ff" => "0x2e1ff 3:0x1ff(.data) -> 0x12ff 2:0x1ff(.data)\n",
            "2e200" => "0x2e200 - -> unmapped\n",
            # ranges, cut at every record, the eliminated pieces dropped
            "--to-output --ranges 10b0 10c6" => "0x10b0-0x10bd -> 0x15dec-0x15df9\n0x10c4-0x10c6 -> 0x2da00-0x2da02\n",
            "--to-output --ranges 10c0 1110" => "0x10c4-0x10c6 -> 0x2da00-0x2da02\n0x1100-0x1108 -> 0x2e000-0x2e008\n"
                . "0x1108-0x1110 -> 0x2e008-0x2e010\n",
            "--ranges 15de0 15e00" => "0x15dec-0x15df9 -> 0x10b0-0x10bd\n",
        );
        for my $args (sort keys %cases) {
            my @w = split ' ', $args;
            $r = keel_map('', (grep { /^--/ && $_ ne '--ranges' } @w), $f, grep { !/^--/ || $_ eq '--ranges' } @w);
            is($r->{out}, $cases{$args}, "OMAP ($bs): keel map $args") or diag($r->{err});
        }
    }
    # addresses from standard input, in bulk, as addr2line reads them
    $r = keel_map("10b5\n  10c5 10bd\n0x10b0\n", '--to-output', 'omap512.pdb');
    is($r->{out}, "0x10b5 1:0xb5(.text) -> 0x15df1 1:0xdf1(.text)\n0x10c5 1:0xc5(.text) -> 0x2da01 2:0xa01(.textc)\n"
        . "0x10bd 1:0xbd(.text) -> eliminated\n0x10b0 1:0xb0(.text) -> 0x15dec 1:0xdec(.text)\n", 'addresses from stdin');
    $r = keel_map('', '--json', '--to-output', 'omap512.pdb', '10c5', '10bd');
    is($r->{out}, '[{"input":"10c5","original":{"address":4293,"section":1,"offset":197,"name":".text"},'
        . '"output":{"address":186881,"section":2,"offset":2561,"name":".textc"}},'
        . '{"input":"10bd","original":{"address":4285,"section":1,"offset":189,"name":".text"},"output":"eliminated"}]'
        . "\n", '--json') or diag($r->{err});
    $r = keel_map('', 'omap512.pdb', 'zz');
    ok($r->{status} == 256 && $r->{err} =~ /'zz' is not an address/, 'a bad address: said, exit 1');

    # -------------------------------------------------------- malformed
    my $good = $omap{4096};
    my $bad = sub {
        my ($what, $bytes, $re) = @_;
        spew("$tmp/bad.pdb", $bytes);
        my $r = keel_map('', 'bad.pdb', '1000');
        ok($r->{status} == 256 && $r->{out} eq '' && $r->{err} =~ /^keel map: bad\.pdb: $re/, "malformed: $what")
            or diag("status $r->{status}: $r->{err}");
    };
    my $patch = sub { my ($off, $v) = @_; my $b = $good; substr($b, $off, 4) = pack('V', $v); $b };
    $bad->('block size 3', $patch->(32, 3), qr/MSF superblock at 0x20: block size 3 is not a power of two/);
    $bad->('too many blocks', $patch->(40, 1000), qr/MSF superblock at 0x28: 1000 blocks of 4096 bytes extend past/);
    $bad->('block map past the end', $patch->(52, 999), qr/MSF superblock at 0x34: block map block 999 is not a block of the file \(1 to \d+\)/);
    $bad->('a huge directory', $patch->(44, 0x1000000), qr/MSF superblock at 0x2c: a stream directory of 16777216 bytes does not fit one block map block/);
    $bad->('cut in the superblock', substr($good, 0, 40), qr/MSF superblock \(56 bytes\) extends past the end/);
    $bad->('cut after the first block', substr($good, 0, 4096), qr/MSF superblock at 0x28: \d+ blocks of 4096 bytes extend past the end of the file \(0x1000\)/);
    $bad->('not a PDB', "hello\n", qr/neither a PDB nor an ELF file/);
    my $with = sub {
        my ($edit) = @_;
        my @s = @om;
        $edit->(\@s);
        return write_msf(4096, 0, @s);
    };
    $bad->('DBI slot names stream 999', $with->(sub { set_slot($_[0], 10, 999) }),
        qr/DBI stream \(3\) at 0x[0-9a-f]+: debug header slot 10 \(original section headers\) names stream 999, past the PDB's \d+/);
    $bad->('original headers without OMAP to source', $with->(sub { set_slot($_[0], 3, 0xffff) }),
        qr/DBI stream \(3\): original section headers \(stream \d+\) but no OMAP to source stream/);
    $bad->('OMAP of 12 bytes', $with->(sub { $_[0][$ns + 2] = substr($_[0][$ns + 2], 0, 12) }),
        qr/OMAP to source stream \(\d+\): OMAP table of 12 bytes is not a whole number of 8-byte records/);
    $bad->('OMAP unsorted', $with->(sub { substr($_[0][$ns + 3], 8, 4) = pack('V', 0x900) }),
        qr/OMAP from source stream \(\d+\): OMAP record 1 at 0x8: source 0x900 is below the previous record's 0x1000/);
    $bad->('section headers of 41 bytes', $with->(sub { $_[0][$ns] .= 'x' }),
        qr/section headers stream \(\d+\): section header table of 121 bytes is not a whole number of 40-byte headers/);
    $bad->('original sections out of order', $with->(sub { $_[0][$ns + 1] = reverse_headers($_[0][$ns + 1]) }),
        qr/original section headers stream \(\d+\): section 2 at 0x28: address 0x1000 is below the end of section 1/);
    $bad->('DBI version', $with->(sub { substr($_[0][3], 0, 4) = pack('V', 19990903) }),
        qr/DBI stream \(3\) at 0x0: version signature 0x1310977 is not the current format's/);
    $bad->('DBI debug header past the stream', $with->(sub { substr($_[0][3], 48, 4) = pack('V', 0x10000) }),
        qr/DBI stream \(3\) at 0x30: optional debug header \(0x10000 bytes at 0x[0-9a-f]+\) extends past the end of the stream/);
    $bad->('no DBI', $with->(sub { $_[0][3] = '' }), qr/DBI stream \(3\): the PDB has none/);

    # every cut, and bytes changed anywhere: an error or an answer, never a crash
    my $crashes = 0;
    my @cuts = grep { $_ < length $omap{512} } (0, 31, 32, 55, 56, 57, 511, 512, 513, 1024, 1500, 2048, 5000,
        length($omap{512}) - 512, length($omap{512}) - 1);
    for my $cut (@cuts) {
        spew("$tmp/cut.pdb", substr($omap{512}, 0, $cut));
        my $r = keel_map('', 'cut.pdb', '1000');
        $crashes++, diag("cut at $cut: status $r->{status}: $r->{err}") unless $r->{status} == 256 && $r->{err} =~ /^keel map: cut\.pdb: /;
    }
    srand(16);
    for my $i (1 .. 150) {
        my $b = $omap{512};
        substr($b, int(rand(length $b)), 1) = chr(int(rand(256))) for 1 .. 1 + $i % 4;
        spew("$tmp/flip.pdb", $b);
        my $r = keel_map('', '--to-output', 'flip.pdb', '10c5', '1:0x10');
        $crashes++, spew("$tmp/crash$i.pdb", $b), diag("flip $i: status $r->{status}: $r->{err}")
            unless $r->{status} == 0 || $r->{status} == 256;
    }
    is($crashes, 0, scalar(@cuts) . ' truncated and 150 damaged PDBs: an error or an answer, no crash');
}

sub reverse_headers {
    my ($t) = @_;
    return join '', reverse map { substr($t, 40 * $_, 40) } 0 .. length($t) / 40 - 1;
}

# ------------------------------------------------------------------ ELF
SKIP: {
    skip 'no gcc or eu-addr2line (elfutils)', 1 unless have('gcc') && have('eu-addr2line');
    sh("gcc -O1 -g -no-pie -o elfprog $progs/elfprog.c");
    my @fn;
    for (split /\n/, sh('nm -S --defined-only elfprog')->{out}) {
        push @fn, [hex $1, hex $2, $3] if /^([0-9a-f]+) ([0-9a-f]+) [Tt] (\S+)$/ && hex $2 > 0;
    }
    my @addrs = map { (sprintf('%x', $_->[0]), sprintf('%x', $_->[0] + $_->[1] - 1)) } @fn;
    my @eu = split /\n/, sh("eu-addr2line -f -e elfprog @addrs")->{out};
    my @want = map { $eu[2 * $_] } 0 .. $#addrs;
    my $r = keel_map(join("\n", @addrs) . "\n", 'elfprog');
    my @got = map { (split ' ')[2] =~ s/\+0x[0-9a-f]+$//r } split /\n/, $r->{out};
    is_deeply(\@got, \@want, scalar(@addrs) . ' addresses (each function\'s first and last byte): the functions eu-addr2line -f names')
        or diag($r->{out} . $r->{err});

    # a static program: glibc's IFUNCs, aliases at one address, sizeless
    # labels, the padding between functions; 20,000 addresses spread
    # over .text (eu-addr2line scans every symbol per address: all of
    # them would take minutes)
    sh("gcc -O1 -static -o elfstatic $progs/elfprog.c && strip --strip-debug elfstatic");
    my ($ta, $ts) = sh('readelf -SW elfstatic')->{out} =~ /\s\.text\s+PROGBITS\s+([0-9a-f]+) [0-9a-f]+ ([0-9a-f]+)/;
    my $stride = int(hex($ts) / 20000) | 1;
    @addrs = map { sprintf('%x', hex($ta) + $_ * $stride) } 0 .. int((hex($ts) - 1) / $stride);
    spew("$tmp/static.addrs", join("\n", @addrs) . "\n");
    @eu = split /\n/, sh('eu-addr2line -f -e elfstatic <static.addrs')->{out};
    @want = map { $eu[2 * $_] =~ s/\+0x[0-9a-f]+$//r } 0 .. $#addrs;
    $r = keel_map(join("\n", @addrs) . "\n", 'elfstatic');
    @got = map { my $n = (split ' ')[2]; $n eq '-' ? '??' : $n =~ s/\+0x[0-9a-f]+$//r } split /\n/, $r->{out};
    my @diff = grep { $got[$_] ne $want[$_] } 0 .. $#addrs;
    ok(@addrs > 1000 && @got == @addrs && !@diff,
        scalar(@addrs) . " addresses over a static program's .text: the function eu-addr2line -f names (or none)")
        or diag(scalar(@diff) . ' differ, e.g. ' . join(', ', map { "$addrs[$_]: $got[$_] vs $want[$_]" } @diff[0 .. ($#diff < 4 ? $#diff : 4)]));

    my ($main) = grep { $_->[2] eq 'main' } @fn;
    $r = keel_map('', 'elfprog', sprintf('%x', $main->[0] + 1));
    like($r->{out}, qr/^0x[0-9a-f]+ \.text\+0x[0-9a-f]+ main\+0x1$/, 'main+0x1: its section and symbol offset');
    $r = keel_map('', '--to-output', 'elfprog', '401000');
    ok($r->{status} == 256 && $r->{err} =~ /no address map: --to-output needs one/, 'ELF without a map: --to-output said plainly');
}

done_testing();
