/*
 * mmguard-auditd - the audit role: the only writer of the audit log.
 *
 * SYNOPSIS
 *	mmguard-auditd -a DIR -k KEY [-n NEWKEY] [-u USER]
 *
 * DESCRIPTION
 *	Started by mmguardd with its channel on descriptor 3.  Every process
 *	that records events has a channel of its own to this role: mmguardd
 *	wires it and hands the audit end over (MSG_AUDIT_PEER) with the
 *	process's kind and name, which become the role of its records.  A
 *	MSG_AUDIT frame becomes a record of the hash-chained log in DIR
 *	(guard/audit/auditlog.h), signed at checkpoints with the Ed25519
 *	KEY, once it passed the rules of guard/audit/auditev.h (who may
 *	record what, with which details).  Frames that arrive together are
 *	written with one fdatasync (group commit); a frame with a non-zero
 *	id is answered with MSG_AUDIT_ACK only after that sync: qmgr waits
 *	for it before a released message may cross the one-way channel.
 *	Such a frame is synced at once; records nobody waits for are held
 *	up to 10 ms for company, so that one sync carries the events
 *	several processes report about the same messages.
 *	A checkpoint is due by count or time (audit_log_tick, every
 *	second).
 *
 *	A frame that breaks the rules is not written: the refusal is
 *	(sandbox-violation, role audit, naming the process and the reason),
 *	the process's channel is closed and mmguardd is told to stop the
 *	process (MSG_AUDIT_REFUSED).  A misbehaving process cannot stop the
 *	log.
 *
 *	Key rotation (mmguardctl audit rotate-key): mmguardd hands over a
 *	new key (MSG_AUDIT_ROTATE, after storing it as NEWKEY) with the
 *	officer's name.  The officer's action is recorded (config-changed,
 *	change=audit-key), then the log writes its key-rotated record signed
 *	by the old and the new key, and signs with the new one from then
 *	on.  The new public key is written beside the log as
 *	key-ID.pub (PEM; ID as in the records): auditors find every key of
 *	the log there, and `mmguard-audit verify` follows the rotation from
 *	the first key.  Started with -n, the role opens the log with NEWKEY
 *	when KEY is no longer the one in force (a rotation whose key file
 *	mmguardd had not yet put in place), and says which key it uses
 *	(MSG_AUDIT_KEY).
 *
 *	On SIGTERM or SIGINT the frames already received are written and
 *	the log is sealed (checkpoint, reason=close) before the role exits.
 *
 * SECURITY
 *	Runs as its own user in the audit sandbox: files beneath DIR only,
 *	created, appended, renamed and synced; no network.  It holds the
 *	signing key: owning it lets an attacker write a log that verifies
 *	from then on, but not change what was sealed before (auditors keep
 *	signed heads outside the appliance).  It parses only IPC frames,
 *	from processes that may be compromised: each is read with the
 *	strict readers and checked whole before anything is written.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "guard/audit/auditev.h"
#include "guard/audit/auditlog.h"
#include "guard/common/ipc.h"
#include "guard/common/log.h"
#include "guard/common/proc.h"
#include "guard/common/sandbox.h"
#include "guard/common/xmalloc.h"
#include "guard/msg.h"

/* Every process of two directions with eight workers each, and spares
 * for channels still draining after their process was replaced. */
#define MAX_PEERS	128
#define PUB_MAX		1024
/*
 * Group commit.  A frame that asks for an acknowledgement (a release
 * decision qmgr waits for) is written and synced at once, with whatever
 * else has arrived.  Records nobody waits for are held up to GROUP_MS (or
 * GROUP_MAX of them) for company: a message's events come from half a
 * dozen processes a few milliseconds apart, and each fdatasync of its own
 * cost the role more CPU than formatting several records.  No sender acts
 * on such a record's durability (it has no acknowledgement to wait for),
 * so the hold changes nothing but how many records one sync carries.
 */
#define GROUP_MS	10
#define GROUP_MAX	512

struct peer {
	struct ipc_chan		 ch;
	bool			 up;
	enum auditev_kind	 kind;
	char			 name[AUDITEV_NAME_MAX + 1];
	uint32_t		 pid;
};

struct ack {
	struct ipc_chan	*ch;
	uint64_t	 id;
};

