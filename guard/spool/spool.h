/*
 * spool.h - the durable spool: one file per message, self-delimiting
 * records, states as directories, every step on stable storage before it
 * is acknowledged.
 *
 * Layout of a spool directory (one per pipeline direction):
 *
 *	tmp/          files being written; anything here after a crash is
 *	              incomplete by definition and is set aside
 *	incoming/     accepted, waiting for inspection
 *	inspecting/   handed to the inspection chain
 *	held/         verdict refer: waiting for a release authority
 *	quarantined/  verdict quarantine, or inspection failed
 *	released/     verdict release: waiting for the one-way channel
 *	rejected/     verdict reject: a non-delivery report is due
 *	sent/         crossed the one-way channel (end state, high side)
 *	delivered/    written to the far side (end state, low side)
 *	ndr/          rejected and reported (end state)
 *	corrupt/      files that failed their END check, set aside
 *	unarchived/   not a state: a hard link to each queue file handed to
 *	              the archive role and not yet acknowledged stored
 *	              (spool_unarchived_add)
 *
 * A message moves between states by rename(2) followed by fsync of both
 * directories; a transition that adds facts (a verdict, an attempt, an
 * officer's decision) first appends its record to the file and fsyncs it.
 * The file is therefore always complete in whatever directory it is found.
 *
 * Queue files are created 0660: pickup writes them and qmgr appends to
 * them, each as its own user of the guard's group (mmguardd's `users').
 *
 * Queue file format (all integers big-endian):
 *
 *	magic   "MMGQ1\n" (6 bytes)
 *	record* type (1 byte), length (4 bytes), value (length bytes)
 *	END     type 'E', length 32, SHA-256 of every byte before the END
 *	        record; appended records follow a previous END and are closed
 *	        by a new END over everything before it.
 *
 * A reader takes the file up to its last valid END: records after it are
 * a torn append, dropped (and reported).  A file with no valid END is
 * corrupt.  Record types: 'I' id, 'T' arrival time (8 bytes, seconds),
 * 'P' precedence (1 byte, 0 deferred .. 5 override), 'S' source name,
 * 'M' message bytes, 'A' inspection attempt (8 bytes time), 'V' verdict
 * (1 byte verdict, then text: reasons, one per line "rule: text"),
 * 'O' officer action (text), 'X' transfer or delivery note (text), 'F'
 * inspection failure (a worker died holding the message; text: the role).
 */
#ifndef MMGUARD_SPOOL_H
#define MMGUARD_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SPOOL_ID_LEN		40	/* with the NUL */
#define SPOOL_MAX_MESSAGE	(64u << 20)
#define SPOOL_MAX_RECORDS	4096
#define SPOOL_MAX_TEXT		(64u << 10)
#define SPOOL_GROUP_FILES	64	/* files waiting for spool_sync() */

enum spool_state {
	SPOOL_INCOMING,
	SPOOL_INSPECTING,
	SPOOL_HELD,
	SPOOL_QUARANTINED,
	SPOOL_RELEASED,
	SPOOL_REJECTED,
	SPOOL_SENT,
	SPOOL_DELIVERED,
	SPOOL_NDR,
	SPOOL_CORRUPT,
	SPOOL_NSTATES
};

#define SPOOL_REC_ID		'I'
#define SPOOL_REC_TIME		'T'
#define SPOOL_REC_PRECEDENCE	'P'
#define SPOOL_REC_SOURCE	'S'
#define SPOOL_REC_MESSAGE	'M'
#define SPOOL_REC_ATTEMPT	'A'
#define SPOOL_REC_VERDICT	'V'
#define SPOOL_REC_OFFICER	'O'
#define SPOOL_REC_NOTE		'X'
#define SPOOL_REC_FAILURE	'F'
#define SPOOL_REC_END		'E'

struct spool {
	int		 dirfd;			/* the spool directory */
	int		 fds[SPOOL_NSTATES];	/* one per state directory */
	int		 tmpfd;
	int		 unarchivedfd;		/* unarchived/ */
	char		*path;
	bool		 grouped;		/* see spool_group() */
	uint32_t	 unsynced;		/* directories to fsync: bit s
						   for state s, SPOOL_NSTATES
						   for tmp/, SPOOL_NSTATES + 1
						   for unarchived/ */
	/* Files written since the last spool_sync(): appended to, new
	 * (their ids in stores[], to be renamed into incoming/), or held for
	 * the caller (on another file system when !samefs). */
	struct {
		int		 fd;
		bool		 samefs;
		char		 store[SPOOL_ID_LEN];	/* "" unless new */
	}		 files[SPOOL_GROUP_FILES];
	size_t		 nfiles;
	uint64_t	 dev;			/* the spool's file system */
};

/* What a queue file says, as read back. */
struct spool_entry {
	char		 id[SPOOL_ID_LEN];
	int64_t		 time;
	int		 precedence;	/* -1: unknown */
	char		*source;
	const uint8_t	*message;	/* into data */
	size_t		 message_len;
	unsigned	 attempts;
	unsigned	 failures;	/* workers that died holding it */
	int		 verdict;	/* -1: none; else enum gp_verdict */
	char		*reasons;	/* last verdict's text, or NULL */
	unsigned	 officer_actions;
	char		*officer;	/* last officer action's text, or NULL */
	size_t		 torn;		/* bytes after the last END */
	uint8_t		*data;		/* the file up to its last END */
	size_t		 len;
};

const char	*spool_state_name(enum spool_state);
int		 spool_state_from_name(const char *, enum spool_state *);

/* Prepare the digest code; roles that read queue files call it before
 * their sandbox closes (spool_open does). */
int		 spool_init(char *err, size_t errlen);

