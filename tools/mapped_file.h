/* Opening inputs by path, for every tool: only regular files are read,
 * and finding that out never blocks (a FIFO without a writer would hang
 * open() for ever).  mapped_file: a whole file's read-only view. */
#ifndef KEEL_TOOLS_MAPPED_FILE_H
#define KEEL_TOOLS_MAPPED_FILE_H

#include <stddef.h>
#include <sys/stat.h>

typedef struct mapped_file {
    const void *data;
    size_t size;
    int mapped; /* 0: static empty, 1: mmap */
} mapped_file;

/* Open PATH read-only (close-on-exec) if it is a regular file.  Returns
 * the descriptor, in blocking mode, with *st filled if st is not NULL.
 * Or -1 if it cannot be opened, errno set and *why its text ("No such
 * file or directory"); or -2 for a file of another type, *why saying so
 * ("not a regular file (a FIFO)") and errno EINVAL.  why may be NULL. */
int open_regular(const char *path, struct stat *st, const char **why);

/* 0 on success; on failure open_regular's -1 or -2, errno and *why (or a
 * failed mmap's, as -1). */
int mapped_file_open(mapped_file *f, const char *path, const char **why);
void mapped_file_close(mapped_file *f);

#endif
