/* Would execve give this program rights that keel exec cannot?  execve of
 * a set-user-ID or set-group-ID file changes the effective user or group
 * to the file's, and file capabilities (the security.capability
 * attribute) add to the permitted set; keel exec runs a program inside
 * its own process, with the caller's rights, so such a program would run
 * silently without them.  The rules are the kernel's (fs/exec.c
 * bprm_fill_uid, security/commoncap.c): nothing is gained on a nosuid
 * mount or under no_new_privs, a set-group-ID bit without group execute
 * permission is not one (it marks mandatory locking), and a bit that
 * names the rights the caller already has changes nothing. */
#include <linux/capability.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "exec_clients.h"

/* The attribute's first word: the revision and VFS_CAP_FLAGS_EFFECTIVE. */
static bool read_caps(int fd, uint8_t raw[24], ssize_t *n, uint32_t *magic)
{
    *n = fgetxattr(fd, "security.capability", raw, 24);
    if (*n < 12)
        return false;
    *magic = (uint32_t)raw[0] | (uint32_t)raw[1] << 8 | (uint32_t)raw[2] << 16 | (uint32_t)raw[3] << 24;
    return true;
}

bool exec_caps_secure(int fd)
{
    uint8_t raw[24];
    ssize_t n;
    uint32_t magic;
    return getuid() != 0 && read_caps(fd, raw, &n, &magic) && (magic & 1);
}

/* The capabilities the file's attribute would add to the caller's
 * permitted set (only for a caller that is not root: execve gives root
 * the whole bounding set with or without them). */
static uint64_t caps_gained(int fd)
{
    uint8_t raw[24];
    ssize_t n;
    uint32_t magic;
    if (geteuid() == 0 || !read_caps(fd, raw, &n, &magic))
        return 0;
    uint32_t rev = magic & 0xff000000u;
    uint64_t file = (uint64_t)raw[4] | (uint64_t)raw[5] << 8 | (uint64_t)raw[6] << 16 | (uint64_t)raw[7] << 24;
    if (rev != 0x01000000u && n >= 20)
        file |= ((uint64_t)raw[12] | (uint64_t)raw[13] << 8 | (uint64_t)raw[14] << 16 | (uint64_t)raw[15] << 24) << 32;
    struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct now[2] = {{0}};
    if (syscall(SYS_capget, &hdr, now) != 0)
        return file; /* unknown: assume all would be gained */
    uint64_t have = (uint64_t)now[0].permitted | (uint64_t)now[1].permitted << 32;
    return file & ~have;
}

int exec_setid_refusal(int fd, const struct stat *st, char *why, size_t size)
{
    struct statvfs vfs;
    if ((fstatvfs(fd, &vfs) == 0 && (vfs.f_flag & ST_NOSUID)) || prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1)
        return 0;
    bool uid = (st->st_mode & S_ISUID) && st->st_uid != geteuid();
    bool gid = (st->st_mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP) && st->st_gid != getegid();
    if (uid || gid) {
        char u[32] = "", g[32] = "";
        if (uid)
            snprintf(u, sizeof u, "set-user-ID (uid %u)", (unsigned)st->st_uid);
        if (gid)
            snprintf(g, sizeof g, "set-group-ID (gid %u)", (unsigned)st->st_gid);
        snprintf(why, size, "%s%s%s", u, uid && gid ? " and " : "", g);
        return 1;
    }
    uint64_t caps = caps_gained(fd);
    if (caps) {
        snprintf(why, size, "file capabilities (security.capability, 0x%llx)", (unsigned long long)caps);
        return 1;
    }
    return 0;
}
