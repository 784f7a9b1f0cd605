/*
 * bench_ber.c - decode rate of the BER/DER cursor, next to OpenSSL's
 * ASN1_get_object() walking the same bytes in the same run.
 *
 * The input is a large nested DER structure shaped like X.400 traffic: a
 * SEQUENCE OF records, each with envelope-like SETs of tagged integers,
 * OIDs, printable strings, times and a content OCTET STRING.  Both walkers
 * visit every TLV, enter every constructed value and check every length
 * against its container; both must count the same number of TLVs.  The
 * figure is the best of several rounds (the least disturbed by the rest of
 * the machine).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>

#include "filters/ber/ber.h"
#include "guard/common/buf.h"
#include "guard/common/log.h"
#include "tests/bench/bench.h"

#define RECORDS		40000
#define ROUNDS		7

static void
make_input(struct buf *out)
{
	struct ber_enc	e;
	struct ber_time	tm = { .year = 2026, .mon = 11, .day = 29,
	    .hour = 8, .min = 46, .sec = 5 };
	uint8_t		content[96];
	int		i, k;

	memset(content, 0x5a, sizeof(content));
	ber_enc_init(&e, out, 0);
	ber_enc_begin(&e, BER_UNIV(BER_SEQUENCE));
	for (i = 0; i < RECORDS; i++) {
		ber_enc_begin(&e, BER_CTX(0));
		ber_enc_begin(&e, BER_UNIV(BER_SET));
		ber_enc_begin(&e, BER_APP(4));
		ber_enc_begin(&e, BER_APP(3));
		ber_put_string(&e, BER_APP(1), BER_PRINTABLE_STRING, "GB", 2);
		ber_put_string(&e, BER_APP(2), BER_PRINTABLE_STRING, "MOD", 3);
		ber_enc_end(&e);
		ber_put_string(&e, BER_UNIV(BER_IA5_STRING), BER_IA5_STRING,
		    "msg-000000001", 13);
		ber_enc_end(&e);
		ber_put_oid_text(&e, BER_UNIV(BER_OID), "1.3.26.0.4406.0.4.1");
		ber_put_int(&e, BER_APP(7), i % 3);
		ber_enc_begin(&e, BER_APP(9));
		for (k = 0; k < 3; k++) {
			ber_enc_begin(&e, BER_UNIV(BER_SEQUENCE));
			ber_put_time(&e, BER_CTX(0), BER_UTC_TIME, &tm);
			ber_put_int(&e, BER_CTX(2), k);
			ber_enc_end(&e);
		}
		ber_enc_end(&e);
		ber_enc_end(&e);
		ber_put_octets(&e, BER_UNIV(BER_OCTET_STRING), content,
		    sizeof(content));
		ber_enc_end(&e);
	}
	ber_enc_end(&e);
	if (ber_enc_finish(&e) == -1)
		fatalx("bench input: encoder error %d", e.err);
}

static size_t
walk_mmguard(const uint8_t *p, size_t len)
{
	struct ber_ctx		c;
	struct ber_reader	st[BER_DEFAULT_MAX_DEPTH + 1];
	struct ber_tlv		t;
	unsigned		sp = 0;
	size_t			count = 0;
	int			k;

	ber_ctx_init(&c, BER_MODE_DER, NULL, p, len);
	ber_reader_init(&st[0], &c);
	for (;;) {
		if ((k = ber_next(&st[sp], &t)) == -1)
			fatalx("mmguard walk: %s", ber_strerror(&c));
		if (k == 0) {
			if (sp == 0)
				break;
			sp--;
			continue;
		}
		count++;
		if (t.constructed) {
			if (ber_enter(&st[sp], &t, &st[sp + 1]) == -1)
				fatalx("mmguard walk: %s", ber_strerror(&c));
			sp++;
		}
	}
	ber_ctx_free(&c);
	return count;
}

static size_t
walk_openssl(const unsigned char *p, long len, int depth)
{
	const unsigned char	*end = p + len;
	long			 plen;
	int			 tag, cls, r;
	size_t			 count = 0;

	while (p < end) {
		r = ASN1_get_object(&p, &plen, &tag, &cls, end - p);
		if (r & 0x80)
			fatalx("openssl walk: ASN1_get_object error");
		count++;
		if (r & V_ASN1_CONSTRUCTED) {
			if (depth >= BER_DEFAULT_MAX_DEPTH)
				fatalx("openssl walk: too deep");
			count += walk_openssl(p, plen, depth + 1);
		}
		p += plen;
	}
	return count;
}

int
main(void)
{
	struct buf	in;
	double		t0, best_m = 1e9, best_o = 1e9, mb;
	size_t		nm = 0, no = 0;
	int		i;

	log_init("bench_ber", LOG_TO_STDERR, 0);
	buf_init(&in, 256u << 20);
	make_input(&in);
	mb = (double)in.len / 1e6;
	for (i = 0; i < ROUNDS; i++) {
		t0 = now();
		nm = walk_mmguard(in.data, in.len);
		t0 = now() - t0;
		if (t0 < best_m)
			best_m = t0;
		t0 = now();
		no = walk_openssl(in.data, (long)in.len, 0);
		t0 = now() - t0;
		if (t0 < best_o)
			best_o = t0;
	}
	if (nm != no)
		fatalx("walkers disagree: %zu vs %zu TLVs", nm, no);
	printf("ber decode: %.1f MB, %zu TLVs, best of %d rounds\n", mb, nm,
	    ROUNDS);
	printf("  mmguard ber_next/ber_enter:  %8.1f MB/s  %6.1f M TLVs/s\n",
	    mb / best_m, (double)nm / best_m / 1e6);
	printf("  OpenSSL ASN1_get_object:     %8.1f MB/s  %6.1f M TLVs/s\n",
	    mb / best_o, (double)no / best_o / 1e6);
	printf("  ratio mmguard/OpenSSL:       %8.2f (target >= 1.0)\n",
	    best_o / best_m);
	buf_free(&in);
	return 0;
}