static struct audit_log	*alog;
static struct peer	 peers[MAX_PEERS];	/* 0: mmguardd */
static struct ack	 acks[4096];
static size_t		 nacks;
static int		 dirfd = -1;
static char		 keyid[AUDIT_KEYID_LEN + 1];	/* in force */
static bool		 urgent;	/* commit before answering anyone */

static int64_t
now_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
drop_acks(struct ipc_chan *ch)
{
	size_t	j;

	for (j = 0; j < nacks; j++)
		if (acks[j].ch == ch)
			acks[j].ch = NULL;
}

/* The audit role's own record of something it saw. */
static void
own_record(enum audit_ev type, const struct audit_kv *kv, size_t n)
{
	struct audit_event	e;
	char			err[256];

	memset(&e, 0, sizeof(e));
	e.role = "audit";
	e.type = type;
	e.details = kv;
	e.ndetails = n;
	if (audit_log_append(alog, &e, err, sizeof(err)) == -1)
		fatalx("audit log: %s", err);
}

/*
 * A frame that breaks the rules: recorded, not written; the process is
 * cut off and mmguardd stops it.  mmguardd's own are recorded only.
 */
static void
refuse(struct peer *p, const char *why)
{
	struct audit_kv	kv[2] = { { "process", p->name },
			    { "reason", why } };

	log_warnx("%s: event refused: %s", p->name, why);
	own_record(AUDIT_EV_SANDBOX_VIOLATION, kv, 2);
	urgent = true;
	if (p == &peers[0])
		return;
	ipc_create(&peers[0].ch, MSG_AUDIT_REFUSED, 0);
	ipc_add_u32(&peers[0].ch, p->pid);
	ipc_add_string(&peers[0].ch, p->name);
	ipc_add_string(&peers[0].ch, why);
	if (ipc_close(&peers[0].ch) == -1)
		ipc_fatal(&peers[0].ch);
	drop_acks(&p->ch);
	ipc_chan_free(&p->ch);
	p->up = false;
}

static void
event(struct peer *p, struct ipc_msg *m)
{
	struct auditev		 ev;
	struct audit_event	 e;
	char			 err[256];
	uint64_t		 id = m->id;

	if (auditev_read(m, &ev) == -1) {
		refuse(p, m->err);
		return;
	}
	if (auditev_check(p->kind, &ev, err, sizeof(err)) == -1) {
		refuse(p, err);
		return;
	}
	memset(&e, 0, sizeof(e));
	e.role = p->name;
	e.type = ev.type;
	e.msgid = ev.msgid;
	e.details = ev.kv;
	e.ndetails = ev.nkv;
	if (audit_log_append(alog, &e, err, sizeof(err)) == -1) {
		refuse(p, err);
		return;
	}
	if (id != 0) {
		if (nacks == sizeof(acks) / sizeof(acks[0]))
			fatalx("too many acknowledgements waiting");
		acks[nacks].ch = &p->ch;
		acks[nacks++].id = id;
	}
}

/* mmguardd hands over a process's audit channel. */
static void
peer_add(struct ipc_msg *m)
{
	const char		*kind, *name;
	enum auditev_kind	 k;
	uint32_t		 pid;
	int			 fd, i;

	if (ipc_get_string(m, &kind) == -1 || ipc_get_string(m, &name) ==
	    -1 || ipc_get_u32(m, &pid) == -1 || ipc_get_fd(m, &fd) == -1 ||
	    ipc_end(m) == -1)
		ipc_msg_fatal(m);
	if (auditev_kind_lookup(kind, &k) == -1 || !auditev_name_valid(name))
		fatalx("mmguardd: audit peer %.40s \"%.40s\" is not one", kind,
		    name);
	for (i = 1; i < MAX_PEERS && peers[i].up; i++)
		;
	if (i == MAX_PEERS) {
		/* Cannot be heard: it is stopped, not left unaudited. */
		(void)close(fd);
		ipc_create(&peers[0].ch, MSG_AUDIT_REFUSED, 0);
		ipc_add_u32(&peers[0].ch, pid);
		ipc_add_string(&peers[0].ch, name);
		ipc_add_string(&peers[0].ch, "no room for another channel");
		if (ipc_close(&peers[0].ch) == -1)
			ipc_fatal(&peers[0].ch);
		return;
	}
	memset(&peers[i], 0, sizeof(peers[i]));
	(void)snprintf(peers[i].name, sizeof(peers[i].name), "%s", name);
	peers[i].kind = k;
	peers[i].pid = pid;
	if (ipc_chan_init(&peers[i].ch, fd, peers[i].name) == -1)
		fatalx("%s", peers[i].ch.err);
	peers[i].up = true;
}

