/* The clients of the executable interpreter behind `keel exec`.  Each is a
 * small example of one way to load: record only, build a boot image, or
 * exec in user space. */
#ifndef KEEL_TOOLS_EXEC_CLIENTS_H
#define KEEL_TOOLS_EXEC_CLIENTS_H

#include <keel/exec.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

/* The read callback every client uses: the handle points at an fd. */
int exec_pread(void *handle, uint64_t offset, void *buf, size_t size, size_t *actual);

/* Report a failed keel_exec_load on stderr as `keel: FILE: what: message`. */
void exec_report(const char *path, int rc, const keel_exec_info *info);

/* keel exec --layout: print every piece and the info.  Returns 0 or 1. */
int exec_layout(const char *path, uint64_t bias);

/* keel exec --image: the two-pass boot-image client.  Returns 0 or 1. */
int exec_image(const char *path, const char *out, uint64_t bias);

/* keel exec FILE ARGS: replace this process's program with FILE (a #!
 * script's interpreter, see exec_script).  A set-user-ID or set-group-ID
 * program is refused unless nosuid (its bits ignored, as on a nosuid
 * mount).  Returns only on failure, with the process as it was: 127 if a
 * file is missing, 126 otherwise (the exit statuses of env(1) and the
 * shell). */
int exec_run(const char *path, const char *argv0, bool nosuid, int argc, char **argv);

/* Whether execve would run the program of FD (fstat'd in ST) with rights
 * keel exec cannot give it (set-user-ID, set-group-ID, file capabilities,
 * by the kernel's rules): 1 with WHY saying which, or 0. */
int exec_setid_refusal(int fd, const struct stat *st, char *why, size_t size);

/* Whether the kernel would start the program of FD in secure mode
 * (AT_SECURE) for its file capabilities even when they give nothing (with
 * the effective flag, for a caller whose real user is not root). */
bool exec_caps_secure(int fd);

/* What execve reads of a #! line (BINPRM_BUF_SIZE), and how many scripts
 * may lead to a binary: measured on Linux 6.x, where a sixth level fails
 * with ELOOP (fs/exec.c: exec_binprm's depth > 5). */
#define SCRIPT_LINE_MAX 256
#define SCRIPT_DEPTH_MAX 5

/* A program and the #! scripts that lead to it. */
typedef struct script_chain {
    const char *file; /* the binary to load */
    int argc;         /* its argv: the scripts' interpreters and arguments */
    char **argv;      /* prepended, as binfmt_script does */
    int depth;        /* 0: path itself is the binary */
    int nowned;       /* the #! lines read and the argv arrays made */
    void *owned[2 * (SCRIPT_DEPTH_MAX + 1)];
} script_chain;

/* Follow PATH's #! lines to the binary they lead to, as execve does.  0,
 * or the exit status of a refusal reported on stderr (127 for a missing
 * file, 126 otherwise). */
int exec_script(const char *path, int argc, char **argv, script_chain *c);
/* Free what exec_script allocated (after a failure: on success it lives
 * until the jump). */
void exec_script_free(script_chain *c);

/* The ELF machine of the host: the only one exec_run can run. */
#if defined(__x86_64__)
#define EM_HOST 62
#elif defined(__aarch64__)
#define EM_HOST 183
#elif defined(__i386__)
#define EM_HOST 3
#else
#define EM_HOST 0
#endif

/* Machine-specific: switch to the new stack and jump to the entry point
 * with the registers the ELF ABI of the host promises at process start. */
_Noreturn void exec_jump(uint64_t entry, void *stack);
/* Whether exec_jump exists for this host. */
extern const int exec_jump_supported;

#endif
