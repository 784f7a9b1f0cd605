/*
 * archive.c - the message archive on SQLite with an FTS5 index.
 *
 * Schema (format "mmguard-archive/1" in table meta):
 *   msg       one row per message: id, time, direction, precedence,
 *             verdict, SHA-256, size, decode error, and the subject and
 *             originator shown in results.  Indexed by id and time.
 *   msg_raw   the bytes, keyed by msg's rowid; apart so that scans of msg
 *             (filters without words, purge) stay on small rows.
 *   reason    rule id and text, in order, per message.
 *   msg_text  FTS5 (unicode61, diacritics folded) over subject, body,
 *             sics, originator, recipients; its rowid is msg's rowid.
 * Verdicts and directions are stored by name so that an auditor reading
 * the file with any SQLite client sees words, not codes.
 *
 * Every statement is prepared once at open.  A put outside a batch is its
 * own IMMEDIATE transaction.  Inside a batch a put is not a savepoint:
 * FTS5 flushes its pending index to disk at every savepoint, which made
 * batches no cheaper than single puts.  Instead every refusal a put can
 * make on its content is decided before its first write, so a refused put
 * leaves the batch as it was; a write failing half-way (disk full, I/O
 * error) rolls the whole batch back and says so.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "filters/x400/x400.h"
#include "guard/archive/archive.h"
#include "guard/common/buf.h"
#include "guard/common/hex.h"
#include "guard/common/xmalloc.h"

#define ARCHIVE_FORMAT		"mmguard-archive/1"
/* How long a reader or the writer waits for the other's lock. */
#define ARCHIVE_BUSY_MS		5000
/* Findings of a failed integrity check quoted in the error. */
#define ARCHIVE_CHECK_ROWS	5
/* Searchable text of one message; the decoder's limits keep it far below. */
#define ARCHIVE_MAX_TEXT	(512u * 1024 * 1024)
/* Latest time a store accepts: 9999-12-31T23:59:59Z. */
#define ARCHIVE_MAX_TIME	INT64_C(253402300799)

enum archive_stmt {
	ST_BEGIN, ST_COMMIT, ST_ROLLBACK,
	ST_FIND, ST_INSERT_MSG, ST_INSERT_RAW, ST_INSERT_TEXT, ST_UPDATE_MSG,
	ST_DELETE_REASONS, ST_INSERT_REASON,
	ST_GET, ST_INFO, ST_INFO_TEXT, ST_REASONS,
	ST_SEARCH_TEXT, ST_SEARCH_ALL,
	ST_EXPIRED, ST_PURGE_TEXT, ST_PURGE_REASON, ST_PURGE_RAW, ST_PURGE_MSG,
	ST__COUNT
};

static const char *const archive_sql[ST__COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_FIND] = "SELECT rowid, sha256 FROM msg WHERE id = ?1",
	[ST_INSERT_MSG] = "INSERT INTO msg(id, time, direction, precedence, "
	    "verdict, sha256, size, decode_error, subject, originator) "
	    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[ST_INSERT_RAW] = "INSERT INTO msg_raw(rowid, raw) VALUES(?1, ?2)",
	[ST_INSERT_TEXT] = "INSERT INTO msg_text(rowid, subject, body, sics, "
	    "originator, recipients) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_UPDATE_MSG] = "UPDATE msg SET time = ?2, direction = ?3, "
	    "precedence = coalesce(?4, precedence), verdict = ?5 "
	    "WHERE rowid = ?1",
	[ST_DELETE_REASONS] = "DELETE FROM reason WHERE msg = ?1",
	[ST_INSERT_REASON] = "INSERT INTO reason(msg, seq, rule, text) "
	    "VALUES(?1, ?2, ?3, ?4)",
	[ST_GET] = "SELECT m.sha256, r.raw FROM msg AS m "
	    "JOIN msg_raw AS r ON r.rowid = m.rowid WHERE m.id = ?1",
	[ST_INFO] = "SELECT id, time, direction, precedence, verdict, "
	    "subject, originator, decode_error, rowid, sha256, size "
	    "FROM msg WHERE id = ?1",
	[ST_INFO_TEXT] = "SELECT sics, recipients FROM msg_text "
	    "WHERE rowid = ?1",
	[ST_REASONS] = "SELECT rule, text FROM reason WHERE msg = ?1 "
	    "ORDER BY seq",
	/*
	 * CROSS JOIN keeps the index lookup first: the words select the
	 * rows, the filters then check each.  Absent time bounds are bound
	 * as the extremes so that the time index serves both statements.
	 */
	[ST_SEARCH_TEXT] = "SELECT m.id, m.time, m.direction, m.precedence, "
	    "m.verdict, m.subject, m.originator, m.decode_error "
	    "FROM msg_text CROSS JOIN msg AS m ON m.rowid = msg_text.rowid "
	    "WHERE msg_text MATCH ?1 AND m.time BETWEEN ?2 AND ?3 "
	    "AND (?4 IS NULL OR m.precedence = ?4) "
	    "AND (?5 IS NULL OR m.verdict = ?5) "
	    "ORDER BY m.time, m.id LIMIT ?6",
	[ST_SEARCH_ALL] = "SELECT m.id, m.time, m.direction, m.precedence, "
	    "m.verdict, m.subject, m.originator, m.decode_error "
	    "FROM msg AS m WHERE m.time BETWEEN ?2 AND ?3 "
	    "AND (?4 IS NULL OR m.precedence = ?4) "
	    "AND (?5 IS NULL OR m.verdict = ?5) "
	    "ORDER BY m.time, m.id LIMIT ?6",
	[ST_EXPIRED] = "SELECT id, time FROM msg WHERE time <= ?1 "
	    "ORDER BY time, id",
	[ST_PURGE_TEXT] = "DELETE FROM msg_text WHERE rowid IN "
	    "(SELECT rowid FROM msg WHERE time <= ?1)",
	[ST_PURGE_REASON] = "DELETE FROM reason WHERE msg IN "
	    "(SELECT rowid FROM msg WHERE time <= ?1)",
	[ST_PURGE_RAW] = "DELETE FROM msg_raw WHERE rowid IN "
	    "(SELECT rowid FROM msg WHERE time <= ?1)",
	[ST_PURGE_MSG] = "DELETE FROM msg WHERE time <= ?1",
};

