/* Format dispatch: each loader in turn, until one recognises the file. */
#include <keel/exec.h>

int keel_exec_load(keel_exec_read_fn read, keel_exec_read_exec_fn read_exec, void *handle,
                   const keel_exec_options *options, keel_exec_info *info)
{
    /* ELF first: its magic is unambiguous, while a.out's is a 16-bit word
     * that other files can carry by chance. */
    int rc = keel_exec_load_elf(read, read_exec, handle, options, info);
    if (rc != KEEL_EX_NOT_EXECUTABLE)
        return rc;
    /* An ELF file the ELF loader refused (a .o, a core file) keeps its
     * reason rather than getting a.out's. */
    unsigned char magic[4];
    size_t got = 0;
    if (read(handle, 0, magic, sizeof magic, &got) == 0 && got == 4 && magic[0] == 0x7f && magic[1] == 'E' &&
        magic[2] == 'L' && magic[3] == 'F')
        return rc;
    rc = keel_exec_load_aout(read, read_exec, handle, options, info);
    if (rc == KEEL_EX_NOT_EXECUTABLE) {
        char why[sizeof info->error.msg];
        for (size_t i = 0; i < sizeof why; i++)
            why[i] = info->error.msg[i];
        keel_error_set(&info->error, rc, info->error.offset, "neither ELF nor a.out (%s)", why);
    }
    return rc;
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
