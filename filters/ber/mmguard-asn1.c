/*
 * mmguard-asn1 - check and print the BER/DER structure of a file.
 *
 * SYNOPSIS
 *	mmguard-asn1 [--der] [--offsets] [--max-depth N] FILE
 *	mmguard-asn1 --reencode OUT FILE
 *
 * DESCRIPTION
 *	Decodes FILE (or standard input when FILE is -) as exactly one BER
 *	value with the guard's own codec, the one every inspection filter
 *	uses, and prints its tree: offset, tag, length and, for universal
 *	primitive types, the decoded value.  Every universal primitive is
 *	decoded with its type's rules (minimal INTEGERs, valid OBJECT
 *	IDENTIFIERs, character sets of string types, time syntax), so a file
 *	this tool accepts is one whose encoding the guard accepts.
 *
 *	--der		require canonical DER (definite minimal lengths,
 *			primitive strings, DER booleans, bit strings and
 *			times); SET ordering cannot be checked without the
 *			schema and is left to the type-aware decoders
 *	--offsets	print one line per TLV as "offset depth header-length
 *			length cons|prim tag", for comparison with other tools
 *	--max-depth N	nesting limit (default 48)
 *	--reencode OUT	instead of printing, write the value to OUT with
 *			definite minimal lengths and constructed strings
 *			reassembled (tags, nesting and contents unchanged):
 *			what a BER sender's indefinite-length encoding is
 *			in DER structure.  SET order is kept, as only the
 *			schema tells a SET from a SET OF.
 *
 * EXIT STATUS
 *	0 when the file decodes, 1 when it does not (the reason is printed as
 *	"FILE: offset N: reason"), 2 on a usage or I/O error.
 *
 * SECURITY
 *	An offline tool run by an operator or developer on a file they chose;
 *	no privileges, no network.  It reads a file that may be hostile: the
 *	decoder below is the same one the sandboxed filters use, with the
 *	same limits, and is fuzzed.  An attacker who crafted the file gains at
 *	most a wrong printout, never code execution, if the codec holds.
 */
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filters/ber/ber.h"
#include "guard/common/buf.h"
#include "guard/common/file.h"
#include "guard/common/log.h"
#include "guard/common/xmalloc.h"

#define ASN1_MAX_INPUT	(256u * 1024 * 1024)

static int	opt_offsets;

static void __attribute__((noreturn))
usage(int full)
{
	FILE	*f = full ? stdout : stderr;

	fprintf(f, "usage: mmguard-asn1 [--der] [--offsets] [--max-depth N] "
	    "FILE\n"
	    "       mmguard-asn1 --reencode OUT FILE\n");
	if (!full)
		exit(2);
	fprintf(f, "\n"
	    "Decode FILE (- for standard input) as exactly one BER value with\n"
	    "the guard's own codec and print its tree: offset, tag, length and,\n"
	    "for universal types, the value decoded by that type's rules.  A\n"
	    "file this tool accepts is one whose encoding the guard accepts.\n"
	    "\n"
	    "  --der           require DER: definite minimal lengths, primitive\n"
	    "                  strings, DER booleans, bit strings and times\n"
	    "  --offsets       one line per TLV: offset depth header-length\n"
	    "                  length cons|prim tag (compare with other tools)\n"
	    "  --max-depth N   nesting limit (1 to 1024, default %d)\n"
	    "  --reencode OUT  write the value to OUT with definite minimal\n"
	    "                  lengths and constructed strings reassembled;\n"
	    "                  tags, nesting, contents and SET order unchanged\n"
	    "\n"
	    "Exit status: 0 when the file decodes; 1 when it does not, with\n"
	    "\"FILE: offset N: reason\" on standard error; 2 on usage or I/O\n"
	    "errors.\n", BER_DEFAULT_MAX_DEPTH);
	exit(0);
}

static uint8_t *
read_input(const char *path, size_t *len)
{
	char	*p;

	if ((p = file_read(path, ASN1_MAX_INPUT, len)) == NULL) {
		log_warn("%s", path);
		exit(2);
	}
	return (uint8_t *)p;
}

/* The printed value of one TLV, built in a bounded buffer. */
struct vbuf {
	char	s[1024];
	size_t	n;
};

