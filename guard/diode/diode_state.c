/*
 * diode_state.c - what the diode programs keep on stable storage across
 * restarts (diode.h, "Accounting across restarts"): diode-rx's place, and
 * what diode-tx's sending record says of its last session.
 *
 * diode-rx's state file is text, so that an operator can read it:
 *
 *	mmguard-diode-rx state 1
 *	session 0123456789abcdef epoch 1700000000000000
 *	expect 0 12 0 0 3 0
 *	seen 0 12 0 0 5 0
 *	previous 89abcdef01234567
 *	done 0 9 0 0 0 0
 *	end
 *
 * (the session lines only once a session was accepted, the previous ones
 * only once there was one before it; six numbers, one per precedence,
 * DEFERRED to OVERRIDE: the guard's numbering, diode.h).
 * It is replaced whole (temporary name, fsync, rename, fsync of the
 * folder), so a reader sees the old state or the new one; "end" says it
 * is complete.  The parser takes exactly this and nothing else.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guard/diode/diode.h"
#include "guard/common/xmalloc.h"

#define STATE_MAGIC	"mmguard-diode-rx state 1"
#define STATE_MAX	1024		/* bytes: the file is far smaller */
#define LOG_CHUNK	65536
#define LOG_LINE_MAX	1024		/* a sending record line, at most */

static size_t
put_list(char *p, size_t sz, const char *name, const uint64_t v[DIODE_NPREC])
{
	size_t	n;
	int	i;

	n = (size_t)snprintf(p, sz, "%s", name);
	for (i = 0; i < DIODE_NPREC && n < sz; i++)
		n += (size_t)snprintf(p + n, sz - n, " %" PRIu64, v[i]);
	if (n < sz)
		n += (size_t)snprintf(p + n, sz - n, "\n");
	return n;
}

