/*
 * log.h - the one logging and error-exit style of every mmguard program.
 *
 * log_warn() and fatal() append strerror(errno); the *x variants do not.
 * fatal*() exit the program: only programs call them, never library code,
 * which returns -1 and leaves the decision to its caller.
 */
#ifndef MMGUARD_LOG_H
#define MMGUARD_LOG_H

#include <stdarg.h>

#define LOG_TO_STDERR	0
#define LOG_TO_SYSLOG	1

void	log_init(const char *progname, int dest, int verbose);
int	log_verbose(void);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
