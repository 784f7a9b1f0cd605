/*
 * test_auditev.c - the events processes send to the audit role: the frame
 * over a real socketpair, the rules of who may record what (accepted and
 * refused with the precise reason), a frame that is not one, and every
 * rule's keys written to a real audit log and verified.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "guard/audit/auditev.h"
#include "guard/audit/auditlog.h"
#include "guard/common/ipc.h"
#include "guard/common/xmalloc.h"
#include "guard/msg.h"
#include "tests/unit/unit.h"

#define HEX64	"0123456789abcdef0123456789abcdef" \
		"0123456789abcdef0123456789abcdef"

static struct ipc_msg	m;
static struct ipc_chan	tx, rx;

static void
pair(void)
{
	char	err[256];
	int	sv[2];

	CU_ASSERT_FATAL(ipc_socketpair(sv, err, sizeof(err)) == 0);
	CU_ASSERT_FATAL(ipc_chan_init(&tx, sv[0], "tx") == 0);
	CU_ASSERT_FATAL(ipc_chan_init(&rx, sv[1], "rx") == 0);
}

static void
unpair(void)
{
	ipc_chan_free(&tx);
	ipc_chan_free(&rx);
}

static void
test_round_trip(void)
{
	struct audit_kv	kv[3] = { { "digest", HEX64 },
			    { "source", "a file name with spaces" },
			    { "bytes", "2737" } };
	struct auditev	e;

	pair();
	CU_ASSERT_FATAL(auditev_send(&tx, 42, AUDIT_EV_MESSAGE_ACCEPTED,
	    "Q-1", kv, 3) == 0);
	CU_ASSERT_FATAL(ipc_flush_wait(&tx) == 0);
	CU_ASSERT_FATAL(ipc_recv_wait(&rx, &m) == 1);
	CU_ASSERT(m.type == MSG_AUDIT);
	CU_ASSERT(m.id == 42);
	CU_ASSERT_FATAL(auditev_read(&m, &e) == 0);
	CU_ASSERT(e.type == AUDIT_EV_MESSAGE_ACCEPTED);
	CU_ASSERT_STRING_EQUAL(e.msgid, "Q-1");
	CU_ASSERT_FATAL(e.nkv == 3);
	CU_ASSERT_STRING_EQUAL(e.kv[0].key, "digest");
	CU_ASSERT_STRING_EQUAL(e.kv[1].value, "a file name with spaces");
	CU_ASSERT_STRING_EQUAL(e.kv[2].key, "bytes");
	unpair();
}

/* A frame built by hand: the event, msgid, a count, then what is given. */
static int
read_hand(uint32_t n, int extra, char *err, size_t errlen)
{
	struct auditev	e;
	uint32_t	i;
	int		r;

	pair();
	ipc_create(&tx, MSG_AUDIT, 0);
	ipc_add_u32(&tx, AUDIT_EV_DELIVERED);
	ipc_add_string(&tx, "Q");
	ipc_add_u32(&tx, n);
	for (i = 0; i < n && i < 20; i++) {
		ipc_add_string(&tx, "k");
		ipc_add_string(&tx, "v");
	}
	if (extra)
		ipc_add_u32(&tx, 7);
	CU_ASSERT_FATAL(ipc_close(&tx) == 0);
	CU_ASSERT_FATAL(ipc_flush_wait(&tx) == 0);
	CU_ASSERT_FATAL(ipc_recv_wait(&rx, &m) == 1);
	r = auditev_read(&m, &e);
	(void)snprintf(err, errlen, "%s", m.err);
	unpair();
	return r;
}

static void
test_read_refuses(void)
{
	char	err[IPC_ERR_LEN];

	CU_ASSERT(read_hand(2, 0, err, sizeof(err)) == 0);
	CU_ASSERT(read_hand(AUDITEV_MAX_KV + 1, 0, err, sizeof(err)) == -1);
	CU_ASSERT(strstr(err, "audit event with 17 details (at most 16)") !=
	    NULL);
	CU_ASSERT(read_hand(1, 1, err, sizeof(err)) == -1);
	CU_ASSERT(strstr(err, "bytes left over") != NULL);
	/* Fewer pairs than the count says. */
	CU_ASSERT(read_hand(25, 0, err, sizeof(err)) == -1);
}

static struct auditev *
ev(enum audit_ev type, const char *msgid, size_t n, ...)
{
	static struct auditev	e;
	va_list			ap;
	size_t			i;

	memset(&e, 0, sizeof(e));
	e.type = type;
	e.msgid = msgid;
	va_start(ap, n);
	for (i = 0; i < n; i++) {
		e.kv[i].key = va_arg(ap, const char *);
		e.kv[i].value = va_arg(ap, const char *);
	}
	va_end(ap);
	e.nkv = n;
	return &e;
}

