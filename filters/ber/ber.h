/*
 * ber.h - the BER/DER codec every parser of untrusted bytes in mmguard
 * stands on: X.400 P1 and P772, CMS/ESS fragments, OSI PDUs, DISP.
 *
 * Why it is written here rather than taken from a library.  The guard needs,
 * all at once:
 *   - BER as real MTAs send it: indefinite lengths, constructed strings,
 *     SET components in any order, long-form lengths that are not minimal;
 *   - and DER, checked strictly, for what must be canonical (signed
 *     attributes, what the guard itself emits);
 *   - a precise error with the byte offset for every rejection, because a
 *     security officer must be told exactly why a message was refused;
 *   - hard limits on depth, element count, total work and memory that hold
 *     for any input, fixed before decoding starts;
 *   - zero-copy reads, so that a 2 MB body part is not copied to be looked at;
 *   - a DER encoder for what the guard writes (reports, trace, tests).
 * OpenSSL's ASN1 templates cannot decode a SET whose components are out of
 * order and report errors without offsets; asn1c and libtasn1 generate or
 * interpret whole-module decoders that allocate freely and give no precise
 * offsets; none of them offers both strictness modes over one cursor.  The
 * codec is small (one cursor, one encoder) and fuzzed; it is what the guard's
 * assurance case rests on, so it is kept where it can be read in one sitting.
 *
 * Model.  A struct ber_ctx holds one decode: the input, the mode, the limits,
 * the error and an arena with a fixed byte budget (the only memory a decode
 * allocates: reassembled constructed strings and whatever the caller asks
 * for with ber_alloc).  A struct ber_reader is a cursor over the contents of
 * one constructed value; ber_next() reads one TLV, ber_enter() opens a cursor
 * over a constructed TLV's contents.  Nothing recurses on input structure
 * except the reassembly of constructed strings, which the depth limit bounds.
 * Every function that can fail returns -1 after recording, in the context,
 * an error code, the absolute offset of the offending byte and a short text.
 */
#ifndef MMGUARD_BER_H
#define MMGUARD_BER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct buf;

enum ber_mode {
	BER_MODE_BER = 0,	/* any legal BER */
	BER_MODE_DER = 1	/* canonical DER only */
};

/*
 * Tags are kept as one number: class in bits 28-29, tag number below.  This
 * orders tags the way X.690 orders SET components in DER: universal,
 * application, context, private, then by number.
 */
#define BER_CLASS_UNIVERSAL	0u
#define BER_CLASS_APPLICATION	1u
#define BER_CLASS_CONTEXT	2u
#define BER_CLASS_PRIVATE	3u

#define BER_TAG(cls, num)	(((uint32_t)(cls) << 28) | (uint32_t)(num))
#define BER_TAG_CLASS(t)	((unsigned)((t) >> 28) & 3u)
#define BER_TAG_NUMBER(t)	((uint32_t)(t) & 0x0fffffffu)
#define BER_TAG_NUMBER_MAX	0x0fffffffu
#define BER_UNIV(n)		BER_TAG(BER_CLASS_UNIVERSAL, n)
#define BER_APP(n)		BER_TAG(BER_CLASS_APPLICATION, n)
#define BER_CTX(n)		BER_TAG(BER_CLASS_CONTEXT, n)
#define BER_PRIV(n)		BER_TAG(BER_CLASS_PRIVATE, n)

