/* A common symbol of 2 GiB, more than a namespace holds: refused as too
 * large (not as misaligned). */
__asm__(".comm keel_huge_common, 0x80000000, 8");
int hugecommon_marker = 1;
