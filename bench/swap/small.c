/* The small object bench/swap.sh swaps (VER 1 and 2): a few functions, a
 * static counter and array carried over by each swap, and nothing it
 * needs from elsewhere, so that a shared library linked from it (the
 * peer) needs nothing either. */
static long calls;
static int table[16];
static int *cursor = &table[1];

int small_version(void) { return VER; }
int small_tick(void)
{
    __atomic_fetch_add(&calls, 1, __ATOMIC_RELAXED);
    return VER;
}
long small_count(void) { return __atomic_load_n(&calls, __ATOMIC_RELAXED); }
int small_get(int i) { return table[i & 15] + VER; }
void small_set(int i, int v) { table[i & 15] = v; }
int *small_cursor(void) { return cursor; }
