/* Whether this kernel lets a process redescribe itself with
 * prctl(PR_SET_MM, PR_SET_MM_MAP), as `keel exec` does so that
 * /proc/self/cmdline, environ and auxv describe the new program.  It gives
 * the kernel back the values the kernel itself reports in /proc/self/stat:
 * a kernel without CONFIG_CHECKPOINT_RESTORE, or a sandbox that filters
 * prctl, refuses.  Prints "PR_SET_MM_MAP works" and exits 0, or prints why
 * not and exits 1. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
#ifdef PR_SET_MM_MAP
    FILE *f = fopen("/proc/self/stat", "r");
    char line[4096];
    if (!f || !fgets(line, sizeof line, f)) {
        printf("cannot read /proc/self/stat\n");
        return 1;
    }
    fclose(f);
    /* Fields 3 on follow the command name, which ends at the last ')'. */
    char *p = strrchr(line, ')');
    unsigned long long v[53] = {0};
    int field = 2;
    for (char *tok = strtok(p + 1, " "); tok && field < 52; tok = strtok(NULL, " "))
        v[++field] = strtoull(tok, NULL, 10);
    if (field < 51) {
        printf("/proc/self/stat has only %d fields\n", field);
        return 1;
    }
    struct prctl_mm_map map = {
        .start_code = v[26], .end_code = v[27], .start_stack = v[28],
        .start_data = v[45], .end_data = v[46], .start_brk = v[47],
        .brk = (unsigned long long)syscall(SYS_brk, 0),
        .arg_start = v[48], .arg_end = v[49], .env_start = v[50], .env_end = v[51],
        .exe_fd = (unsigned)-1,
    };
    if (prctl(PR_SET_MM, PR_SET_MM_MAP, &map, sizeof map, 0) != 0) {
        printf("the kernel refuses PR_SET_MM_MAP: %s\n", strerror(errno));
        return 1;
    }
    printf("PR_SET_MM_MAP works\n");
    return 0;
#else
    printf("PR_SET_MM_MAP is not in this system's headers\n");
    return 1;
#endif
}
