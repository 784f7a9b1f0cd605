/*
 * auditlog.h - the guard's signed, hash-chained audit log.
 *
 * Every role reports its events (a message accepted, inspected, judged,
 * released, delivered; an officer's decision; a policy load; a crash) to
 * the audit role, the only writer of the log.  An auditor verifies the log
 * offline with mmguard-audit and the log's public key; nothing in this
 * file trusts the bytes it reads back.
 *
 * LOG DIRECTORY
 *	The log is a directory of files named audit-NNNNNNNNNNNNNNNNNNNN.log,
 *	NNN... being the sequence number of the file's first record, twenty
 *	decimal digits, so that the names sort in log order.  Other names are
 *	not part of the log: FILE.torn-OFFSET holds bytes set aside by a
 *	recovery (see below), .audit-*.tmp is a file being created.
 *
 * RECORD FORMAT (version 1)
 *	One record per line, printable ASCII only, fields separated by one
 *	space, in this order and with these names:
 *
 *	  seq=S prev=P time=T role=R event=E msg=M [KEY=VALUE ...]\n
 *
 *	S	sequence number, decimal without leading zeros, from 1, one
 *		more than the previous record's, across files.
 *	P	SHA-256 of the previous record's line, its final newline
 *		included, in 64 lowercase hexadecimal digits.  The first
 *		record of a log chains from the genesis value, 64 zeros.
 *	T	UTC time with microseconds: 2024-05-01T12:00:00.000000Z.
 *	R	the reporting role: 1 to 32 of a-z 0-9 "-".
 *	E	the event name (below).
 *	M	the message id (may be empty), escaped like a VALUE.
 *	KEY	1 to 32 of a-z 0-9 "-" "_" "."; not one of the fixed field
 *		names; no key twice in a record; at most 32 pairs.
 *	VALUE	the value's bytes with every byte 0x00-0x20, 0x7f-0xff and
 *		"%" written as "%" and two UPPERCASE hex digits, and no other
 *		byte escaped (one spelling per value, and nothing that can
 *		move a terminal's cursor).  At most 1024 bytes before escaping.
 *
 *	A line is at most AUDIT_LINE_MAX bytes with its newline.  The hash of
 *	a record is the SHA-256 of its exact bytes, newline included:
 *	`head -n K FILE | tail -n 1 | sha256sum` gives the prev of line K+1.
 *
 * EVENTS
 *	Reported by roles: message-accepted, message-inspected,
 *	verdict, officer-action, diode-sent, delivered, ndr-issued,
 *	policy-loaded, role-started, role-crashed, role-restarted,
 *	sandbox-violation, config-changed, archive-purged, link-alarm.  The
 *	details are the reporter's key=value pairs.  Which process reports
 *	each event, and with which keys, is in guard/audit/auditev.h (the
 *	audit role holds every process to it); for instance:
 *	  message-inspected	stage=verify ... facts=SHA256 of the facts
 *	  verdict		verdict=release|refer|quarantine|reject
 *				rules=ID,... label=... crosses-as=...
 *	  officer-action	action=released|rejected officer=IDENTITY
 *				reason=TEXT
 *	  policy-loaded		old=SHA256 new=SHA256 via=... officer=IDENTITY
 *
 *	Written by the log itself, with fixed details in a fixed order:
 *	  log-created	key=ID pub=HEX format=1
 *			the first record of a log (seq 1, genesis prev): the
 *			identifier and raw 32-byte Ed25519 public key that
 *			signs it.
 *	  file-opened	prev-file=NAME key=ID
 *			the first record of every later file: it continues
 *			the previous file's sequence and chain.
 *	  checkpoint	reason=WHY key=ID sig=SIG
 *			WHY is count, time, rotate, close or request.
 *	  key-rotated	old-key=ID new-key=ID new-pub=HEX sig-old=SIG
 *			sig-new=SIG
 *	  log-recovered	file=NAME offset=N bytes=N sha256=HEX saved=NAME
 *			a torn last record was set aside on reopen.
 *	ID is the first 16 hex digits of the SHA-256 of the raw public key;
 *	SIG is an Ed25519 signature (128 hex digits) over the record's bytes
 *	from its start up to, not including, the space before "sig=" (or
 *	before "sig-old=": both keys sign the same bytes, so the old key
 *	vouches for the new one and the new key proves it is held).  The
 *	signed bytes include seq and prev: a checkpoint at sequence N seals
 *	records 1 to N.  To check one by hand: cut the line before " sig=",
 *	write it without a newline, and run openssl pkeyutl -verify -rawin
 *	-pubin -inkey PUB.pem -sigfile SIG.bin.  The key signs nothing else.
 *
 *	A file other than the last ends with a checkpoint, reason=rotate; the
 *	next file starts with file-opened naming it.  Records after the last
 *	checkpoint (or key-rotated record) are unsealed: in sequence and
 *	chained, but an attacker who owns the appliance could have rewritten
 *	them.
 *
 * DURABILITY
 *	audit_log_append() only queues; audit_log_commit() writes everything
 *	queued, with any checkpoint or rotation that has come due, and
 *	returns 0 only after fdatasync() of the file (and fsync() of the
 *	directory for any file it created) has succeeded.  A role that must
 *	not act before its decision is recorded (a release before the
 *	message crosses the one-way channel; an acknowledgement to a sender)
 *	acts only after commit returned 0.  Any write or sync error makes the
 *	log fail for good (every later call returns -1): after a failed
 *	fdatasync the kernel may have dropped the data, so the only safe
 *	course is to stop and let the supervisor fail closed.
 *
 * RECOVERY
 *	audit_log_open() on an existing directory reads the last file, checks
 *	its structure and chain, and continues the log.  Bytes after the last
 *	newline (a record torn by a crash: the newline is always the last
 *	byte written) are copied to FILE.torn-OFFSET, synced, and only then
 *	cut from the file; a log-recovered record names them.  A complete
 *	line that does not parse or chain is not a torn write: open refuses
 *	and the log waits for an auditor.  An interrupted rotation is
 *	completed.
 *
 * USE BY THE AUDIT ROLE
 *	Open the log once (the key loaded before the sandbox closes; the role
 *	needs the directory and nothing else).  For each readable batch of
 *	event frames: audit_log_append() each, one audit_log_commit(), then
 *	acknowledge every event of the batch; a refused event is answered
 *	with its reason, never dropped silently.  A batch with no event
 *	that asks for an acknowledgement may be held (audit_log_pending())
 *	a few milliseconds for the next, so that one sync carries both.  On a timer, about once a
 *	second, audit_log_tick().  A -1 from commit or tick is fatal to the
 *	role.  On shutdown, audit_log_close().
 *
 * Cryptography is OpenSSL's libcrypto (Ed25519 and SHA-256), already the
 * guard's library for CMS; nothing else is needed.
 */