static void vb_add(struct vbuf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
vb_add(struct vbuf *v, const char *fmt, ...)
{
	va_list	ap;
	int	r;

	if (v->n >= sizeof(v->s) - 1)
		return;
	va_start(ap, fmt);
	r = vsnprintf(v->s + v->n, sizeof(v->s) - v->n, fmt, ap);
	va_end(ap);
	if (r > 0)
		v->n += (size_t)r;
	if (v->n > sizeof(v->s) - 1)
		v->n = sizeof(v->s) - 1;
}

static void
vb_escaped(struct vbuf *v, const uint8_t *s, size_t n)
{
	size_t	i;

	vb_add(v, "\"");
	for (i = 0; i < n && i < 200; i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"' && s[i] != '\\')
			vb_add(v, "%c", s[i]);
		else
			vb_add(v, "\\x%02x", s[i]);
	}
	vb_add(v, "%s\"", n > 200 ? "..." : "");
}

static void
vb_hex(struct vbuf *v, const uint8_t *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n && i < 32; i++)
		vb_add(v, "%02x", s[i]);
	if (n > 32)
		vb_add(v, "... (%zu bytes)", n);
}

/* Decode the value of a primitive (or a constructed string); -1 if bad. */
static int
format_value(struct ber_ctx *c, const struct ber_tlv *t, struct vbuf *v)
{
	uint32_t	 num = BER_TAG_NUMBER(t->tag);
	const uint8_t	*p;
	size_t		 n;
	int64_t		 i;
	bool		 b;
	struct ber_oid	 oid;
	struct ber_bits	 bits;
	struct ber_str	 s;
	struct ber_time	 tm;
	char		 text[BER_OID_TEXT_MAX];

	v->n = 0;
	v->s[0] = '\0';
	if (BER_TAG_CLASS(t->tag) != BER_CLASS_UNIVERSAL) {
		if (ber_get_octets(c, t, &p, &n) == -1)
			return -1;
		vb_hex(v, p, n);
		return 0;
	}
	switch (num) {
	case BER_BOOLEAN:
		if (ber_get_bool(c, t, &b) == -1)
			return -1;
		vb_add(v, "%s", b ? "TRUE" : "FALSE");
		break;
	case BER_INTEGER:
	case BER_ENUMERATED:
		if (t->len <= 8) {
			if (ber_get_int(c, t, INT64_MIN, INT64_MAX, &i) == -1)
				return -1;
			vb_add(v, "%lld", (long long)i);
		} else {
			if (ber_get_bigint(c, t, &p, &n) == -1)
				return -1;
			vb_add(v, "0x");
			vb_hex(v, p, n);
		}
		break;
	case BER_NULL:
		if (ber_get_null(c, t) == -1)
			return -1;
		break;
	case BER_OID:
		if (ber_get_oid(c, t, &oid) == -1)
			return -1;
		if (ber_oid_text(&oid, text, sizeof(text)) == -1)
			vb_add(v, "(too long to print)");
		else
			vb_add(v, "%s", text);
		break;
	case BER_BIT_STRING:
		if (ber_get_bits(c, t, &bits) == -1)
			return -1;
		vb_add(v, "%zu bits ", bits.nbits);
		vb_hex(v, bits.bytes, (bits.nbits + 7) / 8);
		break;
	case BER_UTC_TIME:
	case BER_GENERALIZED_TIME:
		if (ber_get_time(c, t, num, &tm) == -1)
			return -1;
		vb_add(v, "%04d-%02d-%02d %02d:%02d:%02d", tm.year, tm.mon,
		    tm.day, tm.hour, tm.min, tm.sec);
		if (tm.nsec)
			vb_add(v, ".%09u", (unsigned)tm.nsec);
		if (tm.has_tz)
			vb_add(v, " %c%02d%02d", tm.tzoff < 0 ? '-' : '+',
			    abs(tm.tzoff) / 60, abs(tm.tzoff) % 60);
		break;
	default:
		if (ber_is_string_type(num)) {
			if (ber_get_string(c, t, num, &s) == -1)
				return -1;
			vb_escaped(v, s.bytes, s.len);
		} else {
			if (ber_get_octets(c, t, &p, &n) == -1)
				return -1;
			vb_hex(v, p, n);
		}
		break;
	}
	return 0;
}

