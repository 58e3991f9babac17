/* Object A of the live-swap test, in versions: VER is the answer, ARR the
 * static array's length.  A static counter (bumped atomically: four
 * threads), a static pointer into its own static array, a thread-local
 * counter. */
#ifndef ARR
#define ARR 16
#endif
static long counter; /* long: billions of calls in a slow (sanitizer) run */
static int arr[ARR];
static int *ptr = &arr[1];
__thread long tcount;

int a_version(void) { return VER; }
int a_inc(void)
{
    __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
    tcount++;
    return VER;
}
long a_count(void) { return __atomic_load_n(&counter, __ATOMIC_RELAXED); }
long a_tcount(void) { return tcount; }
int *a_ptr(void) { return ptr; }
int *a_arr(void) { return arr; }
void a_set(int i, int v) { arr[i] = v; }
#ifdef XFER
/* the array grew: the old one is copied into its start */
int keel_transfer_arr(void *new, const void *old, unsigned long oldsize)
{
    __builtin_memcpy(new, old, oldsize);
    return XFER;
}
#endif
#ifndef MISSING
int a_extra(void) { return 7; }
#endif
#ifdef BROKEN
extern int nosuch(void);
int a_broken(void) { return nosuch(); }
#endif
