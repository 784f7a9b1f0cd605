/*
 * auditev.c - the event frame and the rules each kind of process is held
 * to (auditev.h).  The frame is read by the audit role from processes that
 * parse untrusted bytes: every field is read with the strict IPC getters,
 * and nothing is written before auditev_check() accepted it whole.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "guard/audit/auditev.h"
#include "guard/msg.h"

static const char *const kind_names[AUDITEV__KINDS] = {
	[AUDITEV_MMGUARDD] =	"mmguardd",
	[AUDITEV_QMGR] =	"qmgr",
	[AUDITEV_PICKUP] =	"pickup",
	[AUDITEV_DECODE] =	"decode",
	[AUDITEV_VERIFY] =	"verify",
	[AUDITEV_POLICY] =	"policy",
	[AUDITEV_DIODE_TX] =	"diode-tx",
	[AUDITEV_DIODE_RX] =	"diode-rx",
	[AUDITEV_ARCHIVE] =	"archive",
};

#define K(k)		(1u << (k))
#define MSG_NONE_	0	/* no message id */
#define MSG_NEEDED	1	/* a message id */
#define MSG_MAYBE	2

/*
 * One rule: who may record the event, whether it names a message, the keys
 * it must carry and the keys it may carry besides.  An event may have one
 * rule per kind of reporter (a verify worker and qmgr both say a message
 * was inspected, with different details).
 */
struct ev_rule {
	enum audit_ev	 ev;
	unsigned	 kinds;
	int		 msgid;
	const char	*need[6];
	const char	*may[8];
};

static const struct ev_rule rules[] = {
	{ AUDIT_EV_MESSAGE_ACCEPTED, K(AUDITEV_PICKUP), MSG_NEEDED,
	    { "digest", "source", "bytes" }, { NULL } },
	{ AUDIT_EV_MESSAGE_INSPECTED, K(AUDITEV_DECODE), MSG_NEEDED,
	    { "stage", "result" }, { "precedence", "error" } },
	{ AUDIT_EV_MESSAGE_INSPECTED, K(AUDITEV_VERIFY), MSG_NEEDED,
	    { "stage", "result", "digest", "facts" }, { "signer", "reason" } },
	{ AUDIT_EV_MESSAGE_INSPECTED, K(AUDITEV_QMGR), MSG_NEEDED,
	    { "stage" }, { "state", "reason", "error" } },
	{ AUDIT_EV_VERDICT, K(AUDITEV_POLICY), MSG_NEEDED,
	    { "verdict", "rules", "digest", "policy" },
	    { "label", "crosses-as", "precedence", "reasons" } },
	{ AUDIT_EV_VERDICT, K(AUDITEV_QMGR), MSG_NEEDED,
	    { "verdict" }, { "label", "crosses-as", "reasons", "rule",
	    "reason" } },
	{ AUDIT_EV_OFFICER_ACTION, K(AUDITEV_QMGR), MSG_NEEDED,
	    { "action", "officer", "reason" }, { "from" } },
	{ AUDIT_EV_DIODE_SENT, K(AUDITEV_DIODE_TX), MSG_NEEDED,
	    { "digest", "bytes" }, { "session", "sequence", "precedence" } },
	{ AUDIT_EV_DELIVERED, K(AUDITEV_DIODE_RX), MSG_NEEDED,
	    { "digest" }, { "session", "sequence", "precedence", "bytes",
	    "folder" } },
	{ AUDIT_EV_NDR_ISSUED, K(AUDITEV_QMGR), MSG_NEEDED,
	    { "report" }, { "reason", "diagnostic", "error" } },
	{ AUDIT_EV_POLICY_LOADED, K(AUDITEV_MMGUARDD), MSG_NONE_,
	    { "old", "new", "via" }, { "officer", "file" } },
	{ AUDIT_EV_ROLE_STARTED, K(AUDITEV_MMGUARDD), MSG_NONE_,
	    { "process", "pid" }, { "direction", "index", "policy",
	    "config" } },
	{ AUDIT_EV_ROLE_CRASHED, K(AUDITEV_MMGUARDD), MSG_NONE_,
	    { "process", "how" }, { "direction", "index", "pid" } },
	{ AUDIT_EV_ROLE_CRASHED, K(AUDITEV_QMGR), MSG_NEEDED,
	    { "process", "reason" }, { NULL } },
	{ AUDIT_EV_ROLE_RESTARTED, K(AUDITEV_MMGUARDD), MSG_NONE_,
	    { "process", "pid" }, { "direction", "index", "reason" } },
	{ AUDIT_EV_SANDBOX_VIOLATION, K(AUDITEV_MMGUARDD), MSG_NONE_,
	    { "process", "how" }, { "direction", "index", "pid" } },
	{ AUDIT_EV_CONFIG_CHANGED, K(AUDITEV_MMGUARDD), MSG_NONE_,
	    { "change" }, { "officer", "file", "old", "new", "error",
	    "reason", "key" } },
	{ AUDIT_EV_ARCHIVE_PURGED, K(AUDITEV_ARCHIVE), MSG_NEEDED,
	    { "archived-at" }, { NULL } },
	{ AUDIT_EV_LINK_ALARM, K(AUDITEV_DIODE_RX) | K(AUDITEV_DIODE_TX),
	    MSG_MAYBE, { "alarm" }, { "session", "sequence", "precedence",
	    "reason" } },
};

