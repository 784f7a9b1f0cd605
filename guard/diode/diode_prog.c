/*
 * diode_prog.c - helpers of the diode programs (see diode_prog.h).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "guard/common/log.h"
#include "guard/common/mac.h"
#include "guard/common/proc.h"
#include "guard/diode/diode.h"
#include "guard/diode/diode_prog.h"

void
diode_prog_signals(void)
{
	struct sigaction	sa;

	proc_catch_stop();
	memset(&sa, 0, sizeof(sa));
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

void
diode_prog_token_init(struct diode_token_keys *k)
{
	memset(k, 0, sizeof(*k));
	k->dir = -1;
}

void
diode_prog_token_dir(struct diode_token_keys *k, const char *arg)
{
	if (strcmp(arg, "high-to-low") == 0)
		k->dir = 0;
	else if (strcmp(arg, "low-to-high") == 0)
		k->dir = 1;
	else
		fatalx("--direction: high-to-low or low-to-high");
}

void
diode_prog_token_policy(struct diode_token_keys *k, const char *arg)
{
	size_t	i;
	int	hi, lo;

	if (k->npolicy == DIODE_PROG_POLICIES || strlen(arg) != 64)
		fatalx("--policy-digest: 64 hex digits, at most %d times",
		    DIODE_PROG_POLICIES);
	for (i = 0; i < 32; i++) {
		hi = arg[2 * i];
		lo = arg[2 * i + 1];
		hi = hi >= '0' && hi <= '9' ? hi - '0' : hi >= 'a' &&
		    hi <= 'f' ? hi - 'a' + 10 : -1;
		lo = lo >= '0' && lo <= '9' ? lo - '0' : lo >= 'a' &&
		    lo <= 'f' ? lo - 'a' + 10 : -1;
		if (hi < 0 || lo < 0)
			fatalx("--policy-digest: 64 lower-case hex digits");
		k->policy[k->npolicy][i] = (uint8_t)(hi << 4 | lo);
	}
	k->npolicy++;
}

void
diode_prog_token_load(struct diode_token_keys *k, const char *path)
{
	char	err[256];

	if (diode_key_load(path, k->key, &k->keylen, err, sizeof(err)) != 0)
		fatalx("--token-key %s", err);
	/* The guard's token: a direction and the policies it may come
	 * from, or nothing would ever be released. */
	if (k->dir >= 0 && k->npolicy == 0)
		fatalx("--direction needs at least one --policy-digest");
}

int
diode_prog_token_check(const struct diode_token_keys *k,
    const uint8_t *digest, const uint8_t *token)
{
	uint8_t	want[MAC_LEN];
	size_t	i;
	int	ok = 0;

	if (k->dir < 0)
		return diode_token_check(k->key, k->keylen, digest, token);
	for (i = 0; i < k->npolicy && !ok; i++)
		ok = mac_release_token(k->key, digest, 0, (unsigned)k->dir,
		    k->policy[i], want) == 0 && mac_equal(want, token);
	explicit_bzero(want, sizeof(want));
	return ok ? 0 : -1;
}