/* Universal tag numbers. */
enum ber_universal {
	BER_EOC = 0, BER_BOOLEAN = 1, BER_INTEGER = 2, BER_BIT_STRING = 3,
	BER_OCTET_STRING = 4, BER_NULL = 5, BER_OID = 6,
	BER_OBJECT_DESCRIPTOR = 7, BER_EXTERNAL = 8, BER_REAL = 9,
	BER_ENUMERATED = 10, BER_EMBEDDED_PDV = 11, BER_UTF8_STRING = 12,
	BER_RELATIVE_OID = 13, BER_SEQUENCE = 16, BER_SET = 17,
	BER_NUMERIC_STRING = 18, BER_PRINTABLE_STRING = 19,
	BER_TELETEX_STRING = 20, BER_VIDEOTEX_STRING = 21,
	BER_IA5_STRING = 22, BER_UTC_TIME = 23, BER_GENERALIZED_TIME = 24,
	BER_GRAPHIC_STRING = 25, BER_VISIBLE_STRING = 26,
	BER_GENERAL_STRING = 27, BER_UNIVERSAL_STRING = 28,
	BER_BMP_STRING = 30
};

/* Error codes; ber_errstr() names them. */
enum ber_err {
	BER_OK = 0,
	BER_E_TRUNCATED,	/* input ends inside a header or value */
	BER_E_OVERRUN,		/* a length runs past its container */
	BER_E_TAG,		/* bad tag encoding */
	BER_E_LENGTH,		/* bad length encoding */
	BER_E_INDEFINITE,	/* indefinite length where not allowed */
	BER_E_EOC,		/* end-of-contents misplaced or malformed */
	BER_E_FORM,		/* primitive/constructed form not allowed */
	BER_E_DEPTH,		/* nesting deeper than the limit */
	BER_E_COUNT,		/* more elements than the limit */
	BER_E_WORK,		/* more headers read than the work limit */
	BER_E_BUDGET,		/* memory or output budget exhausted */
	BER_E_TRAILING,		/* bytes left after the last component */
	BER_E_UNEXPECTED,	/* a component with the wrong tag */
	BER_E_MISSING,		/* a mandatory component is absent */
	BER_E_DUPLICATE,	/* a SET component appears twice */
	BER_E_ORDER,		/* DER: SET or SET OF not in canonical order */
	BER_E_INTEGER,		/* bad INTEGER/ENUMERATED encoding */
	BER_E_RANGE,		/* value outside the allowed range */
	BER_E_BOOLEAN,		/* bad BOOLEAN */
	BER_E_NULL,		/* bad NULL */
	BER_E_BITSTRING,	/* bad BIT STRING */
	BER_E_OID,		/* bad OBJECT IDENTIFIER */
	BER_E_CHARSET,		/* character not allowed in the string type */
	BER_E_TIME,		/* bad UTCTime/GeneralizedTime */
	BER_E_STATE,		/* codec used wrongly (a bug in the caller) */
	BER_E__COUNT
};

struct ber_error {
	enum ber_err	 code;
	size_t		 offset;	/* absolute offset of the offending byte */
	char		 text[160];	/* what exactly was wrong */
};

struct ber_limits {
	unsigned	 max_depth;	/* nesting of constructed values */
	size_t		 max_elements;	/* elements in one constructed value */
	size_t		 max_work;	/* headers read by indefinite scans */
	size_t		 max_alloc;	/* bytes the arena may hand out */
	unsigned	 max_oid_arcs;	/* arcs in one OBJECT IDENTIFIER */
};

/* Safe defaults: ber_limits_default() returns them. */
#define BER_DEFAULT_MAX_DEPTH		48
#define BER_DEFAULT_MAX_ELEMENTS	65536
#define BER_DEFAULT_MAX_WORK		(16u * 1024 * 1024)
#define BER_DEFAULT_MAX_ALLOC		(64u * 1024 * 1024)
#define BER_DEFAULT_MAX_OID_ARCS	64

struct ber_arena_block;

struct ber_ctx {
	enum ber_mode		 mode;
	struct ber_limits	 lim;
	const uint8_t		*base;		/* the whole input */
	size_t			 size;
	size_t			 origin;	/* added to reported offsets */
	size_t			 work;		/* headers read so far */
	size_t			 allocated;	/* arena bytes handed out */
	struct ber_arena_block	*arena;
	struct ber_error	 err;
};

