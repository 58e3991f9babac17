/* tests/mapfile_more.t: three hot functions, each in its own section
 * (-ffunction-sections: .text.hot_a, .text.hot_b, .text.hot_c), in
 * that input order, for IS_ORDER += and SEGMENT_ORDER +=; read-only data
 * and unwind tables for OS_ORDER +=; three sections that are not
 * allocated (.info.a, .info.b, .info.c, in that order) for a NULL
 * segment's OS_ORDER +=.  Prints the sum of the hot functions. */
#include <stdio.h>

__asm__(".section .info.a,\"\",@progbits\n.asciz \"a\"\n"
        ".section .info.b,\"\",@progbits\n.asciz \"b\"\n"
        ".section .info.c,\"\",@progbits\n.asciz \"c\"\n"
        ".text\n");

static const char fmt[] = "%d\n";
__attribute__((noinline)) int hot_a(int x) { return x + 1; }
__attribute__((noinline)) int hot_b(int x) { return x * 2; }
__attribute__((noinline)) int hot_c(int x) { return x - 3; }

int main(int argc, char **argv)
{
    (void)argv;
    printf(fmt, hot_a(argc) + hot_b(argc) + hot_c(argc));
    return 0;
}
