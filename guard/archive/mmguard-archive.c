/*
 * mmguard-archive - add to, search, read back and purge the message archive.
 *
 * SYNOPSIS
 *	mmguard-archive [-d STORE] add MSGFILE --id ID --verdict V
 *	    [--reason RULE:TEXT]... [--direction D] [--time T]
 *	    [--precedence P]
 *	mmguard-archive [-d STORE] search [QUERY] [--from T] [--to T]
 *	    [--precedence P] [--verdict V] [--limit N] [--json]
 *	mmguard-archive [-d STORE] get ID -o FILE
 *	mmguard-archive [-d STORE] show ID [--json]
 *	mmguard-archive [-d STORE] purge --retention DURATION [--now T]
 *	mmguard-archive [-d STORE] check
 *
 * DESCRIPTION
 *	The archive keeps every message that reached an end state (released,
 *	delivered, held, referred, rejected, quarantined) with its bytes,
 *	their SHA-256, the verdict and its reasons, searchable by the words
 *	of its subject and text, its SICs, originator and recipients, its
 *	precedence, verdict and time.  The guard's archive role writes it;
 *	this tool is for operators, auditors, tests and manual import.
 *
 *	-d STORE, --store STORE (before or after the command) names the
 *	store, an SQLite file; the default is $MMGUARD_ARCHIVE, else
 *	/var/lib/mmguard/archive/archive.sqlite.  Only add creates it
 *	(mode 0600); search, get and show open it read-only; every command
 *	refuses a store that fails SQLite's quick_check.
 *
 *	add archives MSGFILE (a P1 message as received) under ID with
 *	verdict V (released, delivered, held, referred, rejected,
 *	quarantined), the reasons (RULE is the policy rule id, TEXT the
 *	reason; repeat), --direction high-to-low (default) or low-to-high,
 *	--time T (default now) and --precedence P (default: the message's
 *	primary precedence).  The message is decoded with the guard's strict
 *	decoder to index it; one that does not decode is archived all the
 *	same, with the decode error, and add says so.  Adding an ID again
 *	with the same bytes records its new verdict, reasons and time; with
 *	other bytes it is refused.
 *
 *	search prints the messages matching QUERY, in time order: time, id,
 *	precedence, verdict, originator and subject, tab-separated, "-" for
 *	what a message lacks (control characters in a message's text are
 *	shown as '?').  QUERY is SQLite FTS5 syntax: words (prefix*),
 *	"phrases", AND, OR, NOT, parentheses, NEAR(a b, 5), and column
 *	filters subject:, body:, sics:, originator:, recipients: (e.g.
 *	'sics:ZKB12', 'originator:smith AND exercise').  Words match
 *	regardless of case and diacritics.  Without QUERY, every message
 *	passes to the filters: --from and --to (inclusive), --precedence
 *	(a name or 0..127) and --verdict.  --limit N (default 1000, 0 for
 *	all) caps the output, saying so on standard error when more
 *	matched.  --json prints an array of objects instead.
 *
 *	get writes message ID's original bytes to FILE ("-": standard
 *	output; a new FILE is created mode 0600) after checking them
 *	against the SHA-256 archived with them.
 *
 *	show prints what the archive holds of ID: times, verdict, reasons,
 *	digest, decode error, SICs and recipients.
 *
 *	purge deletes the messages archived at or before now minus DURATION
 *	(N followed by s, m, h, d, w or y for 365 days; a bare N is seconds)
 *	and prints each purged id, one a line, before deleting; --now T
 *	replaces the current time (tests, replays).  If printing fails,
 *	nothing is deleted.
 *
 *	check runs SQLite's full integrity_check and FTS5's index check
 *	(slow on a large store: it reads everything).
 *
 *	Times are ISO 8601 UTC, exactly YYYY-MM-DDThh:mm:ssZ, in and out.
 *
 * EXIT STATUS
 *	0 on success; 1 when the operation fails (store refused or damaged,
 *	message not found, digest mismatch, query syntax error), with the
 *	reason on standard error; 2 on usage errors.
 *
 * SECURITY
 *	An offline tool with the privileges of its user, who must be able to
 *	read the store (the archive role's file, mode 0600); no network.
 *	add decodes MSGFILE, which may be hostile, with the same strict,
 *	bounded, fuzzed decoder as the decode role; the other commands read
 *	only the store, which SQLite checks when it opens it.  Search queries
 *	reach FTS5's query parser and bound parameters only, never SQL text.
 *	An attacker who owns this process gains what its user can read: the
 *	archived messages, all of them classified material; and, for a user
 *	who can write the store, the power to alter or delete them (get
 *	would then report the digest mismatch; the audit log records the
 *	purges).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "filters/x400/x400.h"
#include "guard/archive/archive.h"
#include "guard/common/hex.h"
#include "guard/common/buf.h"
#include "guard/common/file.h"
#include "guard/common/json.h"
#include "guard/common/log.h"
#include "guard/common/xmalloc.h"

#define DEFAULT_STORE	"/var/lib/mmguard/archive/archive.sqlite"
#define DEFAULT_LIMIT	1000
#define JSON_MAX	(64u * 1024 * 1024)

static const char	*store;

static void __attribute__((noreturn))
usage(int full)
{
	FILE	*f = full ? stdout : stderr;

	fprintf(f,
	    "usage: mmguard-archive [-d STORE] add MSGFILE --id ID --verdict V"
	    "\n           [--reason RULE:TEXT]... [--direction D] [--time T] "
	    "[--precedence P]\n"
	    "       mmguard-archive [-d STORE] search [QUERY] [--from T] "
	    "[--to T]\n           [--precedence P] [--verdict V] [--limit N] "
	    "[--json]\n"
	    "       mmguard-archive [-d STORE] get ID -o FILE\n"
	    "       mmguard-archive [-d STORE] show ID [--json]\n"
	    "       mmguard-archive [-d STORE] purge --retention DURATION "
	    "[--now T]\n"
	    "       mmguard-archive [-d STORE] check\n");
	if (!full)
		exit(2);
	fprintf(f, "\n"
	    "The message archive: every message that reached an end state,\n"
	    "with its bytes and SHA-256, verdict and reasons, searchable.\n"
	    "\n"
	    "-d, --store STORE  the store (SQLite); default $MMGUARD_ARCHIVE,\n"
	    "         else " DEFAULT_STORE "\n"
	    "add      archive MSGFILE (P1 as received) under ID.  V: released,\n"
	    "         delivered, held, referred, rejected, quarantined.\n"
	    "         --reason RULE:TEXT (repeat), --direction high-to-low\n"
	    "         (default) | low-to-high, --time T (default now),\n"
	    "         --precedence P (default the message's).  A message that\n"
	    "         does not decode is archived with its decode error.\n"
	    "search   messages matching QUERY (FTS5 syntax: words, prefix*,\n"
	    "         \"phrases\", AND OR NOT, NEAR(), column filters subject:\n"
	    "         body: sics: originator: recipients:), in time order, as\n"
	    "         TIME ID PRECEDENCE VERDICT ORIGINATOR SUBJECT (tabs).\n"
	    "         --from/--to T (inclusive), --precedence P (name or\n"
	    "         0..127), --verdict V, --limit N (default 1000, 0 all),\n"
	    "         --json.  Without QUERY the filters alone select.\n"
	    "get      write message ID's original bytes to FILE (- stdout),\n"
	    "         after checking their SHA-256\n"
	    "show     what the archive holds of ID (--json for machines)\n"
	    "purge    delete messages at or before now - DURATION (N with s,\n"
	    "         m, h, d, w or y = 365 d; bare N: seconds), printing\n"
	    "         each id first; --now T for another current time\n"
	    "check    full integrity check of the store and its index\n"
	    "\n"
	    "Times: ISO 8601 UTC, YYYY-MM-DDThh:mm:ssZ, in and out.\n"
	    "Examples:\n"
	    "  mmguard-archive add msg.p1 --id M1 --verdict rejected \\\n"
	    "      --reason DLP-7:'word \"secret\" in body part 1'\n"
	    "  mmguard-archive search 'sics:ZKB12 AND exercise' --from "
	    "2026-11-29T00:00:00Z\n"
	    "  mmguard-archive get M1 -o m1.p1\n"
	    "  mmguard-archive purge --retention 2y\n"
	    "\n"
	    "Exit status: 0 on success; 1 when the operation fails (the reason\n"
	    "on standard error); 2 on usage errors.\n");
	exit(0);
}

/* --- arguments ------------------------------------------------------------ */