/* One TLV as read from the input; pointers point into the input. */
struct ber_tlv {
	uint32_t	 tag;		/* BER_TAG(class, number) */
	bool		 constructed;
	bool		 indefinite;	/* length was 0x80 (BER only) */
	const uint8_t	*raw;		/* identifier octet */
	size_t		 rawlen;	/* header + contents (+ EOC) */
	const uint8_t	*val;		/* contents, EOC excluded */
	size_t		 len;
};

/* A cursor over the contents of one constructed value (or the input). */
struct ber_reader {
	struct ber_ctx	*ctx;
	const uint8_t	*p;
	const uint8_t	*end;
	unsigned	 depth;
	size_t		 count;		/* elements read so far */
	bool		 setof;		/* DER: check SET OF ordering */
	const uint8_t	*prev;		/* previous element, for that check */
	size_t		 prevlen;
};

/* Context, limits and errors. */
void		 ber_limits_default(struct ber_limits *);
void		 ber_ctx_init(struct ber_ctx *, enum ber_mode,
		    const struct ber_limits *, const void *, size_t);
void		 ber_ctx_free(struct ber_ctx *);
int		 ber_fail(struct ber_ctx *, enum ber_err, const uint8_t *at,
		    const char *fmt, ...)
		    __attribute__((format(printf, 4, 5), cold));
const char	*ber_errstr(enum ber_err);
const char	*ber_strerror(const struct ber_ctx *);
void		*ber_alloc(struct ber_ctx *, size_t, const uint8_t *at);
int		 ber_tag_name(uint32_t tag, char *, size_t);

/* The cursor. */
void		 ber_reader_init(struct ber_reader *, struct ber_ctx *);
static inline int ber_next(struct ber_reader *, struct ber_tlv *);
int		 ber_next_full(struct ber_reader *, struct ber_tlv *);
int		 ber_peek(const struct ber_reader *, struct ber_tlv *);
int		 ber_expect(struct ber_reader *, uint32_t tag, struct ber_tlv *);
int		 ber_optional(struct ber_reader *, uint32_t tag,
		    struct ber_tlv *);
static inline int ber_enter(const struct ber_reader *,
		    const struct ber_tlv *, struct ber_reader *);
int		 ber_enter_fail(const struct ber_reader *,
		    const struct ber_tlv *);
int		 ber_enter_setof(const struct ber_reader *,
		    const struct ber_tlv *, struct ber_reader *);
int		 ber_end(struct ber_reader *);
bool		 ber_at_end(const struct ber_reader *);
int		 ber_decode_one(struct ber_ctx *, struct ber_tlv *);

/*
 * SET decoding: components matched by tag in any order (in DER, the order is
 * checked too).  Each field lists up to four tags it accepts (an untagged
 * CHOICE has several) and whether it is mandatory.  Unknown tags are errors.
 */
#define BER_SET_MAX_ALTS	4
struct ber_set_field {
	uint32_t	 tags[BER_SET_MAX_ALTS];
	unsigned	 ntags;
	bool		 mandatory;
	const char	*name;		/* for error texts */
	bool		 present;	/* out */
	struct ber_tlv	 tlv;		/* out */
};
int		 ber_set_decode(struct ber_reader *, struct ber_set_field *,
		    size_t nfields);

/* Typed reads of a TLV's contents.  The tag is the caller's business. */
int		 ber_get_int(struct ber_ctx *, const struct ber_tlv *,
		    int64_t min, int64_t max, int64_t *);
int		 ber_get_bigint(struct ber_ctx *, const struct ber_tlv *,
		    const uint8_t **, size_t *);
int		 ber_get_bool(struct ber_ctx *, const struct ber_tlv *, bool *);
int		 ber_get_null(struct ber_ctx *, const struct ber_tlv *);
int		 ber_get_octets(struct ber_ctx *, const struct ber_tlv *,
		    const uint8_t **, size_t *);

