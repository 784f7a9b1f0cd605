/*
 * audit_fuzz.c - libFuzzer harness for the audit log reader: the line
 * parser, the verifier (chain, sequence, files, checkpoints, key
 * rotations, torn tails) and the head parser, on bytes an attacker wrote.
 *
 * Input: a log as files.  "@@ NAME\n" at the start of a line begins a file
 * called NAME; "@@ head\n" begins a head; without any "@@ " line the whole
 * input is one file.  The seeds (tests/fuzz/corpus/audit/, made by
 * tests/audit/make-fuzz-corpus.sh) are real logs written by the writer
 * with the key whose seed is below, so signatures verify and mutations
 * reach the deep checks.  Each input is read with the key, and
 * structurally both whole and in pieces cut at an input-derived place;
 * the readings must agree.  Every record accepted must re-escape to exactly its
 * stored bytes (one spelling per value), and an accepted checkpoint must
 * round-trip as a head.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "guard/audit/audit_int.h"
#include "guard/audit/auditlog.h"
#include "guard/common/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The fuzz corpus's key: these 32 bytes are its Ed25519 private seed. */
static const uint8_t	seed[32] = {
	0x6d, 0x6d, 0x67, 0x75, 0x61, 0x72, 0x64, 0x20, 0x61, 0x75, 0x64,
	0x69, 0x74, 0x20, 0x66, 0x75, 0x7a, 0x7a, 0x20, 0x6b, 0x65, 0x79,
	0x20, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38,
};
static EVP_PKEY		*key;

struct section {
	const uint8_t	*data;
	size_t		 len;
	char		 name[64];
};
#define MAX_SECTIONS	16

static int
canonical(void *arg, const char *file, uint64_t line,
    const struct audit_record *r)
{
	struct buf	b;
	size_t		i;

	(void)arg;
	(void)file;
	(void)line;
	buf_init(&b, AUDIT_LINE_MAX * 4);
	for (i = 0; i < r->ndetails; i++) {
		buf_reset(&b);
		if (audit_escape(&b, r->details[i].val, r->details[i].vlen) ==
		    -1 || b.len != r->details[i].rawlen || (b.len > 0 &&
		    memcmp(b.data, r->details[i].raw, b.len) != 0))
			abort();
	}
	buf_reset(&b);
	if (audit_escape(&b, r->msgid, r->msgidlen) == -1 ||
	    b.len != r->msgrawlen || (b.len > 0 &&
	    memcmp(b.data, r->msgraw, b.len) != 0))
		abort();
	buf_free(&b);
	return 0;
}

static int
run(const struct section *s, size_t n, const struct audit_head *head,
    unsigned flags, size_t cut, struct audit_report *rep)
{
	struct audit_verify_cb	 cb = { NULL, canonical, NULL };
	struct audit_verifier	*v;
	size_t			 i, c;
	int			 rc;

	v = audit_verifier_new(flags & AUDIT_VERIFY_NOSIG ? NULL : key, head,
	    flags, &cb);
	if (v == NULL)
		abort();
	for (i = 0; i < n; i++) {
		audit_verifier_file(v, s[i].name);
		c = cut % (s[i].len + 1);
		audit_verifier_data(v, s[i].data, c);
		audit_verifier_data(v, s[i].data + c, s[i].len - c);
		audit_verifier_file_end(v);
	}
	rc = audit_verifier_end(v, rep);
	audit_verifier_free(v);
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct audit_report	a, b, c;
	static struct audit_head	head, back;
	static char			text[AUDIT_HEAD_TEXT_MAX];
	struct section			s[MAX_SECTIONS];
	const uint8_t			*p = data, *end = data + size, *nl;
	const uint8_t			*hdata = NULL;
	size_t				 n = 0, hlen = 0, cut, i;
	char				 err[256];
	int				 have_head = 0, in_head = 0, ra, rb, rc;

	if (key == NULL && (key = EVP_PKEY_new_raw_private_key(
	    EVP_PKEY_ED25519, NULL, seed, sizeof(seed))) == NULL)
		abort();
	/* Split into sections. */
	memset(s, 0, sizeof(s));
	if (size < 3 || memcmp(data, "@@ ", 3) != 0) {
		s[0].data = data;
		s[0].len = size;
		memcpy(s[0].name, "audit-00000000000000000001.log", 31);
		n = 1;
	} else {
		while (p < end) {
			nl = memchr(p, '\n', (size_t)(end - p));
			if (nl == NULL)
				nl = end;
			if (nl - p >= 3 && memcmp(p, "@@ ", 3) == 0) {
				in_head = (size_t)(nl - p) == 7 &&
				    memcmp(p + 3, "head", 4) == 0;
				if (in_head) {
					/* The last head counts. */
					hdata = nl < end ? nl + 1 : end;
					hlen = 0;
				}
				else if (n < MAX_SECTIONS) {
					i = (size_t)(nl - p) - 3;
					if (i >= sizeof(s[n].name))
						i = sizeof(s[n].name) - 1;
					memcpy(s[n].name, p + 3, i);
					s[n].data = nl < end ? nl + 1 : end;
					n++;
				}
			} else if (in_head)
				hlen = (size_t)(nl - hdata) + (nl < end);
			else if (n > 0 && n <= MAX_SECTIONS)
				s[n - 1].len = (size_t)(nl - s[n - 1].data) +
				    (nl < end);
			p = nl < end ? nl + 1 : end;
		}
	}
	if (hdata != NULL && audit_head_parse((const char *)hdata, hlen, &head,
	    err, sizeof(err)) == 0)
		have_head = 1;

	cut = size > 0 ? data[size / 2] * 31u + size / 3 : 0;
	/*
	 * Signatures cost most of a run, so they are checked once (whole);
	 * the piece-wise reading is compared on structure alone.
	 */
	ra = run(s, n, have_head ? &head : NULL, 0, SIZE_MAX, &a);
	rb = run(s, n, NULL, AUDIT_VERIFY_NOSIG, SIZE_MAX, &b);
	rc = run(s, n, NULL, AUDIT_VERIFY_NOSIG, cut, &c);
	/* Pieces change nothing. */
	if (rb != rc || b.records != c.records || b.errors != c.errors ||
	    b.unsealed != c.unsealed || b.torn != c.torn ||
	    memcmp(b.last_hash, c.last_hash, 32) != 0)
		abort();
	if (a.unsealed > a.records || (ra == 0 && a.sealed_seq > a.last_seq))
		abort();
	/* A checkpoint the verifier accepted is a head that parses back. */
	if (ra == 0 && a.have_ckpt) {
		if (audit_head_format(&a.ckpt, text, sizeof(text)) == -1 ||
		    audit_head_parse(text, strlen(text), &back, err,
		    sizeof(err)) == -1 || back.seq != a.ckpt.seq ||
		    memcmp(back.hash, a.ckpt.hash, 32) != 0)
			abort();
	}
	/*
	 * Structure alone reads the same records, and finds no fault in a
	 * log that passed with its signatures.
	 */
	if (b.records != a.records || (ra == 0 && !have_head && rb != 0))
		abort();
	return 0;
}
