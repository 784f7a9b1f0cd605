/*
 * p1.c - the X.400 P1 MTS-APDU (X.411 transfer): message, report and probe
 * envelopes, trace, per-recipient fields and extensions; then hands IPM and
 * P772 content to ipm.c.
 *
 * MTS-APDU ::= CHOICE { message [0] Message, report [1] Report,
 *                       probe [2] Probe }
 * Message  ::= SEQUENCE { envelope MessageTransferEnvelope (SET),
 *                         content OCTET STRING }
 *
 * The envelopes are SETs: their components may come in any order (and in
 * DER mode must come in tag order), each at most once; unknown components
 * are refused.  Extensions are all kept; the ones the guard understands are
 * decoded into fields and marked known; an unknown one critical for
 * transfer is counted in unknown_critical so that policy can refuse it.
 */
#include <string.h>

#include "filters/x400/x400_int.h"
#include "guard/common/buf.h"

void
x400_limits_default(struct x400_limits *l)
{
	l->max_size = X400_DEFAULT_MAX_SIZE;
	l->max_recipients = X400_DEFAULT_MAX_RECIPIENTS;
	l->max_extensions = X400_DEFAULT_MAX_EXTENSIONS;
	l->max_body_parts = X400_DEFAULT_MAX_BODY_PARTS;
	l->max_trace = X400_DEFAULT_MAX_TRACE;
	l->max_forward_depth = X400_DEFAULT_MAX_FORWARD_DEPTH;
}

static int
p1_init(struct x400_dec *d, enum ber_mode mode, const struct x400_limits *lim,
    const void *buf, size_t len)
{
	memset(d, 0, sizeof(*d));
	if (lim != NULL)
		d->lim = *lim;
	else
		x400_limits_default(&d->lim);
	ber_ctx_init(&d->c, mode, NULL, buf, len);
	if (len > d->lim.max_size)
		return ber_fail(&d->c, BER_E_BUDGET, buf,
		    "message of %zu bytes exceeds the limit of %zu", len,
		    d->lim.max_size);
	/* The arena may hold reassembled strings and the facts. */
	d->c.lim.max_alloc = len > SIZE_MAX / 4 ? SIZE_MAX : 4 * len + (1 << 20);
	return 0;
}

void
x400_dec_free(struct x400_dec *d)
{
	ber_ctx_free(&d->c);
}

const char *
x400_strerror(const struct x400_dec *d)
{
	return ber_strerror(&d->c);
}

/* MTSIdentifier ::= [APPLICATION 4] SEQUENCE { GDI, IA5String } */
static int
p1_mtsid(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, struct x400_mtsid *m)
{
	struct ber_reader	k;
	struct ber_tlv		u;

	if (ber_enter(r, t, &k) == -1 ||
	    ber_expect(&k, BER_APP(3), &u) == -1 ||
	    x400_gdi_dec(d, &k, &u, &m->gdi) == -1 ||
	    ber_expect(&k, BER_UNIV(BER_IA5_STRING), &u) == -1 ||
	    x400_string(d, &u, BER_IA5_STRING, &m->local) == -1 ||
	    ber_end(&k) == -1)
		return -1;
	if (m->local[0] == '\0' || strlen(m->local) > 32)
		return ber_fail(&d->c, BER_E_RANGE, u.raw,
		    "local identifier of %zu characters (1 to 32)",
		    strlen(m->local));
	return (m->text = x400_mtsid_text(d, m)) == NULL ? -1 : 0;
}

/*
 * TraceInformation ::= [APPLICATION 9] SEQUENCE OF SEQUENCE { GDI,
 *   DomainSuppliedInformation SET { arrival-time [0], routing-action [2],
 *   attempted-domain GDI OPTIONAL, deferred-time [1] OPTIONAL,
 *   converted-EITs OPTIONAL, other-actions [3] DEFAULT {} } }
 * InternalTraceInformation ::= SEQUENCE OF SEQUENCE { GDI, MTAName,
 *   MTASuppliedInformation SET { arrival-time [0], routing-action [2],
 *   attempted CHOICE { MTAName, GDI } OPTIONAL, the same additions } }
 */
