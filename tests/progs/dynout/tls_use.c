/* The program reads and writes the library's TLS variables, in the main
 * thread and in another (each has its own copies). */
#include <pthread.h>
#include <stdio.h>

extern __thread int tls_gd, tls_ie;
int tls_sum(void);
void tls_bump(void);

static void *thread(void *arg)
{
    (void)arg;
    tls_bump();
    tls_gd += 100;
    printf("thread %d %d\n", tls_sum(), tls_gd);
    return NULL;
}

int main(void)
{
    printf("main %d %d %d\n", tls_sum(), tls_gd, tls_ie);
    tls_bump();
    tls_ie = 1000;
    printf("main %d\n", tls_sum());
    pthread_t t;
    if (pthread_create(&t, NULL, thread, NULL) || pthread_join(t, NULL))
        return 1;
    printf("main %d %d\n", tls_sum(), tls_gd);
    return 0;
}
