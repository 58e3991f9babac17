/* A shared library's thread-local variables: initial-exec from -fPIE and
 * -fno-pic code (R_X86_64_TPOFF64 slots), general dynamic from -fPIC code
 * (kept: DTPMOD64/DTPOFF64 and __tls_get_addr), in a thread too. */
#include <pthread.h>
#include <stdio.h>

extern __thread int tv;
extern __thread int tarr[4];

static void *run(void *arg)
{
    tv += 10;
    return (void *)(long)(tv + tarr[2] + (int)(long)arg);
}

int main(void)
{
    pthread_t t;
    void *r;
    tv += 1;
    pthread_create(&t, NULL, run, (void *)1L);
    pthread_join(t, &r);
    printf("tv %d tarr %d thread %ld\n", tv, tarr[3], (long)r);
    return 0;
}
