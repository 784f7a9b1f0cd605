# guard/common/module.mk - the processes' plumbing: typed IPC frames
# (ipc.c), the per-role sandbox (sandbox.c), starting roles (proc.c).

LIB_SRCS	+= guard/common/ipc.c guard/common/sandbox.c \
		   guard/common/proc.c guard/common/role.c guard/common/mac.c \
		   guard/common/hex.c
# sandbox.o lands in libmmguard.a: every program that calls sandbox_enter()
# links with $(SANDBOX_LIBS) in its <prog>_LIBS.
SANDBOX_LIBS	:= -lseccomp -lcap-ng
UNIT_SRCS	+= tests/unit/test_ipc.c tests/unit/test_proc.c
UNIT_LIBS	+= $(SANDBOX_LIBS)
FUZZERS		+= ipc
CHECKS		+= tests/sandbox/check.sh
DEPS		+= libseccomp-dev libcap-ng-dev util-linux

# memfd_create, close_range, unshare, setresuid and friends are GNU
# extensions, and banned.h (force-included first) has already fixed the
# feature macros by the time a source file could define _GNU_SOURCE.
$(B)/obj/guard/common/ipc.o $(B)/obj/guard/common/sandbox.o \
$(B)/obj/guard/common/proc.o $(B)/obj/tests/sandbox/sandbox-probe.o \
$(B)/obj/tests/unit/test_ipc.o $(B)/obj/tests/unit/test_proc.o \
$(B)/obj/tests/fuzz/ipc_fuzz.o: CFLAGS += -D_GNU_SOURCE

# The sandbox probe of tests/sandbox/check.sh, and the same with the debug
# filter (trap and name the system call): built with the programs.
SANDBOX_PROBES	:= $(B)/tests/sandbox-probe $(B)/tests/sandbox-probe-debug
all: $(SANDBOX_PROBES)

$(B)/tests/sandbox-probe: $(B)/obj/tests/sandbox/sandbox-probe.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(SANDBOX_LIBS) -lcrypto $(LDLIBS)

$(B)/obj/sandbox-debug/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -D_GNU_SOURCE -DMMGUARD_SANDBOX_DEBUG -c $< -o $@

# The debug sandbox.o comes before the library, so the library's is not used.
$(B)/tests/sandbox-probe-debug: \
    $(B)/obj/sandbox-debug/tests/sandbox/sandbox-probe.o \
    $(B)/obj/sandbox-debug/guard/common/sandbox.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(SANDBOX_LIBS) -lcrypto $(LDLIBS)

# The proc suite starts the probe found next to the unit tests.
$(B)/tests/unit-tests: | $(B)/tests/sandbox-probe