/* The options every command takes: -d STORE, --help; anything else: usage. */
static void
common_opt(int ch)
{
	switch (ch) {
	case 'd':
		store = optarg;
		return;
	case 'h':
		usage(1);
	default:
		usage(0);
	}
}

static int64_t
arg_time(const char *opt, const char *s)
{
	int64_t	t;

	if (archive_time_parse(s, &t) == -1) {
		log_warnx("%s: \"%s\" is not a time YYYY-MM-DDThh:mm:ssZ", opt,
		    s);
		exit(2);
	}
	return t;
}

static int64_t
arg_precedence(const char *s)
{
	int64_t	p;

	if (archive_precedence_parse(s, &p) == -1) {
		log_warnx("--precedence: \"%s\" is not deferred, routine, "
		    "priority, immediate, flash, override or 0..127", s);
		exit(2);
	}
	return p;
}

static enum archive_verdict
arg_verdict(const char *s)
{
	enum archive_verdict	v;

	if (archive_verdict_parse(s, &v) == -1) {
		log_warnx("--verdict: \"%s\" is not released, delivered, held, "
		    "referred, rejected or quarantined", s);
		exit(2);
	}
	return v;
}

/* N[smhdwy]: a duration in seconds. */
static int64_t
arg_duration(const char *s)
{
	static const struct { char c; int64_t secs; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
		{ 'w', 7 * 86400 }, { 'y', 365 * 86400 }
	};
	char		*end;
	long long	 n;
	int64_t		 mul = 1;
	size_t		 i;

	errno = 0;
	if (*s < '0' || *s > '9' || (n = strtoll(s, &end, 10), errno != 0))
		goto bad;
	if (*end != '\0') {
		for (i = 0; i < sizeof(units) / sizeof(*units); i++)
			if (end[0] == units[i].c && end[1] == '\0')
				break;
		if (i == sizeof(units) / sizeof(*units))
			goto bad;
		mul = units[i].secs;
	}
	if (n > INT64_MAX / mul)
		goto bad;
	return n * mul;
bad:
	log_warnx("--retention: \"%s\" is not a duration (N followed by s, m, "
	    "h, d, w or y)", s);
	exit(2);
}