#ifndef MMGUARD_AUDITLOG_H
#define MMGUARD_AUDITLOG_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#define AUDIT_LINE_MAX		8192	/* bytes of a record, newline included */
#define AUDIT_ROLE_MAX		32
#define AUDIT_KEY_MAX		32
#define AUDIT_DETAILS_MAX	32	/* key=value pairs after msg= */
#define AUDIT_VALUE_MAX		1024	/* bytes of a value before escaping */
#define AUDIT_FILE_MAX		(1ULL << 30)	/* a file rotates before this */
#define AUDIT_NAME_LEN		30	/* "audit-" 20 digits ".log" */
#define AUDIT_KEYID_LEN		16
#define AUDIT_SIG_LEN		64	/* Ed25519 */

/* Stable: new events are added before AUDIT_EV__COUNT, never renumbered. */
enum audit_ev {
	AUDIT_EV_MESSAGE_ACCEPTED,
	AUDIT_EV_MESSAGE_INSPECTED,
	AUDIT_EV_VERDICT,
	AUDIT_EV_OFFICER_ACTION,
	AUDIT_EV_DIODE_SENT,
	AUDIT_EV_DELIVERED,
	AUDIT_EV_NDR_ISSUED,
	AUDIT_EV_POLICY_LOADED,
	AUDIT_EV_ROLE_STARTED,
	AUDIT_EV_ROLE_CRASHED,
	AUDIT_EV_ROLE_RESTARTED,
	AUDIT_EV_SANDBOX_VIOLATION,
	AUDIT_EV_CONFIG_CHANGED,
	AUDIT_EV_KEY_ROTATED,
	AUDIT_EV_LOG_RECOVERED,
	AUDIT_EV_ARCHIVE_PURGED,
	AUDIT_EV_LINK_ALARM,
	AUDIT_EV_LOG_CREATED,
	AUDIT_EV_FILE_OPENED,
	AUDIT_EV_CHECKPOINT,
	AUDIT_EV__COUNT
};

