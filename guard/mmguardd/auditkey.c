/*
 * auditkey.c - file digests (auditkey.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "guard/common/file.h"
#include "guard/common/xmalloc.h"
#include "guard/mmguardd/auditkey.h"

static int
key_err(char *err, size_t errlen, const char *what, const char *path)
{
	(void)snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
	return -1;
}

int
auditkey_file_digest(const char *path, char hex[65], char *err,
    size_t errlen)
{
	uint8_t		 d[32];
	char		*b;
	size_t		 len;
	unsigned	 dl, i;

	if ((b = file_read(path, 16u << 20, &len)) == NULL)
		return key_err(err, errlen, "read", path);
	(void)EVP_Digest(b, len, d, &dl, EVP_sha256(), NULL);
	free(b);
	for (i = 0; i < 32; i++)
		(void)snprintf(hex + 2 * i, 3, "%02x", d[i]);
	return 0;
}
