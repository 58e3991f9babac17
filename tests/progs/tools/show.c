/* What a process was started with, for tests/exec_script.t: argv,
 * AT_EXECFN, the thread's name, the real and effective user and group
 * IDs, AT_SECURE and the permitted and effective capabilities.  It exits
 * with the status given as SHOW_STATUS in the environment (default 0). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    char comm[17] = {0}, line[256];
    prctl(PR_GET_NAME, comm, 0, 0, 0);
    printf("argc %d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d] <%s>\n", i, argv[i]);
    const char *execfn = (const char *)getauxval(AT_EXECFN);
    printf("execfn %s\ncomm %s\n", execfn ? execfn : "(none)", comm);
    printf("uid %u euid %u gid %u egid %u secure %lu\n", (unsigned)getuid(), (unsigned)geteuid(), (unsigned)getgid(),
           (unsigned)getegid(), getauxval(AT_SECURE));
    FILE *f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "CapPrm:", 7) == 0 || strncmp(line, "CapEff:", 7) == 0)
            fputs(line, stdout);
    if (f)
        fclose(f);
    const char *status = getenv("SHOW_STATUS");
    return status ? atoi(status) : 0;
}
