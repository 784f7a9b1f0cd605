/*
 * mac.c - keyed digests between roles (mac.h).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "guard/common/mac.h"

int
mac_key_load(const char *path, uint8_t key[MAC_KEY_LEN], char *err,
    size_t errlen)
{
	struct stat	st;
	ssize_t		n;
	size_t		got = 0;
	int		fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (st.st_mode & 077) != 0) {
		(void)snprintf(err, errlen, "%s: not a regular file readable "
		    "by its owner only", path);
		(void)close(fd);
		return -1;
	}
	while (got < MAC_KEY_LEN) {
		n = read(fd, key + got, MAC_KEY_LEN - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	(void)close(fd);
	if (got < MAC_KEY_LEN) {
		explicit_bzero(key, MAC_KEY_LEN);
		(void)snprintf(err, errlen, "%s: shorter than %d bytes", path,
		    MAC_KEY_LEN);
		return -1;
	}
	return 0;
}

/*
 * The HMAC context is keyed once and copied for each digest: keying it
 * (the digest looked up by name, the key padded and hashed twice) cost
 * more than hashing a call's data.  Each role holds one key; another key
 * replaces the keyed context.  The key stays in the role's memory anyway.
 */
static EVP_MAC_CTX	*mac_keyed;
static uint8_t		 mac_keyed_key[MAC_KEY_LEN];

static EVP_MAC_CTX *
mac_ctx(const uint8_t key[MAC_KEY_LEN])
{
	static EVP_MAC	*mac;
	EVP_MAC_CTX	*ctx;
	OSSL_PARAM	 params[2];
	static char	 sha256[] = "SHA256";

	if (mac_keyed != NULL &&
	    CRYPTO_memcmp(mac_keyed_key, key, MAC_KEY_LEN) == 0)
		return EVP_MAC_CTX_dup(mac_keyed);
	/* Fetched once: a role calls this before its sandbox closes. */
	if (mac == NULL && (mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		return NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    sha256, 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((ctx = EVP_MAC_CTX_new(mac)) == NULL ||
	    EVP_MAC_init(ctx, key, MAC_KEY_LEN, params) != 1) {
		EVP_MAC_CTX_free(ctx);
		return NULL;
	}
	EVP_MAC_CTX_free(mac_keyed);
	mac_keyed = ctx;
	memcpy(mac_keyed_key, key, MAC_KEY_LEN);
	return EVP_MAC_CTX_dup(mac_keyed);
}

int
mac_compute(const uint8_t key[MAC_KEY_LEN], const char *domain,
    const struct mac_part *parts, size_t n, uint8_t out[MAC_LEN])
{
	EVP_MAC_CTX	*ctx;
	size_t		 i, outlen = 0;
	int		 rc = -1;
	static const uint8_t zero = 0;

	if ((ctx = mac_ctx(key)) == NULL ||
	    EVP_MAC_update(ctx, (const uint8_t *)domain, strlen(domain)) !=
	    1 || EVP_MAC_update(ctx, &zero, 1) != 1)
		goto out;
	for (i = 0; i < n; i++)
		if (parts[i].len > 0 &&
		    EVP_MAC_update(ctx, parts[i].p, parts[i].len) != 1)
			goto out;
	if (EVP_MAC_final(ctx, out, &outlen, MAC_LEN) != 1 ||
	    outlen != MAC_LEN)
		goto out;
	rc = 0;
 out:
	EVP_MAC_CTX_free(ctx);
	return rc;
}

bool
mac_equal(const uint8_t a[MAC_LEN], const uint8_t b[MAC_LEN])
{
	return CRYPTO_memcmp(a, b, MAC_LEN) == 0;
}

int
mac_release_token(const uint8_t key[MAC_KEY_LEN], const uint8_t digest[32],
    unsigned verdict, unsigned dir, const uint8_t policy_digest[32],
    uint8_t out[MAC_LEN])
{
	uint8_t			vd[2] = { (uint8_t)verdict, (uint8_t)dir };
	struct mac_part		parts[3] = {
		{ digest, 32 }, { vd, 2 }, { policy_digest, 32 } };

	return mac_compute(key, MAC_RELEASE, parts, 3, out);
}
