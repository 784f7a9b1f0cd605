/*
 * config.c - read mmguardd's configuration file (config.h).
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard/common/file.h"
#include "guard/common/xmalloc.h"
#include "guard/mmguardd/config.h"

#define CONFIG_MAX_SIZE		(64u << 10)
#define CONFIG_MAX_WORDS	8

static int cfail(char *, size_t, const char *, long, const char *, ...)
    __attribute__((format(printf, 5, 6)));

static int
cfail(char *err, size_t len, const char *file, long line, const char *fmt,
    ...)
{
	va_list	ap;
	int	k;

	k = snprintf(err, len, "%s:%ld: ", file, line);
	if (k < 0 || (size_t)k >= len)
		return -1;
	va_start(ap, fmt);
	(void)vsnprintf(err + k, len - (size_t)k, fmt, ap);
	va_end(ap);
	return -1;
}

/* dir/name unless name is absolute. */
static char *
cpath(const char *dir, const char *name)
{
	size_t	 n;
	char	*p;

	if (name[0] == '/')
		return xstrdup(name);
	n = strlen(dir) + strlen(name) + 2;
	p = xmalloc(n);
	(void)snprintf(p, n, "%s/%s", dir, name);
	return p;
}

static int
words(char *line, char *w[CONFIG_MAX_WORDS])
{
	int	n = 0;
	char	*p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '#')
			return n;
		if (n == CONFIG_MAX_WORDS)
			return -1;
		w[n++] = p;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
		if (*p != '\0')
			*p++ = '\0';
	}
}

struct key {
	const char	*name;
	size_t		 off;
	bool		 path;
	bool		 required;
};

#define K(n, f, p, r)	{ n, offsetof(struct config, f), p, r }
static const struct key keys[] = {
	K("run", run, true, true),
	K("policy", policy, true, true),
	K("pki", pki, true, true),
	K("token-key", token_key, true, true),
	K("link-key", link_key, true, true),
	K("audit", audit, true, true),
	K("audit-key", audit_key, true, true),
	K("archive", archive, true, true),
	K("user", user, false, false),
	K("users", users, false, false),
	K("control", control, true, false),
	K("control-group", control_group, false, false),
	K("mta", mta, false, true),
	K("libexec", libexec, true, false),
};
#undef K

static int
set_once(char **slot, char *v, const char *file, long line,
    const char *name, char *err, size_t len)
{
	if (*slot != NULL) {
		free(v);
		return cfail(err, len, file, line, "%s given twice", name);
	}
	*slot = v;
	return 0;
}

