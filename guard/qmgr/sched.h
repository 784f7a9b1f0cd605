/*
 * sched.h - precedence scheduling of the messages waiting for inspection
 * (and, on the far side, for delivery).
 *
 * The rule, as operators are told it:
 *   1. OVERRIDE, then FLASH, always go first, in arrival order; nothing
 *      is ever dispatched ahead of a waiting OVERRIDE or FLASH message.
 *   2. Otherwise the highest precedence waiting goes first (IMMEDIATE,
 *      PRIORITY, ROUTINE, DEFERRED), in arrival order within a level.
 *   3. No message starves: while no OVERRIDE or FLASH waits, one dispatch
 *      in every `share' (default 8) goes to the oldest message of a lower
 *      level than the one rule 2 would serve, if it has waited at least
 *      `starve_after' seconds (default 60).  A ROUTINE message behind an
 *      endless stream of IMMEDIATE traffic therefore still gets at least
 *      one slot in eight once it is a minute old.
 * A FLASH arriving behind thousands of ROUTINE messages is dispatched
 * next (rule 1).
 *
 * The scheduler holds ids only and does no I/O: the queue manager feeds
 * it from the spool (and rebuilds it from the spool after a restart).
 */
#ifndef MMGUARD_SCHED_H
#define MMGUARD_SCHED_H

#include <stddef.h>
#include <stdint.h>

#define SCHED_LEVELS		6	/* 0 deferred .. 5 override */
#define SCHED_ID_LEN		40
#define SCHED_DEFAULT_SHARE	8
#define SCHED_DEFAULT_STARVE	60

struct sched;

struct sched	*sched_new(unsigned share, int64_t starve_after);
void		 sched_free(struct sched *);
/* Queue an id; precedence outside 0..5 is taken as ROUTINE (1). */
void		 sched_push(struct sched *, const char *id, int precedence,
		    int64_t arrival);
/* The next id to dispatch; -1 when nothing waits. */
int		 sched_pop(struct sched *, int64_t now, char id[SCHED_ID_LEN],
		    int *precedence);
/* Take an id out wherever it is (an officer rejected it); -1 if absent. */
int		 sched_remove(struct sched *, const char *id);
size_t		 sched_depth(const struct sched *, int precedence);
/* The highest precedence waiting (what sched_pop takes at FLASH and
 * above); -1 when nothing waits. */
int		 sched_top(const struct sched *);
size_t		 sched_total(const struct sched *);

#endif
