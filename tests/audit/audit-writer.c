/*
 * audit-writer - appends events to an audit log in a loop, with group
 * commit; the load of the crash test and a seed maker for the fuzz corpus.
 * Not installed.
 *
 *	audit-writer DIR KEY.pem [-n COUNT] [-b BATCH] [-c CKPT_RECORDS]
 *	    [-t CKPT_SECS] [-r ROTATE_BYTES] [-a ROTATE_SECS] [-k NEWKEY.pem]
 *	    [-K AT] [-s START] [-x]
 *
 * Appends COUNT events (0: until killed), committing every BATCH, and
 * prints "committed SEQ" after each commit returns (so a test knows what
 * was acknowledged).  With -k, rotates to NEWKEY after AT events.  Events
 * cycle through the role events with message ids MSG-START..., a rule, a
 * label and, every seventh, a text with spaces, '%' and non-ASCII bytes.
 * With -x it exits without closing the log (no final checkpoint), as a
 * crash between checkpoints would leave it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "guard/audit/auditlog.h"
#include "guard/common/log.h"

static EVP_PKEY *
load_key(const char *path)
{
	EVP_PKEY	*k;
	FILE		*f;

	if ((f = fopen(path, "r")) == NULL)
		fatal("%s", path);
	if ((k = PEM_read_PrivateKey(f, NULL, NULL, NULL)) == NULL)
		fatalx("%s: not a private key", path);
	fclose(f);
	return k;
}

static uint64_t
num(const char *s)
{
	char			*end;
	unsigned long long	 v;

	v = strtoull(s, &end, 10);
	if (*s == '\0' || *end != '\0')
		fatalx("bad number %s", s);
	return v;
}

static const enum audit_ev events[] = {
	AUDIT_EV_MESSAGE_ACCEPTED, AUDIT_EV_MESSAGE_INSPECTED,
	AUDIT_EV_VERDICT, AUDIT_EV_DIODE_SENT, AUDIT_EV_DELIVERED,
	AUDIT_EV_OFFICER_ACTION, AUDIT_EV_NDR_ISSUED,
};
static const char *const roles[] = {
	"rx", "decode", "policy", "diode-tx", "relay", "ctl", "qmgr"
};

int
main(int argc, char *argv[])
{
	struct audit_log_opts	 o;
	struct audit_log	*l;
	struct audit_event	 ev;
	struct audit_kv		 kv[4];
	EVP_PKEY		*key, *newkey = NULL;
	uint64_t		 count = 1000, batch = 16, at = 0, start = 1, i;
	uint64_t		 seq;
	uint8_t			 hash[32];
	char			 err[512], msgid[32], rule[16];
	int			 c, noclose = 0;
	size_t			 k;

	log_init("audit-writer", LOG_TO_STDERR, 0);
	if (argc < 3)
		fatalx("usage: audit-writer DIR KEY.pem [options]");
	memset(&o, 0, sizeof(o));
	key = load_key(argv[2]);
	optind = 3;
	while ((c = getopt(argc, argv, "n:b:c:t:r:a:k:K:s:x")) != -1) {
		switch (c) {
		case 'n': count = num(optarg); break;
		case 'b': batch = num(optarg); break;
		case 'c': o.checkpoint_records = num(optarg); break;
		case 't': o.checkpoint_secs = (uint32_t)num(optarg); break;
		case 'r': o.rotate_bytes = num(optarg); break;
		case 'a': o.rotate_secs = (uint32_t)num(optarg); break;
		case 'k': newkey = load_key(optarg); break;
		case 'K': at = num(optarg); break;
		case 's': start = num(optarg); break;
		case 'x': noclose = 1; break;
		default: fatalx("bad option");
		}
	}
	if (batch == 0)
		fatalx("-b must be at least 1");
	if ((l = audit_log_open(argv[1], key, &o, err, sizeof(err))) == NULL)
		fatalx("open: %s", err);
	if (audit_log_recovered(l) > 0)
		printf("recovered %" PRIu64 "\n", audit_log_recovered(l));
	for (i = 0; count == 0 || i < count; i++) {
		k = 0;
		(void)snprintf(msgid, sizeof(msgid), "MSG-%" PRIu64, start + i);
		(void)snprintf(rule, sizeof(rule), "R%" PRIu64, i % 13);
		kv[k].key = "rule";
		kv[k++].value = rule;
		kv[k].key = "label";
		kv[k++].value = i % 2 ? "NATO SECRET" : "NATO UNCLASSIFIED";
		if (i % 7 == 3) {
			kv[k].key = "text";
			kv[k++].value = "held: 100% r\xc3\xa9vis\xc3\xa9 by officer";
		}
		memset(&ev, 0, sizeof(ev));
		ev.role = roles[i % (sizeof(roles) / sizeof(roles[0]))];
		ev.type = events[i % (sizeof(events) / sizeof(events[0]))];
		ev.msgid = msgid;
		ev.details = kv;
		ev.ndetails = k;
		if (audit_log_append(l, &ev, err, sizeof(err)) == -1)
			fatalx("append: %s", err);
		if ((i + 1) % batch == 0) {
			if (audit_log_commit(l, err, sizeof(err)) == -1)
				fatalx("commit: %s", err);
			audit_log_head(l, &seq, hash);
			printf("committed %" PRIu64 "\n", seq);
			fflush(stdout);
		}
		if (newkey != NULL && i + 1 == at) {
			if (audit_log_rotate_key(l, newkey, err,
			    sizeof(err)) == -1)
				fatalx("rotate key: %s", err);
			printf("key rotated\n");
		}
	}
	if (noclose) {
		if (audit_log_commit(l, err, sizeof(err)) == -1)
			fatalx("commit: %s", err);
		return 0;
	}
	if (audit_log_close(l, err, sizeof(err)) == -1)
		fatalx("close: %s", err);
	EVP_PKEY_free(key);
	EVP_PKEY_free(newkey);
	return 0;
}
