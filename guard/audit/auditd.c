/*
 * mmguard-auditd - the audit role: the only writer of the audit log.
 *
 * SYNOPSIS
 *	mmguard-auditd -a DIR -k KEY [-u USER]
 *
 * DESCRIPTION
 *	Started by mmguardd with its channel on descriptor 3; the supervisor
 *	then hands it a channel from each queue manager (MSG_PEER).  Every
 *	MSG_AUDIT frame becomes a record of the hash-chained log in DIR
 *	(guard/audit/auditlog.h), signed at checkpoints with the Ed25519
 *	KEY.  Frames that arrive together are written with one fdatasync
 *	(group commit); a frame with a non-zero id is answered with
 *	MSG_AUDIT_ACK only after that sync: qmgr waits for it before a
 *	released message may cross the one-way channel.  A checkpoint is
 *	due by count or time (audit_log_tick, every second).
 *
 * SECURITY
 *	Runs as its own user in the audit sandbox: files beneath DIR only,
 *	created, appended, renamed and synced; no network.  It holds the
 *	signing key: owning it lets an attacker write a log that verifies
 *	from then on, but not change what was sealed before (auditors keep
 *	signed heads outside the appliance).  It parses only IPC frames.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "guard/audit/auditlog.h"
#include "guard/common/ipc.h"
#include "guard/common/log.h"
#include "guard/common/proc.h"
#include "guard/common/role.h"
#include "guard/common/sandbox.h"
#include "guard/common/xmalloc.h"
#include "guard/msg.h"

#define MAX_CHANS	4

struct ack {
	struct ipc_chan	*ch;
	uint64_t	 id;
};

static struct audit_log	*alog;
static struct ipc_chan	 chans[MAX_CHANS];	/* 0: mmguardd */
static const char *const names[MAX_CHANS] = { "mmguardd", "qmgr-h2l",
			    "qmgr-l2h", "" };
static bool		 up[MAX_CHANS];
static struct ack	 acks[4096];
static size_t		 nacks;

static void
event(struct ipc_chan *ch, const char *role, struct ipc_msg *m)
{
	uint32_t		 ev;
	const char		*qid, *text;
	struct audit_kv		 kv = { "info", NULL };
	struct audit_event	 e;
	char			 err[256];

	if (ipc_get_u32(m, &ev) == -1 || ipc_get_string(m, &qid) == -1 ||
	    ipc_get_string(m, &text) == -1 || ipc_end(m) == -1)
		ipc_msg_fatal(m);
	if (ev >= AUDIT_EV__COUNT || audit_ev_is_internal((enum audit_ev)ev))
		fatalx("%s: event %u is not one a role may record", role, ev);
	kv.value = text;
	memset(&e, 0, sizeof(e));
	e.role = role;
	e.type = (enum audit_ev)ev;
	e.msgid = qid;
	e.details = text[0] != '\0' ? &kv : NULL;
	e.ndetails = text[0] != '\0';
	if (audit_log_append(alog, &e, err, sizeof(err)) == -1)
		fatalx("audit log: %s", err);
	if (m->id != 0) {
		if (nacks == sizeof(acks) / sizeof(acks[0]))
			fatalx("too many acknowledgements waiting");
		acks[nacks].ch = ch;
		acks[nacks++].id = m->id;
	}
}

