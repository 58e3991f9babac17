/* Whole-file read-only views: mmap for regular files, a read buffer for
 * pipes and devices. */
#ifndef KEEL_TOOLS_MAPPED_FILE_H
#define KEEL_TOOLS_MAPPED_FILE_H

#include <stddef.h>

typedef struct mapped_file {
    const void *data;
    size_t size;
    int mapped;           /* 0: static empty, 1: mmap, 2: malloc */
} mapped_file;

/* 0 on success; on failure -1 with errno set. */
int mapped_file_open(mapped_file *f, const char *path);
void mapped_file_close(mapped_file *f);

#endif
