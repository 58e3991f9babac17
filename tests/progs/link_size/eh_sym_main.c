/* Reads the FDE that eh_sym.s labels: its length, its CIE (through the
 * CIE pointer) and the function it describes. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

extern const unsigned char eh_sym_fde[];
void eh_sym_fn(void);

int main(void)
{
    uint32_t len, ptr, id;
    int32_t pc;
    memcpy(&len, eh_sym_fde, 4);
    memcpy(&ptr, eh_sym_fde + 4, 4);
    memcpy(&pc, eh_sym_fde + 8, 4);
    const unsigned char *cie = eh_sym_fde + 4 - ptr;
    memcpy(&id, cie + 4, 4);
    printf("FDE length %u, CIE id %u, augmentation %s, describes eh_sym_fn: %s\n", len, id,
           (const char *)cie + 9, eh_sym_fde + 8 + pc == (const unsigned char *)(uintptr_t)eh_sym_fn ? "yes" : "no");
    return 0;
}
