/*
 * file.h - whole-file reads and writes for the offline tools.
 */
#ifndef MMGUARD_FILE_H
#define MMGUARD_FILE_H

#include <stddef.h>

/*
 * Read PATH ("-": standard input) whole, NUL-terminated, at most max bytes;
 * NULL with errno set (EFBIG when larger than max).
 */
char	*file_read(const char *path, size_t max, size_t *len);
/* Write n bytes to PATH; -1 with errno set. */
int	 file_write(const char *path, const void *, size_t n);

#endif
