/* libFuzzer target for the executable interpreter: interpret the input
 * through a memory read callback and a record-only read_exec that checks
 * each piece is consistent (file range inside the input for LOAD pieces,
 * zero-fill never negative).  ASan/UBSan catch memory errors. */
#include <keel/exec.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct input {
    const uint8_t *data;
    size_t size;
} input;

static int rd(void *h, uint64_t off, void *buf, size_t n, size_t *actual)
{
    const input *in = h;
    size_t k = off >= in->size ? 0 : (in->size - off < n ? in->size - off : n);
    if (k)
        memcpy(buf, in->data + off, k);
    *actual = k;
    return 0;
}

static int rx(void *h, uint64_t fo, uint64_t fs, uint64_t ma, uint64_t ms, unsigned t)
{
    const input *in = h;
    (void)ma;
    if ((t & KEEL_EXEC_LOAD) && (fo > in->size || fs > in->size - fo))
        abort(); /* the interpreter promised the file holds every LOAD piece */
    if ((t & KEEL_EXEC_ALLOC) && fs > ms)
        abort(); /* and that file size never exceeds memory size */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    input in = {data, size};
    keel_exec_info info;
    keel_exec_options o = {.load_bias = 0x555555554000, .report_debug = true, .report_notes = true};
    keel_exec_load(rd, rx, &in, &o, &info);
    return 0;
}