struct ber_bits {
	const uint8_t	*bytes;
	size_t		 nbits;
};
int		 ber_get_bits(struct ber_ctx *, const struct ber_tlv *,
		    struct ber_bits *);
bool		 ber_bit(const struct ber_bits *, size_t bit);

/* An OBJECT IDENTIFIER, validated, as its content octets. */
#define BER_OID_TEXT_MAX	256
struct ber_oid {
	const uint8_t	*der;
	size_t		 len;
};
int		 ber_get_oid(struct ber_ctx *, const struct ber_tlv *,
		    struct ber_oid *);
int		 ber_oid_text(const struct ber_oid *, char *, size_t);
bool		 ber_oid_is(const struct ber_oid *, const char *dotted);
bool		 ber_oid_eq(const struct ber_oid *, const struct ber_oid *);
int		 ber_oid_from_text(const char *, uint8_t *, size_t, size_t *);

/* Character strings, checked against their type's repertoire. */
struct ber_str {
	unsigned	 type;		/* BER_PRINTABLE_STRING, ... */
	const uint8_t	*bytes;		/* as encoded (not converted) */
	size_t		 len;
};
int		 ber_get_string(struct ber_ctx *, const struct ber_tlv *,
		    unsigned type, struct ber_str *);
bool		 ber_is_string_type(unsigned type);
int		 ber_check_charset(unsigned type, const uint8_t *, size_t,
		    size_t *badoff, const char **why);

struct ber_time {
	int		 year, mon, day, hour, min, sec;
	uint32_t	 nsec;
	bool		 has_tz;	/* false: local time, no zone given */
	int		 tzoff;		/* minutes east of UTC */
};
int		 ber_get_time(struct ber_ctx *, const struct ber_tlv *,
		    unsigned type, struct ber_time *);
int		 ber_time_to_epoch(const struct ber_time *, time_t *);

/*
 * The encoder writes DER into a bounded buffer.  Constructed values are
 * opened and closed; their lengths are filled in when they close.  SETs and
 * SET OFs are sorted when they close.  Errors are sticky: after the first,
 * every call does nothing and ber_enc_finish() reports it.
 *
 * For tests, a variant may be asked for that is legal BER but not DER:
 * indefinite lengths, SET components in reverse canonical order, strings
 * split into constructed segments.
 */
#define BER_ENC_MAX_DEPTH	64
#define BER_ENC_INDEFINITE	0x01
#define BER_ENC_SHUFFLE		0x02
#define BER_ENC_SEGMENTS	0x04

struct ber_enc {
	struct buf	*out;
	unsigned	 variant;
	unsigned	 depth;
	int		 err;		/* enum ber_err, sticky */
	struct {
		size_t	 lenpos;	/* offset of the first length octet */
		size_t	 content;	/* offset of the contents */
		uint8_t	 kind;		/* plain, SET, SET OF */
	} stack[BER_ENC_MAX_DEPTH];
};

void		 ber_enc_init(struct ber_enc *, struct buf *, unsigned variant);
int		 ber_enc_finish(struct ber_enc *);
void		 ber_enc_begin(struct ber_enc *, uint32_t tag);
void		 ber_enc_begin_set(struct ber_enc *, uint32_t tag);
void		 ber_enc_begin_setof(struct ber_enc *, uint32_t tag);
void		 ber_enc_end(struct ber_enc *);
void		 ber_put_prim(struct ber_enc *, uint32_t tag, const void *,
		    size_t);
void		 ber_put_int(struct ber_enc *, uint32_t tag, int64_t);
void		 ber_put_bigint(struct ber_enc *, uint32_t tag,
		    const uint8_t *, size_t);
void		 ber_put_bool(struct ber_enc *, uint32_t tag, bool);
void		 ber_put_null(struct ber_enc *, uint32_t tag);
void		 ber_put_octets(struct ber_enc *, uint32_t tag, const void *,
		    size_t);
void		 ber_put_bits(struct ber_enc *, uint32_t tag, const uint8_t *,
		    size_t nbits);
