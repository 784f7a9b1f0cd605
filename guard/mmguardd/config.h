/*
 * config.h - mmguardd's configuration file.
 *
 * One statement per line, "#" starts a comment, words separated by blanks;
 * a direction's statements sit in a block:
 *
 *	run DIR             the run directory (spools, sockets, state)
 *	policy FILE         the guard policy (policy/schema/guard-policy.xsd)
 *	pki DIR             trust anchors and CRLs the policy names
 *	token-key FILE      32+ bytes shared by the policy roles and diode-tx
 *	link-key FILE       32+ bytes shared by diode-tx and diode-rx
 *	audit DIR           the audit log directory
 *	audit-key FILE      the audit role's Ed25519 signing key (PEM)
 *	archive FILE        the archive store (SQLite)
 *	users PREFIX        (when root) each role runs as its own user,
 *	                    PREFIX-ROLE (PREFIX-pickup, PREFIX-qmgr, ...,
 *	                    PREFIX-audit, PREFIX-archive), all of group
 *	                    PREFIX: `make install' creates them
 *	                    (guard/mmguardd/mkusers.sh, PREFIX _mmguard)
 *	user NAME           instead of users: one unprivileged user for
 *	                    every role (a test or development set-up)
 *	control FILE        the control socket (default RUN/control.sock)
 *	control-group NAME  the group allowed to use it (when root)
 *	mta NAME            this guard's MTA name, for reports
 *	domain C ADMD PRMD  its global domain identifier, for reports
 *	workers N           processes per inspection role (default 2, at
 *	                    most 7); verify has one more, kept for FLASH and
 *	                    OVERRIDE messages (mmguard-qmgr -U)
 *	libexec DIR         where the role programs are (default: mmguardd's
 *	                    own directory)
 *	direction high-to-low|low-to-high {
 *		pickup DIR      the drop folder messages arrive in
 *		deliver DIR     the drop folder on the far side
 *		reports DIR     where non-delivery reports go (source side)
 *	}
 *
 * Paths may be relative; they are taken from the configuration file's
 * directory.  config_load() checks everything it can without starting
 * anything (files exist, numbers in range, no statement twice).
 */
#ifndef MMGUARD_CONFIG_H
#define MMGUARD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_MAX_WORKERS	7	/* + the urgent verify worker: 8 */

struct config_dir {
	bool		 present;
	char		*pickup;
	char		*deliver;
	char		*reports;
};

struct config {
	char		*file;
	char		*run;
	char		*policy;
	char		*pki;
	char		*token_key;
	char		*link_key;
	char		*audit;
	char		*audit_key;
	char		*archive;
	char		*user;
	char		*users;
	char		*control;
	char		*control_group;
	char		*mta;
	char		*country, *admd, *prmd;
	char		*libexec;
	unsigned	 workers;
	struct config_dir dirs[2];	/* enum gp_dir */
};

int	config_load(const char *path, struct config *, char *err,
	    size_t errlen);
void	config_free(struct config *);

#endif