int
config_load(const char *path, struct config *c, char *err, size_t errlen)
{
	char		*data, *dir, *line, *next, *w[CONFIG_MAX_WORDS], *end;
	const char	*slash;
	size_t		 len, i;
	long		 ln = 0, v;
	int		 n, d = -1, rc = -1;
	struct config_dir *cd = NULL;

	memset(c, 0, sizeof(*c));
	if ((data = file_read(path, CONFIG_MAX_SIZE, &len)) == NULL)
		return cfail(err, errlen, path, 0, "%s", errno == EFBIG ?
		    "larger than 64 KB" : strerror(errno));
	if (memchr(data, '\0', len) != NULL) {
		free(data);
		return cfail(err, errlen, path, 0, "a NUL byte in the file");
	}
	c->file = xstrdup(path);
	slash = strrchr(path, '/');
	dir = slash == NULL ? xstrdup(".") : xstrdup(path);
	if (slash != NULL)
		dir[slash - path == 0 ? 1 : slash - path] = '\0';
	c->workers = 2;
	for (line = data; line != NULL && line < data + len; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		ln++;
		if ((n = words(line, w)) == -1) {
			cfail(err, errlen, path, ln, "too many words");
			goto out;
		}
		if (n == 0)
			continue;
		if (strcmp(w[0], "}") == 0 && n == 1) {
			if (cd == NULL) {
				cfail(err, errlen, path, ln, "} without a "
				    "direction");
				goto out;
			}
			if (cd->pickup == NULL || cd->deliver == NULL ||
			    cd->reports == NULL) {
				cfail(err, errlen, path, ln, "a direction "
				    "needs pickup, deliver and reports");
				goto out;
			}
			cd = NULL;
			continue;
		}
		if (cd != NULL) {
			char	**slot = NULL;

			if (n == 2 && strcmp(w[0], "pickup") == 0)
				slot = &cd->pickup;
			else if (n == 2 && strcmp(w[0], "deliver") == 0)
				slot = &cd->deliver;
			else if (n == 2 && strcmp(w[0], "reports") == 0)
				slot = &cd->reports;
			if (slot == NULL) {
				cfail(err, errlen, path, ln, "\"%s\": expected "
				    "pickup DIR, deliver DIR, reports DIR or }",
				    w[0]);
				goto out;
			}
			if (set_once(slot, cpath(dir, w[1]), path, ln, w[0],
			    err, errlen) == -1)
				goto out;
			continue;
		}
		if (strcmp(w[0], "direction") == 0) {
			if (n != 3 || strcmp(w[2], "{") != 0 ||
			    (strcmp(w[1], "high-to-low") != 0 &&
			    strcmp(w[1], "low-to-high") != 0)) {
				cfail(err, errlen, path, ln, "expected "
				    "direction high-to-low|low-to-high {");
				goto out;
			}
			d = strcmp(w[1], "high-to-low") == 0 ? 0 : 1;
			if (c->dirs[d].present) {
				cfail(err, errlen, path, ln, "direction %s "
				    "given twice", w[1]);
				goto out;
			}
			cd = &c->dirs[d];
			cd->present = true;
			continue;
		}
		if (strcmp(w[0], "workers") == 0 && n == 2) {
			errno = 0;
			v = strtol(w[1], &end, 10);
			if (errno || *end != '\0' || v < 1 ||
			    v > CONFIG_MAX_WORKERS) {
				cfail(err, errlen, path, ln, "workers: 1 to "
				    "%d", CONFIG_MAX_WORKERS);
				goto out;
			}
			c->workers = (unsigned)v;
			continue;
		}
		if (strcmp(w[0], "domain") == 0 && n == 4) {
			if (c->country != NULL) {
				cfail(err, errlen, path, ln, "domain given "
				    "twice");
				goto out;
			}
			c->country = xstrdup(w[1]);
			c->admd = xstrdup(w[2]);
			c->prmd = xstrdup(w[3]);
			continue;
		}
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (strcmp(w[0], keys[i].name) == 0)
				break;
		if (i == sizeof(keys) / sizeof(keys[0]) || n != 2) {
			cfail(err, errlen, path, ln, "\"%s\": unknown "
			    "statement or wrong number of words", w[0]);
			goto out;
		}
		if (set_once((char **)((char *)c + keys[i].off),
		    keys[i].path ? cpath(dir, w[1]) : xstrdup(w[1]), path,
		    ln, w[0], err, errlen) == -1)
			goto out;
	}
	if (cd != NULL) {
		cfail(err, errlen, path, ln, "a direction block is not "
		    "closed");
		goto out;
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].required &&
		    *(char **)((char *)c + keys[i].off) == NULL) {
			cfail(err, errlen, path, ln, "\"%s\" is required",
			    keys[i].name);
			goto out;
		}
	if (c->country == NULL) {
		cfail(err, errlen, path, ln, "\"domain\" is required");
		goto out;
	}
	if (!c->dirs[0].present && !c->dirs[1].present) {
		cfail(err, errlen, path, ln, "no direction");
		goto out;
	}
	if (c->user != NULL && c->users != NULL) {
		cfail(err, errlen, path, ln, "\"user\" and \"users\" "
		    "exclude each other");
		goto out;
	}
	if (c->users != NULL && strlen(c->users) > 20) {
		/* PREFIX-diode-rx must fit a 32-character user name */
		cfail(err, errlen, path, ln, "users: the prefix is longer "
		    "than 20 characters");
		goto out;
	}
	if (c->control == NULL)
		c->control = cpath(c->run, "control.sock");
	rc = 0;
 out:
	free(dir);
	free(data);
	if (rc == -1)
		config_free(c);
	return rc;
}

void
config_free(struct config *c)
{
	size_t	i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		free(*(char **)((char *)c + keys[i].off));
	for (i = 0; i < 2; i++) {
		free(c->dirs[i].pickup);
		free(c->dirs[i].deliver);
		free(c->dirs[i].reports);
	}
	free(c->country);
	free(c->admd);
	free(c->prmd);
	free(c->file);
	memset(c, 0, sizeof(*c));
}
