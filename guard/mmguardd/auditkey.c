/*
 * auditkey.c - audit key files for a rotation, and file digests
 * (auditkey.h).  OpenSSL makes and encodes the key, as mmguard-audit
 * keygen does.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "guard/common/hex.h"
#include "guard/common/file.h"
#include "guard/common/xmalloc.h"
#include "guard/mmguardd/auditkey.h"

static int
key_err(char *err, size_t errlen, const char *what, const char *path)
{
	(void)snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
	return -1;
}

/* fsync the directory holding path, so that a rename or create lasts. */
static int
sync_dir_of(const char *path)
{
	char	*d = xstrdup(path), *sl = strrchr(d, '/');
	int	 fd, rc = -1;

	if (sl == d)
		sl[1] = '\0';
	else if (sl != NULL)
		*sl = '\0';
	else {
		free(d);
		d = xstrdup(".");
	}
	if ((fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		rc = fsync(fd);
		(void)close(fd);
	}
	free(d);
	return rc;
}

static EVP_PKEY *
load_or_make(const char *file, char *err, size_t errlen)
{
	EVP_PKEY	*k;
	FILE		*f;

	if (file == NULL) {
		if ((k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")) == NULL)
			(void)snprintf(err, errlen, "cannot make an Ed25519 "
			    "key");
		return k;
	}
	if ((f = fopen(file, "r")) == NULL) {
		(void)key_err(err, errlen, "open", file);
		return NULL;
	}
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	(void)fclose(f);
	if (k == NULL || EVP_PKEY_get_id(k) != EVP_PKEY_ED25519) {
		EVP_PKEY_free(k);
		(void)snprintf(err, errlen, "%s: not an Ed25519 private key "
		    "(PEM)", file);
		return NULL;
	}
	return k;
}

static int
store(EVP_PKEY *k, const char *newpath, char *err, size_t errlen)
{
	FILE	*f;
	int	 fd;

	(void)unlink(newpath);
	if ((fd = open(newpath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1)
		return key_err(err, errlen, "create", newpath);
	if ((f = fdopen(fd, "w")) == NULL) {
		(void)close(fd);
		return key_err(err, errlen, "fdopen", newpath);
	}
	if (PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) != 1 ||
	    fflush(f) != 0 || fsync(fileno(f)) == -1) {
		(void)fclose(f);
		(void)unlink(newpath);
		return key_err(err, errlen, "write", newpath);
	}
	if (fclose(f) != 0 || sync_dir_of(newpath) == -1) {
		(void)unlink(newpath);
		return key_err(err, errlen, "sync", newpath);
	}
	return 0;
}

int
auditkey_make(const char *file, const char *newpath, struct auditkey_new *nk,
    char *err, size_t errlen)
{
	EVP_PKEY	*k;
	BIO		*b = NULL;
	uint8_t		 pub[32];
	size_t		 len = sizeof(nk->raw);
	long		 n;
	char		*p;
	int		 rc = -1;

	memset(nk, 0, sizeof(*nk));
	if ((k = load_or_make(file, err, errlen)) == NULL)
		return -1;
	if (EVP_PKEY_get_raw_private_key(k, nk->raw, &len) != 1 ||
	    len != sizeof(nk->raw) || audit_key_id(k, nk->id, pub) == -1) {
		(void)snprintf(err, errlen, "not an Ed25519 key");
		goto out;
	}
	if ((b = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_PUBKEY(b, k) != 1 ||
	    (n = BIO_get_mem_data(b, &p)) <= 0 ||
	    (size_t)n >= sizeof(nk->pem)) {
		(void)snprintf(err, errlen, "cannot write the public key");
		goto out;
	}
	memcpy(nk->pem, p, (size_t)n);
	if (store(k, newpath, err, errlen) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1)
		explicit_bzero(nk->raw, sizeof(nk->raw));
	BIO_free(b);
	EVP_PKEY_free(k);
	return rc;
}

int
auditkey_commit(const char *newpath, const char *path, char *err,
    size_t errlen)
{
	if (rename(newpath, path) == -1)
		return key_err(err, errlen, "rename to", path);
	if (sync_dir_of(path) == -1)
		return key_err(err, errlen, "sync the directory of", path);
	return 0;
}

void
auditkey_discard(const char *newpath)
{
	if (unlink(newpath) == 0)
		(void)sync_dir_of(newpath);
}

int
auditkey_file_digest(const char *path, char hex[65], char *err,
    size_t errlen)
{
	uint8_t		 d[32];
	char		*b;
	size_t		 len;
	unsigned	 dl;

	if ((b = file_read(path, 16u << 20, &len)) == NULL)
		return key_err(err, errlen, "read", path);
	(void)EVP_Digest(b, len, d, &dl, EVP_sha256(), NULL);
	free(b);
	hex_lower(d, 32, hex);
	return 0;
}