void		 ber_put_named_bits(struct ber_enc *, uint32_t tag,
		    const uint8_t *, size_t nbits, size_t minbits);
void		 ber_put_oid(struct ber_enc *, uint32_t tag,
		    const struct ber_oid *);
void		 ber_put_oid_text(struct ber_enc *, uint32_t tag, const char *);
void		 ber_put_string(struct ber_enc *, uint32_t tag, unsigned type,
		    const void *, size_t);
void		 ber_put_time(struct ber_enc *, uint32_t tag, unsigned type,
		    const struct ber_time *);
void		 ber_put_raw(struct ber_enc *, const void *, size_t);
int		 ber_reencode(struct ber_ctx *, struct buf *);

/*
 * Universal identifier octets (0x00-0x3f) that need the full header parser,
 * as a bit mask: end-of-contents (0x00, 0x20), the high-tag-number form
 * (0x1f, 0x3f), types X.690 requires to be primitive (BOOLEAN, INTEGER,
 * NULL, OID, REAL, ENUMERATED, RELATIVE-OID) in constructed form, and types
 * it requires to be constructed (EXTERNAL, EMBEDDED PDV, SEQUENCE, SET) in
 * primitive form.  Of the other classes only the high-tag-number form does.
 */
#define BER_B_(id)	(UINT64_C(1) << (id))
#define BER_UNIV_SLOW	(BER_B_(0x00) | BER_B_(0x20) | BER_B_(0x1f) |	\
	BER_B_(0x3f) | BER_B_(0x21) | BER_B_(0x22) | BER_B_(0x25) |	\
	BER_B_(0x26) | BER_B_(0x29) | BER_B_(0x2a) | BER_B_(0x2d) |	\
	BER_B_(0x08) | BER_B_(0x0b) | BER_B_(0x10) | BER_B_(0x11))
#define BER_ID_SLOW(id)	(((id) & 0x1f) == 0x1f ||			\
	((id) < 0x40 && ((BER_UNIV_SLOW >> (id)) & 1) != 0))

/*
 * The next TLV at this level: 1 with t filled, 0 at the end of the level,
 * -1 on error.  Most TLVs in real traffic have a low tag number and a short
 * definite length; they are read here, inline.  Everything else - long
 * forms, indefinite lengths, form rules, limits, DER SET OF order, errors -
 * is ber_next_full()'s, which applies every rule to every case.
 */
static inline int
ber_next(struct ber_reader *r, struct ber_tlv *t)
{
	const uint8_t	*p = r->p;
	size_t		 left = (size_t)(r->end - p);
	uint8_t		 id, lb;

	if (left >= 2 && !r->setof && r->ctx->err.code == BER_OK &&
	    r->count < r->ctx->lim.max_elements) {
		id = p[0];
		lb = p[1];
		if (lb < 0x80 && lb <= left - 2 && !BER_ID_SLOW(id)) {
			t->tag = BER_TAG(id >> 6, id & 0x1f);
			t->constructed = (id & 0x20) != 0;
			t->indefinite = false;
			t->raw = p;
			t->val = p + 2;
			t->len = lb;
			t->rawlen = 2 + (size_t)lb;
			r->count++;
			r->p = p + 2 + lb;
			return 1;
		}
	}
	return ber_next_full(r, t);
}

/* A cursor over the contents of constructed t, one level deeper. */
static inline int
ber_enter(const struct ber_reader *r, const struct ber_tlv *t,
    struct ber_reader *child)
{
	if (r->ctx->err.code != BER_OK || !t->constructed ||
	    r->depth + 1 > r->ctx->lim.max_depth)
		return ber_enter_fail(r, t);
	child->ctx = r->ctx;
	child->p = t->val;
	child->end = t->val + t->len;
	child->depth = r->depth + 1;
	child->count = 0;
	child->setof = false;
	child->prev = NULL;
	child->prevlen = 0;
	return 0;
}

#endif