/* "message-accepted"...; NULL for a value out of range. */
const char	*audit_ev_name(enum audit_ev);
/* 0 and *ev set when the n bytes at s name an event, -1 otherwise. */
int		 audit_ev_lookup(const char *s, size_t n, enum audit_ev *ev);
/* Events only the log writes (log-created, checkpoint, ...). */
int		 audit_ev_is_internal(enum audit_ev);

struct audit_kv {
	const char	*key;
	const char	*value;		/* NUL-terminated; any other byte */
};

struct audit_event {
	int64_t			 time_us;	/* since the epoch; 0: now */
	const char		*role;
	enum audit_ev		 type;
	const char		*msgid;		/* NULL or "": none */
	const struct audit_kv	*details;
	size_t			 ndetails;
};

/* ---- writer ---------------------------------------------------------- */

struct audit_log_opts {
	const char	*role;		/* of the log's own records; "audit" */
	uint64_t	 checkpoint_records;	/* 0: 1000 */
	uint32_t	 checkpoint_secs;	/* 0: 60 */
	uint64_t	 rotate_bytes;	/* 0: 64 MiB; at most AUDIT_FILE_MAX */
	uint32_t	 rotate_secs;	/* 0: never by age */
	/* Time source in microseconds (tests); NULL: the real-time clock. */
	int64_t		(*clock)(void *);
	void		*clock_arg;
};

struct audit_log;

/*
 * Create the log in DIR (which must exist) or reopen it; KEY is the
 * Ed25519 private key in force (after a rotation, the new one).  One
 * writer at a time (an exclusive lock on the directory).
 */
struct audit_log *audit_log_open(const char *dir, EVP_PKEY *key,
		    const struct audit_log_opts *, char *err, size_t errlen);
/* Queue an event (checked and formatted now, written by commit). */
int	audit_log_append(struct audit_log *, const struct audit_event *,
	    char *err, size_t errlen);
/* Write and fdatasync everything queued; see DURABILITY above. */
int	audit_log_commit(struct audit_log *, char *err, size_t errlen);
/* Events appended and not yet committed. */
uint64_t audit_log_pending(const struct audit_log *);
/* Commit, with a checkpoint when one is due by time (call it on a timer). */
int	audit_log_tick(struct audit_log *, char *err, size_t errlen);
/* Commit with a checkpoint now. */
int	audit_log_checkpoint(struct audit_log *, char *err, size_t errlen);
/*
 * Commit, then write a key-rotated record signed by the current and the
 * new key; later checkpoints are signed by NEWKEY (the log takes a
 * reference).
 */
int	audit_log_rotate_key(struct audit_log *, EVP_PKEY *newkey,
	    char *err, size_t errlen);
/* Seal (checkpoint, reason=close) and commit, then free; -1 if that failed. */
int	audit_log_close(struct audit_log *, char *err, size_t errlen);
/* The last record written: its sequence number and hash. */
void	audit_log_head(const struct audit_log *, uint64_t *seq,
	    uint8_t hash[32]);
/* The log directory's descriptor (the audit role's sandbox names it). */
int	 audit_log_dirfd(const struct audit_log *);
/* Bytes set aside by the recovery at open (0: none). */
uint64_t audit_log_recovered(const struct audit_log *);

/* ---- records --------------------------------------------------------- */

struct audit_field {
	char		 key[AUDIT_KEY_MAX + 1];
	const char	*raw;		/* escaped, in the record's line */
	size_t		 rawlen;
	const char	*val;		/* decoded, NUL-terminated */
	size_t		 vlen;
};

struct audit_record {
	uint64_t		 seq;
	uint8_t			 prev[32];
	uint8_t			 hash[32];	/* SHA-256 of line and newline */
	int64_t			 time_us;
	char			 role[AUDIT_ROLE_MAX + 1];
	enum audit_ev		 type;
	const char		*msgid;		/* decoded, NUL-terminated */
	size_t			 msgidlen;
	const char		*msgraw;	/* escaped, in the line */
	size_t			 msgrawlen;
	struct audit_field	 details[AUDIT_DETAILS_MAX];
	size_t			 ndetails;
	const char		*line;		/* without its newline */
	size_t			 linelen;
	size_t			 signedlen;	/* signed prefix; 0: unsigned */
	char			 store[AUDIT_LINE_MAX + AUDIT_DETAILS_MAX + 2];
};