/* Universal constructed types that hold components, not string segments. */
static bool
is_structure(uint32_t tag)
{
	uint32_t	n = BER_TAG_NUMBER(tag);

	return BER_TAG_CLASS(tag) != BER_CLASS_UNIVERSAL ||
	    n == BER_SEQUENCE || n == BER_SET || n == BER_EXTERNAL ||
	    n == BER_EMBEDDED_PDV;
}

static int
walk(struct ber_ctx *c, unsigned maxdepth)
{
	struct ber_reader	*stack;
	struct ber_tlv		 t;
	unsigned		 sp = 0;
	char			 name[40];
	size_t			 off, hl;
	struct vbuf		 v;
	int			 n, rc;

	stack = xcalloc(maxdepth + 1, sizeof(*stack));
	ber_reader_init(&stack[0], c);
	for (;;) {
		if ((n = ber_next(&stack[sp], &t)) == -1)
			goto fail;
		if (n == 0) {
			if (sp == 0)
				break;
			sp--;
			continue;
		}
		if (sp == 0 && stack[0].count > 1) {
			ber_fail(c, BER_E_TRAILING, t.raw,
			    "data after the first value");
			goto fail;
		}
		off = (size_t)(t.raw - c->base);
		hl = (size_t)(t.val - t.raw);
		(void)ber_tag_name(t.tag, name, sizeof(name));
		if (opt_offsets)
			printf("%zu %u %zu %zu %s %s\n", off, sp, hl, t.len,
			    t.constructed ? "cons" : "prim", name);
		else
			printf("%6zu %*s%s (%zu%s)", off, (int)sp * 2, "",
			    name, t.len, t.indefinite ? ", indefinite" : "");
		if (t.constructed && is_structure(t.tag)) {
			if (!opt_offsets)
				putchar('\n');
		} else {
			/* Constructed strings print reassembled. */
			rc = format_value(c, &t, &v);
			if (!opt_offsets)
				printf("%s%s\n", v.n ? " " : "", v.s);
			if (rc == -1)
				goto fail;
			continue;
		}
		if (ber_enter(&stack[sp], &t, &stack[sp + 1]) == -1)
			goto fail;
		sp++;
	}
	free(stack);
	return 0;
fail:
	free(stack);
	return -1;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "der",	no_argument,		NULL, 'd' },
		{ "offsets",	no_argument,		NULL, 'o' },
		{ "max-depth",	required_argument,	NULL, 'm' },
		{ "reencode",	required_argument,	NULL, 'r' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ber_limits	 lim;
	struct ber_ctx		 c;
	enum ber_mode		 mode = BER_MODE_BER;
	uint8_t			*in;
	size_t			 len;
	char			*end;
	const char		*reencode = NULL;
	struct buf		 out;
	long			 v;
	int			 ch, rc;

	log_init("mmguard-asn1", LOG_TO_STDERR, 0);
	ber_limits_default(&lim);
	while ((ch = getopt_long(argc, argv, "dom:r:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			mode = BER_MODE_DER;
			break;
		case 'o':
			opt_offsets = 1;
			break;
		case 'm':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end != '\0' || v < 1 || v > 1024)
				fatalx("--max-depth: 1 to 1024, not %s",
				    optarg);
			lim.max_depth = (unsigned)v;
			break;
		case 'r':
			reencode = optarg;
			break;
		case 'h':
			usage(1);
		default:
			usage(0);
		}
	}
	if (argc - optind != 1)
		usage(0);
	in = read_input(argv[optind], &len);
	ber_ctx_init(&c, mode, &lim, in, len);
	if (len == 0)
		ber_fail(&c, BER_E_TRUNCATED, in, "empty input");
	if (reencode != NULL) {
		buf_init(&out, 2 * len + 1024);
		rc = ber_reencode(&c, &out);
		if (rc == 0) {
			if (file_write(reencode, out.data, out.len) == -1)
				fatal("%s", reencode);
		}
		buf_free(&out);
	} else
		rc = len == 0 ? -1 : walk(&c, lim.max_depth);
	if (rc == -1) {
		fflush(stdout);
		fprintf(stderr, "%s: %s\n", argv[optind], ber_strerror(&c));
	}
	ber_ctx_free(&c);
	free(in);
	return rc == -1 ? 1 : 0;
}