/* 0 when accepted; else the reason must contain want. */
static void
refused(enum auditev_kind k, const struct auditev *e, const char *want)
{
	char	err[256];

	err[0] = '\0';
	CU_ASSERT(auditev_check(k, e, err, sizeof(err)) == -1);
	if (strstr(err, want) == NULL)
		fprintf(stderr, "\n    got \"%s\", want \"%s\"\n", err, want);
	CU_ASSERT(strstr(err, want) != NULL);
}

static void
accepted(enum auditev_kind k, const struct auditev *e)
{
	char	err[256];

	err[0] = '\0';
	if (auditev_check(k, e, err, sizeof(err)) != 0)
		fprintf(stderr, "\n    refused: %s\n", err);
	CU_ASSERT(auditev_check(k, e, err, sizeof(err)) == 0);
}

static void
test_rules(void)
{
	char	longv[AUDIT_VALUE_MAX + 2];

	accepted(AUDITEV_PICKUP, ev(AUDIT_EV_MESSAGE_ACCEPTED, "Q", 3,
	    "digest", HEX64, "source", "m.p1", "bytes", "10"));
	accepted(AUDITEV_VERIFY, ev(AUDIT_EV_MESSAGE_INSPECTED, "Q", 5,
	    "stage", "verify", "result", "verified", "digest", HEX64,
	    "facts", HEX64, "signer", "CN=x"));
	accepted(AUDITEV_POLICY, ev(AUDIT_EV_VERDICT, "Q", 5, "verdict",
	    "reject", "rules", "a,b", "digest", HEX64, "policy", HEX64,
	    "reasons", "a: text\nb: text\n"));
	accepted(AUDITEV_DIODE_RX, ev(AUDIT_EV_LINK_ALARM, "", 2, "alarm",
	    "link-down", "reason", "no frames"));
	accepted(AUDITEV_DIODE_RX, ev(AUDIT_EV_LINK_ALARM, "Q", 2, "alarm",
	    "lost", "reason", "block lost"));
	accepted(AUDITEV_MMGUARDD, ev(AUDIT_EV_POLICY_LOADED, "", 4, "old",
	    HEX64, "new", HEX64, "via", "control", "officer", "Carter"));

	/* Who: a process records only what it sees. */
	refused(AUDITEV_DECODE, ev(AUDIT_EV_OFFICER_ACTION, "Q", 3, "action",
	    "released", "officer", "X", "reason", "r"),
	    "decode may not record officer-action");
	refused(AUDITEV_QMGR, ev(AUDIT_EV_POLICY_LOADED, "", 3, "old", HEX64,
	    "new", HEX64, "via", "control"),
	    "qmgr may not record policy-loaded");
	refused(AUDITEV_DIODE_TX, ev(AUDIT_EV_DELIVERED, "Q", 1, "digest",
	    HEX64), "diode-tx may not record delivered");
	refused(AUDITEV_MMGUARDD, ev(AUDIT_EV_CHECKPOINT, "", 0),
	    "checkpoint records are the log's own");
	refused(AUDITEV_MMGUARDD, ev(AUDIT_EV_KEY_ROTATED, "", 0),
	    "key-rotated records are the log's own");
	refused(AUDITEV_MMGUARDD, ev((enum audit_ev)999, "", 0),
	    "unknown event 999");
	refused((enum auditev_kind)AUDITEV__KINDS, ev(AUDIT_EV_VERDICT, "Q",
	    0), "unknown kind of process");

	/* What: the details. */
	refused(AUDITEV_PICKUP, ev(AUDIT_EV_MESSAGE_ACCEPTED, "Q", 2,
	    "source", "m.p1", "bytes", "10"), "message-accepted without digest");
	refused(AUDITEV_PICKUP, ev(AUDIT_EV_MESSAGE_ACCEPTED, "Q", 4,
	    "digest", HEX64, "source", "m.p1", "bytes", "10", "verdict",
	    "release"), "key \"verdict\" is not one this event has");
	refused(AUDITEV_PICKUP, ev(AUDIT_EV_MESSAGE_ACCEPTED, "Q", 4,
	    "digest", HEX64, "source", "m.p1", "bytes", "10", "source", "x"),
	    "key source twice");
	refused(AUDITEV_PICKUP, ev(AUDIT_EV_MESSAGE_ACCEPTED, "Q", 3,
	    "digest", "ABCDEF", "source", "m.p1", "bytes", "10"),
	    "digest is not a SHA-256 in lowercase hex");
	refused(AUDITEV_PICKUP, ev(AUDIT_EV_MESSAGE_ACCEPTED, "", 3,
	    "digest", HEX64, "source", "m.p1", "bytes", "10"),
	    "message-accepted without a message id");
	refused(AUDITEV_MMGUARDD, ev(AUDIT_EV_CONFIG_CHANGED, "Q", 1,
	    "change", "x"), "config-changed names a message");
	memset(longv, 'x', sizeof(longv) - 1);
	longv[sizeof(longv) - 1] = '\0';
	refused(AUDITEV_PICKUP, ev(AUDIT_EV_MESSAGE_ACCEPTED, "Q", 3,
	    "digest", HEX64, "source", longv, "bytes", "10"),
	    "source longer than 1024 bytes");
	refused(AUDITEV_PICKUP, ev(AUDIT_EV_MESSAGE_ACCEPTED, longv, 3,
	    "digest", HEX64, "source", "m.p1", "bytes", "10"),
	    "message id longer than 1024 bytes");
	/* qmgr and verify both record inspections, with their own keys. */
	refused(AUDITEV_QMGR, ev(AUDIT_EV_MESSAGE_INSPECTED, "Q", 2, "stage",
	    "verify", "facts", HEX64), "key \"facts\" is not one");

	CU_ASSERT(auditev_kind_name(AUDITEV_DIODE_RX) != NULL &&
	    strcmp(auditev_kind_name(AUDITEV_DIODE_RX), "diode-rx") == 0);
	CU_ASSERT(auditev_name_valid("verify-h2l-1"));
	CU_ASSERT(!auditev_name_valid("Verify"));
	CU_ASSERT(!auditev_name_valid(""));
	CU_ASSERT(!auditev_name_valid("role with space"));
	CU_ASSERT(!auditev_name_valid("abcdefghijklmnopqrstuvwxyz0123456"));
}

