/*
 * log.c - logging to stderr or syslog, with the program's name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "guard/common/log.h"

static const char	*log_progname = "mmguard";
static int		 log_dest = LOG_TO_STDERR;
static int		 log_verbosity;

void
log_init(const char *progname, int dest, int verbose)
{
	if (progname != NULL)
		log_progname = progname;
	log_dest = dest;
	log_verbosity = verbose;
	if (log_dest == LOG_TO_SYSLOG)
		openlog(log_progname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

int
log_verbose(void)
{
	return log_verbosity;
}

static void log_vemit(int, int, const char *, va_list)
    __attribute__((format(printf, 3, 0)));

static void
log_vemit(int prio, int with_errno, const char *fmt, va_list ap)
{
	char	msg[1024];
	int	saved = errno;
	size_t	n;
	int	r;

	r = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (r < 0)
		msg[0] = '\0';
	if (with_errno) {
		n = strlen(msg);
		(void)snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(saved));
	}
	if (log_dest == LOG_TO_SYSLOG)
		syslog(prio, "%s", msg);
	else
		(void)fprintf(stderr, "%s: %s\n", log_progname, msg);
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vemit(LOG_WARNING, 1, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vemit(LOG_WARNING, 0, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vemit(LOG_INFO, 0, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	if (log_verbosity < 2)
		return;
	va_start(ap, fmt);
	log_vemit(LOG_DEBUG, 0, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vemit(LOG_CRIT, 1, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vemit(LOG_CRIT, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