int
main(int argc, char *argv[])
{
	struct audit_log_opts	 opts;
	struct pollfd		 pfd[MAX_CHANS];
	struct ipc_msg		*m;
	EVP_PKEY		*key;
	FILE			*f;
	const char		*dir = NULL, *keyfile = NULL, *user = NULL;
	char			 err[256];
	int			 c, i, dirfd, n, k;
	size_t			 j;

	log_init("mmguard-auditd", LOG_TO_STDERR, 0);
	if (proc_check_channel(err, sizeof(err)) == -1)
		fatalx("%s (roles are started by mmguardd)", err);
	while ((c = getopt(argc, argv, "a:k:u:")) != -1) {
		switch (c) {
		case 'a':
			dir = optarg;
			break;
		case 'k':
			keyfile = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		default:
			fatalx("usage: mmguard-auditd -a DIR -k KEY [-u USER]");
		}
	}
	if (dir == NULL || keyfile == NULL)
		fatalx("-a and -k are required");
	if ((f = fopen(keyfile, "r")) == NULL)
		fatal("%s", keyfile);
	key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	(void)fclose(f);
	if (key == NULL)
		fatalx("%s: not a PEM private key", keyfile);
	/* OpenSSL loads its configuration and signing code now, not at the
	 * first checkpoint inside the sandbox. */
	{
		EVP_MD_CTX	*md = EVP_MD_CTX_new();
		uint8_t		 sig[128];
		size_t		 siglen = sizeof(sig);

		if (md == NULL || EVP_DigestSignInit(md, NULL, NULL, NULL,
		    key) != 1 || EVP_DigestSign(md, sig, &siglen,
		    (const uint8_t *)"x", 1) != 1)
			fatalx("%s: cannot sign with this key", keyfile);
		EVP_MD_CTX_free(md);
	}
	memset(&opts, 0, sizeof(opts));
	opts.role = "audit";
	if ((alog = audit_log_open(dir, key, &opts, err, sizeof(err))) ==
	    NULL)
		fatalx("%s", err);
	if (audit_log_recovered(alog) > 0)
		log_warnx("recovered the log: %llu bytes set aside",
		    (unsigned long long)audit_log_recovered(alog));
	if (ipc_chan_init(&chans[0], PROC_CHANNEL_FD, names[0]) == -1)
		fatalx("%s", chans[0].err);
	up[0] = true;
	dirfd = audit_log_dirfd(alog);
	sandbox_enter(&sandbox_audit, &(struct sandbox_args){
	    .user = user, .sock = -1, .dirs = &dirfd, .ndirs = 1 });
	m = xmalloc(sizeof(*m));
	for (;;) {
		for (i = 0; i < MAX_CHANS; i++) {
			pfd[i].fd = up[i] ? chans[i].fd : -1;
			pfd[i].events = up[i] ? ipc_events(&chans[i]) : 0;
			pfd[i].revents = 0;
		}
		if ((n = poll(pfd, MAX_CHANS, 1000)) == -1 && errno != EINTR)
			fatal("poll");
		for (i = 0; i < MAX_CHANS; i++) {
			if (!up[i] || !(pfd[i].revents & (POLLIN | POLLHUP |
			    POLLERR)))
				continue;
			while ((k = ipc_recv(&chans[i], m)) == 1) {
				if (m->type == MSG_AUDIT) {
					event(&chans[i], names[i], m);
					continue;
				}
				if (i != 0)
					fatalx("unexpected frame %u from %s",
					    m->type, names[i]);
				role_qmgr_peer(m, chans, up, names);
			}
			if (k == -1) {
				if (!chans[i].eof)
					ipc_fatal(&chans[i]);
				if (i == 0) {
					if (audit_log_close(alog, err,
					    sizeof(err)) == -1)
						fatalx("%s", err);
					exit(0);
				}
				/* A qmgr went away; its acks go with it. */
				for (j = 0; j < nacks; j++)
					if (acks[j].ch == &chans[i])
						acks[j].ch = NULL;
				ipc_chan_free(&chans[i]);
				up[i] = false;
			}
		}
		/* One sync for everything received, then the acks. */
		if (audit_log_tick(alog, err, sizeof(err)) == -1)
			fatalx("audit log: %s", err);
		for (j = 0; j < nacks; j++) {
			if (acks[j].ch == NULL)
				continue;
			ipc_create(acks[j].ch, MSG_AUDIT_ACK, acks[j].id);
			if (ipc_close(acks[j].ch) == -1)
				ipc_fatal(acks[j].ch);
		}
		nacks = 0;
		for (i = 0; i < MAX_CHANS; i++)
			if (up[i] && ipc_flush(&chans[i]) == -1)
				ipc_fatal(&chans[i]);
	}
}
