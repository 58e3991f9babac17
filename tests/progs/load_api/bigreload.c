/* The live-update test's large object: more than 1 MiB of each kind of
 * region (text, read-only data, writable data), so that the loader puts
 * each in huge pages and rounds it up; unloading must give all of that
 * back. */
const char big_rodata[1200 * 1024] = {1};
char big_data[1200 * 1024] = {2};

/* 1.2 MiB of code: a function that returns, then filler. */
__asm__(".section .text.big_code,\"ax\",@progbits\n"
        ".globl big_code\n"
        ".type big_code,@function\n"
        "big_code:\n"
        "  movl $42, %eax\n"
        "  ret\n"
        ".fill 1228800,1,0xcc\n"
        ".size big_code, .-big_code\n"
        ".previous\n");

int big_value(void)
{
    return big_rodata[0] + big_data[0];
}