/* key-ID.pub beside the log, made whole before it has its name. */
static int
write_pub(const char *id, const char *pem, char *err, size_t errlen)
{
	char		 tmp[64], name[64];
	const char	*p = pem;
	size_t		 left = strlen(pem);
	ssize_t		 k;
	int		 fd;

	(void)snprintf(name, sizeof(name), "key-%s.pub", id);
	(void)snprintf(tmp, sizeof(tmp), ".key-%s.pub.tmp", id);
	/* No O_TRUNC (the sandbox grants no truncation): a stale
	 * temporary file of the same key holds the same bytes. */
	if ((fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW, 0644)) == -1) {
		(void)snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	while (left > 0) {
		if ((k = write(fd, p, left)) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		p += k;
		left -= (size_t)k;
	}
	if (left > 0 || fsync(fd) == -1 || close(fd) == -1 ||
	    renameat(dirfd, tmp, dirfd, name) == -1 || fsync(dirfd) == -1) {
		(void)snprintf(err, errlen, "%s: %s", name, strerror(errno));
		return -1;
	}
	return 0;
}

static void
rotated(uint64_t id, bool ok, const char *text)
{
	ipc_create(&peers[0].ch, MSG_AUDIT_ROTATED, id);
	ipc_add_u32(&peers[0].ch, ok);
	ipc_add_string(&peers[0].ch, text);
	if (ipc_close(&peers[0].ch) == -1)
		ipc_fatal(&peers[0].ch);
}

/* The officer's action, recorded under the old key's seal. */
static int
rotation_record(const char *officer, const char *id, char *err,
    size_t errlen)
{
	struct auditev		ev;
	struct audit_event	e;

	memset(&ev, 0, sizeof(ev));
	ev.type = AUDIT_EV_CONFIG_CHANGED;
	ev.msgid = "";
	ev.kv[0] = (struct audit_kv){ "change", "audit-key" };
	ev.kv[1] = (struct audit_kv){ "officer", officer };
	ev.kv[2] = (struct audit_kv){ "key", id };
	ev.nkv = 3;
	if (auditev_check(AUDITEV_MMGUARDD, &ev, err, errlen) == -1)
		return -1;
	memset(&e, 0, sizeof(e));
	e.role = peers[0].name;
	e.type = ev.type;
	e.details = ev.kv;
	e.ndetails = ev.nkv;
	return audit_log_append(alog, &e, err, errlen);
}

/* An officer's key rotation, the new key from mmguardd. */
static void
rotate(struct ipc_msg *m)
{
	EVP_PKEY	*nk;
	const char	*officer, *pem;
	char		 id[AUDIT_KEYID_LEN + 1], err[256];
	uint8_t		 raw[32], pub[32];
	uint64_t	 req = m->id;

	urgent = true;
	if (ipc_get_string(m, &officer) == -1 ||
	    ipc_get_data_exact(m, raw, sizeof(raw)) == -1 ||
	    ipc_get_string(m, &pem) == -1 || ipc_end(m) == -1)
		ipc_msg_fatal(m);
	nk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, raw,
	    sizeof(raw));
	explicit_bzero(raw, sizeof(raw));
	if (nk == NULL || audit_key_id(nk, id, pub) == -1)
		rotated(req, false, "not an Ed25519 private key");
	else if (strcmp(id, keyid) == 0)
		rotated(req, false, "the new key is the key in force");
	else if (strlen(pem) > PUB_MAX)
		rotated(req, false, "public key too long");
	else if (rotation_record(officer, id, err, sizeof(err)) == -1 ||
	    audit_log_rotate_key(alog, nk, err, sizeof(err)) == -1)
		rotated(req, false, err);
	else {
		log_info("audit key rotated to %s", id);
		memcpy(keyid, id, sizeof(keyid));
		if (write_pub(id, pem, err, sizeof(err)) == -1)
			log_warnx("the new public key: %s", err);
		rotated(req, true, id);
	}
	EVP_PKEY_free(nk);	/* the log holds its own reference */
	ipc_msg_free(m);	/* wipes the frame's copy of the key */
}