static size_t
arg_count(const char *opt, const char *s)
{
	char			*end;
	unsigned long long	 n;

	errno = 0;
	if (*s < '0' || *s > '9' || (n = strtoull(s, &end, 10), errno != 0) ||
	    *end != '\0' || n > SIZE_MAX) {
		log_warnx("%s: \"%s\" is not a count", opt, s);
		exit(2);
	}
	return (size_t)n;
}

static struct archive *
open_store(unsigned flags)
{
	struct archive	*a;
	char		 err[1024];

	if ((a = archive_open(store, flags, err, sizeof(err))) == NULL) {
		log_warnx("%s", err);
		exit(1);
	}
	return a;
}

/* --- printing ------------------------------------------------------------- */

/* Text of a message for a tab-separated line: no tabs, no controls. */
static void
put_field(const char *s)
{
	const unsigned char	*p;

	if (s == NULL || *s == '\0') {
		fputs("-", stdout);
		return;
	}
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '\t' || *p == '\n' || *p == '\r')
			putchar(' ');
		else if (*p < 0x20 || *p == 0x7f)
			putchar('?');
		else
			putchar(*p);
	}
}

static const char *
precedence_text(int64_t p, char buf[24])
{
	if (p == ARCHIVE_NO_PRECEDENCE)
		return NULL;
	if (p >= 0 && p <= 5)
		return x400_precedence_name(p);
	(void)snprintf(buf, 24, "%lld", (long long)p);
	return buf;
}

