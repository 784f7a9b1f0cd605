# guard/audit: the signed, hash-chained audit log (library, mmguard-audit).
LIB_SRCS	+= guard/audit/audit_record.c guard/audit/auditlog.c \
		   guard/audit/auditev.c \
		   guard/audit/auditread.c
PROGS		+= mmguard-audit
mmguard-audit_SRCS := guard/audit/mmguard-audit.c
mmguard-audit_LIBS := -lcrypto

# The load generator of the crash test and the fuzz seeds (not installed;
# tests/audit/check.sh builds it).
$(B)/tests/audit-writer: $(B)/obj/tests/audit/audit-writer.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcrypto $(LDLIBS)
UNIT_SRCS	+= tests/unit/test_audit.c tests/unit/test_auditev.c
CHECKS		+= tests/audit/check.sh
FUZZERS		+= audit
BENCHES		+= bench_audit
bench_audit_LIBS := -lcrypto
DEPS		+= xxd

# The audit role (started by mmguardd).
PROGS		+= mmguard-auditd
mmguard-auditd_SRCS := guard/audit/auditd.c
mmguard-auditd_LIBS = $(SANDBOX_LIBS) -lcrypto
# The audit role's reading of event frames from other processes.
FUZZERS		+= auditev
