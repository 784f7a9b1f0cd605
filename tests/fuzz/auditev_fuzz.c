/*
 * auditev_fuzz.c - libFuzzer harness for the audit role's reading of an
 * event frame (auditev_read) and its rules (auditev_check).
 *
 * The audit role reads events from processes that parse untrusted bytes,
 * so an event frame is untrusted input.  Input layout:
 *
 *	byte 0		the kind of process at the other end (mod the kinds
 *			and one more, an unknown kind)
 *	the rest	the frame, header included, as recvmsg() returned it
 *
 * Properties checked:
 *   1. nothing reads out of bounds or leaks (ASan, UBSan, LeakSanitizer);
 *   2. a refusal, by the reader or the rules, always has a reason;
 *   3. an event the rules accept is one the audit log writes: appended
 *      to a real log, it makes a record that parses (audit_log_append
 *      formats and parses it), unless it is longer than a record can be,
 *      which the audit role refuses in the same way.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "guard/audit/auditev.h"
#include "guard/audit/auditlog.h"
#include "guard/common/ipc.h"
#include "guard/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int LLVMFuzzerInitialize(int *, char ***);

static struct ipc_msg		 m;
static struct audit_log		*alog;
static unsigned			 queued;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct audit_log_opts	 o;
	EVP_PKEY		*k;
	const char		*t = getenv("TMPDIR");
	static char		 dir[512];
	char			 err[256];

	(void)argc;
	(void)argv;
	(void)snprintf(dir, sizeof(dir), "%s/mmguard-auditev-fuzz-XXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp");
	if (mkdtemp(dir) == NULL ||
	    (k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")) == NULL)
		abort();
	memset(&o, 0, sizeof(o));
	o.role = "audit";
	o.rotate_bytes = 1 << 20;
	if ((alog = audit_log_open(dir, k, &o, err, sizeof(err))) == NULL)
		abort();
	EVP_PKEY_free(k);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct auditev		 e;
	struct audit_event	 ae;
	enum auditev_kind	 kind;
	char			 err[256];
	int			 nofds[1] = { -1 };

	if (size < 1)
		return 0;
	kind = (enum auditev_kind)(data[0] % (AUDITEV__KINDS + 1));
	if (ipc_frame_parse(&m, data + 1, size - 1, nofds, 0) == -1) {
		if (m.err[0] == '\0')
			abort();
		return 0;
	}
	if (ipc_check_type(&m, MSG_AUDIT) == -1)
		return 0;
	if (auditev_read(&m, &e) == -1) {
		if (m.err[0] == '\0')
			abort();
		return 0;
	}
	err[0] = '\0';
	if (auditev_check(kind, &e, err, sizeof(err)) == -1) {
		if (err[0] == '\0')
			abort();
		ipc_msg_free(&m);
		return 0;
	}
	memset(&ae, 0, sizeof(ae));
	ae.role = auditev_kind_name(kind);
	ae.type = e.type;
	ae.msgid = e.msgid;
	ae.details = e.kv;
	ae.ndetails = e.nkv;
	if (audit_log_append(alog, &ae, err, sizeof(err)) == -1) {
		if (strstr(err, "longer than a record") == NULL) {
			fprintf(stderr, "accepted, not written: %s\n", err);
			abort();
		}
	} else if (++queued == 64) {
		queued = 0;
		if (audit_log_commit(alog, err, sizeof(err)) == -1)
			abort();
	}
	ipc_msg_free(&m);
	return 0;
}
