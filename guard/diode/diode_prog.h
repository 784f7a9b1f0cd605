/*
 * diode_prog.h - what mmguard-diode-tx and mmguard-diode-rx share as
 * programs (library code never exits; these may).
 */
#ifndef MMGUARD_DIODE_PROG_H
#define MMGUARD_DIODE_PROG_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

extern volatile sig_atomic_t	diode_prog_stop;

/* SIGTERM and SIGINT set diode_prog_stop; SIGPIPE is ignored. */
void		diode_prog_signals(void);
/* An option's number (see diode_parse_num); exits on a bad one. */
uint64_t	diode_prog_num(const char *opt, const char *arg, unsigned base,
		    uint64_t min, uint64_t max);
/* UTC time stamp, "2024-01-31T23:59:59Z". */
void		diode_prog_stamp(char *, size_t);

#endif