/* Keys whose value is a SHA-256 in lowercase hex. */
static const char *const hex_keys[] = {
	"digest", "facts", "policy", "old", "new"
};

static int
ev_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
ev_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

const char *
auditev_kind_name(enum auditev_kind k)
{
	return (unsigned)k < AUDITEV__KINDS ? kind_names[k] : NULL;
}

int
auditev_kind_lookup(const char *s, enum auditev_kind *k)
{
	unsigned	i;

	for (i = 0; i < AUDITEV__KINDS; i++)
		if (strcmp(kind_names[i], s) == 0) {
			*k = (enum auditev_kind)i;
			return 0;
		}
	return -1;
}

int
auditev_name_valid(const char *s)
{
	size_t	n = strlen(s), i;

	if (n == 0 || n > AUDITEV_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

int
auditev_send(struct ipc_chan *ch, uint64_t ack, enum audit_ev ev,
    const char *msgid, const struct audit_kv *kv, size_t n)
{
	size_t	i;

	ipc_create(ch, MSG_AUDIT, ack);
	ipc_add_u32(ch, (uint32_t)ev);
	ipc_add_string(ch, msgid != NULL ? msgid : "");
	ipc_add_u32(ch, (uint32_t)n);
	for (i = 0; i < n; i++) {
		ipc_add_string(ch, kv[i].key);
		ipc_add_string(ch, kv[i].value);
	}
	return ipc_close(ch);
}

int
auditev_read(struct ipc_msg *m, struct auditev *e)
{
	uint32_t	ev, n, i;

	memset(e, 0, sizeof(*e));
	if (ipc_get_u32(m, &ev) == -1 || ipc_get_string(m, &e->msgid) == -1 ||
	    ipc_get_u32(m, &n) == -1)
		return -1;
	if (n > AUDITEV_MAX_KV) {
		(void)snprintf(m->err, sizeof(m->err), "audit event with %u "
		    "details (at most %d)", n, AUDITEV_MAX_KV);
		ipc_msg_free(m);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (ipc_get_string(m, &e->kv[i].key) == -1 ||
		    ipc_get_string(m, &e->kv[i].value) == -1)
			return -1;
	if (ipc_end(m) == -1)
		return -1;
	/* Range-checked by auditev_check(): the enum holds any u32 here. */
	e->type = (enum audit_ev)ev;
	e->nkv = n;
	return 0;
}

static bool
listed(const char *const *v, size_t max, const char *key)
{
	size_t	i;

	for (i = 0; i < max && v[i] != NULL; i++)
		if (strcmp(v[i], key) == 0)
			return true;
	return false;
}

static bool
hex64(const char *s)
{
	size_t	i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' &&
		    s[i] <= 'f')))
			return false;
	return s[64] == '\0';
}