/* Every rule, with all its keys, makes a record of the real log. */
static void
test_rules_write(void)
{
	struct audit_log_opts	 o;
	struct audit_verifier	*v;
	struct audit_report	 rep;
	struct audit_log	*l;
	struct audit_event	 e;
	struct auditev		 a;
	EVP_PKEY		*k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	const char		*keys[AUDITEV_MAX_KV];
	const char		*t = getenv("TMPDIR");
	char			 dir[512], err[256], cmd[600];
	unsigned		 kinds, kind;
	size_t			 i, j, n, written = 0;
	enum audit_ev		 type;

	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	(void)snprintf(dir, sizeof(dir), "%s/mmguard-auditev-XXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	memset(&o, 0, sizeof(o));
	o.role = "audit";
	l = audit_log_open(dir, k, &o, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	for (i = 0; auditev_rule(i, &type, &kinds, keys, &n) == 0; i++) {
		memset(&a, 0, sizeof(a));
		a.type = type;
		for (j = 0; j < n; j++) {
			a.kv[j].key = keys[j];
			a.kv[j].value = HEX64;	/* good for any key */
		}
		a.nkv = n;
		for (kind = 0; !(kinds & (1u << kind)); kind++)
			;
		a.msgid = "Q";
		if (auditev_check((enum auditev_kind)kind, &a, err,
		    sizeof(err)) == -1) {
			a.msgid = "";
			CU_ASSERT(auditev_check((enum auditev_kind)kind, &a,
			    err, sizeof(err)) == 0);
		}
		memset(&e, 0, sizeof(e));
		e.role = auditev_kind_name((enum auditev_kind)kind);
		e.type = type;
		e.msgid = a.msgid;
		e.details = a.kv;
		e.ndetails = a.nkv;
		if (audit_log_append(l, &e, err, sizeof(err)) != 0)
			fprintf(stderr, "\n    rule %zu: %s\n", i, err);
		else
			written++;
	}
	CU_ASSERT(i >= 19);
	CU_ASSERT(written == i);
	CU_ASSERT(audit_log_close(l, err, sizeof(err)) == 0);
	v = audit_verifier_new(NULL, NULL, AUDIT_VERIFY_NOSIG, NULL);
	CU_ASSERT(audit_verify_dir(v, dir, err, sizeof(err)) == 0);
	CU_ASSERT(audit_verifier_end(v, &rep) == 0);
	CU_ASSERT(rep.records == written + 2);	/* log-created, checkpoint */
	audit_verifier_free(v);
	EVP_PKEY_free(k);
	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CU_ASSERT(system(cmd) == 0);
}

static const struct unit_test tests[] = {
	{ "frame round trip over a socketpair", test_round_trip },
	{ "malformed frames refused", test_read_refuses },
	{ "who may record what, with which details", test_rules },
	{ "every rule's keys make a valid record", test_rules_write },
	{ NULL, NULL }
};

UNIT_SUITE(auditev, "auditev", tests);
