/*
 * bench.h - what every benchmark needs: a monotonic clock in seconds.
 */
#ifndef MMGUARD_BENCH_H
#define MMGUARD_BENCH_H

#include <time.h>

static inline double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