/* Create (or open) the layout; -1 with err. */
int		 spool_open(struct spool *, const char *path, char *err,
		    size_t errlen);
void		 spool_close(struct spool *);

/*
 * Group commit.  A renamed file is durable only once its directories are
 * fsync'd, and every fsync that has new metadata to write is a journal
 * commit (and a flush of the disk's write cache): the costly part of every
 * state change.  With grouping on, spool_store() writes the new file under
 * tmp/ and leaves its sync and its rename into incoming/, spool_move() the
 * directories, and spool_append() the file it appended to, to
 * spool_sync().  It makes the data of every such file durable (one
 * syncfs(2) of the spool's file system for several, an fsync for one),
 * only then renames the new files into place, and then fsyncs each
 * directory touched since the last call, once, however many messages
 * changed.  So a crash never shows a state directory an incomplete file
 * (a new file caught unrenamed is in tmp/, set aside by spool_recover()),
 * and an append that did not reach the disk is a torn tail the reader
 * drops.  A caller may hand its own written files to the same sync
 * (spool_hold()).  The caller must not let anything outside the spool
 * learn of a change (acknowledge a sender, remove a source file, send an
 * audit record or a frame) before the spool_sync() that follows it has
 * returned 0; until then spool_find() does not see a grouped new file.
 */
void		 spool_group(struct spool *, bool on);
int		 spool_sync(struct spool *, char *err, size_t errlen);
/* Has spool_sync() anything to do? */
bool		 spool_pending(const struct spool *);
/*
 * A file the caller wrote (on any file system): made durable by the next
 * spool_sync(), with the spool's own files, and closed by it.  -1 when the
 * group is full (SPOOL_GROUP_FILES): the caller syncs and closes it.
 */
int		 spool_hold(struct spool *, int fd);

/* A new message id: UTC time and 64 random bits. */
void		 spool_new_id(char id[SPOOL_ID_LEN], int64_t now);

/*
 * Write a new queue file into incoming/: written under tmp/, fsync'd,
 * renamed, both directories fsync'd; only then does it return 0.  When
 * grouped, all but the write is left to spool_sync() (a full group falls
 * back to the whole of it now).
 */
int		 spool_store(struct spool *, const char *id, int64_t time,
		    int precedence, const char *source, const void *msg,
		    size_t len, char *err, size_t errlen);

/* Append records (type, value; at most SPOOL_APPEND_MAX) and a new END,
 * in one write; fsync (or left to spool_sync() when grouped). */
#define SPOOL_APPEND_MAX	7
struct spool_rec {
	uint8_t		 type;
	const void	*value;
	size_t		 len;
};
int		 spool_append(struct spool *, enum spool_state, const char *id,
		    const struct spool_rec *, size_t n, char *err,
		    size_t errlen);
/*
 * The same, without an fsync of its own: for records a crash may lose
 * without harm (an inspection attempt).  Such a record reaches the disk
 * with the file's next durable append; if a crash comes first it is a
 * torn tail, dropped by the reader.
 */
int		 spool_annotate(struct spool *, enum spool_state,
		    const char *id, const struct spool_rec *, size_t n,
		    char *err, size_t errlen);

/* In which state a message is; -1 when the spool does not hold it. */
int		 spool_find(struct spool *, const char *id, enum spool_state *);

/* Move between states: rename, fsync both directories (or left to
 * spool_sync() when grouped). */
int		 spool_move(struct spool *, const char *id, enum spool_state from,
		    enum spool_state to, char *err, size_t errlen);

/* Open a queue file read-only (to hand to a worker); -1 with err. */
int		 spool_open_file(struct spool *, enum spool_state, const char *id,
		    char *err, size_t errlen);

/*
 * Parse a queue file's bytes (they are copied).  0 when it has a valid
 * END (torn tails are reported in e->torn), -1 with err otherwise.
 */
int		 spool_parse(const void *, size_t, struct spool_entry *,
		    char *err, size_t errlen);
/* Read and parse a queue file from a descriptor a role was handed. */
int		 spool_read_fd(int fd, struct spool_entry *, char *err,
		    size_t errlen);
int		 spool_read(struct spool *, enum spool_state, const char *id,
		    struct spool_entry *, char *err, size_t errlen);
void		 spool_entry_free(struct spool_entry *);

/*
 * Archive hand-offs that outlive a crash.  qmgr hands every message that
 * reaches an end state to the archive role and forgets it once the archive
 * acknowledges storing it; until then a hard link to its queue file waits
 * in unarchived/ (the same file wherever its state directory is: a link
 * follows renames).  spool_sync() makes a new link durable before the
 * state directories, so a state on disk never lacks its link; removing
 * one needs no fsync (a link a crash brings back means the message is
 * archived again, which the archive takes as a repeat).  At start qmgr
 * hands again whatever is listed there.
 */
int		 spool_unarchived_add(struct spool *, enum spool_state,
		    const char *id, char *err, size_t errlen);
int		 spool_unarchived_done(struct spool *, const char *id,
		    char *err, size_t errlen);
int		 spool_unarchived_list(struct spool *,
		    int (*fn)(const char *, void *), void *);

/*
 * List the ids in a state directory (queue files only), calling fn for
 * each; files in tmp/ are moved to corrupt/ by spool_recover().
 */
int		 spool_list(struct spool *, enum spool_state,
		    int (*fn)(const char *id, void *), void *arg);

/*
 * After a crash: every file in tmp/ and every file without a valid END
 * in a state directory goes to corrupt/; fn (may be NULL) hears of each
 * (id or file name, the state it was found in, the reason).  Returns the
 * number set aside, -1 on error.
 */
int		 spool_recover(struct spool *, void (*fn)(const char *,
		    enum spool_state, const char *, void *), void *arg,
		    char *err, size_t errlen);

#endif