static void
json_hit(struct json *j, const struct archive_hit *h)
{
	char	t[ARCHIVE_TIME_LEN], pb[24];
	const char *p;

	archive_time_format(h->time, t);
	json_kstr(j, "id", h->id);
	json_kstr(j, "time", t);
	json_kstr(j, "direction", archive_dir_name(h->dir));
	json_key(j, "precedence");
	if ((p = precedence_text(h->precedence, pb)) != NULL)
		json_str(j, p);
	else
		json_null(j);
	json_kstr(j, "verdict", archive_verdict_name(h->verdict));
	json_key(j, "subject");
	h->subject != NULL ? json_str(j, h->subject) : json_null(j);
	json_key(j, "originator");
	h->originator != NULL ? json_str(j, h->originator) : json_null(j);
	json_key(j, "decode_error");
	h->decode_error != NULL ? json_str(j, h->decode_error) : json_null(j);
}

/* Write out what the JSON writer holds so far. */
static void
json_flush(struct json *j)
{
	if (j->err != 0)
		fatalx("JSON output too large");
	if (fwrite(j->out->data, 1, j->out->len, stdout) != j->out->len)
		fatal("standard output");
	buf_reset(j->out);
}

/* --- add ------------------------------------------------------------------ */

static int
cmd_add(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "store", required_argument, NULL, 'd' },
		{ "id", required_argument, NULL, 'i' },
		{ "verdict", required_argument, NULL, 'v' },
		{ "reason", required_argument, NULL, 'r' },
		{ "direction", required_argument, NULL, 'D' },
		{ "time", required_argument, NULL, 't' },
		{ "precedence", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct archive_msg	 m;
	struct archive_reason	*reasons = NULL;
	struct archive_info	 info;
	struct archive		*a;
	char			 err[1024], *colon, *raw;
	char			 digest[2 * ARCHIVE_SHA256_LEN + 1];
	bool			 has_verdict = false;
	int			 ch;

	memset(&m, 0, sizeof(m));
	m.time = time(NULL);
	m.precedence = ARCHIVE_NO_PRECEDENCE;
	m.dir = ARCHIVE_HIGH_TO_LOW;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "d:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'i':
			m.id = optarg;
			break;
		case 'v':
			m.verdict = arg_verdict(optarg);
			has_verdict = true;
			break;
		case 'r':
			if ((colon = strchr(optarg, ':')) == NULL ||
			    colon == optarg) {
				log_warnx("--reason: \"%s\" is not RULE:TEXT",
				    optarg);
				exit(2);
			}
			*colon = '\0';
			reasons = xreallocarray(reasons, m.nreasons + 1,
			    sizeof(*reasons));
			reasons[m.nreasons].rule = optarg;
			reasons[m.nreasons].text = colon + 1;
			m.nreasons++;
			break;
		case 'D':
			if (archive_dir_parse(optarg, &m.dir) == -1) {
				log_warnx("--direction: \"%s\" is not "
				    "high-to-low or low-to-high", optarg);
				exit(2);
			}
			break;
		case 't':
			m.time = arg_time("--time", optarg);
			break;
		case 'p':
			m.precedence = arg_precedence(optarg);
			break;
		default:
			common_opt(ch);
		}
	}
	if (argc - optind != 1 || m.id == NULL || !has_verdict)
		usage(0);
	m.reasons = reasons;
	if ((raw = file_read(argv[optind], ARCHIVE_MAX_RAW, &m.rawlen)) ==
	    NULL) {
		log_warn("%s", argv[optind]);
		exit(1);
	}
	m.raw = (const uint8_t *)raw;
	a = open_store(ARCHIVE_CREATE);
	if (archive_put(a, &m, err, sizeof(err)) == -1 ||
	    archive_info(a, m.id, &info, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		archive_close(a);
		exit(1);
	}
	hex_lower(info.sha256, ARCHIVE_SHA256_LEN, digest);
	printf("archived %s: %zu bytes, SHA-256 %s, %s\n", m.id, info.size,
	    digest, archive_verdict_name(info.hit.verdict));
	if (info.hit.decode_error != NULL)
		log_warnx("%s does not decode (%s); archived with its bytes "
		    "and this error, not searchable by its content", m.id,
		    info.hit.decode_error);
	archive_info_free(&info);
	archive_close(a);
	freezero(raw, m.rawlen + 1);
	free(reasons);
	return 0;
}

