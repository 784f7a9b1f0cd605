/*
 * file.c - whole-file reads and writes for the offline tools.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard/common/file.h"
#include "guard/common/xmalloc.h"

char *
file_read(const char *path, size_t max, size_t *len)
{
	FILE	*f;
	char	*p = NULL;
	size_t	 cap = 0, n = 0, r;
	int	 saved;

	if (strcmp(path, "-") == 0)
		f = stdin;
	else if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	for (;;) {
		if (n + 1 >= cap) {
			if (cap > max) {
				errno = EFBIG;
				goto fail;
			}
			cap = cap ? cap * 2 : 65536;
			p = xreallocarray(p, cap, 1);
		}
		if ((r = fread(p + n, 1, cap - n - 1, f)) == 0)
			break;
		n += r;
	}
	if (ferror(f) || n > max) {
		errno = ferror(f) ? EIO : EFBIG;
		goto fail;
	}
	if (f != stdin)
		fclose(f);
	p[n] = '\0';
	*len = n;
	return p;
fail:
	saved = errno;
	if (f != stdin)
		fclose(f);
	free(p);
	errno = saved;
	return NULL;
}

int
file_write(const char *path, const void *p, size_t n)
{
	FILE	*f;

	if ((f = fopen(path, "wb")) == NULL)
		return -1;
	if (fwrite(p, 1, n, f) != n) {
		fclose(f);
		return -1;
	}
	return fclose(f) == 0 ? 0 : -1;
}
