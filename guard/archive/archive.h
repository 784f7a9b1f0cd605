/*
 * archive.h - the message archive: every message that reached an end state,
 * kept for its retention period in one searchable store.
 *
 * MMHS rules require that each message crossing the boundary (and each one
 * stopped there) be kept for a set period, centrally, and be found again by
 * what it says.  The archive role is the only writer of the store; operator
 * tools open it read-only next to it.
 *
 * Why SQLite (Debian libsqlite3-0): one file, transactions that survive a
 * crash or power loss (WAL, synchronous=FULL: a put is on stable storage
 * when archive_put or archive_commit returns), readers that do not block
 * the writer, a built-in integrity check, and FTS5, a full-text index whose
 * query language operators already know.  It is the most widely reviewed
 * and fuzzed embedded database there is, and Debian 12 builds it with FTS5
 * and SECURE_DELETE (freed pages are zeroed, so purged content does not
 * linger in the file).  A home-grown index would be one more parser of our
 * own on disk.
 *
 * What is stored per message: the guard's message id, the raw bytes as
 * received and their SHA-256, the time of the end state, the direction,
 * precedence, verdict and the reasons (rule id and text) that led there,
 * and the searchable facts the archive extracts itself by decoding the
 * bytes with the guard's strict X.400 decoder (subject, text of every text
 * body part, forwarded messages included, SICs, originator, recipients,
 * primary precedence; CMS-signed P772 is decoded inside its SignedData).
 * A message that does not decode is archived all the same (bytes, digest,
 * verdict, reasons) with the decode error: nothing is lost.  The complete
 * facts can always be regenerated from the stored bytes (archive_get).
 *
 * Integrity.  Opening runs PRAGMA quick_check, not integrity_check: both
 * read every page and find damaged pages, malformed records and broken
 * b-tree order, but quick_check skips the cross-check of every index entry
 * against its table, which is the part whose cost grows fastest with a
 * large archive; the role opens the store at every start and must be up
 * in seconds.  archive_check() runs the full integrity_check plus FTS5's
 * own index check, for the operator's "mmguard-archive check".  A store
 * that fails either is refused with the checker's first findings.  Every
 * read of a message's bytes (archive_get) recomputes their SHA-256 and
 * refuses a mismatch, so alteration of a blob is caught even when the
 * file is structurally sound.
 *
 * Errors: every function returns -1 (or NULL) and writes a precise reason
 * into err; none exits.
 */
#ifndef MMGUARD_ARCHIVE_H
#define MMGUARD_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARCHIVE_SHA256_LEN	32

/* Limits of what a caller may hand in; beyond them a precise error. */
#define ARCHIVE_MAX_RAW		(256u * 1024 * 1024)	/* bytes of a message */
#define ARCHIVE_MAX_ID		255	/* bytes of a message id */
#define ARCHIVE_MAX_REASONS	256
#define ARCHIVE_MAX_RULE	128	/* bytes of a rule id */
#define ARCHIVE_MAX_REASON_TEXT	4096
#define ARCHIVE_MAX_QUERY	4096	/* bytes of a full-text query */

/* Precedence absent (an IPM has none, an undecodable message neither). */
#define ARCHIVE_NO_PRECEDENCE	INT64_MIN

enum archive_dir {
	ARCHIVE_HIGH_TO_LOW,
	ARCHIVE_LOW_TO_HIGH
};

/* End states a message can be archived in. */
enum archive_verdict {
	ARCHIVE_RELEASED,	/* policy released it to the other side */
	ARCHIVE_DELIVERED,	/* delivered to a recipient's MTA */
	ARCHIVE_HELD,		/* waiting for a release authority */
	ARCHIVE_REFERRED,	/* handed to a person for a decision */
	ARCHIVE_REJECTED,	/* refused, non-delivery report sent */
	ARCHIVE_QUARANTINED,	/* set aside, not understood or hostile */
	ARCHIVE_VERDICT__COUNT
};

struct archive_reason {
	const char	*rule;		/* policy rule id, printable ASCII */
	const char	*text;		/* UTF-8 */
};

/* What archive_put archives. */
struct archive_msg {
	const char	*id;		/* the guard's message id */
	const uint8_t	*raw;		/* the message as received */
	size_t		 rawlen;
	/*
	 * The SHA-256 the guard computed when it took the message in (its
	 * release token is bound to it); NULL: computed here.  When given,
	 * it must equal the digest of raw.
	 */
	const uint8_t	*sha256;
	int64_t		 time;		/* of the end state, seconds UTC */
	enum archive_dir dir;
	/*
	 * The precedence the guard scheduled the message with (0 deferred
	 * .. 5 override, 16..31 national); ARCHIVE_NO_PRECEDENCE: the
	 * message's own primary precedence, if it has one.
	 */
	int64_t		 precedence;
	enum archive_verdict verdict;
	const struct archive_reason *reasons;
	size_t		 nreasons;
};

