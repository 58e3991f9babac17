/* Threads, __thread, malloc and libm, linked statically. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static __thread int tls = 5;

static void *work(void *arg)
{
    tls += (int)(long)arg;
    char *p = malloc(64);
    snprintf(p, 64, "thread %d %.3f", tls, sqrt((double)tls));
    puts(p);
    free(p);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, work, (void *)3L);
    pthread_join(t, NULL);
    printf("main %d\n", tls);
    return 0;
}
