/* Format dispatch: each loader in turn, until one recognises the file. */
#include <keel/exec.h>

int keel_exec_load(keel_exec_read_fn read, keel_exec_read_exec_fn read_exec, void *handle,
                   const keel_exec_options *options, keel_exec_info *info)
{
    /* a.out comes in a later step; ELF is the only format yet */
    return keel_exec_load_elf(read, read_exec, handle, options, info);
}

const char *keel_exec_status_name(int code)
{
    switch (code) {
    case KEEL_EX_NOT_EXECUTABLE: return "not executable";
    case KEEL_EX_WRONG_ARCH: return "wrong architecture";
    case KEEL_EX_CORRUPT: return "corrupt";
    case KEEL_EX_BAD_LAYOUT: return "bad layout";
    }
    return keel_status_name(code);
}
