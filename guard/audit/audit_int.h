/*
 * audit_int.h - functions shared by the audit log's writer and reader; not
 * for other modules (they use auditlog.h).
 */
#ifndef MMGUARD_AUDIT_INT_H
#define MMGUARD_AUDIT_INT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "guard/audit/auditlog.h"

struct buf;

#define AUDIT_GENESIS	"0000000000000000000000000000000000000000000000000000000000000000"

/* Lowercase hex of n bytes into out (2n + 1 bytes). */
void	audit_hex(const uint8_t *, size_t n, char *out);
/* Exactly 2n lowercase hex digits into n bytes; -1 otherwise. */
int	audit_unhex(const char *s, size_t slen, uint8_t *out, size_t n);
/* Append the escaped form of n bytes; -1 when it does not fit. */
int	audit_escape(struct buf *, const char *, size_t n);
/* SHA-256 of a then b. */
void	audit_sha256(const void *a, size_t alen, const void *b, size_t blen,
	    uint8_t out[32]);
/* Ed25519 over msg: sign (-1 on failure), verify (1 good, 0 bad). */
int	audit_sign(EVP_PKEY *, const char *msg, size_t len,
	    uint8_t sig[AUDIT_SIG_LEN]);
int	audit_sig_check(EVP_PKEY *, const char *msg, size_t len,
	    const uint8_t sig[AUDIT_SIG_LEN]);
/* An Ed25519 public key from its raw 32 bytes; NULL on failure. */
EVP_PKEY *audit_pub_from_raw(const uint8_t raw[32]);
/* "audit-%020llu.log" for a first sequence number. */
void	audit_file_name(uint64_t seq, char out[AUDIT_NAME_LEN + 1]);
/* Whether s (n bytes) is such a name; its number in *seq. */
int	audit_file_name_parse(const char *s, size_t n, uint64_t *seq);
struct audit_verifier;
/* Feed one log file, opened relative to dirfd; -1 (err) on an I/O error. */
int	audit_verify_file(struct audit_verifier *, int dirfd, const char *name,
	    char *err, size_t errlen);
/* audit_record_parse(), without the line's hash when hash is 0. */
int	audit_record_check(const char *line, size_t len, struct audit_record *,
	    int hash, char *err, size_t errlen);
/* Every byte of s outside printable ASCII replaced by '?'. */
void	audit_printable(char *s);
/* A formatted error message into err (made printable); returns -1. */
int	audit_err(char *err, size_t errlen, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

#endif