static EVP_PKEY *
load_key(const char *file)
{
	EVP_PKEY	*k;
	FILE		*f;

	if ((f = fopen(file, "r")) == NULL)
		return NULL;
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	(void)fclose(f);
	return k;
}

/* OpenSSL loads its signing and key import code now, not in the sandbox. */
static void
warm_up(EVP_PKEY *key, const char *keyfile)
{
	static const uint8_t	 zero[32];
	EVP_MD_CTX		*md = EVP_MD_CTX_new();
	EVP_PKEY		*k;
	uint8_t			 sig[128];
	size_t			 siglen = sizeof(sig);

	if (md == NULL || EVP_DigestSignInit(md, NULL, NULL, NULL, key) != 1 ||
	    EVP_DigestSign(md, sig, &siglen, (const uint8_t *)"x", 1) != 1)
		fatalx("%s: cannot sign with this key", keyfile);
	EVP_MD_CTX_free(md);
	if ((k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, zero,
	    sizeof(zero))) == NULL)
		fatalx("Ed25519 keys cannot be imported");
	EVP_PKEY_free(k);
}

static void
serve_supervisor(struct ipc_msg *m)
{
	switch (m->type) {
	case MSG_AUDIT:
		event(&peers[0], m);
		break;
	case MSG_AUDIT_PEER:
		peer_add(m);
		break;
	case MSG_AUDIT_ROTATE:
		rotate(m);
		break;
	default:
		fatalx("unexpected frame %u from mmguardd", m->type);
	}
}

static void __attribute__((noreturn))
serve(void)
{
	struct pollfd	 pfd[MAX_PEERS];
	int		 idx[MAX_PEERS];
	struct ipc_msg	*m = xmalloc(sizeof(*m));
	char		 err[256];
	int		 i, k, n, timeout, drained = 0;
	int64_t		 since = -1, now;	/* first record held */
	size_t		 j;
	uint64_t	 held;

	for (;;) {
		/* Only the channels that are up: a wake-up polls those. */
		for (i = n = 0; i < MAX_PEERS; i++) {
			if (!peers[i].up)
				continue;
			pfd[n].fd = peers[i].ch.fd;
			pfd[n].events = ipc_events(&peers[i].ch);
			pfd[n].revents = 0;
			idx[n++] = i;
		}
		timeout = 1000;
		if (proc_stopping)
			timeout = 0;
		else if (since != -1)
			timeout = (int)(since + GROUP_MS - now_ms() < 0 ? 0 :
			    since + GROUP_MS - now_ms());
		if (poll(pfd, (nfds_t)n, timeout) == -1 && errno != EINTR)
			fatal("poll");
		for (k = 0, j = 0; j < (size_t)n; j++) {
			struct peer *p = &peers[idx[j]];

			i = idx[j];
			if (!p->up || !(pfd[j].revents & (POLLIN | POLLHUP |
			    POLLERR)))
				continue;
			while (p->up && (k = ipc_recv(&p->ch, m)) == 1) {
				if (i == 0)
					serve_supervisor(m);
				else if (m->type == MSG_AUDIT)
					event(p, m);
				else {
					ipc_msg_free(m);
					refuse(p, "a frame that is not an "
					    "event");
				}
			}
			if (!p->up || k != -1)
				continue;
			if (i == 0) {
				if (!p->ch.eof)
					ipc_fatal(&p->ch);
				if (audit_log_close(alog, err,
				    sizeof(err)) == -1)
					fatalx("%s", err);
				exit(0);
			}
			if (!p->ch.eof) {
				refuse(p, p->ch.err);
				continue;
			}
			/* The process went away; its acks go with it. */
			drop_acks(&p->ch);
			ipc_chan_free(&p->ch);
			p->up = false;
		}
		/*
		 * One sync for everything received, then the acks; records
		 * nobody waits for may wait for company (GROUP_MS).  With
		 * nothing held, the tick still writes a checkpoint due by
		 * time.
		 */
		now = now_ms();
		held = audit_log_pending(alog);
		if (held > 0 && since == -1)
			since = now;
		if (held == 0 || nacks > 0 || urgent || proc_stopping ||
		    held >= GROUP_MAX || now - since >= GROUP_MS) {
			if (audit_log_tick(alog, err, sizeof(err)) == -1)
				fatalx("audit log: %s", err);
			since = -1;
			urgent = false;
		}
		for (j = 0; j < nacks; j++) {
			if (acks[j].ch == NULL)
				continue;
			ipc_create(acks[j].ch, MSG_AUDIT_ACK, acks[j].id);
			if (ipc_close(acks[j].ch) == -1)
				log_warnx("%s", acks[j].ch->err);
		}
		nacks = 0;
		for (i = 0; i < MAX_PEERS; i++)
			if (peers[i].up && ipc_flush(&peers[i].ch) == -1) {
				if (i == 0)
					ipc_fatal(&peers[0].ch);
				refuse(&peers[i], peers[i].ch.err);
			}
		if (proc_stopping && drained++ > 0) {
			if (audit_log_close(alog, err, sizeof(err)) == -1)
				fatalx("%s", err);
			exit(0);
		}
	}
}

