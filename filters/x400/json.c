/*
 * json.c - the message facts as JSON, for mmguard-msg dump --json, explain
 * and the archive.  Keys are stable and documented in mmguard-msg(1):
 *
 *   apdu                      message | report | probe
 *   envelope.message_id       "[C=..;A=..;P=..;L=..]"
 *   envelope.originator       O/R name text (RFC 1685 form)
 *   envelope.content_type     dotted OID, or the built-in integer as text
 *   envelope.priority         normal | non-urgent | urgent
 *   envelope.security_label   { policy, classification, privacy_mark,
 *                               categories[] { type, value (hex) } }
 *   envelope.recipients[]     { name, number, ... }
 *   envelope.extensions[]     { type, critical, known }
 *   content.protection        none | cms-signed
 *   content.ipm.subject, .primary_precedence, .copy_precedence,
 *   .message_type, .sics[], .body[] { type, text }
 *
 * Absent optional fields are left out rather than written as null.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filters/x400/x400_int.h"
#include "guard/common/buf.h"
#include "guard/common/json.h"
#include "guard/common/xmalloc.h"

static const char *const bp_names[X400_BP__COUNT] = {
	[X400_BP_IA5_TEXT] = "ia5-text",
	[X400_BP_G3_FAX] = "g3-facsimile",
	[X400_BP_G4_CLASS1] = "g4-class1",
	[X400_BP_TELETEX] = "teletex",
	[X400_BP_VIDEOTEX] = "videotex",
	[X400_BP_ENCRYPTED] = "encrypted",
	[X400_BP_MESSAGE] = "message",
	[X400_BP_MIXED_MODE] = "mixed-mode",
	[X400_BP_BILATERAL] = "bilaterally-defined",
	[X400_BP_NATIONAL] = "nationally-defined",
	[X400_BP_GENERAL_TEXT] = "general-text",
	[X400_BP_FILE_TRANSFER] = "file-transfer",
	[X400_BP_VOICE] = "voice",
	[X400_BP_FORWARDED_CONTENT] = "forwarded-content",
	[X400_BP_ADATP3] = "adatp3",
	[X400_BP_CORRECTIONS] = "corrections",
	[X400_BP_FORWARDED_ENCRYPTED] = "forwarded-encrypted",
	[X400_BP_MM_MESSAGE] = "mm-message",
	[X400_BP_ACP127DATA] = "acp127-data",
	[X400_BP_UNKNOWN] = "unknown",
};

const char *
x400_bp_name(enum x400_bp t)
{
	if ((unsigned)t >= X400_BP__COUNT || bp_names[t] == NULL)
		return "unknown";
	return bp_names[t];
}

const char *
x400_priority_name(int64_t p)
{
	switch (p) {
	case 0:		return "normal";
	case 1:		return "non-urgent";
	case 2:		return "urgent";
	default:	return "invalid";
	}
}

const char *
x400_precedence_name(int64_t p)
{
	static const char *const n[] = { "deferred", "routine", "priority",
	    "immediate", "flash", "override" };

	if (p >= 0 && p <= 5)
		return n[p];
	if (p >= 16 && p <= 31)
		return "national";
	return "reserved";
}

static void
j_hex(struct json *j, const uint8_t *p, size_t n)
{
	char	*s;
	size_t	 i;

	s = xmalloc(2 * n + 1);
	for (i = 0; i < n; i++)
		(void)snprintf(s + 2 * i, 3, "%02x", p[i]);
	json_strn(j, s, 2 * n);
	free(s);
}

static void
j_text(struct json *j, const char *k, const struct x400_text *t)
{
	if (t->utf8 == NULL)
		return;
	json_key(j, k);
	json_strn(j, t->utf8, t->len);
}

static void
j_time(struct json *j, const char *k, const struct x400_time *t)
{
	char	s[40];

	if (!t->present)
		return;
	(void)snprintf(s, sizeof(s), "%04d-%02d-%02dT%02d:%02d:%02d%s",
	    t->tm.year, t->tm.mon, t->tm.day, t->tm.hour, t->tm.min, t->tm.sec,
	    t->tm.has_tz && t->tm.tzoff == 0 ? "Z" : "");
	json_kstr(j, k, s);
}

static void
j_opt_int(struct json *j, const char *k, int64_t v)
{
	if (v != X400_ABSENT)
		json_kint(j, k, v);
}

static void
j_orname(struct json *j, const char *k, const struct x400_orname *o)
{
	if (!o->present)
		return;
	json_kstr(j, k, o->text);
	if (o->dn != NULL) {
		char	dk[64];

		(void)snprintf(dk, sizeof(dk), "%s_dn", k);
		json_kstr(j, dk, o->dn);
	}
}

static void
j_label(struct json *j, const char *k, const struct x400_label *l)
{
	unsigned	i;

	if (!l->present)
		return;
	json_key(j, k);
	json_obj_begin(j);
	if (l->policy != NULL)
		json_kstr(j, "policy", l->policy);
	j_opt_int(j, "classification", l->classification);
	j_text(j, "privacy_mark", &l->privacy_mark);
	json_key(j, "categories");
	json_arr_begin(j);
	for (i = 0; i < l->ncats; i++) {
		json_obj_begin(j);
		json_kstr(j, "type", l->cats[i].type);
		json_key(j, "value");
		j_hex(j, l->cats[i].value, l->cats[i].valuelen);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
}

static void
j_exts(struct json *j, const char *k, const struct x400_ext *x, unsigned n)
{
	char		t[BER_OID_TEXT_MAX];
	unsigned	i;

	json_key(j, k);
	json_arr_begin(j);
	for (i = 0; i < n; i++) {
		json_obj_begin(j);
		if (x[i].standard)
			(void)snprintf(t, sizeof(t), "%lld",
			    (long long)x[i].number);
		else
			(void)snprintf(t, sizeof(t), "%s", x[i].oid);
		json_kstr(j, "type", t);
		json_kbool(j, "critical", (x[i].crit & X400_CRIT_TRANSFER) != 0);
		json_kint(j, "criticality", x[i].crit);
		json_kbool(j, "known", x[i].known);
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void
j_trace(struct json *j, const char *k, const struct x400_trace *x,
    unsigned n)
{
	unsigned	i;

	json_key(j, k);
	json_arr_begin(j);
	for (i = 0; i < n; i++) {
		json_obj_begin(j);
		json_kstr(j, "country", x[i].domain.country);
		json_kstr(j, "admd", x[i].domain.admd);
		if (x[i].domain.prmd != NULL)
			json_kstr(j, "prmd", x[i].domain.prmd);
		if (x[i].mta != NULL)
			json_kstr(j, "mta", x[i].mta);
		j_time(j, "arrival", &x[i].arrival);
		json_kstr(j, "action", x[i].routing_action ? "rerouted" :
		    "relayed");
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void
j_content_type(struct json *j, int64_t builtin, const char *oid)
{
	char	s[24];

	if (oid != NULL)
		json_kstr(j, "content_type", oid);
	else if (builtin != X400_ABSENT) {
		(void)snprintf(s, sizeof(s), "%lld", (long long)builtin);
		json_kstr(j, "content_type", s);
	}
}

static void
j_envelope(struct json *j, const struct x400_msg *m)
{
	const struct x400_envelope	*env = &m->env;
	unsigned			 i;

	json_key(j, "envelope");
	json_obj_begin(j);
	json_kstr(j, "message_id", env->id.text);
	j_orname(j, "originator", &env->originator);
	j_content_type(j, env->content_builtin, env->content_oid);
	if (env->content_id != NULL)
		json_kstr(j, "content_id", env->content_id);
	json_kstr(j, "priority", x400_priority_name(env->priority));
	j_opt_int(j, "priority_level_qualifier", env->priority_qualifier);
	j_time(j, "deferred_delivery_time", &env->deferred_delivery);
	j_time(j, "latest_delivery_time", &env->latest_delivery);
	j_opt_int(j, "content_length", env->content_length);
	j_label(j, "security_label", &env->label);
	if (env->recipient_reassignment_prohibited)
		json_kbool(j, "recipient_reassignment_prohibited", true);
	if (env->dl_expansion_prohibited)
		json_kbool(j, "dl_expansion_prohibited", true);
	if (env->conversion_with_loss_prohibited)
		json_kbool(j, "conversion_with_loss_prohibited", true);
	j_orname(j, "originator_return_address", &env->return_address);
	if (env->correlator != NULL) {
		json_key(j, "content_correlator");
		if (env->correlator_ia5)
			json_strn(j, (const char *)env->correlator,
			    env->correlator_len);
		else
			j_hex(j, env->correlator, env->correlator_len);
	}
	if (env->ndlexp > 0) {
		json_key(j, "dl_expansion_history");
		json_arr_begin(j);
		for (i = 0; i < env->ndlexp; i++)
			json_str(j, env->dlexp[i].dl.text);
		json_arr_end(j);
	}
	j_trace(j, "trace", env->trace, env->ntrace);
	if (env->nitrace > 0)
		j_trace(j, "internal_trace", env->itrace, env->nitrace);
	j_exts(j, "extensions", env->ext, env->next);
	json_key(j, "recipients");
	json_arr_begin(j);
	for (i = 0; i < env->nrcpt; i++) {
		json_obj_begin(j);
		j_orname(j, "name", &env->rcpt[i].name);
		json_kint(j, "number", env->rcpt[i].number);
		json_kint(j, "indicators", (int64_t)env->rcpt[i].indicators.bits);
		j_opt_int(j, "explicit_conversion",
		    env->rcpt[i].explicit_conversion);
		j_exts(j, "extensions", env->rcpt[i].ext, env->rcpt[i].next);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
}

static void
j_report(struct json *j, const struct x400_report *r)
{
	unsigned	i;

	json_key(j, "report");
	json_obj_begin(j);
	json_kstr(j, "report_id", r->id.text);
	j_orname(j, "destination", &r->destination);
	json_kstr(j, "subject_id", r->subject.text);
	j_content_type(j, r->content_builtin, r->content_oid);
	j_label(j, "security_label", &r->label);
	json_kbool(j, "returned_content", r->returned != NULL);
	j_trace(j, "trace", r->trace, r->ntrace);
	j_exts(j, "extensions", r->ext, r->next);
	json_key(j, "recipients");
	json_arr_begin(j);
	for (i = 0; i < r->nrcpt; i++) {
		json_obj_begin(j);
		j_orname(j, "name", &r->rcpt[i].actual);
		json_kint(j, "number", r->rcpt[i].number);
		json_kstr(j, "report", r->rcpt[i].delivered ? "delivery" :
		    "non-delivery");
		j_time(j, "arrival", &r->rcpt[i].arrival);
		j_time(j, "delivery_time", &r->rcpt[i].delivery_time);
		j_opt_int(j, "reason", r->rcpt[i].reason);
		j_opt_int(j, "diagnostic", r->rcpt[i].diagnostic);
		j_orname(j, "intended", &r->rcpt[i].intended);
		if (r->rcpt[i].supplementary != NULL)
			json_kstr(j, "supplementary",
			    r->rcpt[i].supplementary);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
}

static void j_content(struct json *, const struct x400_content *);

static void
j_ordesc(struct json *j, const struct x400_ordesc *o)
{
	json_obj_begin(j);
	j_orname(j, "name", &o->formal);
	j_text(j, "free_form_name", &o->free_form);
	if (o->telephone != NULL)
		json_kstr(j, "telephone", o->telephone);
	json_obj_end(j);
}

static void
j_rcpts(struct json *j, const char *k, const struct x400_rcptspec *r,
    unsigned n)
{
	unsigned	i;

	json_key(j, k);
	json_arr_begin(j);
	for (i = 0; i < n; i++) {
		json_obj_begin(j);
		j_orname(j, "name", &r[i].who.formal);
		j_text(j, "free_form_name", &r[i].who.free_form);
		json_kint(j, "notification_requests",
		    (int64_t)r[i].notify.bits);
		if (r[i].reply_requested)
			json_kbool(j, "reply_requested", true);
		if (r[i].acp127_notify.present)
			json_kint(j, "acp127_notification_request",
			    (int64_t)r[i].acp127_notify.bits);
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void
j_texts(struct json *j, const char *k, const struct x400_text *t, unsigned n)
{
	unsigned	i;

	json_key(j, k);
	json_arr_begin(j);
	for (i = 0; i < n; i++)
		json_strn(j, t[i].utf8 != NULL ? t[i].utf8 : "",
		    t[i].utf8 != NULL ? t[i].len : 0);
	json_arr_end(j);
}

static void
j_body(struct json *j, const struct x400_bodypart *b, unsigned n)
{
	unsigned	i, k;

	json_key(j, "body");
	json_arr_begin(j);
	for (i = 0; i < n; i++) {
		json_obj_begin(j);
		json_kstr(j, "type", x400_bp_name(b[i].type));
		if (b[i].extended)
			json_kbool(j, "extended", true);
		if (b[i].oid != NULL)
			json_kstr(j, "oid", b[i].oid);
		if (b[i].text.utf8 != NULL) {
			j_text(j, "text", &b[i].text);
			json_kstr(j, "charset", x400_cs_name(b[i].text.cs));
		}
		j_opt_int(j, "parameter", b[i].param);
		if (b[i].ncharsets > 0) {
			json_key(j, "charsets");
			json_arr_begin(j);
			for (k = 0; k < b[i].ncharsets; k++)
				json_int(j, b[i].charsets[k]);
			json_arr_end(j);
		}
		if (b[i].data != NULL && b[i].text.utf8 == NULL)
			json_kint(j, "size", (int64_t)b[i].datalen);
		if (b[i].forwarded_type != NULL)
			json_kstr(j, "forwarded_content_type",
			    b[i].forwarded_type);
		if (b[i].forwarded != NULL) {
			json_key(j, "forwarded");
			j_content(j, b[i].forwarded);
		}
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void
j_ipm(struct json *j, const struct x400_ipm *p)
{
	unsigned	i;

	json_key(j, "ipm");
	json_obj_begin(j);
	j_orname(j, "this_ipm_user", &p->this_ipm.user);
	json_kstr(j, "this_ipm", p->this_ipm.local);
	if (p->has_originator) {
		json_key(j, "originator");
		j_ordesc(j, &p->originator);
	}
	j_rcpts(j, "primary_recipients", p->primary, p->nprimary);
	j_rcpts(j, "copy_recipients", p->copy, p->ncopy);
	if (p->has_blind)
		j_rcpts(j, "blind_copy_recipients", p->blind, p->nblind);
	j_text(j, "subject", &p->subject);
	j_time(j, "expiry_time", &p->expiry);
	j_time(j, "reply_time", &p->reply_time);
	json_kint(j, "importance", p->importance);
	j_opt_int(j, "sensitivity", p->sensitivity);
	if (p->auto_forwarded)
		json_kbool(j, "auto_forwarded", true);
	j_opt_int(j, "primary_precedence", p->primary_precedence);
	j_opt_int(j, "copy_precedence", p->copy_precedence);
	j_opt_int(j, "message_type", p->message_type);
	j_text(j, "message_type_identifier", &p->message_type_id);
	if (p->has_dist_codes) {
		json_key(j, "sics");
		json_arr_begin(j);
		for (i = 0; i < p->nsics; i++)
			json_str(j, p->sics[i]);
		json_arr_end(j);
	}
	if (p->has_handling)
		j_texts(j, "handling_instructions", p->handling,
		    p->nhandling);
	if (p->has_instructions)
		j_texts(j, "message_instructions", p->instructions,
		    p->ninstructions);
	j_opt_int(j, "codress", p->codress);
	j_text(j, "originator_reference", &p->originator_ref);
	j_text(j, "acp127_message_identifier", &p->acp127_id);
	j_text(j, "originator_plad", &p->originator_plad);
	j_time(j, "extended_authorisation_info", &p->ext_auth_info);
	if (p->has_exempted) {
		json_key(j, "exempted_addresses");
		json_arr_begin(j);
		for (i = 0; i < p->nexempted; i++)
			j_ordesc(j, &p->exempted[i]);
		json_arr_end(j);
	}
	if (p->has_other_rcpt) {
		json_key(j, "other_recipients");
		json_arr_begin(j);
		for (i = 0; i < p->nother_rcpt; i++) {
			json_obj_begin(j);
			json_kint(j, "type", p->other_rcpt[i].type);
			j_text(j, "designator", &p->other_rcpt[i].designator);
			json_obj_end(j);
		}
		json_arr_end(j);
	}
	if (p->has_info_labels)
		j_label(j, "information_label", &p->info_label);
	json_key(j, "extensions");
	json_arr_begin(j);
	for (i = 0; i < p->next; i++) {
		json_obj_begin(j);
		json_kstr(j, "type", p->ext[i].oid);
		json_kbool(j, "known", p->ext[i].known);
		json_obj_end(j);
	}
	json_arr_end(j);
	j_body(j, p->body, p->nbody);
	json_obj_end(j);
}

static void
j_ipn(struct json *j, const struct x400_ipn *n)
{
	static const char *const kinds[] = { "non-receipt", "receipt",
	    "other" };

	json_key(j, "ipn");
	json_obj_begin(j);
	json_kstr(j, "kind", kinds[n->kind]);
	j_orname(j, "subject_ipm_user", &n->subject_ipm.user);
	json_kstr(j, "subject_ipm", n->subject_ipm.local);
	if (n->has_originator) {
		json_key(j, "originator");
		j_ordesc(j, &n->originator);
	}
	j_time(j, "receipt_time", &n->receipt_time);
	if (n->kind == X400_IPN_NON_RECEIPT) {
		json_kint(j, "reason", n->reason);
		j_opt_int(j, "discard_reason", n->discard_reason);
	}
	if (n->returned != NULL) {
		json_key(j, "returned");
		j_content(j, n->returned);
	}
	json_obj_end(j);
}

static void
j_content(struct json *j, const struct x400_content *c)
{
	json_obj_begin(j);
	json_kstr(j, "type", c->p772 ? "p772" : "ipm");
	json_kstr(j, "protection", c->protection == X400_PROT_CMS_SIGNED ?
	    "cms-signed" : "none");
	if (c->econtent_type != NULL)
		json_kstr(j, "econtent_type", c->econtent_type);
	if (c->is_ipn)
		j_ipn(j, &c->ipn);
	else if (c->econtent_type == NULL ||
	    strcmp(c->econtent_type, X400_OID_RECEIPT) != 0)
		j_ipm(j, &c->ipm);
	json_obj_end(j);
}

static int
j_finish(struct json *j, struct buf *out)
{
	if (json_finish(j) == -1 || buf_add_byte(out, '\n') == -1)
		return -1;
	return 0;
}

int
x400_json(const struct x400_msg *m, struct buf *out)
{
	static const char *const apdus[] = { "message", "report", "probe" };
	struct json	j;

	json_init(&j, out);
	json_obj_begin(&j);
	json_kstr(&j, "apdu", apdus[m->apdu]);
	if (m->apdu == X400_APDU_REPORT)
		j_report(&j, &m->report);
	else
		j_envelope(&j, m);
	json_kint(&j, "unknown_critical_extensions", m->unknown_critical);
	if (m->apdu == X400_APDU_MESSAGE) {
		json_kint(&j, "content_length", (int64_t)m->content_len);
		if (m->body != NULL) {
			json_key(&j, "content");
			j_content(&j, m->body);
		}
	}
	json_obj_end(&j);
	return j_finish(&j, out);
}

int
x400_json_content(const struct x400_content *c, struct buf *out)
{
	struct json	j;

	json_init(&j, out);
	json_obj_begin(&j);
	json_key(&j, "content");
	j_content(&j, c);
	json_obj_end(&j);
	return j_finish(&j, out);
}
