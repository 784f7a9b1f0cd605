/*
 * ber_vectors.c - write values encoded by the guard's encoder, in DER and
 * in each BER variant, for independent decoders (tshark, openssl) to read.
 *
 *   ber_vectors DIR
 *
 * writes DIR/values.der and, for the X.690 Annex A record,
 * DIR/personnel.der, personnel-indefinite.ber, personnel-shuffled.ber and
 * personnel-segmented.ber.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filters/ber/ber.h"
#include "guard/common/buf.h"
#include "guard/common/log.h"

static void
put_name(struct ber_enc *e, const char *g, const char *i, const char *f)
{
	ber_enc_begin(e, BER_UNIV(BER_SEQUENCE));
	ber_put_string(e, BER_UNIV(BER_VISIBLE_STRING), BER_VISIBLE_STRING,
	    g, strlen(g));
	ber_put_string(e, BER_UNIV(BER_VISIBLE_STRING), BER_VISIBLE_STRING,
	    i, strlen(i));
	ber_put_string(e, BER_UNIV(BER_VISIBLE_STRING), BER_VISIBLE_STRING,
	    f, strlen(f));
	ber_enc_end(e);
}

/*
 * The Annex A record with universal tags only, so that a decoder with no
 * schema shows every value: SET { name, title, number, date, spouse,
 * children SEQUENCE OF SET { name, date } }.
 */
static void
personnel(struct ber_enc *e)
{
	ber_enc_begin_set(e, BER_UNIV(BER_SET));
	put_name(e, "John", "P", "Smith");
	ber_put_string(e, BER_UNIV(BER_PRINTABLE_STRING),
	    BER_PRINTABLE_STRING, "Director", 8);
	ber_put_int(e, BER_UNIV(BER_INTEGER), 51);
	ber_put_string(e, BER_UNIV(BER_NUMERIC_STRING), BER_NUMERIC_STRING,
	    "19710917", 8);
	ber_put_octets(e, BER_UNIV(BER_OCTET_STRING),
	    "spouse: Mary T Smith", 20);
	ber_enc_begin(e, BER_UNIV(BER_SEQUENCE));
	ber_enc_begin_setof(e, BER_UNIV(BER_SET));
	put_name(e, "Ralph", "T", "Smith");
	ber_put_string(e, BER_UNIV(BER_IA5_STRING), BER_IA5_STRING,
	    "19571111", 8);
	ber_enc_end(e);
	ber_enc_begin_setof(e, BER_UNIV(BER_SET));
	put_name(e, "Susan", "B", "Jones");
	ber_put_string(e, BER_UNIV(BER_IA5_STRING), BER_IA5_STRING,
	    "19590717", 8);
	ber_enc_end(e);
	ber_enc_end(e);
	ber_enc_end(e);
}

static void
values(struct ber_enc *e)
{
	static const uint8_t	bits[] = { 0x0a, 0x3b, 0x5f, 0x29, 0x1c, 0xd0 };
	struct ber_time		tm = { .year = 2026, .mon = 11, .day = 29,
	    .hour = 8, .min = 46, .sec = 5 };

	ber_enc_begin(e, BER_UNIV(BER_SEQUENCE));
	ber_put_int(e, BER_UNIV(BER_INTEGER), -129);
	ber_put_int(e, BER_UNIV(BER_INTEGER), 4406);
	ber_put_bool(e, BER_UNIV(BER_BOOLEAN), true);
	ber_put_null(e, BER_UNIV(BER_NULL));
	ber_put_oid_text(e, BER_UNIV(BER_OID), "1.3.26.0.4406.0.4.1");
	ber_put_oid_text(e, BER_UNIV(BER_OID), "1.2.840.113549.1.9.16.2.2");
	ber_put_bits(e, BER_UNIV(BER_BIT_STRING), bits, 44);
	ber_put_string(e, BER_UNIV(BER_UTF8_STRING), BER_UTF8_STRING,
	    "NATO SECRET", 11);
	ber_put_time(e, BER_UNIV(BER_UTC_TIME), BER_UTC_TIME, &tm);
	ber_put_time(e, BER_UNIV(BER_GENERALIZED_TIME), BER_GENERALIZED_TIME,
	    &tm);
	ber_put_int(e, BER_UNIV(BER_ENUMERATED), 2);
	ber_enc_end(e);
}

static void
emit(const char *dir, const char *name, void (*fn)(struct ber_enc *),
    unsigned variant)
{
	struct buf	out;
	struct ber_enc	e;
	char		path[4096];
	FILE		*f;

	buf_init(&out, 1 << 20);
	ber_enc_init(&e, &out, variant);
	fn(&e);
	if (ber_enc_finish(&e) == -1)
		fatalx("%s: encoder error %s", name,
		    ber_errstr((enum ber_err)e.err));
	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL ||
	    fwrite(out.data, 1, out.len, f) != out.len || fclose(f) != 0)
		fatal("%s", path);
	buf_free(&out);
}

int
main(int argc, char *argv[])
{
	log_init("ber_vectors", LOG_TO_STDERR, 0);
	if (argc != 2)
		fatalx("usage: ber_vectors DIR");
	emit(argv[1], "values.der", values, 0);
	emit(argv[1], "personnel.der", personnel, 0);
	emit(argv[1], "personnel-indefinite.ber", personnel,
	    BER_ENC_INDEFINITE);
	emit(argv[1], "personnel-shuffled.ber", personnel, BER_ENC_SHUFFLE);
	emit(argv[1], "personnel-segmented.ber", personnel,
	    BER_ENC_SEGMENTS | BER_ENC_INDEFINITE);
	return 0;
}