/*
 * Parse one line (LEN bytes, without its newline; the bytes must outlive
 * the record).  Checks the grammar above, including the fixed details of
 * the log's own events, but not the chain or signatures.
 */
int	audit_record_parse(const char *line, size_t len, struct audit_record *,
	    char *err, size_t errlen);
/* The decoded value of KEY, or NULL. */
const char *audit_record_get(const struct audit_record *, const char *key,
	    size_t *len);
/* "2024-05-01T12:00:00.000000Z" into out (at least 28 bytes). */
void	audit_time_format(int64_t us, char *out, size_t outlen);
/* Parse the same form, or a prefix of it down to the date; -1 if bad. */
int	audit_time_parse(const char *s, size_t n, int64_t *us);

/* ---- verification ---------------------------------------------------- */

/* The latest signed head, as `mmguard-audit head` prints it. */
struct audit_head {
	uint64_t	 seq;
	uint8_t		 hash[32];
	char		 line[AUDIT_LINE_MAX];	/* the checkpoint record */
	size_t		 linelen;
};

#define AUDIT_HEAD_TEXT_MAX	(AUDIT_LINE_MAX + 256)

int	audit_head_parse(const char *text, size_t len, struct audit_head *,
	    char *err, size_t errlen);
/* The text form into out; -1 when it does not fit. */
int	audit_head_format(const struct audit_head *, char *out, size_t outlen);

#define AUDIT_VERIFY_NOSIG	0x01	/* structure and chain only */
#define AUDIT_VERIFY_MIDLOG	0x02	/* the first line need not be seq 1 */

struct audit_report {
	uint64_t	files, records, first_seq, last_seq;
	uint64_t	errors;
	uint64_t	checkpoints, key_rotations, recoveries;
	uint64_t	sealed_seq;	/* last record under a good signature */
	uint64_t	unsealed, unsealed_first, unsealed_last;
	char		keyid[AUDIT_KEYID_LEN + 1];	/* in force at the end */
	uint8_t		last_hash[32];
	enum audit_ev	last_type;
	char		last_reason[16];	/* of a last checkpoint */
	char		last_file[AUDIT_NAME_LEN + 1];
	uint64_t	last_file_valid;	/* bytes up to the torn tail */
	int		torn;			/* the last file ends torn */
	uint64_t	torn_offset, torn_bytes;
	int		head_given, head_proven;
	uint64_t	head_seq;
	int		have_ckpt;		/* latest checkpoint, for head */
	struct audit_head ckpt;
};

struct audit_verify_cb {
	/* Each failure, as "FILE:LINE: seq S: reason". */
	void	(*error)(void *arg, const char *msg);
	/* Each record that parsed, in order; non-zero stops the walk. */
	int	(*record)(void *arg, const char *file, uint64_t line,
		    const struct audit_record *);
	void	 *arg;
};

struct audit_verifier;

/*
 * PUB is the log's initial public key (NULL with AUDIT_VERIFY_NOSIG);
 * HEAD, when given, must be proven to lie in the log.
 */
struct audit_verifier *audit_verifier_new(EVP_PKEY *pub,
		    const struct audit_head *head, unsigned flags,
		    const struct audit_verify_cb *);
void	audit_verifier_free(struct audit_verifier *);
/* Feed a file: its name, then its bytes in any pieces, then the end. */
void	audit_verifier_file(struct audit_verifier *, const char *name);
void	audit_verifier_data(struct audit_verifier *, const void *, size_t);
void	audit_verifier_file_end(struct audit_verifier *);
/* Final checks; 0 when everything holds (unsealed and torn aside). */
int	audit_verifier_end(struct audit_verifier *, struct audit_report *);
/* Non-zero once a record callback asked to stop. */
int	audit_verifier_stopped(const struct audit_verifier *);

/* The log's file names in DIR, sorted; -1 with err on failure. */
int	audit_dir_list(const char *dir, char ***names, size_t *n,
	    char *err, size_t errlen);
void	audit_dir_list_free(char **, size_t);
/* Feed every file of DIR to V; -1 (err) on an I/O error. */
int	audit_verify_dir(struct audit_verifier *v, const char *dir,
	    char *err, size_t errlen);

/* ---- keys ------------------------------------------------------------ */

/* Identifier and raw bytes of an Ed25519 key's public half; -1 if not. */
int	audit_key_id(EVP_PKEY *, char id[AUDIT_KEYID_LEN + 1],
	    uint8_t raw[32]);

#endif