static const char archive_schema[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE msg("
	"  rowid INTEGER PRIMARY KEY,"
	"  id TEXT NOT NULL UNIQUE,"
	"  time INTEGER NOT NULL,"
	"  direction TEXT NOT NULL,"
	"  precedence INTEGER,"
	"  verdict TEXT NOT NULL,"
	"  sha256 BLOB NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  decode_error TEXT,"
	"  subject TEXT,"
	"  originator TEXT);"
	"CREATE INDEX msg_time ON msg(time);"
	"CREATE TABLE msg_raw(rowid INTEGER PRIMARY KEY, raw BLOB NOT NULL);"
	"CREATE TABLE reason("
	"  msg INTEGER NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  rule TEXT NOT NULL,"
	"  text TEXT NOT NULL,"
	"  PRIMARY KEY(msg, seq)) WITHOUT ROWID;"
	"CREATE VIRTUAL TABLE msg_text USING fts5(subject, body, sics,"
	"  originator, recipients, tokenize = 'unicode61 remove_diacritics 2');"
	"INSERT INTO meta(key, value) VALUES('format', '" ARCHIVE_FORMAT "');";

struct archive {
	sqlite3		*db;
	char		*path;
	unsigned	 flags;
	bool		 in_batch;
	sqlite3_stmt	*st[ST__COUNT];
};

static const char *const verdict_names[ARCHIVE_VERDICT__COUNT] = {
	[ARCHIVE_RELEASED] = "released",
	[ARCHIVE_DELIVERED] = "delivered",
	[ARCHIVE_HELD] = "held",
	[ARCHIVE_REFERRED] = "referred",
	[ARCHIVE_REJECTED] = "rejected",
	[ARCHIVE_QUARANTINED] = "quarantined",
};

static const char *const dir_names[] = {
	[ARCHIVE_HIGH_TO_LOW] = "high-to-low",
	[ARCHIVE_LOW_TO_HIGH] = "low-to-high",
};

static const char *const precedence_names[] = {
	"deferred", "routine", "priority", "immediate", "flash", "override"
};

static int __attribute__((format(printf, 3, 4)))
fail(char *err, size_t errsz, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	return -1;
}

/* "WHAT: SQLite's message" */
static int
fail_db(struct archive *a, char *err, size_t errsz, const char *what)
{
	return fail(err, errsz, "%s: %s: %s", a->path, what,
	    sqlite3_errmsg(a->db));
}

static void
sha256(const uint8_t *p, size_t n, uint8_t md[ARCHIVE_SHA256_LEN])
{
	unsigned int	mdlen = 0;

	/* Only an OpenSSL without SHA-256 fails here: not a usable build. */
	if (EVP_Digest(p, n, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != ARCHIVE_SHA256_LEN)
		abort();
}

/* Strict UTF-8 (no overlong forms, surrogates or values past U+10FFFF). */
static bool
utf8_valid(const char *s)
{
	const uint8_t	*p = (const uint8_t *)s;
	uint32_t	 c;
	unsigned	 n, i;

	while (*p != '\0') {
		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0) {
			n = 1;
			c = *p & 0x1f;
		} else if ((*p & 0xf0) == 0xe0) {
			n = 2;
			c = *p & 0x0f;
		} else if ((*p & 0xf8) == 0xf0) {
			n = 3;
			c = *p & 0x07;
		} else
			return false;
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			c = (c << 6) | (p[i] & 0x3f);
		}
		if ((n == 1 && c < 0x80) || (n == 2 && c < 0x800) ||
		    (n == 3 && c < 0x10000) || c > 0x10ffff ||
		    (c >= 0xd800 && c <= 0xdfff))
			return false;
		p += n + 1;
	}
	return true;
}

static bool
ascii_printable(const char *s, size_t max, bool spaces)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= max || s[i] < (spaces ? 0x20 : 0x21) || s[i] > 0x7e)
			return false;
	return i > 0;
}

/* --- names and times ------------------------------------------------------ */

const char *
archive_verdict_name(enum archive_verdict v)
{
	return (unsigned)v < ARCHIVE_VERDICT__COUNT ? verdict_names[v] : "?";
}

int
archive_verdict_parse(const char *s, enum archive_verdict *v)
{
	unsigned	i;

	for (i = 0; i < ARCHIVE_VERDICT__COUNT; i++)
		if (strcmp(s, verdict_names[i]) == 0) {
			*v = (enum archive_verdict)i;
			return 0;
		}
	return -1;
}

const char *
archive_dir_name(enum archive_dir d)
{
	return (unsigned)d <= ARCHIVE_LOW_TO_HIGH ? dir_names[d] : "?";
}

int
archive_dir_parse(const char *s, enum archive_dir *d)
{
	if (strcmp(s, dir_names[ARCHIVE_HIGH_TO_LOW]) == 0)
		*d = ARCHIVE_HIGH_TO_LOW;
	else if (strcmp(s, dir_names[ARCHIVE_LOW_TO_HIGH]) == 0)
		*d = ARCHIVE_LOW_TO_HIGH;
	else
		return -1;
	return 0;
}

int
archive_precedence_parse(const char *s, int64_t *p)
{
	char		*end;
	long		 n;
	unsigned	 i;

	for (i = 0; i < sizeof(precedence_names) / sizeof(*precedence_names);
	    i++)
		if (strcmp(s, precedence_names[i]) == 0) {
			*p = i;
			return 0;
		}
	/* MMHSPrecedence ::= INTEGER (0..127) */
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || n > 127)
		return -1;
	*p = n;
	return 0;
}

