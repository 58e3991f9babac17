/* Data copy test, destination object (-fdata-sections): a data and a bss
 * section of blob1's size, a smaller one, and a read-only one. */
int blob2d[16] = {100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115};
int blob2z[16];
int small2[4] = {1, 2, 3, 4};
const int rblob2[16] = {50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65};