int
main(int argc, char *argv[])
{
	struct audit_log_opts	 opts;
	EVP_PKEY		*key, *nk = NULL;
	const char		*dir = NULL, *keyfile = NULL, *user = NULL;
	const char		*newfile = NULL;
	char			 err[256], err2[256];
	uint8_t			 pub[32];
	uint32_t		 which = 0;
	int			 c;

	log_init("mmguard-auditd", LOG_TO_STDERR, 0);
	if (proc_check_channel(err, sizeof(err)) == -1)
		fatalx("%s (roles are started by mmguardd)", err);
	while ((c = getopt(argc, argv, "a:k:n:u:")) != -1) {
		switch (c) {
		case 'a':
			dir = optarg;
			break;
		case 'k':
			keyfile = optarg;
			break;
		case 'n':
			newfile = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		default:
			fatalx("usage: mmguard-auditd -a DIR -k KEY [-n NEWKEY] "
			    "[-u USER]");
		}
	}
	if (dir == NULL || keyfile == NULL)
		fatalx("-a and -k are required");
	if ((key = load_key(keyfile)) == NULL)
		fatalx("%s: not a PEM private key", keyfile);
	warm_up(key, keyfile);
	memset(&opts, 0, sizeof(opts));
	opts.role = "audit";
	if ((alog = audit_log_open(dir, key, &opts, err, sizeof(err))) ==
	    NULL) {
		/* A rotation recorded, its key not yet put in place. */
		if (newfile == NULL || (nk = load_key(newfile)) == NULL ||
		    (alog = audit_log_open(dir, nk, &opts, err2,
		    sizeof(err2))) == NULL)
			fatalx("%s", err);
		log_warnx("%s: the log's key in force is %s's", keyfile,
		    newfile);
		which = 1;
	}
	if (audit_key_id(which ? nk : key, keyid, pub) == -1)
		fatalx("the key has no Ed25519 identifier");
	EVP_PKEY_free(key);
	EVP_PKEY_free(nk);	/* the log holds its own reference */
	if (audit_log_recovered(alog) > 0)
		log_warnx("recovered the log: %llu bytes set aside",
		    (unsigned long long)audit_log_recovered(alog));
	if (ipc_chan_init(&peers[0].ch, PROC_CHANNEL_FD, "mmguardd") == -1)
		fatalx("%s", peers[0].ch.err);
	peers[0].up = true;
	peers[0].kind = AUDITEV_MMGUARDD;
	(void)snprintf(peers[0].name, sizeof(peers[0].name), "mmguardd");
	ipc_create(&peers[0].ch, MSG_AUDIT_KEY, 0);
	ipc_add_u32(&peers[0].ch, which);
	ipc_add_string(&peers[0].ch, keyid);
	if (ipc_close(&peers[0].ch) == -1)
		ipc_fatal(&peers[0].ch);
	dirfd = audit_log_dirfd(alog);
	/* SIGTERM (mmguardd stopping the guard): what has arrived is written
	 * and sealed with a checkpoint before the role exits. */
	proc_catch_stop();
	sandbox_enter(&sandbox_audit, &(struct sandbox_args){
	    .user = user, .sock = -1, .dirs = &dirfd, .ndirs = 1 });
	serve();
}