static int
p1_trace(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, bool internal, struct x400_trace **out,
    unsigned *nout)
{
	enum { F_ARR, F_ACT, F_ATT, F_DEF, F_CONV, F_OTHER, F__N };
	struct ber_set_field	 f[F__N];
	struct ber_reader	 seq, el, set;
	struct ber_tlv		 u;
	struct x400_trace	*x;
	int			 n, i;

	if ((x = x400_seq_array(d, r, t, d->lim.max_trace, "trace elements",
	    "empty trace information", sizeof(*x), &seq, &n)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		memset(f, 0, sizeof(f));
		f[F_ARR] = (struct ber_set_field){ { BER_CTX(0) }, 1, true,
		    "arrival-time", false, { 0 } };
		f[F_ACT] = (struct ber_set_field){ { BER_CTX(2) }, 1, true,
		    "routing-action", false, { 0 } };
		f[F_ATT] = (struct ber_set_field){ { BER_APP(3),
		    BER_UNIV(BER_IA5_STRING) }, internal ? 2 : 1, false,
		    "attempted", false, { 0 } };
		f[F_DEF] = (struct ber_set_field){ { BER_CTX(1) }, 1, false,
		    "deferred-time", false, { 0 } };
		f[F_CONV] = (struct ber_set_field){ { BER_APP(5) }, 1, false,
		    "converted-encoded-information-types", false, { 0 } };
		f[F_OTHER] = (struct ber_set_field){ { BER_CTX(3) }, 1, false,
		    "other-actions", false, { 0 } };
		x[i].internal = internal;
		if (ber_expect(&seq, BER_UNIV(BER_SEQUENCE), &u) == -1 ||
		    ber_enter(&seq, &u, &el) == -1 ||
		    ber_expect(&el, BER_APP(3), &u) == -1 ||
		    x400_gdi_dec(d, &el, &u, &x[i].domain) == -1)
			return -1;
		if (internal && (ber_expect(&el, BER_UNIV(BER_IA5_STRING),
		    &u) == -1 || x400_string(d, &u, BER_IA5_STRING,
		    &x[i].mta) == -1))
			return -1;
		if (ber_expect(&el, BER_UNIV(BER_SET), &u) == -1 ||
		    ber_enter(&el, &u, &set) == -1 ||
		    ber_set_decode(&set, f, F__N) == -1 ||
		    ber_end(&el) == -1)
			return -1;
		if (x400_time(d, &f[F_ARR].tlv, BER_UTC_TIME,
		    &x[i].arrival) == -1 ||
		    x400_int(d, &f[F_ACT].tlv, 0, 1,
		    &x[i].routing_action) == -1)
			return -1;
		if (f[F_ATT].present) {
			if (f[F_ATT].tlv.tag == BER_APP(3)) {
				x[i].has_attempted_domain = true;
				if (x400_gdi_dec(d, &set, &f[F_ATT].tlv,
				    &x[i].attempted_domain) == -1)
					return -1;
			} else if (x400_string(d, &f[F_ATT].tlv,
			    BER_IA5_STRING, &x[i].attempted_mta) == -1)
				return -1;
		}
		if (f[F_DEF].present && x400_time(d, &f[F_DEF].tlv,
		    BER_UTC_TIME, &x[i].deferred) == -1)
			return -1;
		if (f[F_CONV].present && x400_eits_dec(d, &set, &f[F_CONV].tlv,
		    &x[i].converted) == -1)
			return -1;
		if (f[F_OTHER].present && x400_bits(d, &f[F_OTHER].tlv,
		    &x[i].other_actions) == -1)
			return -1;
	}
	*out = x;
	*nout = (unsigned)n;
	return ber_end(&seq);
}

/* The value TLV of an extension, as a one-element reader's content. */
static int
p1_ext_value(struct x400_dec *d, const struct x400_ext *x,
    struct ber_reader *r, struct ber_tlv *v)
{
	if (x->value == NULL)
		return ber_fail(&d->c, BER_E_MISSING, NULL,
		    "extension %lld has no value", (long long)x->number);
	memset(r, 0, sizeof(*r));
	r->ctx = &d->c;
	r->p = x->value;
	r->end = x->value + x->valuelen;
	r->depth = 8;
	return ber_next(r, v) == 1 ? 0 : -1;
}

static int
p1_enum_flag(struct x400_dec *d, const struct x400_ext *x, bool *flag)
{
	struct ber_reader	r;
	struct ber_tlv		v;
	int64_t			i;

	if (p1_ext_value(d, x, &r, &v) == -1)
		return -1;
	if (v.tag != BER_UNIV(BER_ENUMERATED))
		return ber_fail(&d->c, BER_E_UNEXPECTED, v.raw,
		    "extension %lld: expected ENUMERATED",
		    (long long)x->number);
	if (x400_int(d, &v, 0, 1, &i) == -1)
		return -1;
	*flag = i == 1;
	return 0;
}

/* DLExpansionHistory ::= SEQUENCE OF SEQUENCE { ORName, Time } */
static int
p1_dlexp(struct x400_dec *d, struct x400_envelope *env,
    const struct ber_reader *r, const struct ber_tlv *v)
{
	struct ber_reader	seq, el;
	struct ber_tlv		u;
	int			n, i;

	if (v->tag != BER_UNIV(BER_SEQUENCE) || ber_enter(r, v, &seq) == -1)
		return ber_fail(&d->c, BER_E_UNEXPECTED, v->raw,
		    "dl-expansion-history is not a SEQUENCE OF");
	if ((n = x400_count(d, &seq, 512, "DL expansions", v->raw)) == -1)
		return -1;
	if (n == 0)
		return ber_fail(&d->c, BER_E_RANGE, v->raw,
		    "empty dl-expansion-history");
	if ((env->dlexp = x400_array(d, (size_t)n, sizeof(*env->dlexp),
	    v->raw)) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (ber_expect(&seq, BER_UNIV(BER_SEQUENCE), &u) == -1 ||
		    ber_enter(&seq, &u, &el) == -1 ||
		    ber_expect(&el, BER_APP(0), &u) == -1 ||
		    x400_orname_dec(d, &el, &u, &env->dlexp[i].dl) == -1 ||
		    ber_expect(&el, BER_UNIV(BER_UTC_TIME), &u) == -1 ||
		    x400_time(d, &u, BER_UTC_TIME, &env->dlexp[i].time) == -1 ||
		    ber_end(&el) == -1)
			return -1;
	env->ndlexp = (unsigned)n;
	return 0;
}

/*
 * Decode the per-message extensions the guard understands into the
 * envelope; mark them known; count unknown ones critical for transfer.
 */
static int
p1_known_exts(struct x400_dec *d, struct x400_envelope *env,
    unsigned *unknown_critical)
{
	struct ber_reader	 r;
	struct ber_tlv		 v;
	struct x400_ext		*x;
	unsigned		 i;
	int64_t			 q;

	env->priority_qualifier = X400_ABSENT;
	for (i = 0; i < env->next; i++) {
		x = &env->ext[i];
		if (!x->standard) {
			if (strcmp(x->oid, X400_OID_PLQ) == 0) {
				if (p1_ext_value(d, x, &r, &v) == -1 ||
				    v.tag != BER_UNIV(BER_ENUMERATED) ||
				    x400_int(d, &v, 0, 1, &q) == -1)
					return ber_fail(&d->c, BER_E_UNEXPECTED,
					    x->value, "bad priority-level-"
					    "qualifier");
				env->priority_qualifier = q;
				x->known = true;
			}
		} else switch (x->number) {
		case X400_EXT_RECIPIENT_REASSIGNMENT_PROHIBITED:
			if (p1_enum_flag(d, x,
			    &env->recipient_reassignment_prohibited) == -1)
				return -1;
			x->known = true;
			break;
		case X400_EXT_DL_EXPANSION_PROHIBITED:
			if (p1_enum_flag(d, x,
			    &env->dl_expansion_prohibited) == -1)
				return -1;
			x->known = true;
			break;
		case X400_EXT_CONVERSION_WITH_LOSS_PROHIBITED:
			if (p1_enum_flag(d, x,
			    &env->conversion_with_loss_prohibited) == -1)
				return -1;
			x->known = true;
			break;
		case X400_EXT_LATEST_DELIVERY_TIME:
			if (p1_ext_value(d, x, &r, &v) == -1 ||
			    x400_time(d, &v, BER_UTC_TIME,
			    &env->latest_delivery) == -1)
				return -1;
			x->known = true;
			break;
		case X400_EXT_ORIGINATOR_RETURN_ADDRESS:
			if (p1_ext_value(d, x, &r, &v) == -1)
				return -1;
			if (v.tag != BER_UNIV(BER_SEQUENCE))
				return ber_fail(&d->c, BER_E_UNEXPECTED, v.raw,
				    "originator-return-address is not an "
				    "O/R address");
			if (x400_oraddress_dec(d, &r, &v,
			    &env->return_address) == -1)
				return -1;
			x->known = true;
			break;
		case X400_EXT_MESSAGE_SECURITY_LABEL:
			if (p1_ext_value(d, x, &r, &v) == -1)
				return -1;
			if (v.tag != BER_UNIV(BER_SET))
				return ber_fail(&d->c, BER_E_UNEXPECTED, v.raw,
				    "message-security-label is not a SET");
			if (x400_label_dec(d, &r, &v, &env->label) == -1)
				return -1;
			x->known = true;
			break;
		case X400_EXT_CONTENT_CORRELATOR:
			if (p1_ext_value(d, x, &r, &v) == -1)
				return -1;
			if (v.tag == BER_UNIV(BER_IA5_STRING)) {
				struct ber_str	s;

				if (ber_get_string(&d->c, &v, BER_IA5_STRING,
				    &s) == -1)
					return -1;
				env->correlator = s.bytes;
				env->correlator_len = s.len;
				env->correlator_ia5 = true;
			} else if (v.tag == BER_UNIV(BER_OCTET_STRING)) {
				if (ber_get_octets(&d->c, &v, &env->correlator,
				    &env->correlator_len) == -1)
					return -1;
			} else
				return ber_fail(&d->c, BER_E_UNEXPECTED, v.raw,
				    "content-correlator is neither IA5String "
				    "nor OCTET STRING");
			x->known = true;
			break;
		case X400_EXT_DL_EXPANSION_HISTORY:
			if (p1_ext_value(d, x, &r, &v) == -1 ||
			    p1_dlexp(d, env, &r, &v) == -1)
				return -1;
			x->known = true;
			break;
		case X400_EXT_INTERNAL_TRACE_INFORMATION:
			if (p1_ext_value(d, x, &r, &v) == -1)
				return -1;
			if (v.tag != BER_UNIV(BER_SEQUENCE))
				return ber_fail(&d->c, BER_E_UNEXPECTED, v.raw,
				    "internal-trace-information is not a "
				    "SEQUENCE OF");
			if (p1_trace(d, &r, &v, true, &env->itrace,
			    &env->nitrace) == -1)
				return -1;
			x->known = true;
			break;
		default:
			break;
		}
		if (!x->known && (x->crit & X400_CRIT_TRANSFER))
			(*unknown_critical)++;
	}
	return 0;
}

/* Per-recipient fields: message and probe share the layout. */
static int
p1_recipients(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, struct x400_envelope *env,
    unsigned *unknown_critical)
{
	enum { F_NAME, F_NUM, F_IND, F_CONV, F_EXT, F__N };
	struct ber_set_field	 f[F__N];
	struct ber_reader	 seq, set;
	struct ber_tlv		 u;
	struct x400_recipient	*x;
	int			 n, i, j;
	unsigned		 k;

	if ((x = x400_seq_array(d, r, t, d->lim.max_recipients, "recipients",
	    "no recipients", sizeof(*x), &seq, &n)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		memset(f, 0, sizeof(f));
		f[F_NAME] = (struct ber_set_field){ { BER_APP(0) }, 1, true,
		    "recipient-name", false, { 0 } };
		f[F_NUM] = (struct ber_set_field){ { BER_CTX(0) }, 1, true,
		    "originally-specified-recipient-number", false, { 0 } };
		f[F_IND] = (struct ber_set_field){ { BER_CTX(1) }, 1, true,
		    "per-recipient-indicators", false, { 0 } };
		f[F_CONV] = (struct ber_set_field){ { BER_CTX(2) }, 1, false,
		    "explicit-conversion", false, { 0 } };
		f[F_EXT] = (struct ber_set_field){ { BER_CTX(3) }, 1, false,
		    "extensions", false, { 0 } };
		x[i].explicit_conversion = X400_ABSENT;
		if (ber_expect(&seq, BER_UNIV(BER_SET), &u) == -1 ||
		    ber_enter(&seq, &u, &set) == -1 ||
		    ber_set_decode(&set, f, F__N) == -1 ||
		    x400_orname_dec(d, &set, &f[F_NAME].tlv, &x[i].name) == -1 ||
		    x400_int(d, &f[F_NUM].tlv, 1, d->lim.max_recipients,
		    &x[i].number) == -1 ||
		    x400_bits(d, &f[F_IND].tlv, &x[i].indicators) == -1)
			return -1;
		/* SIZE (8..ub-bit-options): fewer than 8 bits is an error. */
		if (x[i].indicators.nbits < 8)
			return ber_fail(&d->c, BER_E_BITSTRING, f[F_IND].tlv.raw,
			    "per-recipient-indicators of %u bits (at least 8)",
			    x[i].indicators.nbits);
		if (f[F_CONV].present && x400_int(d, &f[F_CONV].tlv, 0, 256,
		    &x[i].explicit_conversion) == -1)
			return -1;
		if (f[F_EXT].present && x400_exts_dec(d, &set, &f[F_EXT].tlv,
		    &x[i].ext, &x[i].next) == -1)
			return -1;
		for (k = 0; k < x[i].next; k++)
			if (x[i].ext[k].crit & X400_CRIT_TRANSFER)
				(*unknown_critical)++;
		for (j = 0; j < i; j++)
			if (x[j].number == x[i].number)
				return ber_fail(&d->c, BER_E_DUPLICATE, u.raw,
				    "recipient number %lld used twice",
				    (long long)x[i].number);
	}
	env->rcpt = x;
	env->nrcpt = (unsigned)n;
	return ber_end(&seq);
}

/* Message and probe transfer envelopes. */
static int
p1_envelope(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, bool probe, struct x400_msg *m)
{
	enum { F_ID, F_ORIG, F_EITS, F_CT, F_CID, F_PRIO, F_PMI, F_DDT,
	    F_BIL, F_TRACE, F_EXT, F_RCPT, F__N };
	struct ber_set_field	 f[F__N] = {
		[F_ID] = { { BER_APP(4) }, 1, true, "message-identifier",
		    false, { 0 } },
		[F_ORIG] = { { BER_APP(0) }, 1, true, "originator-name",
		    false, { 0 } },
		[F_EITS] = { { BER_APP(5) }, 1, false,
		    "original-encoded-information-types", false, { 0 } },
		[F_CT] = { { BER_APP(6), BER_UNIV(BER_OID) }, 2, true,
		    "content-type", false, { 0 } },
		[F_CID] = { { BER_APP(10) }, 1, false, "content-identifier",
		    false, { 0 } },
		[F_PRIO] = { { BER_APP(7) }, 1, false, "priority", false,
		    { 0 } },
		[F_PMI] = { { BER_APP(8) }, 1, false,
		    "per-message-indicators", false, { 0 } },
		[F_DDT] = { { BER_CTX(0) }, 1, false,
		    "deferred-delivery-time", false, { 0 } },
		[F_BIL] = { { BER_CTX(1) }, 1, false,
		    "per-domain-bilateral-information", false, { 0 } },
		[F_TRACE] = { { BER_APP(9) }, 1, true, "trace-information",
		    false, { 0 } },
		[F_EXT] = { { BER_CTX(3) }, 1, false, "extensions", false,
		    { 0 } },
		[F_RCPT] = { { BER_CTX(2) }, 1, true, "per-recipient-fields",
		    false, { 0 } },
	};
	struct x400_envelope	*env = &m->env;
	struct ber_reader	 set, k;
	int			 n;

	if (probe) {
		/* A probe has content-length [0], no deferred-delivery-time
		 * or priority, and its identifier is the probe-identifier. */
		f[F_ID].name = "probe-identifier";
		f[F_DDT].name = "content-length";
		f[F_PRIO].ntags = 0;
	}
	env->content_builtin = X400_ABSENT;
	env->content_length = X400_ABSENT;
	env->priority = 0;
	if (ber_enter(r, t, &set) == -1 || ber_set_decode(&set, f, F__N) == -1)
		return -1;
	if (p1_mtsid(d, &set, &f[F_ID].tlv, &env->id) == -1 ||
	    x400_orname_dec(d, &set, &f[F_ORIG].tlv, &env->originator) == -1)
		return -1;
	if (f[F_EITS].present && x400_eits_dec(d, &set, &f[F_EITS].tlv,
	    &env->original_eits) == -1)
		return -1;
	if (f[F_CT].tlv.tag == BER_APP(6)) {
		if (x400_int(d, &f[F_CT].tlv, 0, 1024,
		    &env->content_builtin) == -1)
			return -1;
	} else if (x400_oid(d, &f[F_CT].tlv, &env->content_oid) == -1)
		return -1;
	if (f[F_CID].present) {
		if (x400_string(d, &f[F_CID].tlv, BER_PRINTABLE_STRING,
		    &env->content_id) == -1)
			return -1;
		if (env->content_id[0] == '\0' || strlen(env->content_id) > 16)
			return ber_fail(&d->c, BER_E_RANGE, f[F_CID].tlv.raw,
			    "content identifier of %zu characters (1 to 16)",
			    strlen(env->content_id));
	}
	if (f[F_PRIO].present && x400_int(d, &f[F_PRIO].tlv, 0, 2,
	    &env->priority) == -1)
		return -1;
	if (f[F_PMI].present && x400_bits(d, &f[F_PMI].tlv,
	    &env->indicators) == -1)
		return -1;
	if (f[F_DDT].present) {
		if (probe) {
			if (x400_int(d, &f[F_DDT].tlv, 0, INT64_MAX,
			    &env->content_length) == -1)
				return -1;
		} else if (x400_time(d, &f[F_DDT].tlv, BER_UTC_TIME,
		    &env->deferred_delivery) == -1)
			return -1;
	}
	if (f[F_BIL].present) {
		/* Bilateral information: counted, kept as sent. */
		if (ber_enter(&set, &f[F_BIL].tlv, &k) == -1 ||
		    (n = x400_count(d, &k, d->lim.max_trace,
		    "bilateral information elements", f[F_BIL].tlv.raw)) == -1)
			return -1;
		env->nbilateral = (unsigned)n;
		env->bilateral_raw = f[F_BIL].tlv.raw;
		env->bilateral_rawlen = f[F_BIL].tlv.rawlen;
	}
	if (p1_trace(d, &set, &f[F_TRACE].tlv, false, &env->trace,
	    &env->ntrace) == -1)
		return -1;
	if (f[F_EXT].present && x400_exts_dec(d, &set, &f[F_EXT].tlv,
	    &env->ext, &env->next) == -1)
		return -1;
	if (p1_known_exts(d, env, &m->unknown_critical) == -1)
		return -1;
	/* Per-recipient extensions are kept, not interpreted: any of them
	 * critical for transfer counts as not understood. */
	return p1_recipients(d, &set, &f[F_RCPT].tlv, env,
	    &m->unknown_critical);
}

/*
 * ReportTransferEnvelope ::= SET { report-identifier [APP 4],
 *   report-destination-name [APP 0], trace-information [APP 9],
 *   extensions [1] SET OF ExtensionField DEFAULT {} }
 * ReportTransferContent ::= SET { subject-identifier [APP 4],
 *   subject-intermediate-trace-information [APP 9] OPTIONAL,
 *   original-EITs [APP 5] OPTIONAL, content-type OPTIONAL,
 *   content-identifier [APP 10] OPTIONAL, returned-content [1] OPTIONAL,
 *   additional-information [2] OPTIONAL, extensions [3] DEFAULT {},
 *   per-recipient-fields [0] SEQUENCE OF PerRecipientReportTransferFields }
 */
static int
p1_report_rcpts(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, struct x400_report *rep)
{
	enum { F_ACT, F_NUM, F_IND, F_LAST, F_INT, F_SUP, F_EXT, F__N };
	enum { L_ARR, L_CONV, L_TYPE, L__N };
	struct ber_set_field	 f[F__N], lf[L__N];
	struct ber_reader	 seq, set, lset, rs;
	struct ber_tlv		 u, v;
	struct x400_report_rcpt	*x;
	int			 n, i;

	if ((x = x400_seq_array(d, r, t, d->lim.max_recipients, "recipients",
	    "report with no recipients", sizeof(*x), &seq, &n)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		memset(f, 0, sizeof(f));
		f[F_ACT] = (struct ber_set_field){ { BER_CTX(0) }, 1, true,
		    "actual-recipient-name", false, { 0 } };
		f[F_NUM] = (struct ber_set_field){ { BER_CTX(1) }, 1, true,
		    "originally-specified-recipient-number", false, { 0 } };
		f[F_IND] = (struct ber_set_field){ { BER_CTX(2) }, 1, true,
		    "per-recipient-indicators", false, { 0 } };
		f[F_LAST] = (struct ber_set_field){ { BER_CTX(3) }, 1, true,
		    "last-trace-information", false, { 0 } };
		f[F_INT] = (struct ber_set_field){ { BER_CTX(4) }, 1, false,
		    "originally-intended-recipient-name", false, { 0 } };
		f[F_SUP] = (struct ber_set_field){ { BER_CTX(5) }, 1, false,
		    "supplementary-information", false, { 0 } };
		f[F_EXT] = (struct ber_set_field){ { BER_CTX(6) }, 1, false,
		    "extensions", false, { 0 } };
		memset(lf, 0, sizeof(lf));
		lf[L_ARR] = (struct ber_set_field){ { BER_CTX(0) }, 1, true,
		    "arrival-time", false, { 0 } };
		lf[L_CONV] = (struct ber_set_field){ { BER_APP(5) }, 1, false,
		    "converted-encoded-information-types", false, { 0 } };
		lf[L_TYPE] = (struct ber_set_field){ { BER_CTX(1) }, 1, true,
		    "report-type", false, { 0 } };
		x[i].diagnostic = X400_ABSENT;
		x[i].reason = X400_ABSENT;
		x[i].mts_user_type = X400_ABSENT;
		if (ber_expect(&seq, BER_UNIV(BER_SET), &u) == -1 ||
		    ber_enter(&seq, &u, &set) == -1 ||
		    ber_set_decode(&set, f, F__N) == -1 ||
		    x400_orname_dec(d, &set, &f[F_ACT].tlv, &x[i].actual) == -1 ||
		    x400_int(d, &f[F_NUM].tlv, 1, d->lim.max_recipients,
		    &x[i].number) == -1 ||
		    x400_bits(d, &f[F_IND].tlv, &x[i].indicators) == -1 ||
		    ber_enter(&set, &f[F_LAST].tlv, &lset) == -1 ||
		    ber_set_decode(&lset, lf, L__N) == -1 ||
		    x400_time(d, &lf[L_ARR].tlv, BER_UTC_TIME,
		    &x[i].arrival) == -1)
			return -1;
		if (lf[L_CONV].present && x400_eits_dec(d, &lset,
		    &lf[L_CONV].tlv, &x[i].converted) == -1)
			return -1;
		/* ReportType ::= CHOICE { delivery [0] SET { [0] time,
		 *   [1] type-of-MTS-user DEFAULT public }, non-delivery [1]
		 *   SET { [0] reason, [1] diagnostic OPTIONAL } } */
		if (x400_explicit(d, &lset, &lf[L_TYPE].tlv, &v) == -1)
			return -1;
		if (v.tag == BER_CTX(0)) {
			struct ber_set_field	df[2] = {
				{ { BER_CTX(0) }, 1, true,
				    "message-delivery-time", false, { 0 } },
				{ { BER_CTX(1) }, 1, false, "type-of-MTS-user",
				    false, { 0 } },
			};

			x[i].delivered = true;
			x[i].mts_user_type = 0;
			if (ber_enter(&lset, &v, &rs) == -1 ||
			    ber_set_decode(&rs, df, 2) == -1 ||
			    x400_time(d, &df[0].tlv, BER_UTC_TIME,
			    &x[i].delivery_time) == -1 ||
			    (df[1].present && x400_int(d, &df[1].tlv, 0, 256,
			    &x[i].mts_user_type) == -1))
				return -1;
		} else if (v.tag == BER_CTX(1)) {
			struct ber_set_field	nf[2] = {
				{ { BER_CTX(0) }, 1, true,
				    "non-delivery-reason-code", false, { 0 } },
				{ { BER_CTX(1) }, 1, false,
				    "non-delivery-diagnostic-code", false,
				    { 0 } },
			};

			if (ber_enter(&lset, &v, &rs) == -1 ||
			    ber_set_decode(&rs, nf, 2) == -1 ||
			    x400_int(d, &nf[0].tlv, 0, 32767,
			    &x[i].reason) == -1 ||
			    (nf[1].present && x400_int(d, &nf[1].tlv, 0, 32767,
			    &x[i].diagnostic) == -1))
				return -1;
		} else
			return ber_fail(&d->c, BER_E_UNEXPECTED, v.raw,
			    "report-type is neither delivery [0] nor "
			    "non-delivery [1]");
		if (f[F_INT].present && x400_orname_dec(d, &set, &f[F_INT].tlv,
		    &x[i].intended) == -1)
			return -1;
		if (f[F_SUP].present && x400_string(d, &f[F_SUP].tlv,
		    BER_PRINTABLE_STRING, &x[i].supplementary) == -1)
			return -1;
		if (f[F_EXT].present && x400_exts_dec(d, &set, &f[F_EXT].tlv,
		    &x[i].ext, &x[i].next) == -1)
			return -1;
	}
	rep->rcpt = x;
	rep->nrcpt = (unsigned)n;
	return ber_end(&seq);
}

static int
p1_report(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, struct x400_msg *m)
{
	enum { E_ID, E_DEST, E_TRACE, E_EXT, E__N };
	enum { C_SUBJ, C_TRACE, C_EITS, C_CT, C_CID, C_RET, C_ADD, C_EXT,
	    C_RCPT, C__N };
	struct ber_set_field	 ef[E__N] = {
		[E_ID] = { { BER_APP(4) }, 1, true, "report-identifier",
		    false, { 0 } },
		[E_DEST] = { { BER_APP(0) }, 1, true,
		    "report-destination-name", false, { 0 } },
		[E_TRACE] = { { BER_APP(9) }, 1, true, "trace-information",
		    false, { 0 } },
		[E_EXT] = { { BER_CTX(1) }, 1, false, "extensions", false,
		    { 0 } },
	};
	struct ber_set_field	 cf[C__N] = {
		[C_SUBJ] = { { BER_APP(4) }, 1, true, "subject-identifier",
		    false, { 0 } },
		[C_TRACE] = { { BER_APP(9) }, 1, false,
		    "subject-intermediate-trace-information", false, { 0 } },
		[C_EITS] = { { BER_APP(5) }, 1, false,
		    "original-encoded-information-types", false, { 0 } },
		[C_CT] = { { BER_APP(6), BER_UNIV(BER_OID) }, 2, false,
		    "content-type", false, { 0 } },
		[C_CID] = { { BER_APP(10) }, 1, false, "content-identifier",
		    false, { 0 } },
		[C_RET] = { { BER_CTX(1) }, 1, false, "returned-content",
		    false, { 0 } },
		[C_ADD] = { { BER_CTX(2) }, 1, false,
		    "additional-information", false, { 0 } },
		[C_EXT] = { { BER_CTX(3) }, 1, false, "extensions", false,
		    { 0 } },
		[C_RCPT] = { { BER_CTX(0) }, 1, true, "per-recipient-fields",
		    false, { 0 } },
	};
	struct x400_report	*rep = &m->report;
	struct ber_reader	 seq, set;
	struct ber_tlv		 u;
	unsigned		 i;

	rep->content_builtin = X400_ABSENT;
	if (ber_enter(r, t, &seq) == -1 ||
	    ber_expect(&seq, BER_UNIV(BER_SET), &u) == -1 ||
	    ber_enter(&seq, &u, &set) == -1 ||
	    ber_set_decode(&set, ef, E__N) == -1 ||
	    p1_mtsid(d, &set, &ef[E_ID].tlv, &rep->id) == -1 ||
	    x400_orname_dec(d, &set, &ef[E_DEST].tlv, &rep->destination) == -1 ||
	    p1_trace(d, &set, &ef[E_TRACE].tlv, false, &rep->trace,
	    &rep->ntrace) == -1)
		return -1;
	if (ef[E_EXT].present) {
		if (x400_exts_dec(d, &set, &ef[E_EXT].tlv, &rep->ext,
		    &rep->next) == -1)
			return -1;
		for (i = 0; i < rep->next; i++) {
			struct ber_reader	vr;
			struct ber_tlv		v;

			if (rep->ext[i].standard && rep->ext[i].number ==
			    X400_EXT_MESSAGE_SECURITY_LABEL) {
				if (p1_ext_value(d, &rep->ext[i], &vr,
				    &v) == -1 || x400_label_dec(d, &vr, &v,
				    &rep->label) == -1)
					return -1;
				rep->ext[i].known = true;
			}
			if (!rep->ext[i].known &&
			    (rep->ext[i].crit & X400_CRIT_TRANSFER))
				m->unknown_critical++;
		}
	}
	if (ber_expect(&seq, BER_UNIV(BER_SET), &u) == -1 ||
	    ber_enter(&seq, &u, &set) == -1 ||
	    ber_set_decode(&set, cf, C__N) == -1 ||
	    p1_mtsid(d, &set, &cf[C_SUBJ].tlv, &rep->subject) == -1)
		return -1;
	if (cf[C_TRACE].present && p1_trace(d, &set, &cf[C_TRACE].tlv, false,
	    &rep->subject_trace, &rep->nsubject_trace) == -1)
		return -1;
	if (cf[C_EITS].present && x400_eits_dec(d, &set, &cf[C_EITS].tlv,
	    &rep->original_eits) == -1)
		return -1;
	if (cf[C_CT].present) {
		if (cf[C_CT].tlv.tag == BER_APP(6)) {
			if (x400_int(d, &cf[C_CT].tlv, 0, 1024,
			    &rep->content_builtin) == -1)
				return -1;
		} else if (x400_oid(d, &cf[C_CT].tlv,
		    &rep->content_oid) == -1)
			return -1;
	}
	if (cf[C_CID].present && x400_string(d, &cf[C_CID].tlv,
	    BER_PRINTABLE_STRING, &rep->content_id) == -1)
		return -1;
	if (cf[C_RET].present && ber_get_octets(&d->c, &cf[C_RET].tlv,
	    &rep->returned, &rep->returned_len) == -1)
		return -1;
	if (cf[C_ADD].present) {
		rep->additional = cf[C_ADD].tlv.raw;
		rep->additional_len = cf[C_ADD].tlv.rawlen;
	}
	if (cf[C_EXT].present && x400_exts_dec(d, &set, &cf[C_EXT].tlv,
	    &rep->content_ext, &rep->ncontent_ext) == -1)
		return -1;
	if (p1_report_rcpts(d, &set, &cf[C_RCPT].tlv, rep) == -1)
		return -1;
	return ber_end(&seq);
}

/* Decide from the content type whether (and how) to decode the content. */
static int
p1_content(struct x400_dec *d, struct x400_msg *m, const struct ber_tlv *t)
{
	bool	p772 = false, cms = false, ipm;

	if (ber_get_octets(&d->c, t, &m->content, &m->content_len) == -1)
		return -1;
	m->content_off = (size_t)(t->raw - d->c.base);
	if (m->env.content_oid != NULL) {
		p772 = strcmp(m->env.content_oid, X400_OID_P772) == 0;
		cms = strcmp(m->env.content_oid, X400_OID_CONTENTINFO) == 0;
	}
	ipm = m->env.content_builtin == X400_CT_IPM84 ||
	    m->env.content_builtin == X400_CT_IPM88;
	if (!p772 && !cms && !ipm)
		return 0;	/* not ours to decode: policy decides */
	if ((m->body = x400_alloc(d, sizeof(*m->body), t->raw)) == NULL)
		return -1;
	return x400_content_octets_dec(d, m->content, m->content_len,
	    p772 || cms, cms, m->body);
}

int
x400_decode(struct x400_dec *d, enum ber_mode mode,
    const struct x400_limits *lim, const void *buf, size_t len,
    struct x400_msg **out)
{
	struct ber_reader	 top, k;
	struct ber_tlv		 t, u;
	struct x400_msg		*m;

	if (p1_init(d, mode, lim, buf, len) == -1)
		return -1;
	if (ber_decode_one(&d->c, &t) == -1)
		return -1;
	if ((m = x400_alloc(d, sizeof(*m), t.raw)) == NULL)
		return -1;
	ber_reader_init(&top, &d->c);
	if (ber_next(&top, &t) != 1)
		return -1;
	switch (t.tag) {
	case BER_CTX(0):
		m->apdu = X400_APDU_MESSAGE;
		if (ber_enter(&top, &t, &k) == -1 ||
		    ber_expect(&k, BER_UNIV(BER_SET), &u) == -1 ||
		    p1_envelope(d, &k, &u, false, m) == -1 ||
		    ber_expect(&k, BER_UNIV(BER_OCTET_STRING), &u) == -1 ||
		    p1_content(d, m, &u) == -1 ||
		    ber_end(&k) == -1)
			return -1;
		break;
	case BER_CTX(1):
		m->apdu = X400_APDU_REPORT;
		if (p1_report(d, &top, &t, m) == -1)
			return -1;
		break;
	case BER_CTX(2):
		m->apdu = X400_APDU_PROBE;
		if (p1_envelope(d, &top, &t, true, m) == -1)
			return -1;
		break;
	default:
		return ber_fail(&d->c, BER_E_UNEXPECTED, t.raw,
		    "not an MTS-APDU: expected message [0], report [1] or "
		    "probe [2]");
	}
	*out = m;
	return 0;
}

/* A bare InformationObject (P772 or IPM content), e.g. a .p772 file. */
int
x400_decode_content(struct x400_dec *d, enum ber_mode mode,
    const struct x400_limits *lim, const void *buf, size_t len, bool p772,
    struct x400_content **out)
{
	struct ber_reader	 top;
	struct ber_tlv		 t;
	struct x400_content	*c;

	if (p1_init(d, mode, lim, buf, len) == -1 ||
	    ber_decode_one(&d->c, &t) == -1)
		return -1;
	if ((c = x400_alloc(d, sizeof(*c), t.raw)) == NULL)
		return -1;
	ber_reader_init(&top, &d->c);
	if (ber_next(&top, &t) != 1 ||
	    x400_content_dec(d, &top, &t, p772, c) == -1)
		return -1;
	*out = c;
	return 0;
}

/* --- encoding ------------------------------------------------------------ */

static void
p1_mtsid_enc(struct ber_enc *e, const struct x400_mtsid *m)
{
	ber_enc_begin(e, BER_APP(4));
	x400_gdi_enc(e, BER_APP(3), &m->gdi);
	ber_put_string(e, BER_UNIV(BER_IA5_STRING), BER_IA5_STRING, m->local,
	    strlen(m->local));
	ber_enc_end(e);
}

static void
p1_trace_enc(struct ber_enc *e, uint32_t tag, const struct x400_trace *x,
    unsigned n)
{
	unsigned	i;

	ber_enc_begin(e, tag);
	for (i = 0; i < n; i++) {
		ber_enc_begin(e, BER_UNIV(BER_SEQUENCE));
		x400_gdi_enc(e, BER_APP(3), &x[i].domain);
		if (x[i].internal)
			ber_put_string(e, BER_UNIV(BER_IA5_STRING),
			    BER_IA5_STRING, x[i].mta, strlen(x[i].mta));
		ber_enc_begin_set(e, BER_UNIV(BER_SET));
		x400_time_enc(e, BER_CTX(0), &x[i].arrival);
		ber_put_int(e, BER_CTX(2), x[i].routing_action);
		if (x[i].has_attempted_domain)
			x400_gdi_enc(e, BER_APP(3), &x[i].attempted_domain);
		else if (x[i].attempted_mta != NULL)
			ber_put_string(e, BER_UNIV(BER_IA5_STRING),
			    BER_IA5_STRING, x[i].attempted_mta,
			    strlen(x[i].attempted_mta));
		if (x[i].deferred.present)
			x400_time_enc(e, BER_CTX(1), &x[i].deferred);
		if (x[i].converted.present)
			x400_eits_enc(e, &x[i].converted);
		if (x[i].other_actions.present && x[i].other_actions.bits)
			x400_bits_enc(e, BER_CTX(3), &x[i].other_actions, 0);
		ber_enc_end(e);
		ber_enc_end(e);
	}
	ber_enc_end(e);
}

static void
p1_content_type_enc(struct ber_enc *e, int64_t builtin, const char *oid)
{
	if (oid != NULL)
		ber_put_oid_text(e, BER_UNIV(BER_OID), oid);
	else
		ber_put_int(e, BER_APP(6), builtin);
}

static void
p1_envelope_enc(struct ber_enc *e, const struct x400_msg *m)
{
	const struct x400_envelope	*env = &m->env;
	bool				 probe = m->apdu == X400_APDU_PROBE;
	unsigned			 i;

	ber_enc_begin_set(e, probe ? BER_CTX(2) : BER_UNIV(BER_SET));
	p1_mtsid_enc(e, &env->id);
	x400_orname_enc(e, BER_APP(0), &env->originator);
	if (env->original_eits.present)
		x400_eits_enc(e, &env->original_eits);
	p1_content_type_enc(e, env->content_builtin, env->content_oid);
	if (env->content_id != NULL)
		ber_put_string(e, BER_APP(10), BER_PRINTABLE_STRING,
		    env->content_id, strlen(env->content_id));
	if (!probe && env->priority != 0)	/* DEFAULT normal */
		ber_put_int(e, BER_APP(7) , env->priority);
	if (env->indicators.present && env->indicators.bits != 0)
		x400_bits_enc(e, BER_APP(8), &env->indicators, 0);
	if (!probe && env->deferred_delivery.present)
		x400_time_enc(e, BER_CTX(0), &env->deferred_delivery);
	if (probe && env->content_length != X400_ABSENT)
		ber_put_int(e, BER_CTX(0), env->content_length);
	if (env->bilateral_raw != NULL)
		ber_put_raw(e, env->bilateral_raw, env->bilateral_rawlen);
	p1_trace_enc(e, BER_APP(9), env->trace, env->ntrace);
	if (env->next > 0)
		x400_exts_enc(e, BER_CTX(3), env->ext, env->next);
	ber_enc_begin(e, BER_CTX(2));
	for (i = 0; i < env->nrcpt; i++) {
		const struct x400_recipient *r = &env->rcpt[i];

		ber_enc_begin_set(e, BER_UNIV(BER_SET));
		x400_orname_enc(e, BER_APP(0), &r->name);
		ber_put_int(e, BER_CTX(0), r->number);
		x400_bits_enc(e, BER_CTX(1), &r->indicators, 8);
		if (r->explicit_conversion != X400_ABSENT)
			ber_put_int(e, BER_CTX(2), r->explicit_conversion);
		if (r->next > 0)
			x400_exts_enc(e, BER_CTX(3), r->ext, r->next);
		ber_enc_end(e);
	}
	ber_enc_end(e);
	ber_enc_end(e);
}

static void
p1_report_enc(struct ber_enc *e, const struct x400_report *rep)
{
	unsigned	i;

	ber_enc_begin(e, BER_CTX(1));
	ber_enc_begin_set(e, BER_UNIV(BER_SET));
	p1_mtsid_enc(e, &rep->id);
	x400_orname_enc(e, BER_APP(0), &rep->destination);
	p1_trace_enc(e, BER_APP(9), rep->trace, rep->ntrace);
	if (rep->next > 0)
		x400_exts_enc(e, BER_CTX(1), rep->ext, rep->next);
	ber_enc_end(e);
	ber_enc_begin_set(e, BER_UNIV(BER_SET));
	p1_mtsid_enc(e, &rep->subject);
	if (rep->nsubject_trace > 0)
		p1_trace_enc(e, BER_APP(9), rep->subject_trace,
		    rep->nsubject_trace);
	if (rep->original_eits.present)
		x400_eits_enc(e, &rep->original_eits);
	if (rep->content_oid != NULL || rep->content_builtin != X400_ABSENT)
		p1_content_type_enc(e, rep->content_builtin, rep->content_oid);
	if (rep->content_id != NULL)
		ber_put_string(e, BER_APP(10), BER_PRINTABLE_STRING,
		    rep->content_id, strlen(rep->content_id));
	if (rep->returned != NULL)
		ber_put_octets(e, BER_CTX(1), rep->returned,
		    rep->returned_len);
	if (rep->additional != NULL)
		ber_put_raw(e, rep->additional, rep->additional_len);
	if (rep->ncontent_ext > 0)
		x400_exts_enc(e, BER_CTX(3), rep->content_ext,
		    rep->ncontent_ext);
	ber_enc_begin(e, BER_CTX(0));
	for (i = 0; i < rep->nrcpt; i++) {
		const struct x400_report_rcpt *r = &rep->rcpt[i];

		ber_enc_begin_set(e, BER_UNIV(BER_SET));
		x400_orname_enc(e, BER_CTX(0), &r->actual);
		ber_put_int(e, BER_CTX(1), r->number);
		x400_bits_enc(e, BER_CTX(2), &r->indicators, 8);
		ber_enc_begin_set(e, BER_CTX(3));
		x400_time_enc(e, BER_CTX(0), &r->arrival);
		if (r->converted.present)
			x400_eits_enc(e, &r->converted);
		ber_enc_begin(e, BER_CTX(1));
		if (r->delivered) {
			ber_enc_begin_set(e, BER_CTX(0));
			x400_time_enc(e, BER_CTX(0), &r->delivery_time);
			if (r->mts_user_type != X400_ABSENT &&
			    r->mts_user_type != 0)
				ber_put_int(e, BER_CTX(1), r->mts_user_type);
			ber_enc_end(e);
		} else {
			ber_enc_begin_set(e, BER_CTX(1));
			ber_put_int(e, BER_CTX(0), r->reason);
			if (r->diagnostic != X400_ABSENT)
				ber_put_int(e, BER_CTX(1), r->diagnostic);
			ber_enc_end(e);
		}
		ber_enc_end(e);
		ber_enc_end(e);
		if (r->intended.present)
			x400_orname_enc(e, BER_CTX(4), &r->intended);
		if (r->supplementary != NULL)
			ber_put_string(e, BER_CTX(5), BER_PRINTABLE_STRING,
			    r->supplementary, strlen(r->supplementary));
		if (r->next > 0)
			x400_exts_enc(e, BER_CTX(6), r->ext, r->next);
		ber_enc_end(e);
	}
	ber_enc_end(e);
	ber_enc_end(e);
	ber_enc_end(e);
}

/*
 * Encode a whole APDU.  A message's content is m->content when set (the
 * octets as they are, e.g. a CMS-signed P772), else the encoding of
 * m->body.
 */
int
x400_encode(const struct x400_msg *m, unsigned variant, struct buf *out)
{
	struct ber_enc	e, ce;
	struct buf	content;

	ber_enc_init(&e, out, variant);
	switch (m->apdu) {
	case X400_APDU_MESSAGE:
		ber_enc_begin(&e, BER_CTX(0));
		p1_envelope_enc(&e, m);
		if (m->content != NULL) {
			ber_put_octets(&e, BER_UNIV(BER_OCTET_STRING),
			    m->content, m->content_len);
		} else if (m->body != NULL) {
			buf_init(&content, out->max);
			ber_enc_init(&ce, &content, variant);
			x400_encode_content(&ce, m->body);
			if (ber_enc_finish(&ce) == -1)
				e.err = ce.err;
			else
				ber_put_octets(&e, BER_UNIV(BER_OCTET_STRING),
				    content.data, content.len);
			buf_free(&content);
		} else
			ber_put_octets(&e, BER_UNIV(BER_OCTET_STRING), "", 0);
		ber_enc_end(&e);
		break;
	case X400_APDU_PROBE:
		p1_envelope_enc(&e, m);
		break;
	case X400_APDU_REPORT:
		p1_report_enc(&e, &m->report);
		break;
	}
	return ber_enc_finish(&e);
}

/* The DER of an internal-trace-information value, in the arena. */
int
x400_itrace_value(struct x400_dec *d, const struct x400_trace *x, unsigned n,
    const uint8_t **out, size_t *len)
{
	struct buf	b;
	struct ber_enc	e;
	uint8_t		*p;

	buf_init(&b, 1 << 20);
	ber_enc_init(&e, &b, 0);
	p1_trace_enc(&e, BER_UNIV(BER_SEQUENCE), x, n);
	if (ber_enc_finish(&e) == -1 ||
	    (p = x400_alloc(d, b.len, NULL)) == NULL) {
		buf_free(&b);
		return -1;
	}
	memcpy(p, b.data, b.len);
	*out = p;
	*len = b.len;
	buf_free(&b);
	return 0;
}