/* --- search --------------------------------------------------------------- */

struct search_out {
	struct json	*j;		/* NULL: text lines */
	size_t		 n;
	size_t		 limit;		/* 0: all */
	bool		 more;
};

static int
search_hit(const struct archive_hit *h, void *arg)
{
	struct search_out	*o = arg;
	char			 t[ARCHIVE_TIME_LEN], pb[24];

	if (o->limit != 0 && o->n == o->limit) {
		o->more = true;
		return 1;
	}
	o->n++;
	if (o->j != NULL) {
		json_obj_begin(o->j);
		json_hit(o->j, h);
		json_obj_end(o->j);
		json_flush(o->j);
		return 0;
	}
	archive_time_format(h->time, t);
	printf("%s\t", t);
	put_field(h->id);
	printf("\t");
	put_field(precedence_text(h->precedence, pb));
	printf("\t%s\t", archive_verdict_name(h->verdict));
	put_field(h->originator);
	printf("\t");
	put_field(h->subject);
	printf("\n");
	return 0;
}

static int
cmd_search(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "store", required_argument, NULL, 'd' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "precedence", required_argument, NULL, 'p' },
		{ "verdict", required_argument, NULL, 'v' },
		{ "limit", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct archive_query	 q;
	struct search_out	 o;
	struct archive		*a;
	struct json		 j;
	struct buf		 jb;
	char			 err[1024];
	bool			 json = false;
	int			 ch, rc;

	memset(&q, 0, sizeof(q));
	memset(&o, 0, sizeof(o));
	o.limit = DEFAULT_LIMIT;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "d:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			q.from = arg_time("--from", optarg);
			q.has_from = true;
			break;
		case 't':
			q.to = arg_time("--to", optarg);
			q.has_to = true;
			break;
		case 'p':
			q.precedence = arg_precedence(optarg);
			q.has_precedence = true;
			break;
		case 'v':
			q.verdict = arg_verdict(optarg);
			q.has_verdict = true;
			break;
		case 'l':
			o.limit = arg_count("--limit", optarg);
			break;
		case 'j':
			json = true;
			break;
		default:
			common_opt(ch);
		}
	}
	if (argc - optind > 1)
		usage(0);
	if (argc - optind == 1)
		q.text = argv[optind];
	/* One more than the limit tells whether there were more. */
	q.limit = o.limit == 0 ? 0 : o.limit + 1;
	a = open_store(ARCHIVE_RDONLY);
	buf_init(&jb, JSON_MAX);
	if (json) {
		json_init(&j, &jb);
		json_arr_begin(&j);
		o.j = &j;
	}
	rc = archive_search(a, &q, search_hit, &o, err, sizeof(err));
	archive_close(a);
	if (rc == -1) {
		if (json)
			printf("\n");
		log_warnx("%s", err);
		buf_free(&jb);
		return 1;
	}
	if (json) {
		json_arr_end(&j);
		if (json_finish(&j) == -1)
			fatalx("JSON output too large");
		json_flush(&j);
		printf("\n");
	}
	buf_free(&jb);
	if (fflush(stdout) != 0)
		fatal("standard output");
	if (o.more)
		log_warnx("more than %zu messages match; --limit N shows more, "
		    "--limit 0 all", o.limit);
	return 0;
}

