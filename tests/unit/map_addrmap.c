/* lib/map's views over keel's ELF address map, read in place: FILE's
 * .keel.addrmap (docs/address-map-section.md) gives its two OMAP tables to
 * keel_omap_view as they are in the file; each line of standard input,
 * "ORIGINAL OUTPUT" (hex virtual addresses, OUTPUT "-" for a dropped
 * function), is looked up both ways with keel_omap_lookup.  Prints "ok N"
 * or each mismatch; exit 0 or 1. */
#include <keel/elf.h>
#include <keel/map.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t u32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: map_addrmap FILE < pairs\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    static uint8_t buf[64 << 20];
    size_t size = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f)
        fclose(f);
    keel_elf elf;
    keel_error err = {0};
    if (!size || keel_elf_open(&elf, buf, size, &err)) {
        printf("FAIL open: %s\n", err.msg);
        return 1;
    }
    uint32_t idx = keel_elf_find_section(&elf, ".keel.addrmap");
    keel_shdr sh;
    if (!idx || keel_elf_shdr(&elf, idx, &sh, &err) || sh.offset > size || sh.size > size - sh.offset || sh.size < 80) {
        printf("FAIL no .keel.addrmap\n");
        return 1;
    }
    const uint8_t *m = buf + sh.offset;
    uint64_t base;
    memcpy(&base, m + 16, 8);
    uint32_t nto = u32(m + 24), oto = u32(m + 28), nfrom = u32(m + 32), ofrom = u32(m + 36);
    if ((uint64_t)oto + (uint64_t)nto * 8 > sh.size || (uint64_t)ofrom + (uint64_t)nfrom * 8 > sh.size || !nto ||
        !nfrom) {
        printf("FAIL tables out of the section\n");
        return 1;
    }
    /* each table's last record is its bound: the views end there */
    keel_omap to, from;
    if (keel_omap_view(&to, m + oto, (size_t)nto * 8, u32(m + oto + (nto - 1) * 8), &err) ||
        keel_omap_view(&from, m + ofrom, (size_t)nfrom * 8, u32(m + ofrom + (nfrom - 1) * 8), &err)) {
        printf("FAIL keel_omap_view: %s\n", err.msg);
        return 1;
    }
    char orig_s[64], out_s[64];
    size_t n = 0, bad = 0;
    while (scanf("%63s %63s", orig_s, out_s) == 2) {
        uint64_t orig = strtoull(orig_s, NULL, 16), out = strcmp(out_s, "-") ? strtoull(out_s, NULL, 16) : 0;
        uint32_t r;
        int rc = keel_omap_lookup(&from, (uint32_t)(orig - base), &r);
        bool ok = out ? rc == KEEL_MAP_FOUND && r + base == out : rc == KEEL_MAP_ELIMINATED;
        if (ok && out)
            ok = keel_omap_lookup(&to, (uint32_t)(out - base), &r) == KEEL_MAP_FOUND && r + base == orig;
        if (!ok && bad++ < 10)
            printf("mismatch %s %s (%s)\n", orig_s, out_s, keel_map_result_name(rc));
        n++;
    }
    if (bad)
        printf("FAIL %zu of %zu\n", bad, n);
    else
        printf("ok %zu\n", n);
    return bad != 0;
}
