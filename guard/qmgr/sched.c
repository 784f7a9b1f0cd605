/*
 * sched.c - precedence scheduling (sched.h): one FIFO per level, and a
 * counter for the starvation share.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard/common/xmalloc.h"
#include "guard/qmgr/sched.h"

#define FLASH	4

struct sched_node {
	struct sched_node	*next;
	int64_t			 arrival;
	char			 id[SCHED_ID_LEN];
};

struct sched_fifo {
	struct sched_node	*head, *tail;
	size_t			 n;
};

struct sched {
	struct sched_fifo	 q[SCHED_LEVELS];
	unsigned		 share;
	int64_t			 starve_after;
	unsigned		 since_share;	/* dispatches since a share */
};

struct sched *
sched_new(unsigned share, int64_t starve_after)
{
	struct sched	*s = xcalloc(1, sizeof(*s));

	s->share = share == 0 ? SCHED_DEFAULT_SHARE : share;
	s->starve_after = starve_after < 0 ? SCHED_DEFAULT_STARVE :
	    starve_after;
	return s;
}

void
sched_free(struct sched *s)
{
	struct sched_node	*n, *next;
	int			 i;

	if (s == NULL)
		return;
	for (i = 0; i < SCHED_LEVELS; i++)
		for (n = s->q[i].head; n != NULL; n = next) {
			next = n->next;
			free(n);
		}
	free(s);
}

void
sched_push(struct sched *s, const char *id, int prec, int64_t arrival)
{
	struct sched_node	*n = xcalloc(1, sizeof(*n));
	struct sched_fifo	*f;

	if (prec < 0 || prec >= SCHED_LEVELS)
		prec = 1;
	(void)snprintf(n->id, sizeof(n->id), "%s", id);
	n->arrival = arrival;
	f = &s->q[prec];
	if (f->tail != NULL)
		f->tail->next = n;
	else
		f->head = n;
	f->tail = n;
	f->n++;
}

static void
take(struct sched *s, int level, char id[SCHED_ID_LEN], int *prec)
{
	struct sched_fifo	*f = &s->q[level];
	struct sched_node	*n = f->head;

	f->head = n->next;
	if (f->head == NULL)
		f->tail = NULL;
	f->n--;
	memcpy(id, n->id, SCHED_ID_LEN);
	if (prec != NULL)
		*prec = level;
	free(n);
}

int
sched_top(const struct sched *s)
{
	int	top;

	for (top = SCHED_LEVELS - 1; top >= 0 && s->q[top].n == 0; top--)
		;
	return top;
}

int
sched_pop(struct sched *s, int64_t now, char id[SCHED_ID_LEN], int *prec)
{
	int	top, i, oldest = -1;

	for (top = SCHED_LEVELS - 1; top >= 0 && s->q[top].n == 0; top--)
		;
	if (top < 0)
		return -1;
	if (top >= FLASH) {		/* rule 1 */
		take(s, top, id, prec);
		return 0;
	}
	if (++s->since_share >= s->share) {	/* rule 3 */
		for (i = 0; i < top; i++)
			if (s->q[i].n > 0 && (oldest == -1 ||
			    s->q[i].head->arrival < s->q[oldest].head->arrival))
				oldest = i;
		if (oldest != -1 &&
		    now - s->q[oldest].head->arrival >= s->starve_after) {
			s->since_share = 0;
			take(s, oldest, id, prec);
			return 0;
		}
	}
	take(s, top, id, prec);		/* rule 2 */
	return 0;
}

int
sched_remove(struct sched *s, const char *id)
{
	struct sched_node	*n, *prev;
	int			 i;

	for (i = 0; i < SCHED_LEVELS; i++)
		for (prev = NULL, n = s->q[i].head; n != NULL;
		    prev = n, n = n->next)
			if (strcmp(n->id, id) == 0) {
				if (prev != NULL)
					prev->next = n->next;
				else
					s->q[i].head = n->next;
				if (s->q[i].tail == n)
					s->q[i].tail = prev;
				s->q[i].n--;
				free(n);
				return 0;
			}
	return -1;
}

size_t
sched_depth(const struct sched *s, int prec)
{
	return prec >= 0 && prec < SCHED_LEVELS ? s->q[prec].n : 0;
}

size_t
sched_total(const struct sched *s)
{
	size_t	n = 0;
	int	i;

	for (i = 0; i < SCHED_LEVELS; i++)
		n += s->q[i].n;
	return n;
}