/* --- get, show ------------------------------------------------------------ */

/* The single ID operand and -d of get and show. */
static int
one_id_args(int argc, char *argv[], const struct option *longopts,
    const char **out, bool *json)
{
	int	ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "d:o:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			*out = optarg;
			break;
		case 'j':
			*json = true;
			break;
		default:
			common_opt(ch);
		}
	}
	if (argc - optind != 1)
		usage(0);
	return optind;
}

/* Message content leaves the archive readable by its reader only: 0600. */
static int
write_private(const char *path, const uint8_t *p, size_t n)
{
	ssize_t	w;
	int	fd, saved;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1)
		return -1;
	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return close(fd);
}

static int
cmd_get(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "store", required_argument, NULL, 'd' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct archive	*a;
	const char	*out = NULL;
	uint8_t		*raw;
	size_t		 len;
	char		 err[1024];
	bool		 json = false;
	int		 i;

	i = one_id_args(argc, argv, longopts, &out, &json);
	if (out == NULL)
		usage(0);
	a = open_store(ARCHIVE_RDONLY);
	if (archive_get(a, argv[i], &raw, &len, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		archive_close(a);
		return 1;
	}
	archive_close(a);
	if (strcmp(out, "-") == 0) {
		if (fwrite(raw, 1, len, stdout) != len || fflush(stdout) != 0)
			fatal("standard output");
	} else if (write_private(out, raw, len) == -1)
		fatal("%s", out);
	freezero(raw, len > 0 ? len : 1);
	return 0;
}

static void
show_text(const struct archive_info *in)
{
	char		 t[ARCHIVE_TIME_LEN], pb[24];
	const char	*p;
	size_t		 i;

	archive_time_format(in->hit.time, t);
	printf("id: %s\ntime: %s\ndirection: %s\nprecedence: %s\n"
	    "verdict: %s\nsize: %zu\nsha256: ", in->hit.id, t,
	    archive_dir_name(in->hit.dir),
	    (p = precedence_text(in->hit.precedence, pb)) ? p : "-",
	    archive_verdict_name(in->hit.verdict), in->size);
	for (i = 0; i < ARCHIVE_SHA256_LEN; i++)
		printf("%02x", in->sha256[i]);
	printf("\nsubject: ");
	put_field(in->hit.subject);
	printf("\noriginator: ");
	put_field(in->hit.originator);
	printf("\nsics: ");
	put_field(in->sics);
	printf("\nrecipients: ");
	put_field(in->recipients);
	printf("\ndecode error: ");
	put_field(in->hit.decode_error);
	printf("\n");
	for (i = 0; i < in->nreasons; i++) {
		printf("reason: ");
		put_field(in->reasons[i].rule);
		printf(": ");
		put_field(in->reasons[i].text);
		printf("\n");
	}
}

static void
show_json(const struct archive_info *in)
{
	struct buf	b;
	struct json	j;
	char		d[2 * ARCHIVE_SHA256_LEN + 1];
	size_t		i;

	buf_init(&b, JSON_MAX);
	json_init(&j, &b);
	json_obj_begin(&j);
	json_hit(&j, &in->hit);
	json_kint(&j, "size", (int64_t)in->size);
	hex_lower(in->sha256, ARCHIVE_SHA256_LEN, d);
	json_kstr(&j, "sha256", d);
	json_key(&j, "sics");
	in->sics != NULL ? json_str(&j, in->sics) : json_null(&j);
	json_key(&j, "recipients");
	in->recipients != NULL ? json_str(&j, in->recipients) : json_null(&j);
	json_key(&j, "reasons");
	json_arr_begin(&j);
	for (i = 0; i < in->nreasons; i++) {
		json_obj_begin(&j);
		json_kstr(&j, "rule", in->reasons[i].rule);
		json_kstr(&j, "text", in->reasons[i].text);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	if (json_finish(&j) == -1)
		fatalx("JSON output too large");
	json_flush(&j);
	printf("\n");
	buf_free(&b);
}

static int
cmd_show(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "store", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct archive		*a;
	struct archive_info	 in;
	const char		*out = NULL;
	char			 err[1024];
	bool			 json = false;
	int			 i;

	i = one_id_args(argc, argv, longopts, &out, &json);
	if (out != NULL)
		usage(0);
	a = open_store(ARCHIVE_RDONLY);
	if (archive_info(a, argv[i], &in, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		archive_close(a);
		return 1;
	}
	archive_close(a);
	if (json)
		show_json(&in);
	else
		show_text(&in);
	archive_info_free(&in);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* --- purge, check --------------------------------------------------------- */

/* The hook an audit record would be written from: here, standard output. */
static int
purge_print(const char *id, int64_t t, void *arg)
{
	char	ts[ARCHIVE_TIME_LEN];

	(void)arg;
	archive_time_format(t, ts);
	printf("%s\t%s\n", id, ts);
	/* Only what reached its reader counts: flush before any delete. */
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : -1;
}

static int
cmd_purge(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "store", required_argument, NULL, 'd' },
		{ "retention", required_argument, NULL, 'r' },
		{ "now", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct archive	*a;
	int64_t		 now = time(NULL), retention = -1;
	size_t		 n;
	char		 err[1024];
	int		 ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "d:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			retention = arg_duration(optarg);
			break;
		case 'n':
			now = arg_time("--now", optarg);
			break;
		default:
			common_opt(ch);
		}
	}
	if (argc != optind || retention < 0)
		usage(0);
	a = open_store(0);
	if (archive_purge(a, now, retention, purge_print, NULL, &n, err,
	    sizeof(err)) == -1) {
		log_warnx("%s", err);
		archive_close(a);
		return 1;
	}
	archive_close(a);
	log_info("purged %zu messages", n);
	return 0;
}

static int
cmd_check(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "store", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct archive	*a;
	char		 err[1024];
	int		 ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "d:h", longopts, NULL)) != -1) {
		switch (ch) {
		default:
			common_opt(ch);
		}
	}
	if (argc != optind)
		usage(0);
	a = open_store(0);
	if (archive_check(a, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		archive_close(a);
		return 1;
	}
	archive_close(a);
	printf("%s: ok\n", store);
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct { const char *name; int (*fn)(int, char **); }
	    cmds[] = {
		{ "add", cmd_add }, { "search", cmd_search }, { "get", cmd_get },
		{ "show", cmd_show }, { "purge", cmd_purge },
		{ "check", cmd_check }
	};
	size_t	i;
	int	first = 1;

	log_init("mmguard-archive", LOG_TO_STDERR, 0);
	if ((store = getenv("MMGUARD_ARCHIVE")) == NULL || *store == '\0')
		store = DEFAULT_STORE;
	/* -d STORE may come before the command too. */
	while (first < argc - 1 && (strcmp(argv[first], "-d") == 0 ||
	    strcmp(argv[first], "--store") == 0)) {
		store = argv[first + 1];
		first += 2;
	}
	if (first >= argc)
		usage(0);
	if (strcmp(argv[first], "--help") == 0 ||
	    strcmp(argv[first], "-h") == 0 || strcmp(argv[first], "help") == 0)
		usage(1);
	for (i = 0; i < sizeof(cmds) / sizeof(*cmds); i++)
		if (strcmp(argv[first], cmds[i].name) == 0)
			return cmds[i].fn(argc - first, argv + first);
	log_warnx("unknown command \"%s\"", argv[first]);
	usage(0);
}