int
diode_state_save(int dirfd, const struct diode_rx_state *st, char *err,
    size_t errsz)
{
	char	text[STATE_MAX];
	size_t	n;

	n = (size_t)snprintf(text, sizeof(text), "%s\n", STATE_MAGIC);
	if (st->have_session) {
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    "session %016" PRIx64 " epoch %" PRIu64 "\n", st->session,
		    st->epoch);
		n += put_list(text + n, sizeof(text) - n, "expect", st->expect);
		n += put_list(text + n, sizeof(text) - n, "seen", st->seen);
	}
	if (st->have_prev) {
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    "previous %016" PRIx64 "\n", st->prev_session);
		n += put_list(text + n, sizeof(text) - n, "done",
		    st->prev_done);
	}
	n += (size_t)snprintf(text + n, sizeof(text) - n, "end\n");
	if (n >= sizeof(text)) {
		snprintf(err, errsz, "state larger than %d bytes", STATE_MAX);
		return -1;
	}
	if (diode_write_durable(dirfd, DIODE_STATE_FILE, text, n, err,
	    errsz) != 0)
		return -1;
	if (fsync(dirfd) != 0) {
		snprintf(err, errsz, "fsync of the state folder: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* One line of the state file, without its newline, into buf. */
static int
next_line(const char **p, const char *end, char *buf, size_t bufsz)
{
	const char	*nl;
	size_t		 n;

	if (*p >= end)
		return -1;
	if ((nl = memchr(*p, '\n', (size_t)(end - *p))) == NULL)
		return -1;
	n = (size_t)(nl - *p);
	if (n >= bufsz || memchr(*p, '\0', n) != NULL)
		return -1;
	memcpy(buf, *p, n);
	buf[n] = '\0';
	*p = nl + 1;
	return 0;
}

/* "NAME n0 n1 n2 n3 n4 n5", each below 2^63. */
static int
get_list(const char *line, const char *name, uint64_t v[DIODE_NPREC])
{
	size_t		 nl = strlen(name);
	const char	*q;
	char		*e;
	int		 i;

	if (strncmp(line, name, nl) != 0)
		return -1;
	q = line + nl;
	for (i = 0; i < DIODE_NPREC; i++) {
		if (q[0] != ' ' || q[1] < '0' || q[1] > '9')
			return -1;
		errno = 0;
		v[i] = strtoull(q + 1, &e, 10);
		if (errno != 0 || v[i] > UINT64_MAX / 2)
			return -1;
		q = e;
	}
	return *q == '\0' ? 0 : -1;
}

static int
get_hex64(const char *s, uint64_t *v)
{
	char	*e;
	size_t	 i;

	for (i = 0; i < 16; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return -1;
	*v = strtoull(s, &e, 16);
	return e == s + 16 ? 0 : -1;
}

int
diode_state_parse(const char *text, size_t len, struct diode_rx_state *st,
    char *err, size_t errsz)
{
	const char	*p = text, *end = text + len;
	char		 line[256], *e;
	int		 i;

	memset(st, 0, sizeof(*st));
	if (next_line(&p, end, line, sizeof(line)) != 0 ||
	    strcmp(line, STATE_MAGIC) != 0)
		goto bad;
	if (next_line(&p, end, line, sizeof(line)) != 0)
		goto bad;
	if (strncmp(line, "session ", 8) == 0) {
		if (get_hex64(line + 8, &st->session) != 0 ||
		    strncmp(line + 24, " epoch ", 7) != 0 ||
		    line[31] < '0' || line[31] > '9')
			goto bad;
		errno = 0;
		st->epoch = strtoull(line + 31, &e, 10);
		if (errno != 0 || *e != '\0')
			goto bad;
		if (next_line(&p, end, line, sizeof(line)) != 0 ||
		    get_list(line, "expect", st->expect) != 0 ||
		    next_line(&p, end, line, sizeof(line)) != 0 ||
		    get_list(line, "seen", st->seen) != 0)
			goto bad;
		for (i = 0; i < DIODE_NPREC; i++)
			if (st->seen[i] < st->expect[i])
				goto bad;
		st->have_session = 1;
		if (next_line(&p, end, line, sizeof(line)) != 0)
			goto bad;
	}
	if (strncmp(line, "previous ", 9) == 0) {
		if (get_hex64(line + 9, &st->prev_session) != 0 ||
		    line[25] != '\0' ||
		    next_line(&p, end, line, sizeof(line)) != 0 ||
		    get_list(line, "done", st->prev_done) != 0)
			goto bad;
		st->have_prev = 1;
		if (next_line(&p, end, line, sizeof(line)) != 0)
			goto bad;
	}
	if (strcmp(line, "end") != 0 || p != end)
		goto bad;
	return 0;
 bad:
	snprintf(err, errsz, "state file not in the expected form (%s ...)",
	    STATE_MAGIC);
	memset(st, 0, sizeof(*st));
	return -1;
}

int
diode_state_load(int dirfd, struct diode_rx_state *st, int *found,
    char *err, size_t errsz)
{
	char		text[STATE_MAX + 1];
	struct stat	sb;
	ssize_t		n;
	int		fd;

	memset(st, 0, sizeof(*st));
	*found = 0;
	if ((fd = openat(dirfd, DIODE_STATE_FILE, O_RDONLY | O_CLOEXEC |
	    O_NOFOLLOW)) == -1) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errsz, "%s: %s", DIODE_STATE_FILE,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_size > STATE_MAX) {
		snprintf(err, errsz, "%s: not a regular file of at most %d "
		    "bytes", DIODE_STATE_FILE, STATE_MAX);
		close(fd);
		return -1;
	}
	n = read(fd, text, sizeof(text));
	close(fd);
	if (n < 0 || n > STATE_MAX) {
		snprintf(err, errsz, "%s: %s", DIODE_STATE_FILE,
		    n < 0 ? strerror(errno) : "too large");
		return -1;
	}
	if (diode_state_parse(text, (size_t)n, st, err, errsz) != 0)
		return -1;
	*found = 1;
	return 0;
}

/* --- The sending record ------------------------------------------------- */

/*
 * A "sent" line as mmguard-diode-tx writes it:
 *	TIME sent session=HEX16 prec=NAME seq=N id=ID ...
 * Anything else (failed and refused lines, a line torn by a crash and
 * joined to the next) is not one.
 */
int
diode_sendlog_line(const char *line, size_t len, uint64_t *session,
    int *prec, uint64_t *seq)
{
	char		 buf[LOG_LINE_MAX + 1], name[16], *q, *e;
	size_t		 n;

	if (len == 0 || len > LOG_LINE_MAX)
		return -1;
	memcpy(buf, line, len);
	buf[len] = '\0';
	if (strlen(buf) != len || (q = strchr(buf, ' ')) == NULL ||
	    strncmp(q, " sent session=", 14) != 0)
		return -1;
	q += 14;
	if (get_hex64(q, session) != 0 || *session == 0 ||
	    strncmp(q + 16, " prec=", 6) != 0)
		return -1;
	q += 22;
	for (n = 0; n < sizeof(name) - 1 && q[n] >= 'A' && q[n] <= 'Z'; n++)
		name[n] = q[n];
	name[n] = '\0';
	if ((*prec = diode_prec_parse(name)) < 0 ||
	    strncmp(q + n, " seq=", 5) != 0)
		return -1;
	q += n + 5;
	if (*q < '0' || *q > '9')
		return -1;
	errno = 0;
	*seq = strtoull(q, &e, 10);
	if (errno != 0 || *seq > UINT64_MAX / 2 || strncmp(e, " id=", 4) != 0)
		return -1;
	return 0;
}

/*
 * Read the record backwards, a chunk at a time, keeping the head of the
 * line that a chunk cut; stop at the first line of an earlier session
 * (sessions follow each other in the record) or when every stream has its
 * count.  A stream's messages complete, and are recorded, in sequence
 * order, so the last line of a stream has its highest sequence; the
 * maximum is taken anyway.
 */
int
diode_sendlog_last(int fd, uint64_t *session, uint64_t next[DIODE_NPREC],
    char *err, size_t errsz)
{
	struct stat	 sb;
	char		*buf;
	off_t		 pos;
	size_t		 carry = 0, len, i, start, found = 0;
	ssize_t		 r;
	uint64_t	 s, seq;
	int		 prec, have = 0, done = 0, rc = 0;

	*session = 0;
	memset(next, 0, DIODE_NPREC * sizeof(next[0]));
	if (fstat(fd, &sb) != 0) {
		snprintf(err, errsz, "sending record: %s", strerror(errno));
		return -1;
	}
	buf = xmalloc(LOG_CHUNK + LOG_LINE_MAX + 1);
	pos = sb.st_size;
	while (pos > 0 && !done) {
		len = pos > LOG_CHUNK ? LOG_CHUNK : (size_t)pos;
		pos -= (off_t)len;
		/* The chunk, then the cut head of the line after it. */
		memmove(buf + len, buf, carry);
		for (i = 0; i < len; i += (size_t)r) {
			r = pread(fd, buf + i, len - i, pos + (off_t)i);
			if (r <= 0) {
				snprintf(err, errsz, "sending record: %s",
				    r < 0 ? strerror(errno) : "shrank");
				rc = -1;
				goto out;
			}
		}
		len += carry;
		/* Whole lines from the end; the first may be cut. */
		i = len;
		while (i > 0 && !done) {
			start = i - 1;	/* buf[i - 1] is a newline, or the
					   unterminated end of the file */
			while (start > 0 && buf[start - 1] != '\n')
				start--;
			if (start == 0 && pos > 0)
				break;	/* cut: read with the chunk before */
			if (buf[i - 1] == '\n' && diode_sendlog_line(
			    buf + start, i - 1 - start, &s, &prec, &seq) == 0) {
				if (!have) {
					*session = s;
					have = 1;
				}
				if (s != *session)
					done = 1;
				else {
					if (next[prec] == 0)
						found++;
					if (seq + 1 > next[prec])
						next[prec] = seq + 1;
					if (found == DIODE_NPREC)
						done = 1;
				}
			}
			i = start;
		}
		carry = i;
		if (carry > LOG_LINE_MAX)
			carry = 0;	/* not a record line: skip it */
	}
 out:
	free(buf);
	return rc;
}
