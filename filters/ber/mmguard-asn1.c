/*
 * mmguard-asn1 - check and print the BER/DER structure of a file.
 *
 * SYNOPSIS
 *	mmguard-asn1 [--der] [--offsets] [--max-depth N] FILE
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
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filters/ber/ber.h"
#include "guard/common/log.h"
#include "guard/common/xmalloc.h"

#define ASN1_MAX_INPUT	(256u * 1024 * 1024)

static int	opt_offsets;

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: mmguard-asn1 [--der] [--offsets] "
	    "[--max-depth N] FILE\n");
	exit(2);
}

static uint8_t *
read_input(const char *path, size_t *len)
{
	FILE	*f;
	uint8_t	*p = NULL;
	size_t	 cap = 0, n = 0, r;

	if (strcmp(path, "-") == 0)
		f = stdin;
	else if ((f = fopen(path, "rb")) == NULL) {
		log_warn("%s", path);
		exit(2);
	}
	for (;;) {
		if (n == cap) {
			if (cap >= ASN1_MAX_INPUT) {
				log_warnx("%s: larger than %u bytes", path,
				    ASN1_MAX_INPUT);
				exit(2);
			}
			cap = cap ? cap * 2 : 65536;
			p = xreallocarray(p, cap, 1);
		}
		r = fread(p + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		log_warn("%s: read", path);
		exit(2);
	}
	if (f != stdin)
		fclose(f);
	*len = n;
	return p;
}

static void
print_escaped(const uint8_t *s, size_t n)
{
	size_t	i;

	putchar('"');
	for (i = 0; i < n && i < 200; i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"' && s[i] != '\\')
			putchar(s[i]);
		else
			printf("\\x%02x", s[i]);
	}
	if (n > 200)
		printf("...");
	putchar('"');
}

static void
print_hex(const uint8_t *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n && i < 32; i++)
		printf("%02x", s[i]);
	if (n > 32)
		printf("... (%zu bytes)", n);
}

/* Decode and print the value of a universal primitive; -1 if invalid. */
static int
print_value(struct ber_ctx *c, const struct ber_tlv *t)
{
	uint32_t	 num = BER_TAG_NUMBER(t->tag);
	const uint8_t	*p;
	size_t		 n;
	int64_t		 v;
	bool		 b;
	struct ber_oid	 oid;
	struct ber_bits	 bits;
	struct ber_str	 s;
	struct ber_time	 tm;
	char		 text[BER_OID_TEXT_MAX];

	if (BER_TAG_CLASS(t->tag) != BER_CLASS_UNIVERSAL) {
		if (t->constructed)
			return 0;
		if (ber_get_octets(c, t, &p, &n) == -1)
			return -1;
		print_hex(p, n);
		return 0;
	}
	switch (num) {
	case BER_BOOLEAN:
		if (ber_get_bool(c, t, &b) == -1)
			return -1;
		printf("%s", b ? "TRUE" : "FALSE");
		break;
	case BER_INTEGER:
	case BER_ENUMERATED:
		if (t->len <= 8) {
			if (ber_get_int(c, t, INT64_MIN, INT64_MAX, &v) == -1)
				return -1;
			printf("%lld", (long long)v);
		} else {
			if (ber_get_bigint(c, t, &p, &n) == -1)
				return -1;
			printf("0x");
			print_hex(p, n);
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
			printf("(OID too long to print)");
		else
			printf("%s", text);
		break;
	case BER_BIT_STRING:
		if (ber_get_bits(c, t, &bits) == -1)
			return -1;
		printf("%zu bits ", bits.nbits);
		print_hex(bits.bytes, (bits.nbits + 7) / 8);
		break;
	case BER_OCTET_STRING:
		if (ber_get_octets(c, t, &p, &n) == -1)
			return -1;
		print_hex(p, n);
		break;
	case BER_UTC_TIME:
	case BER_GENERALIZED_TIME:
		if (ber_get_time(c, t, num, &tm) == -1)
			return -1;
		printf("%04d-%02d-%02d %02d:%02d:%02d", tm.year, tm.mon,
		    tm.day, tm.hour, tm.min, tm.sec);
		if (tm.nsec)
			printf(".%09u", (unsigned)tm.nsec);
		if (tm.has_tz)
			printf(" %+03d%02d", tm.tzoff / 60,
			    abs(tm.tzoff) % 60);
		break;
	default:
		if (ber_is_string_type(num)) {
			if (ber_get_string(c, t, num, &s) == -1)
				return -1;
			print_escaped(s.bytes, s.len);
		} else {
			if (ber_get_octets(c, t, &p, &n) == -1)
				return -1;
			print_hex(p, n);
		}
		break;
	}
	return 0;
}

static int
walk(struct ber_ctx *c, unsigned maxdepth)
{
	struct ber_reader	*stack;
	struct ber_tlv		 t;
	unsigned		 sp = 0;
	char			 name[40];
	size_t			 off, hl;
	int			 n;

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
		else {
			printf("%6zu %*s%s (%zu%s) ", off, (int)sp * 2, "",
			    name, t.len, t.indefinite ? ", indefinite" : "");
		}
		/* Constructed strings print reassembled, not entered. */
		if (!t.constructed || (BER_TAG_CLASS(t.tag) ==
		    BER_CLASS_UNIVERSAL && BER_TAG_NUMBER(t.tag) != BER_SET &&
		    BER_TAG_NUMBER(t.tag) != BER_SEQUENCE &&
		    BER_TAG_NUMBER(t.tag) != BER_EXTERNAL &&
		    BER_TAG_NUMBER(t.tag) != BER_EMBEDDED_PDV)) {
			if (opt_offsets) {
				if (print_value(c, &t) == -1)
					goto fail;
				continue;
			}
			if (print_value(c, &t) == -1) {
				putchar('\n');
				goto fail;
			}
			putchar('\n');
			continue;
		}
		if (!opt_offsets)
			putchar('\n');
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
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ber_limits	 lim;
	struct ber_ctx		 c;
	enum ber_mode		 mode = BER_MODE_BER;
	uint8_t			*in;
	size_t			 len;
	char			*end;
	long			 v;
	int			 ch, rc;

	log_init("mmguard-asn1", LOG_TO_STDERR, 0);
	ber_limits_default(&lim);
	while ((ch = getopt_long(argc, argv, "dom:h", longopts, NULL)) != -1) {
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
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();
	in = read_input(argv[optind], &len);
	ber_ctx_init(&c, mode, &lim, in, len);
	if (len == 0)
		ber_fail(&c, BER_E_TRUNCATED, in, "empty input");
	rc = len == 0 ? -1 : walk(&c, lim.max_depth);
	if (rc == -1) {
		fflush(stdout);
		fprintf(stderr, "%s: %s\n", argv[optind], ber_strerror(&c));
	}
	ber_ctx_free(&c);
	free(in);
	return rc == -1 ? 1 : 0;
}
