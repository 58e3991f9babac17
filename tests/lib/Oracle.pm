# The readelf oracle: run binutils' readelf and `keel info` over the same
# files, parse both, and compare what they say about each ELF image.
#
# keel prints readelf's layout (so the two parse alike), except that section
# types and flags are named as the ELF specification names them; those are
# mapped back to readelf's words here, field by field.
package Oracle;
use strict;
use warnings;
use Exporter 'import';
use File::Temp ();
use File::Find ();
use Test::More ();
our @EXPORT_OK = qw(run_batch compare_image elf_files find_files keel_bin readelf_bin is_elf check_files);

sub keel_bin {
    return $ENV{KEEL} if $ENV{KEEL};
    my $b = $ENV{KEEL_BUILD} || 'build';
    return "$b/keel";
}
sub readelf_bin { $ENV{READELF} || 'readelf' }

sub is_elf {
    my ($path) = @_;
    open(my $fh, '<:raw', $path) or return 0;
    my $n = read($fh, my $m, 8);
    close $fh;
    return 0 unless $n && $n >= 4;
    return 1 if substr($m, 0, 4) eq "\x7fELF";
    return 2 if $n == 8 && ($m eq "!<arch>\n" || $m eq "!<thin>\n");
    return 0;
}

# Split a multi-file output into images keyed by "File: " name.
sub split_files {
    my ($text, $single) = @_;
    my %img;
    my $cur = $single;
    my @order;
    for my $line (split /\n/, $text) {
        if ($line =~ /^File: (.*)$/) {
            $cur = $1;
            push @order, $cur unless exists $img{$cur};
            $img{$cur} //= [];
            next;
        }
        next unless defined $cur;
        push @{ $img{$cur} }, $line;
    }
    return (\%img, \@order);
}

my %readelf_type = (
    'VERSYM' => 'gnu_versym', 'VERNEED' => 'gnu_verneed', 'VERDEF' => 'gnu_verdef',
    'SYMTAB SECTION INDICES' => 'symtab_shndx', 'SYMTAB SECTION INDICIES' => 'symtab_shndx',
);
# Extension types binutils 2.40 does not name (it prints "LOOS+0x...").
my %keel_ext = (
    llvm_odrtab => 0x6fff4c00, llvm_linker_options => 0x6fff4c01,
    llvm_call_graph_profile_v0 => 0x6fff4c02, llvm_addrsig => 0x6fff4c03,
    llvm_dependent_libraries => 0x6fff4c04, llvm_sympart => 0x6fff4c05,
    llvm_part_ehdr => 0x6fff4c06, llvm_part_phdr => 0x6fff4c07,
    llvm_bb_addr_map_v0 => 0x6fff4c08, llvm_call_graph_profile => 0x6fff4c09,
    llvm_bb_addr_map => 0x6fff4c0a, llvm_offloading => 0x6fff4c0b, llvm_lto => 0x6fff4c0c,
    android_rel => 0x60000001, android_rela => 0x60000002, android_relr => 0x6fffff00,
    gnu_incremental_inputs => 0x6fff4700,
);
sub keel_type_as_readelf {
    my ($t) = @_;
    return sprintf('loos+0x%x', $keel_ext{$t} - 0x60000000) if exists $keel_ext{$t};
    return $t;
}
sub norm_type {
    my ($t) = @_;
    return $readelf_type{$t} if exists $readelf_type{$t};
    return lc $t;
}