static int
digits(const char *s, int n)
{
	int	v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
archive_time_parse(const char *s, int64_t *t)
{
	struct tm	tm, back;
	time_t		tt;

	if (strlen(s) != ARCHIVE_TIME_LEN - 1 || s[4] != '-' || s[7] != '-' ||
	    s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
		return -1;
	memset(&tm, 0, sizeof(tm));
	if ((tm.tm_year = digits(s, 4)) < 1970 ||
	    (tm.tm_mon = digits(s + 5, 2)) < 1 ||
	    (tm.tm_mday = digits(s + 8, 2)) < 1 ||
	    (tm.tm_hour = digits(s + 11, 2)) < 0 ||
	    (tm.tm_min = digits(s + 14, 2)) < 0 ||
	    (tm.tm_sec = digits(s + 17, 2)) < 0)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	back = tm;
	/* timegm normalises 02-30 into March: a changed field was invalid. */
	if ((tt = timegm(&tm)) == (time_t)-1 || tm.tm_mday != back.tm_mday ||
	    tm.tm_mon != back.tm_mon || tm.tm_hour != back.tm_hour ||
	    tm.tm_min != back.tm_min || tm.tm_sec != back.tm_sec)
		return -1;
	*t = tt;
	return 0;
}

void
archive_time_format(int64_t t, char out[ARCHIVE_TIME_LEN])
{
	struct tm	tm;
	time_t		tt = (time_t)t;

	if (t < 0 || t > ARCHIVE_MAX_TIME || gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, ARCHIVE_TIME_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm) !=
	    ARCHIVE_TIME_LEN - 1)
		(void)snprintf(out, ARCHIVE_TIME_LEN, "%s", "(invalid time)");
}

/* --- statements ----------------------------------------------------------- */

static sqlite3_stmt *
stmt(struct archive *a, enum archive_stmt s)
{
	sqlite3_reset(a->st[s]);
	sqlite3_clear_bindings(a->st[s]);
	return a->st[s];
}

/* Run a statement that returns no rows. */
static int
run(struct archive *a, enum archive_stmt s, char *err, size_t errsz)
{
	int	rc;

	rc = sqlite3_step(a->st[s]);
	sqlite3_reset(a->st[s]);
	if (rc != SQLITE_DONE)
		return fail_db(a, err, errsz, archive_sql[s]);
	return 0;
}

static int
bind_text_or_null(sqlite3_stmt *st, int col, const struct buf *b)
{
	if (b->len == 0)
		return sqlite3_bind_null(st, col);
	return sqlite3_bind_text(st, col, (const char *)b->data, (int)b->len,
	    SQLITE_STATIC);
}

/* Many plain statements in one string: schema and pragmas. */
static int
exec(struct archive *a, const char *sql, char *err, size_t errsz)
{
	char	*msg = NULL;

	if (sqlite3_exec(a->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		(void)fail(err, errsz, "%s: %s", a->path,
		    msg != NULL ? msg : sqlite3_errmsg(a->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* --- open and check ------------------------------------------------------- */

/*
 * Run an integrity pragma; anything but the single row "ok" refuses the
 * store, quoting the first findings.
 */
static int
check_pragma(struct archive *a, const char *pragma, char *err, size_t errsz)
{
	sqlite3_stmt	*st;
	struct buf	 found;
	const char	*row;
	unsigned	 n = 0;
	int		 rc;

	if (sqlite3_prepare_v2(a->db, pragma, -1, &st, NULL) != SQLITE_OK)
		return fail(err, errsz, "%s: not an archive store, or one "
		    "damaged beyond reading (%s): %s", a->path, pragma,
		    sqlite3_errmsg(a->db));
	buf_init(&found, 4096);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row = (const char *)sqlite3_column_text(st, 0);
		if (row == NULL || strcmp(row, "ok") == 0)
			continue;
		/* The first finding begins by naming the database: known. */
		if (strncmp(row, "*** in database ", 16) == 0 &&
		    strchr(row, '\n') != NULL)
			row = strchr(row, '\n') + 1;
		if (n++ > 0)
			(void)buf_add(&found, "; ", 2);
		(void)buf_add(&found, row, strlen(row));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		buf_free(&found);
		return fail(err, errsz, "%s: the store is damaged (%s stopped): "
		    "%s", a->path, pragma, sqlite3_errmsg(a->db));
	}
	if (n > 0) {
		(void)fail(err, errsz, "%s: the store is damaged (%s): %.*s",
		    a->path, pragma, (int)found.len, (const char *)found.data);
		buf_free(&found);
		return -1;
	}
	buf_free(&found);
	return 0;
}

/* The schema is ours, or the store is empty and may become ours. */
static int
check_schema(struct archive *a, char *err, size_t errsz)
{
	sqlite3_stmt	*st;
	const char	*v;
	int		 rc, tables;

	if (sqlite3_prepare_v2(a->db, "SELECT count(*) FROM sqlite_schema",
	    -1, &st, NULL) != SQLITE_OK)
		return fail(err, errsz, "%s: not an archive store: %s",
		    a->path, sqlite3_errmsg(a->db));
	rc = sqlite3_step(st);
	tables = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return fail(err, errsz, "%s: not an archive store: %s",
		    a->path, sqlite3_errmsg(a->db));
	if (tables == 0) {
		if (a->flags & ARCHIVE_RDONLY)
			return fail(err, errsz, "%s: the store is empty (not "
			    "yet created by the archive)", a->path);
		if (exec(a, "BEGIN IMMEDIATE", err, errsz) == -1)
			return -1;
		if (exec(a, archive_schema, err, errsz) == -1) {
			(void)sqlite3_exec(a->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
		return exec(a, "COMMIT", err, errsz);
	}
	if (sqlite3_prepare_v2(a->db, "SELECT value FROM meta WHERE key = "
	    "'format'", -1, &st, NULL) != SQLITE_OK)
		return fail(err, errsz, "%s: not an archive store (%s)", a->path,
		    sqlite3_errmsg(a->db));
	if ((rc = sqlite3_step(st)) != SQLITE_ROW && rc != SQLITE_DONE) {
		(void)fail(err, errsz, "%s: the store's format cannot be read: "
		    "%s", a->path, sqlite3_errmsg(a->db));
		sqlite3_finalize(st);
		return -1;
	}
	if (rc != SQLITE_ROW ||
	    (v = (const char *)sqlite3_column_text(st, 0)) == NULL ||
	    strcmp(v, ARCHIVE_FORMAT) != 0) {
		(void)fail(err, errsz, "%s: not an archive store of format %s "
		    "(the store says %s)", a->path, ARCHIVE_FORMAT,
		    rc == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL ?
		    (const char *)sqlite3_column_text(st, 0) : "nothing");
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

/*
 * A new store is created 0600 before SQLite sees it: SQLite would create
 * it 0644 under the umask, and its WAL and shared-memory files copy the
 * store's mode.  Message content stays readable by the archive user only.
 */
static int
create_private(const char *path, char *err, size_t errsz)
{
	int	fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1) {
		if (errno == EEXIST)
			return 0;
		return fail(err, errsz, "%s: %s", path, strerror(errno));
	}
	close(fd);
	return 0;
}

/* The pragma answers with the mode now in force, which may not be WAL. */
static int
set_wal(struct archive *a, char *err, size_t errsz)
{
	sqlite3_stmt	*st;
	const char	*mode;
	int		 rc = -1;

	if (sqlite3_prepare_v2(a->db, "PRAGMA journal_mode = WAL", -1, &st,
	    NULL) != SQLITE_OK)
		return fail_db(a, err, errsz, "PRAGMA journal_mode");
	if (sqlite3_step(st) != SQLITE_ROW)
		(void)fail_db(a, err, errsz, "PRAGMA journal_mode");
	else if ((mode = (const char *)sqlite3_column_text(st, 0)) == NULL ||
	    strcmp(mode, "wal") != 0)
		(void)fail(err, errsz, "%s: the store cannot use a write-ahead "
		    "log (journal mode stays %s)", a->path,
		    mode != NULL ? mode : "unknown");
	else
		rc = 0;
	sqlite3_finalize(st);
	return rc;
}

int
archive_init(char *err, size_t errsz)
{
	uint8_t	b[16];

	if (sqlite3_initialize() != SQLITE_OK)
		return fail(err, errsz, "SQLite cannot be initialised");
	sqlite3_randomness(sizeof(b), b);
	return 0;
}

struct archive *
archive_open(const char *path, unsigned flags, char *err, size_t errsz)
{
	struct archive	*a;
	struct stat	 sb;
	int		 oflags, i;

	if ((flags & ARCHIVE_CREATE) && (flags & ARCHIVE_RDONLY)) {
		(void)fail(err, errsz, "%s: a read-only open cannot create the "
		    "store", path);
		return NULL;
	}
	if (flags & ARCHIVE_CREATE) {
		if (create_private(path, err, errsz) == -1)
			return NULL;
	} else if (stat(path, &sb) == -1) {
		(void)fail(err, errsz, "%s: %s", path, strerror(errno));
		return NULL;
	}
	a = xcalloc(1, sizeof(*a));
	a->path = xstrdup(path);
	a->flags = flags;
	oflags = SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_EXRESCODE |
	    SQLITE_OPEN_PRIVATECACHE | SQLITE_OPEN_NOMUTEX;
	oflags |= (flags & ARCHIVE_RDONLY) ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE;
	if (sqlite3_open_v2(path, &a->db, oflags, NULL) != SQLITE_OK) {
		(void)fail(err, errsz, "%s: %s", path, a->db != NULL ?
		    sqlite3_errmsg(a->db) : "out of memory");
		archive_close(a);
		return NULL;
	}
	/*
	 * DEFENSIVE refuses writes that corrupt by design (shadow tables,
	 * writable_schema); the schema is not trusted to call functions with
	 * side effects; extensions stay unloadable; cell_size_check catches
	 * some damage at read time that quick_check would find later.
	 */
	(void)sqlite3_db_config(a->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	(void)sqlite3_db_config(a->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0,
	    NULL);
	(void)sqlite3_db_config(a->db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION,
	    0, NULL);
	(void)sqlite3_busy_timeout(a->db, ARCHIVE_BUSY_MS);
	if ((flags & ARCHIVE_MEMTEMP) && exec(a, "PRAGMA temp_store = MEMORY",
	    err, errsz) == -1)
		goto fail;
	/* Damage first: a damaged schema or meta table would mislead. */
	if (exec(a, "PRAGMA cell_size_check = ON", err, errsz) == -1 ||
	    check_pragma(a, "PRAGMA quick_check(5)", err, errsz) == -1 ||
	    check_schema(a, err, errsz) == -1)
		goto fail;
	/*
	 * WAL: readers never block the writer.  synchronous = FULL, not
	 * NORMAL: with NORMAL a WAL commit is safe from a crash of the
	 * process but not from a power loss (the log is synced only at
	 * checkpoints), and the archive role acknowledges a message to qmgr
	 * (which then forgets its hand-off) once the commit returns: the
	 * commit must be on stable storage.  Its cost is one sync of the
	 * log per transaction, which the role's batches (archived.c) share
	 * among many messages.
	 */
	if (!(flags & ARCHIVE_RDONLY) && set_wal(a, err, errsz) == -1)
		goto fail;
	/*
	 * Freed pages are zeroed (Debian builds with this default; say it
	 * here so that no build depends on it): a purged message's content
	 * does not linger in the file.
	 */
	if (exec(a, "PRAGMA synchronous = FULL", err, errsz) == -1 ||
	    exec(a, "PRAGMA secure_delete = ON", err, errsz) == -1)
		goto fail;
	for (i = 0; i < ST__COUNT; i++)
		if (sqlite3_prepare_v3(a->db, archive_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &a->st[i], NULL) != SQLITE_OK) {
			(void)fail(err, errsz, "%s: not an archive store of "
			    "format %s: %s", path, ARCHIVE_FORMAT,
			    sqlite3_errmsg(a->db));
			goto fail;
		}
	return a;
fail:
	archive_close(a);
	return NULL;
}

void
archive_close(struct archive *a)
{
	int	i;

	if (a == NULL)
		return;
	for (i = 0; i < ST__COUNT; i++)
		sqlite3_finalize(a->st[i]);
	if (a->in_batch)
		(void)sqlite3_exec(a->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(a->db);
	free(a->path);
	free(a);
}

int
archive_check(struct archive *a, char *err, size_t errsz)
{
	if (check_pragma(a, "PRAGMA integrity_check(5)", err,
	    errsz) == -1)
		return -1;
	/* FTS5 compares its index with its content: -1 on any difference. */
	if (a->flags & ARCHIVE_RDONLY)
		return 0;
	if (sqlite3_exec(a->db, "INSERT INTO msg_text(msg_text) "
	    "VALUES('integrity-check')", NULL, NULL, NULL) != SQLITE_OK)
		return fail_db(a, err, errsz, "the full-text index is damaged");
	return 0;
}

/* --- facts ---------------------------------------------------------------- */

/* The searchable and shown fields of one message. */
struct facts {
	struct buf	 subject;	/* shown */
	struct buf	 originator;	/* shown */
	struct buf	 t_subject, t_body, t_sics, t_orig, t_rcpt; /* indexed */
	int64_t		 precedence;
	char		 decode_error[512];
	bool		 decoded;
	bool		 toolong;
};

static void
facts_init(struct facts *f)
{
	memset(f, 0, sizeof(*f));
	buf_init(&f->subject, ARCHIVE_MAX_TEXT);
	buf_init(&f->originator, ARCHIVE_MAX_TEXT);
	buf_init(&f->t_subject, ARCHIVE_MAX_TEXT);
	buf_init(&f->t_body, ARCHIVE_MAX_TEXT);
	buf_init(&f->t_sics, ARCHIVE_MAX_TEXT);
	buf_init(&f->t_orig, ARCHIVE_MAX_TEXT);
	buf_init(&f->t_rcpt, ARCHIVE_MAX_TEXT);
	f->precedence = ARCHIVE_NO_PRECEDENCE;
}

static void
facts_free(struct facts *f)
{
	buf_free(&f->subject);
	buf_free(&f->originator);
	buf_free(&f->t_subject);
	buf_free(&f->t_body);
	buf_free(&f->t_sics);
	buf_free(&f->t_orig);
	buf_free(&f->t_rcpt);
}

/*
 * Append text, after a separator when the field has some already.  NULs
 * (text may carry them) become spaces: SQLite text ends at a NUL for most
 * readers, and a word must not hide behind one.
 */
static void
add_text(struct facts *f, struct buf *b, const char *sep, const char *s,
    size_t len)
{
	size_t	i, start;

	if (s == NULL || len == 0)
		return;
	if (b->len > 0 && buf_add(b, sep, strlen(sep)) == -1)
		goto toolong;
	start = b->len;
	if (buf_add(b, s, len) == -1)
		goto toolong;
	/* memchr, not a byte loop: the body's text passes here whole. */
	for (i = start; i < b->len; i++) {
		uint8_t	*z = memchr(b->data + i, '\0', b->len - i);

		if (z == NULL)
			break;
		*z = ' ';
		i = (size_t)(z - b->data);
	}
	return;
toolong:
	f->toolong = true;
}

static void
add_str(struct facts *f, struct buf *b, const char *sep, const char *s)
{
	if (s != NULL)
		add_text(f, b, sep, s, strlen(s));
}

static void
add_ordesc(struct facts *f, struct buf *b, const struct x400_ordesc *d)
{
	if (d->formal.present)
		add_str(f, b, "\n", d->formal.text);
	add_text(f, b, "\n", d->free_form.utf8, d->free_form.len);
}

static void
add_rcpts(struct facts *f, const struct x400_rcptspec *r, unsigned n)
{
	unsigned	i;

	for (i = 0; i < n; i++)
		add_ordesc(f, &f->t_rcpt, &r[i].who);
}

/*
 * Text of an IPM's body parts into the body field, forwarded messages'
 * subjects and text included.  The decoder bounds the nesting already; the
 * depth check keeps this function's recursion bounded on its own.
 */
static void
facts_body(struct facts *f, const struct x400_ipm *ipm, unsigned depth)
{
	const struct x400_bodypart	*bp;
	const struct x400_content	*fw;
	unsigned			 i;

	for (i = 0; i < ipm->nbody; i++) {
		bp = &ipm->body[i];
		add_text(f, &f->t_body, "\n", bp->text.utf8, bp->text.len);
		if ((fw = bp->forwarded) == NULL || fw->is_ipn ||
		    depth >= X400_DEFAULT_MAX_FORWARD_DEPTH)
			continue;
		add_text(f, &f->t_body, "\n", fw->ipm.subject.utf8,
		    fw->ipm.subject.len);
		facts_body(f, &fw->ipm, depth + 1);
	}
}

static void
facts_extract(struct facts *f, const uint8_t *raw, size_t len)
{
	struct x400_dec		 d;
	struct x400_msg		*m;
	const struct x400_ipm	*ipm = NULL;
	unsigned		 i;

	/*
	 * Nothing to decode, and the decoder's cursor must not be built on
	 * a NULL buffer (NULL + 0 is undefined in C).
	 */
	if (len == 0) {
		(void)snprintf(f->decode_error, sizeof(f->decode_error), "%s",
		    "empty message (0 bytes)");
		return;
	}
	if (x400_decode(&d, BER_MODE_BER, NULL, raw, len, &m) == -1) {
		(void)snprintf(f->decode_error, sizeof(f->decode_error), "%s",
		    x400_strerror(&d));
		x400_dec_free(&d);
		return;
	}
	f->decoded = true;
	if (m->apdu == X400_APDU_REPORT) {
		for (i = 0; i < m->report.nrcpt; i++)
			add_str(f, &f->t_rcpt, "\n",
			    m->report.rcpt[i].actual.text);
		add_str(f, &f->t_rcpt, "\n", m->report.destination.text);
	} else {
		add_str(f, &f->t_orig, "\n", m->env.originator.text);
		for (i = 0; i < m->env.nrcpt; i++)
			add_str(f, &f->t_rcpt, "\n", m->env.rcpt[i].name.text);
	}
	if (m->body != NULL && !m->body->is_ipn)
		ipm = &m->body->ipm;
	if (ipm != NULL) {
		add_text(f, &f->subject, "", ipm->subject.utf8,
		    ipm->subject.len);
		add_text(f, &f->t_subject, "", ipm->subject.utf8,
		    ipm->subject.len);
		if (ipm->has_originator) {
			add_ordesc(f, &f->t_orig, &ipm->originator);
			if (ipm->originator.formal.present)
				add_str(f, &f->originator, "",
				    ipm->originator.formal.text);
			else
				add_text(f, &f->originator, "",
				    ipm->originator.free_form.utf8,
				    ipm->originator.free_form.len);
		}
		add_rcpts(f, ipm->primary, ipm->nprimary);
		add_rcpts(f, ipm->copy, ipm->ncopy);
		add_rcpts(f, ipm->blind, ipm->nblind);
		for (i = 0; i < ipm->nsics; i++)
			add_str(f, &f->t_sics, " ", ipm->sics[i]);
		f->precedence = ipm->primary_precedence == X400_ABSENT ?
		    ARCHIVE_NO_PRECEDENCE : ipm->primary_precedence;
		facts_body(f, ipm, 0);
	}
	if (f->originator.len == 0 && m->apdu != X400_APDU_REPORT)
		add_str(f, &f->originator, "", m->env.originator.text);
	x400_dec_free(&d);
}

/* --- put ------------------------------------------------------------------ */

static int
check_msg(const struct archive_msg *m, char *err, size_t errsz)
{
	size_t	i;

	if (m->id == NULL || !ascii_printable(m->id, ARCHIVE_MAX_ID, false))
		return fail(err, errsz, "message id must be 1 to %d printable "
		    "ASCII characters without spaces", ARCHIVE_MAX_ID);
	if (m->raw == NULL && m->rawlen > 0)
		return fail(err, errsz, "message %s: no bytes", m->id);
	if (m->rawlen > ARCHIVE_MAX_RAW)
		return fail(err, errsz, "message %s: %zu bytes exceed the "
		    "archive's limit of %u", m->id, m->rawlen, ARCHIVE_MAX_RAW);
	if (m->time < 0 || m->time > ARCHIVE_MAX_TIME)
		return fail(err, errsz, "message %s: time %lld is outside "
		    "1970 to 9999", m->id, (long long)m->time);
	if ((unsigned)m->dir > ARCHIVE_LOW_TO_HIGH)
		return fail(err, errsz, "message %s: unknown direction %d",
		    m->id, (int)m->dir);
	if ((unsigned)m->verdict >= ARCHIVE_VERDICT__COUNT)
		return fail(err, errsz, "message %s: unknown verdict %d",
		    m->id, (int)m->verdict);
	if (m->precedence != ARCHIVE_NO_PRECEDENCE &&
	    (m->precedence < 0 || m->precedence > 127))
		return fail(err, errsz, "message %s: precedence %lld is "
		    "outside 0..127", m->id, (long long)m->precedence);
	if (m->nreasons > ARCHIVE_MAX_REASONS || (m->nreasons > 0 &&
	    m->reasons == NULL))
		return fail(err, errsz, "message %s: %zu reasons (at most %d)",
		    m->id, m->nreasons, ARCHIVE_MAX_REASONS);
	for (i = 0; i < m->nreasons; i++) {
		if (m->reasons[i].rule == NULL ||
		    !ascii_printable(m->reasons[i].rule, ARCHIVE_MAX_RULE,
		    false))
			return fail(err, errsz, "message %s: reason %zu: the "
			    "rule id must be 1 to %d printable ASCII "
			    "characters without spaces", m->id, i + 1,
			    ARCHIVE_MAX_RULE);
		if (m->reasons[i].text == NULL ||
		    strlen(m->reasons[i].text) > ARCHIVE_MAX_REASON_TEXT ||
		    !utf8_valid(m->reasons[i].text))
			return fail(err, errsz, "message %s: reason %zu (%s): "
			    "the text must be UTF-8 of at most %d bytes", m->id,
			    i + 1, m->reasons[i].rule, ARCHIVE_MAX_REASON_TEXT);
	}
	return 0;
}

static int
put_reasons(struct archive *a, sqlite3_int64 rowid,
    const struct archive_msg *m, char *err, size_t errsz)
{
	sqlite3_stmt	*st;
	size_t		 i;

	st = stmt(a, ST_DELETE_REASONS);
	sqlite3_bind_int64(st, 1, rowid);
	if (run(a, ST_DELETE_REASONS, err, errsz) == -1)
		return -1;
	for (i = 0; i < m->nreasons; i++) {
		st = stmt(a, ST_INSERT_REASON);
		sqlite3_bind_int64(st, 1, rowid);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		sqlite3_bind_text(st, 3, m->reasons[i].rule, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, m->reasons[i].text, -1, SQLITE_STATIC);
		if (run(a, ST_INSERT_REASON, err, errsz) == -1)
			return -1;
	}
	return 0;
}

static void
bind_precedence(sqlite3_stmt *st, int col, int64_t p)
{
	if (p == ARCHIVE_NO_PRECEDENCE)
		sqlite3_bind_null(st, col);
	else
		sqlite3_bind_int64(st, col, p);
}

/* A new message: its row, bytes, index entry and reasons. */
static int
put_new(struct archive *a, const struct archive_msg *m,
    const uint8_t md[ARCHIVE_SHA256_LEN], const struct facts *f, char *err,
    size_t errsz)
{
	sqlite3_stmt	*st;
	sqlite3_int64	 rowid;

	st = stmt(a, ST_INSERT_MSG);
	sqlite3_bind_text(st, 1, m->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, m->time);
	sqlite3_bind_text(st, 3, dir_names[m->dir], -1, SQLITE_STATIC);
	bind_precedence(st, 4, m->precedence != ARCHIVE_NO_PRECEDENCE ?
	    m->precedence : f->precedence);
	sqlite3_bind_text(st, 5, verdict_names[m->verdict], -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 6, md, ARCHIVE_SHA256_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)m->rawlen);
	if (f->decoded)
		sqlite3_bind_null(st, 8);
	else
		sqlite3_bind_text(st, 8, f->decode_error, -1, SQLITE_STATIC);
	bind_text_or_null(st, 9, &f->subject);
	bind_text_or_null(st, 10, &f->originator);
	if (run(a, ST_INSERT_MSG, err, errsz) == -1)
		return -1;
	rowid = sqlite3_last_insert_rowid(a->db);

	st = stmt(a, ST_INSERT_RAW);
	sqlite3_bind_int64(st, 1, rowid);
	/* A zero-length blob is not NULL: bind it as one explicitly. */
	if (m->rawlen == 0)
		sqlite3_bind_zeroblob(st, 2, 0);
	else
		sqlite3_bind_blob64(st, 2, m->raw, m->rawlen, SQLITE_STATIC);
	if (run(a, ST_INSERT_RAW, err, errsz) == -1)
		return -1;

	if (f->decoded) {
		st = stmt(a, ST_INSERT_TEXT);
		sqlite3_bind_int64(st, 1, rowid);
		bind_text_or_null(st, 2, &f->t_subject);
		bind_text_or_null(st, 3, &f->t_body);
		bind_text_or_null(st, 4, &f->t_sics);
		bind_text_or_null(st, 5, &f->t_orig);
		bind_text_or_null(st, 6, &f->t_rcpt);
		if (run(a, ST_INSERT_TEXT, err, errsz) == -1)
			return -1;
	}
	return put_reasons(a, rowid, m, err, errsz);
}

/* The same message again, in a later state: time, verdict, reasons. */
static int
put_again(struct archive *a, sqlite3_int64 rowid, const struct archive_msg *m,
    char *err, size_t errsz)
{
	sqlite3_stmt	*st;

	st = stmt(a, ST_UPDATE_MSG);
	sqlite3_bind_int64(st, 1, rowid);
	sqlite3_bind_int64(st, 2, m->time);
	sqlite3_bind_text(st, 3, dir_names[m->dir], -1, SQLITE_STATIC);
	bind_precedence(st, 4, m->precedence);
	sqlite3_bind_text(st, 5, verdict_names[m->verdict], -1, SQLITE_STATIC);
	if (run(a, ST_UPDATE_MSG, err, errsz) == -1)
		return -1;
	return put_reasons(a, rowid, m, err, errsz);
}

/*
 * Refusals first, then the writes; *wrote tells the caller whether a
 * failure may have left part of this put in the transaction.
 */
static int
put_locked(struct archive *a, const struct archive_msg *m,
    const uint8_t md[ARCHIVE_SHA256_LEN], const struct facts *f,
    bool *wrote, char *err, size_t errsz)
{
	sqlite3_stmt	*st;
	sqlite3_int64	 rowid;
	const void	*old;
	char		 hold[2 * ARCHIVE_SHA256_LEN + 1];
	char		 hnew[2 * ARCHIVE_SHA256_LEN + 1];
	int		 rc;

	st = stmt(a, ST_FIND);
	sqlite3_bind_text(st, 1, m->id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		*wrote = true;
		return put_new(a, m, md, f, err, errsz);
	}
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return fail_db(a, err, errsz, "looking up the message id");
	}
	rowid = sqlite3_column_int64(st, 0);
	old = sqlite3_column_blob(st, 1);
	if (old == NULL || sqlite3_column_bytes(st, 1) != ARCHIVE_SHA256_LEN ||
	    memcmp(old, md, ARCHIVE_SHA256_LEN) != 0) {
		if (old != NULL && sqlite3_column_bytes(st, 1) ==
		    ARCHIVE_SHA256_LEN)
			hex_lower(old, ARCHIVE_SHA256_LEN, hold);
		else
			(void)snprintf(hold, sizeof(hold), "%s", "(damaged)");
		hex_lower(md, ARCHIVE_SHA256_LEN, hnew);
		sqlite3_reset(st);
		return fail(err, errsz, "message %s is already archived with "
		    "other bytes (SHA-256 %s, these are %s)", m->id, hold,
		    hnew);
	}
	sqlite3_reset(st);
	*wrote = true;
	return put_again(a, rowid, m, err, errsz);
}

int
archive_put(struct archive *a, const struct archive_msg *m, char *err,
    size_t errsz)
{
	struct facts	 f;
	uint8_t		 md[ARCHIVE_SHA256_LEN];
	char		 h1[2 * ARCHIVE_SHA256_LEN + 1];
	char		 h2[2 * ARCHIVE_SHA256_LEN + 1];
	bool		 wrote = false;
	size_t		 n;
	int		 rc;

	if (a->flags & ARCHIVE_RDONLY)
		return fail(err, errsz, "%s: opened read-only", a->path);
	if (check_msg(m, err, errsz) == -1)
		return -1;
	sha256(m->raw, m->rawlen, md);
	if (m->sha256 != NULL && memcmp(m->sha256, md, sizeof(md)) != 0) {
		hex_lower(m->sha256, ARCHIVE_SHA256_LEN, h1);
		hex_lower(md, ARCHIVE_SHA256_LEN, h2);
		return fail(err, errsz, "message %s: the SHA-256 given (%s) is "
		    "not that of the bytes (%s)", m->id, h1, h2);
	}
	/* Decode before taking the write lock: it is the slow part. */
	facts_init(&f);
	facts_extract(&f, m->raw, m->rawlen);
	if (f.toolong) {
		facts_free(&f);
		return fail(err, errsz, "message %s: its searchable text "
		    "exceeds %u bytes", m->id, ARCHIVE_MAX_TEXT);
	}
	if (!a->in_batch && run(a, ST_BEGIN, err, errsz) == -1) {
		facts_free(&f);
		return -1;
	}
	rc = put_locked(a, m, md, &f, &wrote, err, errsz);
	facts_free(&f);
	if (a->in_batch) {
		if (rc == 0 || !wrote)
			return rc;
		/* Part of this put may be in the batch: none of it may stay. */
		n = strlen(err);
		(void)snprintf(err + n, errsz > n ? errsz - n : 0, "%s",
		    " (the batch was rolled back)");
		a->in_batch = false;
	} else if (rc == 0 && run(a, ST_COMMIT, err, errsz) == 0)
		return 0;
	if (!sqlite3_get_autocommit(a->db))
		(void)run(a, ST_ROLLBACK, NULL, 0);
	return -1;
}

int
archive_begin(struct archive *a, char *err, size_t errsz)
{
	if (a->flags & ARCHIVE_RDONLY)
		return fail(err, errsz, "%s: opened read-only", a->path);
	if (a->in_batch)
		return fail(err, errsz, "%s: a batch is already open", a->path);
	if (run(a, ST_BEGIN, err, errsz) == -1)
		return -1;
	a->in_batch = true;
	return 0;
}

int
archive_commit(struct archive *a, char *err, size_t errsz)
{
	if (!a->in_batch)
		return fail(err, errsz, "%s: no batch is open", a->path);
	if (run(a, ST_COMMIT, err, errsz) == -1) {
		/* A failed COMMIT may leave the transaction open: end it. */
		if (!sqlite3_get_autocommit(a->db))
			(void)run(a, ST_ROLLBACK, NULL, 0);
		a->in_batch = false;
		return -1;
	}
	a->in_batch = false;
	return 0;
}

int
archive_rollback(struct archive *a, char *err, size_t errsz)
{
	if (!a->in_batch)
		return fail(err, errsz, "%s: no batch is open", a->path);
	a->in_batch = false;
	if (sqlite3_get_autocommit(a->db))
		return 0;
	return run(a, ST_ROLLBACK, err, errsz);
}

/* --- get, info ------------------------------------------------------------ */

int
archive_get(struct archive *a, const char *id, uint8_t **raw, size_t *len,
    char *err, size_t errsz)
{
	sqlite3_stmt	*st;
	const void	*stored, *p;
	uint8_t		 md[ARCHIVE_SHA256_LEN];
	char		 h1[2 * ARCHIVE_SHA256_LEN + 1];
	char		 h2[2 * ARCHIVE_SHA256_LEN + 1];
	size_t		 n;
	int		 rc;

	st = stmt(a, ST_GET);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_DONE) {
		sqlite3_reset(st);
		return fail(err, errsz, "message %s is not in the archive", id);
	}
	if (rc != SQLITE_ROW) {
		(void)fail_db(a, err, errsz, "reading the message");
		sqlite3_reset(st);
		return -1;
	}
	stored = sqlite3_column_blob(st, 0);
	if (stored == NULL || (n = (size_t)sqlite3_column_bytes(st, 0)) !=
	    ARCHIVE_SHA256_LEN) {
		sqlite3_reset(st);
		return fail(err, errsz, "message %s: the stored SHA-256 is "
		    "damaged (%zu bytes instead of %d)", id,
		    stored == NULL ? 0 : n, ARCHIVE_SHA256_LEN);
	}
	memcpy(md, stored, sizeof(md));
	p = sqlite3_column_blob(st, 1);
	n = (size_t)sqlite3_column_bytes(st, 1);
	*raw = xmalloc(n > 0 ? n : 1);
	if (n > 0)
		memcpy(*raw, p, n);
	*len = n;
	sqlite3_reset(st);
	{
		uint8_t	now[ARCHIVE_SHA256_LEN];

		sha256(*raw, n, now);
		if (memcmp(now, md, sizeof(md)) != 0) {
			freezero(*raw, n > 0 ? n : 1);
			*raw = NULL;
			hex_lower(md, ARCHIVE_SHA256_LEN, h1);
			hex_lower(now, ARCHIVE_SHA256_LEN, h2);
			return fail(err, errsz, "message %s: the stored bytes "
			    "(%zu, SHA-256 %s) do not match the SHA-256 "
			    "archived with them (%s): the store was altered",
			    id, n, h2, h1);
		}
	}
	return 0;
}

static char *
col_dup(sqlite3_stmt *st, int col)
{
	const char	*s = (const char *)sqlite3_column_text(st, col);

	return s != NULL ? xstrdup(s) : NULL;
}

/* The hit columns (0..7) of a row; -1 if a name in it is unknown. */
static int
read_hit(struct archive *a, sqlite3_stmt *st, struct archive_hit *h,
    char *err, size_t errsz)
{
	const char	*v, *d;

	memset(h, 0, sizeof(*h));
	h->id = (const char *)sqlite3_column_text(st, 0);
	h->time = sqlite3_column_int64(st, 1);
	d = (const char *)sqlite3_column_text(st, 2);
	if (d == NULL || archive_dir_parse(d, &h->dir) == -1)
		return fail(err, errsz, "%s: message %s: unknown direction "
		    "\"%s\" in the store", a->path, h->id, d ? d : "(null)");
	h->precedence = sqlite3_column_type(st, 3) == SQLITE_NULL ?
	    ARCHIVE_NO_PRECEDENCE : sqlite3_column_int64(st, 3);
	v = (const char *)sqlite3_column_text(st, 4);
	if (v == NULL || archive_verdict_parse(v, &h->verdict) == -1)
		return fail(err, errsz, "%s: message %s: unknown verdict "
		    "\"%s\" in the store", a->path, h->id, v ? v : "(null)");
	h->subject = (const char *)sqlite3_column_text(st, 5);
	h->originator = (const char *)sqlite3_column_text(st, 6);
	h->decode_error = (const char *)sqlite3_column_text(st, 7);
	return 0;
}

void
archive_info_free(struct archive_info *in)
{
	size_t	i;

	free((char *)(uintptr_t)in->hit.id);
	free((char *)(uintptr_t)in->hit.subject);
	free((char *)(uintptr_t)in->hit.originator);
	free((char *)(uintptr_t)in->hit.decode_error);
	free(in->sics);
	free(in->recipients);
	for (i = 0; i < in->nreasons; i++) {
		free((char *)(uintptr_t)in->reasons[i].rule);
		free((char *)(uintptr_t)in->reasons[i].text);
	}
	free(in->reasons);
	memset(in, 0, sizeof(*in));
}

int
archive_info(struct archive *a, const char *id, struct archive_info *in,
    char *err, size_t errsz)
{
	sqlite3_stmt	*st;
	sqlite3_int64	 rowid;
	int		 rc;

	memset(in, 0, sizeof(*in));
	st = stmt(a, ST_INFO);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_DONE) {
		sqlite3_reset(st);
		return fail(err, errsz, "message %s is not in the archive", id);
	}
	if (rc != SQLITE_ROW) {
		(void)fail_db(a, err, errsz, "reading the message");
		sqlite3_reset(st);
		return -1;
	}
	if (read_hit(a, st, &in->hit, err, errsz) == -1) {
		sqlite3_reset(st);
		memset(in, 0, sizeof(*in));
		return -1;
	}
	in->hit.id = col_dup(st, 0);
	in->hit.subject = col_dup(st, 5);
	in->hit.originator = col_dup(st, 6);
	in->hit.decode_error = col_dup(st, 7);
	rowid = sqlite3_column_int64(st, 8);
	if (sqlite3_column_bytes(st, 9) == ARCHIVE_SHA256_LEN)
		memcpy(in->sha256, sqlite3_column_blob(st, 9),
		    ARCHIVE_SHA256_LEN);
	in->size = (size_t)sqlite3_column_int64(st, 10);
	sqlite3_reset(st);

	st = stmt(a, ST_INFO_TEXT);
	sqlite3_bind_int64(st, 1, rowid);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		in->sics = col_dup(st, 0);
		in->recipients = col_dup(st, 1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		goto dberr;

	st = stmt(a, ST_REASONS);
	sqlite3_bind_int64(st, 1, rowid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    in->nreasons < ARCHIVE_MAX_REASONS) {
		in->reasons = xreallocarray(in->reasons, in->nreasons + 1,
		    sizeof(*in->reasons));
		in->reasons[in->nreasons].rule = col_dup(st, 0);
		in->reasons[in->nreasons].text = col_dup(st, 1);
		if (in->reasons[in->nreasons].rule == NULL)
			in->reasons[in->nreasons].rule = xstrdup("");
		if (in->reasons[in->nreasons].text == NULL)
			in->reasons[in->nreasons].text = xstrdup("");
		in->nreasons++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		goto dberr;
	return 0;
dberr:
	(void)fail_db(a, err, errsz, "reading the message");
	archive_info_free(in);
	return -1;
}

/* --- search --------------------------------------------------------------- */

int
archive_search(struct archive *a, const struct archive_query *q,
    archive_hit_cb cb, void *arg, char *err, size_t errsz)
{
	enum archive_stmt	 which;
	sqlite3_stmt		*st;
	struct archive_hit	 h;
	bool			 words;
	int			 rc, r;

	words = q->text != NULL && q->text[0] != '\0';
	if (words && (strlen(q->text) > ARCHIVE_MAX_QUERY ||
	    !utf8_valid(q->text)))
		return fail(err, errsz, "search query: must be UTF-8 of at "
		    "most %d bytes", ARCHIVE_MAX_QUERY);
	if (q->has_from && q->has_to && q->from > q->to)
		return fail(err, errsz, "search: the time range ends before "
		    "it starts");
	which = words ? ST_SEARCH_TEXT : ST_SEARCH_ALL;
	st = stmt(a, which);
	if (words)
		sqlite3_bind_text(st, 1, q->text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, q->has_from ? q->from : INT64_MIN);
	sqlite3_bind_int64(st, 3, q->has_to ? q->to : INT64_MAX);
	if (q->has_precedence)
		sqlite3_bind_int64(st, 4, q->precedence);
	if (q->has_verdict) {
		if ((unsigned)q->verdict >= ARCHIVE_VERDICT__COUNT)
			return fail(err, errsz, "search: unknown verdict %d",
			    (int)q->verdict);
		sqlite3_bind_text(st, 5, verdict_names[q->verdict], -1,
		    SQLITE_STATIC);
	}
	sqlite3_bind_int64(st, 6, q->limit == 0 || q->limit > INT64_MAX ?
	    -1 : (sqlite3_int64)q->limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (read_hit(a, st, &h, err, errsz) == -1) {
			sqlite3_reset(st);
			return -1;
		}
		if ((r = cb(&h, arg)) != 0) {
			sqlite3_reset(st);
			return r;
		}
	}
	if (rc != SQLITE_DONE) {
		/*
		 * FTS5 reports query syntax errors ("fts5: syntax error near
		 * ...", "no such column: ...") only when the statement runs.
		 */
		(void)fail(err, errsz, "search query \"%s\": %s",
		    words ? q->text : "", sqlite3_errmsg(a->db));
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	return 0;
}

/* --- purge ---------------------------------------------------------------- */

int
archive_purge(struct archive *a, int64_t now, int64_t retention,
    archive_purge_cb cb, void *arg, size_t *purged, char *err, size_t errsz)
{
	static const enum archive_stmt	 dels[] = { ST_PURGE_TEXT,
	    ST_PURGE_REASON, ST_PURGE_RAW, ST_PURGE_MSG };
	sqlite3_stmt	*st;
	int64_t		 cutoff;
	size_t		 n = 0, i;
	int		 rc;

	*purged = 0;
	if (a->flags & ARCHIVE_RDONLY)
		return fail(err, errsz, "%s: opened read-only", a->path);
	if (a->in_batch)
		return fail(err, errsz, "%s: purge inside a batch", a->path);
	if (retention < 0 || now < 0 || now > ARCHIVE_MAX_TIME)
		return fail(err, errsz, "purge: retention and time must not "
		    "be negative, nor the time past 9999");
	cutoff = now - retention;
	/* The write lock first: nothing is added between listing and delete. */
	if (run(a, ST_BEGIN, err, errsz) == -1)
		return -1;
	st = stmt(a, ST_EXPIRED);
	sqlite3_bind_int64(st, 1, cutoff);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n++;
		if (cb != NULL && cb((const char *)sqlite3_column_text(st, 0),
		    sqlite3_column_int64(st, 1), arg) != 0) {
			(void)fail(err, errsz, "purge cancelled by its caller "
			    "at message %s: nothing was deleted",
			    (const char *)sqlite3_column_text(st, 0));
			sqlite3_reset(st);
			goto rollback;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		(void)fail_db(a, err, errsz, "listing expired messages");
		goto rollback;
	}
	for (i = 0; i < sizeof(dels) / sizeof(*dels); i++) {
		st = stmt(a, dels[i]);
		sqlite3_bind_int64(st, 1, cutoff);
		if (run(a, dels[i], err, errsz) == -1)
			goto rollback;
	}
	if ((size_t)sqlite3_changes(a->db) != n) {
		(void)fail(err, errsz, "%s: purge listed %zu messages but "
		    "would delete %d: nothing was deleted", a->path, n,
		    sqlite3_changes(a->db));
		goto rollback;
	}
	if (run(a, ST_COMMIT, err, errsz) == -1)
		goto rollback;
	*purged = n;
	/*
	 * The deleted pages were zeroed in the store (SECURE_DELETE) but
	 * their old content may still sit in the WAL: copy it back and
	 * truncate the WAL.  Failure (a reader holds it) is not an error:
	 * the next checkpoint does it.
	 */
	(void)sqlite3_wal_checkpoint_v2(a->db, NULL,
	    SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	return 0;
rollback:
	if (!sqlite3_get_autocommit(a->db))
		(void)run(a, ST_ROLLBACK, NULL, 0);
	return -1;
}