/* One message as searches and archive_info show it. */
struct archive_hit {
	const char	*id;
	int64_t		 time;
	enum archive_dir dir;
	int64_t		 precedence;	/* ARCHIVE_NO_PRECEDENCE: none */
	enum archive_verdict verdict;
	const char	*subject;	/* NULL: none */
	const char	*originator;	/* O/R name text; NULL: none */
	const char	*decode_error;	/* NULL: the message decoded */
};

/* Everything archive_info knows of one message; owned, archive_info_free. */
struct archive_info {
	struct archive_hit hit;
	uint8_t		 sha256[ARCHIVE_SHA256_LEN];
	size_t		 size;
	char		*sics;		/* space-separated; NULL: none */
	char		*recipients;	/* one per line; NULL: none */
	struct archive_reason *reasons;
	size_t		 nreasons;
};

/* A search: every field optional. */
struct archive_query {
	const char	*text;		/* FTS5 query; NULL or "": any */
	bool		 has_from, has_to;
	int64_t		 from, to;	/* inclusive, seconds UTC */
	bool		 has_precedence;
	int64_t		 precedence;
	bool		 has_verdict;
	enum archive_verdict verdict;
	size_t		 limit;		/* results at most; 0: all */
};

struct archive;

#define ARCHIVE_CREATE		0x01	/* create the store if absent */
#define ARCHIVE_RDONLY		0x02	/* search and get only */
/* SQLite's temporary tables and journals in memory, not in files: a
 * confined process can make files beside the store only. */
#define ARCHIVE_MEMTEMP		0x04

/*
 * SQLite's one-time set-up, and the seed of its random generator read
 * (from /dev/urandom) now: a process confined later cannot open it.
 */
int	 archive_init(char *err, size_t errsz);
struct archive *archive_open(const char *path, unsigned flags, char *err,
	    size_t errsz);
void	 archive_close(struct archive *);

/* The full integrity_check and FTS5 index check (slow on a large store). */
int	 archive_check(struct archive *, char *err, size_t errsz);

/*
 * Archive one message.  Outside a batch it is on stable storage when this
 * returns 0.  An id already archived with the same bytes takes the new
 * time, verdict and reasons (a held message later released or rejected);
 * with other bytes it is refused.  Inside a batch, a put refused for what
 * it carries leaves the batch as it was; one whose write fails (disk
 * full, I/O error) rolls the whole batch back, ends it and says so in
 * err: the caller puts the batch's messages again.
 */
int	 archive_put(struct archive *, const struct archive_msg *, char *err,
	    size_t errsz);

/*
 * Batches: puts between begin and commit share one transaction (one
 * fsync), on stable storage when archive_commit returns 0.  rollback
 * drops them all.
 */
int	 archive_begin(struct archive *, char *err, size_t errsz);
int	 archive_commit(struct archive *, char *err, size_t errsz);
int	 archive_rollback(struct archive *, char *err, size_t errsz);

/*
 * The original bytes of message id (malloc'd, *len bytes), after checking
 * them against the stored SHA-256.  Not found and digest mismatch are
 * errors.
 */
int	 archive_get(struct archive *, const char *id, uint8_t **raw,
	    size_t *len, char *err, size_t errsz);
int	 archive_info(struct archive *, const char *id, struct archive_info *,
	    char *err, size_t errsz);
void	 archive_info_free(struct archive_info *);

/*
 * Results in time order (then id).  cb sees each hit (its strings valid
 * during the call); a non-zero return stops the search and is returned.
 * A query the FTS5 syntax refuses is an error naming the problem.
 */
typedef int (*archive_hit_cb)(const struct archive_hit *, void *);
int	 archive_search(struct archive *, const struct archive_query *,
	    archive_hit_cb, void *, char *err, size_t errsz);

/*
 * Delete every message whose time is at or before now - retention.  cb is
 * called with each id before anything is deleted (so the caller can write
 * the audit record naming them); a non-zero return from cb cancels the
 * whole purge (nothing deleted, returns -1).  *purged counts the deleted
 * messages.  The WAL is checkpointed and truncated afterwards so that the
 * purged content leaves it too.
 */
typedef int (*archive_purge_cb)(const char *id, int64_t time, void *);
int	 archive_purge(struct archive *, int64_t now, int64_t retention,
	    archive_purge_cb, void *, size_t *purged, char *err, size_t errsz);

/* Names. */
const char *archive_verdict_name(enum archive_verdict);
int	 archive_verdict_parse(const char *, enum archive_verdict *);
const char *archive_dir_name(enum archive_dir);
int	 archive_dir_parse(const char *, enum archive_dir *);
/* "routine", "flash", ..., or a number 0..31 */
int	 archive_precedence_parse(const char *, int64_t *);

/* ISO 8601 UTC times, exactly YYYY-MM-DDThh:mm:ssZ. */
#define ARCHIVE_TIME_LEN	21	/* with the NUL */
int	 archive_time_parse(const char *, int64_t *);
void	 archive_time_format(int64_t, char buf[ARCHIVE_TIME_LEN]);

#endif