my %flag_letter = (
    WRITE => 'W', ALLOC => 'A', EXECINSTR => 'X', MERGE => 'M', STRINGS => 'S',
    INFO_LINK => 'I', LINK_ORDER => 'L', OS_NONCONFORMING => 'O', GROUP => 'G',
    TLS => 'T', COMPRESSED => 'C', EXCLUDE => 'E', GNU_RETAIN => 'R', GNU_MBIND => 'D',
    X86_64_LARGE => 'l', ARM_PURECODE => 'y',
);
sub keel_flags_to_letters {
    my ($s) = @_;
    my @l;
    for my $f (split /\|/, $s) {
        next if $f eq '';
        if (exists $flag_letter{$f}) { push @l, $flag_letter{$f}; next }
        if ($f =~ /^0x([0-9a-f]+)$/) {
            my $v = hex $1;
            push @l, 'o' if $v & 0x0ff00000;
            push @l, 'p' if $v & 0xf0000000;
            push @l, 'x' if $v & ~0xfff00000 & 0xffffffff;
            next;
        }
        push @l, "?$f";
    }
    return join '', sort @l;
}
sub sort_letters { join '', sort split //, $_[0] }

sub squash { my $s = shift; $s =~ s/\s+/ /g; $s =~ s/^ //; $s =~ s/ $//; $s }

# Parse one image's lines (readelf's or keel's) into a comparable record.
sub parse_image {
    my ($lines, $is_keel) = @_;
    my %r = (sections => [], segments => [], mapping => [], symtabs => [], relocs => [],
             dynamic => [], notes => [], interp => []);
    my $mode = '';
    my ($cur_sym, $cur_rel);
    for my $line (@$lines) {
        if ($line =~ /^Section Headers:/)            { $mode = 'S'; next }
        if ($line =~ /^Program Headers:/)            { $mode = 'l'; next }
        if ($line =~ /^ Section to Segment mapping:/) { $mode = 'map'; next }
        if ($line =~ /^Symbol table '(.*)' contains (\d+) entr/) {
            $cur_sym = { name => $1, count => $2, syms => [] };
            push @{ $r{symtabs} }, $cur_sym;
            $mode = 's';
            next;
        }
        if ($line =~ /^Relocation section '(.*)' at offset (0x[0-9a-f]+) contains (\d+) entr/) {
            $cur_rel = { name => $1, offset => $2, count => $3, entries => [] };
            push @{ $r{relocs} }, $cur_rel;
            $mode = 'r';
            next;
        }
        if ($line =~ /^Dynamic section at offset (0x[0-9a-f]+) contains (\d+) entr/) {
            $r{dynamic_header} = "$1 $2";
            $mode = 'd';
            next;
        }
        if ($line =~ /^Displaying notes found (?:in|at)[: ](.*)$/) {
            push @{ $r{notes} }, { where => squash($1), notes => [] };
            $mode = 'n';
            next;
        }
        if ($line =~ /^(Key to Flags|Compressed sections|Elf file type|There are|\s*$)/) {
            $mode = '' if $line =~ /^(Key to Flags|Compressed sections)/;
            next;
        }
        if ($mode eq 'S' && $line =~ /^\s*\[\s*(\d+)\]/) {
            push @{ $r{sections} }, parse_section($line, $is_keel);
        } elsif ($mode eq 'l') {
            if ($line =~ /^\s+\[Requesting program interpreter: (.*)\]$/) { push @{ $r{interp} }, $1; next }
            next if $line =~ /^\s+Type\s+Offset/;
            push @{ $r{segments} }, squash($line) if $line =~ /\S/;
        } elsif ($mode eq 'map' && $line =~ /^\s+(\d\d)\s*(.*?)\s*$/) {
            push @{ $r{mapping} }, "$1 $2";
        } elsif ($mode eq 's' && $line =~ /^\s*\d+:/) {
            push @{ $cur_sym->{syms} }, squash($line);
        } elsif ($mode eq 'r' && $line =~ /^[0-9a-f]{8}/) {
            push @{ $cur_rel->{entries} }, squash($line);
        } elsif ($mode eq 'd' && $line =~ /^\s*0x([0-9a-f]+)\s+\((\S+)\)\s*(.*)$/) {
            my ($tag, $name, $val) = ($1, $2, $3);
            my %e = (tag => hex($tag), name => $name);
            $e{string} = $1 if $val =~ /^(?:Shared library|Library soname|Library rpath|Library runpath): \[(.*)\]$/;
            push @{ $r{dynamic} }, \%e;
        } elsif ($mode eq 'n' && $line =~ /^\s+(\S.*?)\s+(0x[0-9a-f]{8})\t([^\t]*)/) {
            push @{ $r{notes}[-1]{notes} }, "$1 $2 " . squash($3);
        }
    }
    return \%r;
}

sub parse_section {
    my ($line, $is_keel) = @_;
    my %s;
    if ($is_keel) {
        $line =~ /^\s*\[\s*(\d+)\]\s(.*?)\s+([0-9a-f]{8,16})\s([0-9a-f]{6,})\s([0-9a-f]{6,})\s([0-9a-f]{2,})\s+(\d+)\s+(\d+)\s+(\d+)\s?(\S*)$/
            or return { bad => $line };
        @s{qw(nr nt addr off size es lk inf al)} = ($1, $2, $3, $4, $5, $6, $7, $8, $9);
        $s{flg} = keel_flags_to_letters($10);
    } else {
        $line =~ /^\s*\[\s*(\d+)\]\s(.*?)\s+([0-9a-f]{8,16})\s([0-9a-f]{6,})\s([0-9a-f]{6,})\s([0-9a-f]{2,})\s+([A-Za-z]*)\s+(\d+)\s+(\d+)\s+(\d+)$/
            or return { bad => $line };
        @s{qw(nr nt addr off size es lk inf al)} = ($1, $2, $3, $4, $5, $6, $8, $9, $10);
        # readelf names SHF_GNU_RETAIN only under ELFOSABI_GNU/FreeBSD and
        # shows 'o' (OS-specific) otherwise; keel always names the bit.
        $s{flg} = sort_letters($7);
        $s{retain_as_o} = 1 if $s{flg} =~ /o/;
    }
    # "name type": the type is the last word (readelf's one multi-word type
    # is spelled out).
    my $nt = $s{nt};
    delete $s{nt};
    if ($nt =~ /^(?:(.*?)\s+)?(SYMTAB SECTION INDIC\w+)$/ || $nt =~ /^(?:(.*?)\s+)?(\S+)$/) {
        $s{name} = $1 // '';
        $s{type} = $is_keel ? $2 : norm_type($2);
        $s{type_readelf} = $is_keel ? keel_type_as_readelf($2) : $s{type};
    }
    $s{name} =~ s/\s+$//;
    $s{$_} = hex $s{$_} for qw(addr off size es);
    return \%s;
}

# Compare one image; returns a list of differences (empty when equal).
sub compare_image {
    my ($re, $ke, $opt) = @_;
    my @d;
    my $max = 6;
    my $diff = sub { push @d, $_[0] if @d < $max };
    my $ns = @{ $re->{sections} };
    $diff->("section count: readelf $ns, keel " . scalar @{ $ke->{sections} }) if $ns != @{ $ke->{sections} };
    for my $i (0 .. $ns - 1) {
        my ($a, $b) = ($re->{sections}[$i], $ke->{sections}[$i] // {});
        if ($a->{bad} || $b->{bad}) { $diff->("unparsed section line: " . ($a->{bad} // $b->{bad})); next }
        if ($a->{retain_as_o} && ($b->{flg} // '') =~ /R/) {
            (my $f = $b->{flg}) =~ s/R/o/;
            $b = { %$b, flg => sort_letters($f) };
        }
        if (($a->{type} // '') =~ /^loos\+/ && ($b->{type_readelf} // '') eq $a->{type}) {
            $b = { %$b, type => $a->{type} };
        }
        for my $k (qw(name type addr off size es flg lk inf al)) {
            my ($x, $y) = ($a->{$k} // '', $b->{$k} // '');
            $diff->("section [$i] $k: readelf '$x', keel '$y'") if $x ne $y;
        }
    }
    for my $part (qw(segments mapping interp)) {
        my ($x, $y) = ($re->{$part}, $ke->{$part});
        $diff->("$part count: readelf " . @$x . ", keel " . @$y) if @$x != @$y;
        for my $i (0 .. $#$x) {
            $diff->("$part [$i]: readelf '$x->[$i]', keel '" . ($y->[$i] // '') . "'")
                if $x->[$i] ne ($y->[$i] // '');
        }
    }
    my ($rs, $ks) = ($re->{symtabs}, $ke->{symtabs});
    $diff->("symbol table count: readelf " . @$rs . ", keel " . @$ks) if @$rs != @$ks;
    for my $t (0 .. $#$rs) {
        my ($a, $b) = ($rs->[$t], $ks->[$t] // { name => '', count => -1, syms => [] });
        $diff->("symbol table $a->{name}: readelf $a->{count} entries, keel $b->{name} $b->{count}")
            if $a->{name} ne $b->{name} || $a->{count} != $b->{count};
        next unless $opt->{symbols};
        for my $i (0 .. $#{ $a->{syms} }) {
            my ($x, $y) = ($a->{syms}[$i], $b->{syms}[$i] // '');
            $diff->("$a->{name} symbol: readelf '$x', keel '$y'") if $x ne $y;
        }
    }
    my ($rr, $kr) = ($re->{relocs}, $ke->{relocs});
    $diff->("relocation section count: readelf " . @$rr . ", keel " . @$kr) if @$rr != @$kr;
    for my $t (0 .. $#$rr) {
        my ($a, $b) = ($rr->[$t], $kr->[$t] // { name => '', count => -1, entries => [] });
        # readelf cuts very long section names short in this header
        my $same_name = $a->{name} eq $b->{name}
            || (length($a->{name}) >= 200 && index($b->{name}, $a->{name}) == 0);
        $diff->("relocation section $a->{name}: readelf $a->{count}, keel $b->{name} $b->{count}")
            if !$same_name || $a->{count} != $b->{count};
        next unless $opt->{relocs};
        for my $i (0 .. $#{ $a->{entries} }) {
            my ($x, $y) = ($a->{entries}[$i], $b->{entries}[$i] // '');
            next if $opt->{reloc_numeric_only} && (split / /, $x)[0] eq (split / /, $y)[0]
                && (split / /, $x)[1] eq (split / /, $y)[1];
            $diff->("$a->{name} relocation: readelf '$x', keel '$y'") if $x ne $y;
        }
    }
    my ($rd, $kd) = ($re->{dynamic}, $ke->{dynamic});
    $diff->("dynamic header: readelf '" . ($re->{dynamic_header} // '') . "', keel '" . ($ke->{dynamic_header} // '') . "'")
        if ($re->{dynamic_header} // '') ne ($ke->{dynamic_header} // '');
    for my $i (0 .. $#$rd) {
        my ($a, $b) = ($rd->[$i], $kd->[$i] // {});
        for my $k (qw(tag name string)) {
            my ($x, $y) = ($a->{$k} // '', $b->{$k} // '');
            $diff->("dynamic [$i] $k: readelf '$x', keel '$y'") if $x ne $y;
        }
    }
    my ($rn, $kn) = ($re->{notes}, $ke->{notes});
    $diff->("note groups: readelf " . @$rn . ", keel " . @$kn) if @$rn != @$kn;
    for my $g (0 .. $#$rn) {
        my ($a, $b) = ($rn->[$g], $kn->[$g] // { where => '', notes => [] });
        $diff->("notes in: readelf '$a->{where}', keel '$b->{where}'") if $a->{where} ne $b->{where};
        for my $i (0 .. $#{ $a->{notes} }) {
            my ($x, $y) = ($a->{notes}[$i], $b->{notes}[$i] // '');
            # annobin notes ("GA..." owners) encode an attribute in the
            # owner name that readelf decodes; compare their size and type.
            if ($x =~ /^GA/ && $y =~ /^GA/) {
                my @xs = split / /, $x;
                my @ys = split / /, $y;
                ($x, $y) = ("@xs[-2,-1]", "@ys[-2,-1]");
            }
            $diff->("note in $a->{where}: readelf '$x', keel '$y'") if $x ne $y;
        }
    }
    return @d;
}

# Run both tools over a batch of files (plain ELF files and archives).
# Returns { path => [ [image name, readelf record, keel record], ... ] }
# plus, per path, keel's stderr lines.
sub run_batch {
    my ($files, $parts) = @_;
    my $keel = keel_bin();
    my $readelf = readelf_bin();
    my @args = map { quotemeta } @$files;
    my $single = @$files == 1 ? $files->[0] : undef;
    my $rtext = `$readelf -W $parts @args 2>/dev/null`;
    my $errf = File::Temp->new(TMPDIR => 1);
    my $ef = $errf->filename;
    my $ktext = `$keel info $parts @args 2>$ef`;
    my $kstatus = $? >> 8;
    my $ksig = $? & 127;
    my $kerr = do { local (@ARGV, $/) = ($ef); <> } // '';
    my ($rimg, $rorder) = split_files($rtext, $single);
    my ($kimg, $korder) = split_files($ktext, $single);
    return { readelf => $rimg, readelf_order => $rorder, keel => $kimg, keel_order => $korder,
             keel_stderr => $kerr, keel_status => $kstatus, keel_signal => $ksig };
}

# All ELF files and archives under the given roots (sorted, deduplicated).
sub elf_files {
    my (%o) = @_;
    my @out;
    my %seen;
    for my $pat (@{ $o{globs} }) {
        for my $f (glob $pat) {
            next if -l $f && !$o{follow_links};
            next unless -f $f;
            next if $seen{$f}++;
            my $k = is_elf($f);
            next unless $k;
            next if $o{kind} && $o{kind} ne ($k == 1 ? 'elf' : 'ar');
            push @out, $f;
        }
    }
    return sort @out;
}

# Files below `dir` whose names match `re`, recursively.
sub find_files {
    my ($dir, $re) = @_;
    my @f;
    File::Find::find({ no_chdir => 1, wanted => sub {
        push @f, $File::Find::name if -f $File::Find::name && !-l $File::Find::name && $File::Find::name =~ $re;
    } }, $dir) if -d $dir;
    return sort @f;
}

# One TAP test per file: every image readelf shows (the file, or each member
# of an archive) must be shown the same by keel.  Returns the number of
# images compared.
sub check_files {
    my ($files, %o) = @_;
    my $parts = $o{parts} // '-S -l -s -r -d -n';
    my $batch = $o{batch} // 40;
    my $images = 0;
    my %opt = (symbols => 1, relocs => 1, %{ $o{compare} // {} });
    for (my $i = 0; $i < @$files; $i += $batch) {
        my @b = @$files[$i .. ($i + $batch - 1 < $#$files ? $i + $batch - 1 : $#$files)];
        my $r = run_batch(\@b, $parts);
        my @errs = split /\n/, $r->{keel_stderr};
        for my $f (@b) {
            my @d;
            push @d, "keel died by signal $r->{keel_signal}" if $r->{keel_signal};
            my @names = grep { $_ eq $f || index($_, "$f(") == 0 } @{ $r->{readelf_order} };
            @names = ($f) if !@names && exists $r->{readelf}{$f};
            @names = ($f) if @b == 1 && !@{ $r->{readelf_order} };
            my @kerr = grep { index($_, "keel: $f:") == 0 || index($_, "keel: $f(") == 0 } @errs;
            for my $name (@names) {
                my $rl = $r->{readelf}{$name} // [];
                my $kl = $r->{keel}{$name};
                next unless @$rl; # readelf could not read it either
                if (!$kl) { push @d, "keel shows no image $name"; next }
                my @x = compare_image(parse_image($rl, 0), parse_image($kl, 1), \%opt);
                push @d, map { "$name: $_" } @x;
                $images++;
            }
            # keel must not refuse what readelf reads without complaint
            push @d, map { "keel error: $_" } @kerr if @kerr && @names;
            Test::More::ok(!@d, $f) or Test::More::diag(join "\n", @d[0 .. ($#d < 7 ? $#d : 7)]);
        }
    }
    return $images;
}

1;
