/*
 * guardpol.h - the guard policy: the appliance's own XML document
 * (namespace urn:mmguard:guard-policy:1, schema policy/schema/
 * guard-policy.xsd), validated against the schema compiled into the
 * program and compiled into an immutable form the decision engine reads.
 *
 * Loading: the document is untrusted text from an officer's hand: at most
 * GP_MAX_SIZE bytes, parsed with no network, no DTD and no entity
 * substitution, validated with libxml2's XML Schema validator, then
 * checked for what a schema cannot say: the SPIF files named exist and
 * load, every classification and category name resolves in the SPIF it
 * belongs to, singletons (one signature, label, clearance and release
 * authority rule per direction), patterns, phrase lists.  Errors read
 * "file:line: element: reason".
 *
 * Files named by the policy: SPIFs and phrase lists are relative to the
 * policy file's directory; trust anchors and CRLs are names in the
 * appliance's PKI directory, which belongs to the machine and not to the
 * policy (gp_load's pki argument).  Without a PKI directory the
 * signature rules are compiled but no certificate store is built, and
 * deciding a signed message then refuses it ("no trust store").
 *
 * A compiled policy is never changed; a new policy is a new object,
 * swapped whole by its user.
 */
#ifndef MMGUARD_GUARDPOL_H
#define MMGUARD_GUARDPOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "filters/cms/cms_verify.h"
#include "policy/label.h"
#include "policy/spif.h"

#define GP_NS			"urn:mmguard:guard-policy:1"
#define GP_MAX_SIZE		(16u << 20)
#define GP_MAX_PHRASE_FILE	(64u << 20)

/* Verdicts, in increasing severity: the verdict is the worst reason's. */
enum gp_verdict {
	GP_RELEASE,
	GP_REFER,		/* held for a release authority (a person) */
	GP_QUARANTINE,		/* held for a security officer */
	GP_REJECT
};

enum gp_dir {
	GP_HIGH_TO_LOW,
	GP_LOW_TO_HIGH
};
#define GP_NDIRS	2

enum gp_kind {
	GP_SIGNATURE,
	GP_LABEL,
	GP_CLEARANCE,
	GP_RELEASE_AUTHORITY,
	GP_LEAKAGE,
	GP_SICS,
	GP_BODY_PARTS,
	GP_SIZE,
	GP_ORIGINATORS,
	GP_RECIPIENTS,
	GP_MESSAGE_TYPES,
	GP_PRECEDENCE,
	GP_DISP
};

struct gp_pattern {
	bool		 allow;		/* allow or deny */
	char		*glob;		/* fnmatch, case-insensitive */
};

struct gp_signer {
	char		*subject;	/* RFC 2253, compared exactly */
	char		*key_id;	/* hex, lower case, no colons */
	char		*cert_policy;	/* OID */
};

struct gp_cap {
	char		*originator;	/* glob */
	int		 max;		/* precedence 0 deferred .. 5 override */
};

struct gp_rule {
	enum gp_kind	 kind;
	enum gp_dir	 dir;		/* the direction it belongs to */
	char		*id;
	long		 line;
	enum gp_verdict	 action;	/* what a refusal means */
	union {
		struct {
			bool		 required;
			enum gp_verdict	 unsigned_action;
			char		**anchors, **crls;
			size_t		 nanchors, ncrls;
			char		**digests;
			size_t		 ndigests;
			int		 min_rsa, min_ec;
			bool		 store;	/* cms holds a trust store */
			struct cms_config cms;
		} sig;
		struct {
			bool		 required;
			bool		 record_only;	/* disagreement="record" */
			enum gp_verdict	 disagreement;
			bool		 forward_source;
		} label;
		struct {
			struct label	 clearance;	/* destination policy */
			char		*text;		/* as written */
		} clr;
		struct {
			struct gp_signer *signers;
			size_t		 nsigners;
		} rel;
		struct {
			struct dlp_set	*set;
			size_t		 nphrases;
			long long	 threshold;
			bool		 ignore_separators;
			char		**phrases;	/* for diff: "w:text" */
		} dlp;
		struct {
			struct gp_pattern *pats;
			size_t		 npats;
		} pat;		/* sics, originators, recipients */
		struct {
			uint32_t	 types;	/* bit per enum x400_bp */
			char		**oids;	/* extended types allowed */
			size_t		 noids;
		} bp;
		struct {
			uint64_t	 max_bytes;	/* 0: no limit */
			uint64_t	 max_rcpt;
		} size;
		struct {
			unsigned	 allowed;	/* bit per type, bit 4: none */
		} mt;
		struct {
			int		 max;
			struct gp_cap	*caps;
			size_t		 ncaps;
		} prec;
		struct {
			char		**subtrees, **attributes;
			size_t		 nsubtrees, nattributes;
			char		*max_class;
		} disp;
	} u;
};

struct gp_spif {
	char		*name;		/* as the policy names it */
	char		*file;
	uint8_t		 digest[32];	/* SHA-256 of the SPIF file */
	struct spif	*spif;
};

struct gp_direction {
	bool		 present;
	enum gp_dir	 dir;
	const struct gp_spif *source, *destination;
	struct gp_rule	*rules;		/* document order */
	size_t		 nrules;
};

struct guardpol {
	char		*file;
	char		*name;
	char		*version;
	uint8_t		 digest[32];	/* SHA-256 of the document */
	int		 retention_days;
	struct gp_spif	*spifs;
	size_t		 nspifs;
	struct gp_direction dirs[GP_NDIRS];
};

/* Does this document look like a guard policy (its root's namespace)? */
bool		 gp_sniff(const void *, size_t);

/*
 * Load and compile.  file names the document in messages and locates the
 * files it names; pki is the PKI directory or NULL.  NULL on error with
 * "file:line: element: reason" in err.
 */
struct guardpol	*gp_load(const char *file, const void *, size_t,
		    const char *pki, char *err, size_t errlen);
struct guardpol	*gp_load_file(const char *path, const char *pki, char *err,
		    size_t errlen);
void		 gp_free(struct guardpol *);

const char	*gp_verdict_name(enum gp_verdict);
const char	*gp_dir_name(enum gp_dir);
int		 gp_dir_from_name(const char *, enum gp_dir *);
const char	*gp_kind_name(enum gp_kind);
const char	*gp_precedence_name(int);
/* The first rule of a kind in a direction, or NULL. */
const struct gp_rule *gp_rule_of(const struct gp_direction *, enum gp_kind);

/*
 * One sentence per rule for people: "sics (reject): allow A*, deny ZZ*".
 * Used by policy diff and the check summary.  -1 if buf is too small.
 */
int		 gp_rule_describe(const struct guardpol *, const struct gp_rule *,
		    char *buf, size_t);

#endif
