#!/usr/bin/perl
# Rewriting loaded code (issue 12, item 6) and the loader's machine
# knowledge behind lib/arch (item 2, the loader's side).
#
# tests/progs/load_patch/*.c are compiled with gcc -fPIC
# -ffunction-sections (desc.c with TLS descriptors); readelf -rW gives the
# oracle: the offset of caller.o's relocation against g in .text.f (the
# call re-pointed), of the one against g in .text.addr_of_g (a GOT
# load) and of callfar.o's call to far_fn, 16 TiB away (through a stub).  tests/unit/load_patch.c loads them, checks the slots the load
# kept against what the loaded code computes, re-points the call to h and
# writes it back, and checks /proc/self/maps (see there).  strace, where
# present, says that no mmap or mprotect of the run asked for a page both
# writable and executable.  Last, no file of lib/load names an x86-64
# relocation or machine number or holds assembly.
use strict;
use warnings;
use FindBin;
use Test::More;
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use POSIX ();

my $root = "$FindBin::Bin/..";

# ------------------------------------------------- item 2: lib/load
{
    my @hits = grep { !/^\s*$/ } split /\n/, `grep -n 'R_X86_64\\|EM_X86_64\\|__asm__\\|asm(' $root/lib/load/*.c $root/lib/load/*.h 2>&1`;
    ok(!@hits, 'no file of lib/load names an R_X86_64_* value or EM_X86_64, or holds assembly')
        or diag(join "\n", @hits);
    # the machine number as a bare literal, as parse_object had it
    my @num = grep { /machine\s*[!=]=\s*62\b|reloc_type_name\(62/ } split /\n/, `grep -n '62' $root/lib/load/*.c`;
    ok(!@num, 'no file of lib/load compares with the machine number 62') or diag(join "\n", @num);
    # a particular target or machine-specific section type, rather than the object's own target
    my @tgt = grep { !/^\s*$/ } split /\n/, `grep -n 'ka_arch_x86_64\|X86_64' $root/lib/load/*.c $root/lib/load/*.h`;
    ok(!@tgt, 'no file of lib/load names the x86-64 target or an x86-64 constant') or diag(join "\n", @tgt);
}

SKIP: {
    skip 'the loader runs x86-64 code only', 1 unless (POSIX::uname())[4] eq 'x86_64';
    my $build = $ENV{KEEL_BUILD} || "$root/build";
    my $prog = "$build/tests/load_patch";
    skip "no $prog (make first)", 1 unless -x $prog;
    for my $tool (qw(gcc readelf)) {
        skip "no $tool", 1 unless grep { -x "$_/$tool" } split /:/, $ENV{PATH};
    }
    my $src = "$FindBin::Bin/progs/load_patch";
    make_path("$build/t");
    my $dir = tempdir('load_patch.XXXXXX', DIR => "$build/t", CLEANUP => 1);
    my %flags = (caller => '', callee => '', desc => '-mtls-dialect=gnu2', far => '', callfar => '');
    for my $name (sort keys %flags) {
        my $out = `gcc -O1 -fPIC -ffunction-sections $flags{$name} -c '$src/$name.c' -o '$dir/$name.o' 2>&1`;
        BAIL_OUT("gcc $name.c: $out") if $?;
    }
    # the relocations against g, by the section they apply to
    my (%off, $target);
    for (split /\n/, `readelf -rW '$dir/caller.o'`) {
        $target = $1 if /^Relocation section '\.rela([^']+)'/;
        $off{$target} = hex($1) if /^([0-9a-f]{16})\s+[0-9a-f]{16}\s+\S+\s+[0-9a-f]+\s+g\b/;
    }
    ok(defined $off{'.text.f'} && defined $off{'.text.addr_of_g'},
       'readelf: caller.o relocates .text.f and .text.addr_of_g against g')
        or BAIL_OUT('no relocations against g in caller.o');
    my $far;
    for (split /\n/, `readelf -rW '$dir/callfar.o'`) {
        $far = hex($1) if /^([0-9a-f]{16})\s+[0-9a-f]{16}\s+\S+\s+[0-9a-f]+\s+far_fn\b/;
    }
    ok(defined $far, 'readelf: callfar.o relocates a call against far_fn') or BAIL_OUT('no call to far_fn');
    my @args = ($prog, $dir, $off{'.text.f'}, $off{'.text.addr_of_g'}, $far);
    my $out = `@args 2>&1`;
    my $status = $?;
    for (split /\n/, $out) {
        if (/^(not ok|ok) \d+ - (.*)$/) {
            ok($1 eq 'ok', $2);
        } elsif (/^# (.*)/) {
            note $1;
        }
    }
    is($status, 0, 'load_patch exits 0') or diag($out);

    # strace: every mmap and mprotect of the run, none W+X
    SKIP: {
        skip 'no strace (apt-get install strace)', 2 unless grep { -x "$_/strace" } split /:/, $ENV{PATH};
        my $log = "$dir/strace.log";
        system("strace -f -qq -e trace=mmap,mprotect,pkey_mprotect,remap_file_pages -o '$log' @args >/dev/null 2>&1");
        my @calls = do { open my $fh, '<', $log or die "$log: $!"; <$fh> };
        my @wx = grep { /PROT_WRITE/ && /PROT_EXEC/ } @calls;
        my @rx_fixed = grep { /PROT_READ\|PROT_EXEC, MAP_SHARED\|MAP_FIXED/ } @calls;
        ok(@calls > 10 && !@wx, 'strace: no mmap or mprotect asks for a page writable and executable (' .
           scalar(@calls) . ' calls)') or diag(join '', @wx);
        ok(@rx_fixed == 2, 'strace: the code moved into shared memory once per object patched (caller.o, ' .
           'callfar.o), mapped read+execute over itself')
            or diag(join '', grep { /MAP_SHARED/ } @calls);
    }
}

done_testing();
