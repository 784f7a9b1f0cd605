/*
 * cms_int.h - what the CMS files share among themselves.
 */
#ifndef MMGUARD_CMS_INT_H
#define MMGUARD_CMS_INT_H

#include <stddef.h>

/*
 * Format a reason into err, with OpenSSL's first queued error after it
 * when there is one; clear OpenSSL's queue; return -1.
 */
int	cms_fail(char *err, size_t errsz, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

#include <openssl/evp.h>
#include <openssl/x509.h>

int	cms_load_signer(const char *certfile, const char *keyfile,
	    const char *chainfile, X509 **, EVP_PKEY **, STACK_OF(X509) **,
	    char *err, size_t errsz);

#endif
