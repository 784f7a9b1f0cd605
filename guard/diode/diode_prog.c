/*
 * diode_prog.c - helpers of the diode programs (see diode_prog.h).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "guard/common/log.h"
#include "guard/diode/diode.h"
#include "guard/diode/diode_prog.h"

volatile sig_atomic_t	diode_prog_stop;

static void
on_signal(int sig)
{
	(void)sig;
	diode_prog_stop = 1;
}

void
diode_prog_signals(void)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

uint64_t
diode_prog_num(const char *opt, const char *arg, unsigned base, uint64_t min,
    uint64_t max)
{
	char		err[256];
	uint64_t	v;

	if (diode_parse_num(arg, base, min, max, &v, err, sizeof(err)) != 0)
		fatalx("%s: %s", opt, err);
	return v;
}

void
diode_prog_stamp(char *buf, size_t sz)
{
	time_t		t = time(NULL);
	struct tm	tm;

	gmtime_r(&t, &tm);
	(void)snprintf(buf, sz, "%04d-%02d-%02dT%02d:%02d:%02dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec);
}
