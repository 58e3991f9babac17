/* Translations per second of lib/map on an OMAP table of N records
 * (default 100,000): sources 16 bytes apart on average (random gaps of 1
 * to 31), targets a shuffled layout of the same pieces, one record in 16
 * eliminated, as a reordering linker makes them.  Three loops, each over
 * a precomputed array of 2^20 probes (so that making a probe costs
 * nothing), timed by the thread's CPU clock on one thread:
 *   random:     uniformly random addresses over the table (cache-hostile)
 *   sequential: ascending addresses (a symbolizer walking .text)
 *   convert:    original section:offset -> output section:offset through
 *               keel_map_convert (section lookup, OMAP lookup, section
 *               lookup), random
 * Prints "NAME: X translations/s (Y ns each)".  The checksum keeps the
 * compiler from dropping the loops. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <keel/map.h>

enum { PROBES = 1 << 20 };

static uint64_t rng = 0x9e3779b97f4a7c15u;
static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

/* the thread's CPU time: on a shared machine, wall-clock time would
 * count the time other processes ran (the figure is one core's) */
static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void report(const char *name, double secs, long n, uint64_t sum)
{
    printf("%-10s %6.1f million translations/s (%5.1f ns each)  [checksum %llx]\n", name, (double)n / secs / 1e6,
           secs * 1e9 / (double)n, (unsigned long long)sum);
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 0) : 100000;
    int rounds = argc > 2 ? atoi(argv[2]) : 20;
    uint32_t *src = malloc((n + 1) * sizeof *src), *len = malloc(n * sizeof *len), *perm = malloc(n * sizeof *perm);
    uint8_t *tab = malloc(n * 8);
    uint32_t *probe = malloc(PROBES * sizeof *probe);
    uint8_t hdr[40] = {0};
    if (!src || !len || !perm || !tab || !probe)
        return 1;
    const uint32_t base = 0x1000;
    src[0] = base;
    for (size_t i = 0; i < n; i++) {
        len[i] = 1 + next() % 31;
        src[i + 1] = src[i] + len[i];
        perm[i] = (uint32_t)i;
    }
    for (size_t i = n; i > 1; i--) { /* the output order: a shuffle */
        size_t j = next() % i;
        uint32_t t = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = t;
    }
    uint32_t *dst = malloc(n * sizeof *dst), at = base;
    for (size_t k = 0; k < n; k++) {
        dst[perm[k]] = at;
        at += len[perm[k]];
    }
    for (size_t i = 0; i < n; i++) {
        put32(tab + 8 * i, src[i]);
        put32(tab + 8 * i + 4, i % 16 == 15 ? KEEL_OMAP_ELIMINATED : dst[i]);
    }
    uint32_t end = src[n];
    keel_omap m;
    keel_error err;
    if (keel_omap_view(&m, tab, n * 8, end, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    printf("OMAP table: %zu records, %zu bytes, sources 0x%x-0x%x\n", n, n * 8, base, end);

    for (int i = 0; i < PROBES; i++)
        probe[i] = base + next() % (end - base);
    uint64_t sum = 0;
    uint32_t out = 0;
    double t0 = now();
    for (int r = 0; r < rounds; r++)
        for (int i = 0; i < PROBES; i++) {
            keel_omap_lookup(&m, probe[i], &out);
            sum += out;
        }
    report("random", now() - t0, (long)rounds * PROBES, sum);

    for (int i = 0; i < PROBES; i++)
        probe[i] = base + (uint32_t)((uint64_t)i * (end - base) / PROBES);
    sum = 0;
    t0 = now();
    for (int r = 0; r < rounds; r++)
        for (int i = 0; i < PROBES; i++) {
            keel_omap_lookup(&m, probe[i], &out);
            sum += out;
        }
    report("sequential", now() - t0, (long)rounds * PROBES, sum);

    /* one section each side covering the image: the full four-space path */
    memcpy(hdr, ".text", 5);
    put32(hdr + 8, end - base);
    put32(hdr + 12, base);
    keel_map_sections sh;
    keel_map map;
    if (keel_map_sections_view(&sh, hdr, 40, &err) || keel_map_omap(&map, &sh, &sh, tab, 0, tab, n * 8, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    for (int i = 0; i < PROBES; i++)
        probe[i] = next() % (end - base);
    sum = 0;
    t0 = now();
    for (int r = 0; r < rounds; r++)
        for (int i = 0; i < PROBES; i++) {
            keel_map_addr a;
            if (keel_map_convert(&map, (keel_map_addr){KEEL_MAP_ORIGINAL_SECT, 1, probe[i]}, KEEL_MAP_OUTPUT_SECT,
                                 &a) == 0)
                sum += a.value;
        }
    report("convert", now() - t0, (long)rounds * PROBES, sum);
    return 0;
}