/* The details against one rule; -1 and why. */
static int
check_rule(const struct ev_rule *r, const struct auditev *e, char *err,
    size_t errlen)
{
	const char	*name = audit_ev_name(e->type);
	size_t		 i, j;

	if (r->msgid == MSG_NEEDED && e->msgid[0] == '\0')
		return ev_err(err, errlen, "%s without a message id", name);
	if (r->msgid == MSG_NONE_ && e->msgid[0] != '\0')
		return ev_err(err, errlen, "%s names a message", name);
	if (strlen(e->msgid) > AUDIT_VALUE_MAX)
		return ev_err(err, errlen, "%s: message id longer than %d "
		    "bytes", name, AUDIT_VALUE_MAX);
	for (i = 0; i < e->nkv; i++) {
		const char *k = e->kv[i].key, *v = e->kv[i].value;

		if (!listed(r->need, sizeof(r->need) / sizeof(r->need[0]),
		    k) && !listed(r->may, sizeof(r->may) / sizeof(r->may[0]),
		    k))
			return ev_err(err, errlen, "%s: key \"%.40s\" is not "
			    "one this event has", name, k);
		for (j = 0; j < i; j++)
			if (strcmp(e->kv[j].key, k) == 0)
				return ev_err(err, errlen, "%s: key %s twice",
				    name, k);
		if (strlen(v) > AUDIT_VALUE_MAX)
			return ev_err(err, errlen, "%s: %s longer than %d "
			    "bytes", name, k, AUDIT_VALUE_MAX);
		if (listed(hex_keys, sizeof(hex_keys) / sizeof(hex_keys[0]),
		    k) && !hex64(v))
			return ev_err(err, errlen, "%s: %s is not a SHA-256 "
			    "in lowercase hex", name, k);
	}
	for (i = 0; i < sizeof(r->need) / sizeof(r->need[0]) &&
	    r->need[i] != NULL; i++) {
		for (j = 0; j < e->nkv; j++)
			if (strcmp(e->kv[j].key, r->need[i]) == 0)
				break;
		if (j == e->nkv)
			return ev_err(err, errlen, "%s without %s", name,
			    r->need[i]);
	}
	return 0;
}

int
auditev_check(enum auditev_kind kind, const struct auditev *e, char *err,
    size_t errlen)
{
	const char	*name = audit_ev_name(e->type);
	size_t		 i;

	if ((unsigned)kind >= AUDITEV__KINDS)
		return ev_err(err, errlen, "unknown kind of process %u",
		    (unsigned)kind);
	if (name == NULL)
		return ev_err(err, errlen, "unknown event %u",
		    (unsigned)e->type);
	if (audit_ev_is_internal(e->type))
		return ev_err(err, errlen, "%s records are the log's own",
		    name);
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (rules[i].ev == e->type &&
		    (rules[i].kinds & K(kind)) != 0)
			return check_rule(&rules[i], e, err, errlen);
	return ev_err(err, errlen, "%s may not record %s", kind_names[kind],
	    name);
}

int
auditev_rule(size_t i, enum audit_ev *ev, unsigned *kinds,
    const char *keys[AUDITEV_MAX_KV], size_t *nkeys)
{
	const struct ev_rule	*r;
	size_t			 j, n = 0;

	if (i >= sizeof(rules) / sizeof(rules[0]))
		return -1;
	r = &rules[i];
	*ev = r->ev;
	*kinds = r->kinds;
	for (j = 0; j < sizeof(r->need) / sizeof(r->need[0]) &&
	    r->need[j] != NULL; j++)
		keys[n++] = r->need[j];
	for (j = 0; j < sizeof(r->may) / sizeof(r->may[0]) &&
	    r->may[j] != NULL; j++)
		keys[n++] = r->may[j];
	*nkeys = n;
	return 0;
}
