/* --wrap=foo: main's foo is __wrap_foo, whose __real_foo is foo; dupv is
 * defined here and in wrap_impl.c (-z muldefs: this one wins) */
#include <stdio.h>
int foo(int);
int __real_foo(int);
int __wrap_foo(int x) { return __real_foo(x) + 100; }
int dupv = 1;
int main(void)
{
    printf("%d %d\n", foo(1), dupv);
    return 0;
}
