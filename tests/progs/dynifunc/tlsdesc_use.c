/* Uses the TLS-descriptor library (tlsdesc.c) from the main thread and
 * three others: each sees its own copies. */
#include <pthread.h>
#include <stdio.h>

extern __thread int td_global;
int td_bump(int by);
int *td_global_addr(void);

static void *work(void *arg)
{
    int by = (int)(long)arg, r = 0;
    for (int i = 0; i < 3; i++)
        r = td_bump(by);
    return (void *)(long)(r * 1000 + td_global + (td_global_addr() == &td_global));
}

int main(void)
{
    pthread_t t[3];
    for (long i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, work, (void *)(i + 1));
    for (int i = 0; i < 3; i++) {
        void *r;
        pthread_join(t[i], &r);
        printf("thread %d: %ld\n", i, (long)r);
    }
    printf("main: %ld\n", (long)work((void *)4L));
    return 0;
}
