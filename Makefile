# mmguard - build, test, fuzz and benchmark.  GNU make, no autotools.
#
#   make              build every program into build/bin/
#   make check        unit tests (plain, then ASan+UBSan), fuzz smoke runs,
#                     interoperability scripts; ends with one summary line
#   make check-asan   the unit tests built with ASan+UBSan only
#   make fuzz         build the libFuzzer harnesses (clang)
#   make fuzz-smoke   run each harness FUZZ_SECONDS (default 20) on its corpus
#   make bench        benchmarks, printing figures and ratios
#   make coverage     branch coverage of the decision engine (gcov)
#   make deps         install the Debian packages the build and tests need
#   make demo         the main job on its embedded default
#   make install      programs, roles, an example configuration and (as
#                     root, without DESTDIR) the guard's system users
#
# Variants build into their own trees: build/ (release), build/asan/,
# build/fuzz/.  VARIANT selects one; the targets above set it themselves.

VARIANT		?= release
FUZZ_SECONDS	?= 20

ifeq ($(VARIANT),release)
B		:= build
CC		?= cc
OPT		:= -O2 -g -D_FORTIFY_SOURCE=3
SAN		:=
else ifeq ($(VARIANT),asan)
B		:= build/asan
CC		:= clang
OPT		:= -O1 -g -fno-omit-frame-pointer
SAN		:= -fsanitize=address,undefined -fno-sanitize-recover=all
else ifeq ($(VARIANT),fuzz)
B		:= build/fuzz
CC		:= clang
OPT		:= -O1 -g -fno-omit-frame-pointer -DMMGUARD_FUZZING
SAN		:= -fsanitize=fuzzer-no-link,address,undefined \
		   -fno-sanitize-recover=all
else ifeq ($(VARIANT),coverage)
B		:= build/coverage
CC		:= gcc
OPT		:= -O0 -g --coverage
SAN		:= --coverage
else
$(error unknown VARIANT $(VARIANT): release, asan, fuzz or coverage)
endif

WARN	:= -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wpointer-arith -Wcast-qual -Wformat=2
HARDEN	:= -fstack-protector-strong -fPIE
# _GNU_SOURCE for all: the guard is Linux-only (memfd, renameat2,
# close_range, signalfd, fnmatch's FNM_CASEFOLD), and banned.h, included
# first, fixes the feature macros before a source file could set them.
CFLAGS	:= -std=gnu11 -D_GNU_SOURCE $(OPT) $(WARN) $(HARDEN) $(SAN) -I. \
	   -include guard/common/banned.h -MMD -MP \
	   -I/usr/include/libxml2 $(EXTRA_CFLAGS)
LDFLAGS	:= -pie -Wl,-z,relro,-z,now $(SAN) $(EXTRA_LDFLAGS)
# Linked into every program, test and fuzzer (after the library).
LDLIBS	:= -lxml2 -lhs

# Debian packages the build, the tests and the demo need.
DEPS	:= make gcc clang libclang-rt-14-dev libcunit1-dev libssl-dev \
	   openssl tshark wireshark-common python3 libxml2-dev \
	   libvectorscan-dev

# ---------------------------------------------------------------------------
# Modules.  Each is a list of sources; libraries are static archives.

COMMON_SRCS	:= guard/common/log.c guard/common/xmalloc.c \
		   guard/common/buf.c guard/common/json.c guard/common/file.c
BER_SRCS	:= filters/ber/ber_dec.c filters/ber/ber_prim.c \
		   filters/ber/ber_enc.c

X400_SRCS	:= filters/x400/charset.c filters/x400/common.c \
		   filters/x400/orname.c filters/x400/p1.c filters/x400/ipm.c \
		   filters/x400/json.c filters/x400/spec.c

CMS_SRCS	:= filters/cms/cms_sign.c filters/cms/cms_verify.c \
		   filters/cms/cms_receipt.c filters/cms/ess.c

POLICY_SRCS	:= policy/spif.c policy/label.c policy/schema.c \
		   policy/guardpol.c policy/decide.c policy/inspect.c \
		   policy/diff.c

DLP_SRCS	:= filters/dlp/dlp.c

LIB_SRCS	:= $(COMMON_SRCS) $(BER_SRCS) $(X400_SRCS) $(CMS_SRCS) \
		   $(POLICY_SRCS) $(DLP_SRCS)
LIB		:= $(B)/lib/libmmguard.a

# Programs: name and main source.
PROGS		:= mmguard-asn1 mmguard-msg mmguardctl
mmguard-asn1_SRCS := filters/ber/mmguard-asn1.c
mmguard-msg_SRCS := filters/x400/mmguard-msg.c
mmguard-msg_LIBS := -lcrypto
mmguardctl_SRCS := guard/ctl/mmguardctl.c
mmguardctl_LIBS := -lcrypto

UNIT_SRCS	:= tests/unit/runner.c tests/unit/test_buf.c \
		   tests/unit/test_ber_dec.c tests/unit/test_ber_prim.c \
		   tests/unit/test_ber_enc.c tests/unit/test_json.c \
		   tests/unit/test_charset.c tests/unit/test_x400_p1.c \
		   tests/unit/test_x400_ipm.c \
		   tests/unit/test_ess.c tests/unit/test_spif.c \
		   tests/unit/test_dlp.c tests/unit/test_decide.c
# Helpers of the interoperability scripts (tests/interop/).
INTEROP		:= ber_vectors cms_vectors
cms_vectors_LIBS := -lcrypto

FUZZERS		:= ber p1 p772 ess verify spif dlp guardpol label inspect
BENCHES		:= bench_ber bench_x400 bench_cms bench_dlp bench_decide
bench_cms_LIBS	:= -lcrypto
bench_ber_LIBS	:= -lcrypto
bench_x400_LIBS	:= -lcrypto
bench_decide_LIBS := -lcrypto
UNIT_LIBS	:= -lcunit -lcrypto
# Shell checks run by make check: each is called as SCRIPT BUILD RESULTS and
# writes "passed failed" into RESULTS.
CHECKS		:=
BENCH_SCRIPTS	:=

# Modules that describe themselves: a module.mk appends to the lists above
# (LIB_SRCS, PROGS and <prog>_SRCS/_LIBS, UNIT_SRCS, UNIT_LIBS, FUZZERS and
# <name>_fuzz_LIBS, BENCHES and <bench>_LIBS, CHECKS, DEPS).
# A module's rules must not become the default goal.
.DEFAULT_GOAL	:= all
MODULES		:= $(sort $(wildcard guard/*/module.mk policy/module.mk \
		   filters/*/module.mk))
include $(MODULES)

# ---------------------------------------------------------------------------

obj = $(patsubst %.c,$(B)/obj/%.o,$(1))

BINS		:= $(addprefix $(B)/bin/,$(PROGS))
UNIT		:= $(B)/tests/unit-tests

.PHONY: all check check-unit check-asan check-hardening run-unit fuzz \
	coverage \
	fuzz-smoke \
	fuzzers bench benches deps demo clean interop probes install

all: $(BINS)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

# The guard policy schema is assembled into the program (policy/schema.c).
$(B)/obj/policy/schema.o: policy/schema/guard-policy.xsd

$(LIB): $(call obj,$(LIB_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

define prog_rule
$(B)/bin/$(1): $(call obj,$($(1)_SRCS)) $(LIB)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $($(1)_LIBS) $$(LDLIBS)
endef
$(foreach p,$(PROGS),$(eval $(call prog_rule,$(p))))

# Role-probe builds: build/probe-CALL/ holds every role program linked with
# a sandbox.o that makes CALL once its filter is on (MMGUARD_SANDBOX_PROBE
# in sandbox.c); the object comes before the library, whose sandbox.o is
# then not used.  tests/sandbox/roles.sh runs the guard with them.
PROBE_CALLS	:= open socket execve
define probe_rule
$(B)/obj/sandbox-probe-$(1)/guard/common/sandbox.o: guard/common/sandbox.c
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS) -D_GNU_SOURCE -DMMGUARD_SANDBOX_PROBE='"$(1)"' \
	    -c $$< -o $$@
$(foreach r,$(ROLE_PROGS),$(eval $(call probe_prog,$(1),$(r))))
endef
define probe_prog
$(B)/probe-$(1)/$(2): $(B)/obj/sandbox-probe-$(1)/guard/common/sandbox.o \
    $(call obj,$($(2)_SRCS)) $(LIB)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $($(2)_LIBS) $$(SANDBOX_LIBS) $$(LDLIBS)
endef
$(foreach c,$(PROBE_CALLS),$(eval $(call probe_rule,$(c))))
PROBES		:= $(foreach c,$(PROBE_CALLS),$(addprefix $(B)/probe-$(c)/, \
		   $(ROLE_PROGS)))
probes: $(PROBES)

$(UNIT): $(call obj,$(UNIT_SRCS)) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(UNIT_LIBS) $(LDLIBS)

# Unit tests of this variant; results feed the summary line of make check.
run-unit: $(UNIT)
	@mkdir -p build/results
	$(UNIT) --results build/results/unit-$(VARIANT).res

check-unit:
	$(MAKE) VARIANT=release run-unit

check-asan:
	$(MAKE) VARIANT=asan run-unit

# The decision code is meant to be covered branch by branch by the unit
# tests; this prints what gcov measured.
COVERED	:= policy/decide.c policy/guardpol.c policy/label.c
coverage:
	@find build/coverage -name '*.gcda' -delete 2>/dev/null || true
	$(MAKE) VARIANT=coverage run-unit
	@for f in $(COVERED); do \
	    echo "coverage: $$f"; \
	    gcov -b -n -o build/coverage/obj/$$(dirname $$f) $$f 2>/dev/null | \
	    sed -n '/^File .*'"$$(basename $$f)"'/,/^$$/p' | \
	    grep -E 'executed|Taken' | awk '!seen[$$0]++' | sed 's/^/  /'; \
	done

# Fuzzing: harness tests/fuzz/<name>_fuzz.c, corpus tests/fuzz/corpus/<name>/.
define fuzz_rule
$(B)/fuzz/$(1)_fuzz: $(call obj,tests/fuzz/$(1)_fuzz.c) $(LIB)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) -fsanitize=fuzzer -o $$@ $$^ -lcrypto \
	    $$($(1)_fuzz_LIBS) $$(LDLIBS)
endef
$(foreach f,$(FUZZERS),$(eval $(call fuzz_rule,$(f))))

fuzzers: $(foreach f,$(FUZZERS),$(B)/fuzz/$(f)_fuzz)

fuzz:
	$(MAKE) VARIANT=fuzz fuzzers

fuzz-smoke: fuzz
	@FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/smoke.sh build/fuzz/fuzz \
	    build/results/fuzz.res $(FUZZERS)

# Benchmarks (release build).
define bench_rule
$(B)/bench/$(1): $(call obj,tests/bench/$(1).c) $(LIB)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $($(1)_LIBS) $$(LDLIBS)
endef
$(foreach b,$(BENCHES),$(eval $(call bench_rule,$(b))))

benches: $(foreach b,$(BENCHES),$(B)/bench/$(b))

# Shell benchmarks of whole programs (BENCH_SCRIPTS, from module.mk files)
# run after the C ones, on the release build.
bench: benches
	@for b in $(BENCHES); do $(B)/bench/$$b || exit 1; done
	@$(MAKE) -s all
	@for s in $(BENCH_SCRIPTS); do sh $$s $(B) || exit 1; done

define interop_rule
$(B)/tests/$(1): $(call obj,tests/interop/$(1).c) $(LIB)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $($(1)_LIBS) $$(LDLIBS)
endef
$(foreach h,$(INTEROP),$(eval $(call interop_rule,$(h))))

# Interoperability with independent decoders (tshark, openssl).
interop: all $(foreach h,$(INTEROP),$(B)/tests/$(h))
	@sh tests/interop/run.sh build build/results/interop-ber.res
	@sh tests/interop/x400.sh build build/results/interop-x400.res
	@sh tests/interop/cms.sh build build/results/interop-cms.res
	@sh tests/bad.sh build build/results/negative-corpus.res
	@sh tests/policy-check.sh build build/results/policy-check.res
	@python3 tests/policy/cases.py build build/results/policy-cases.res
	@for c in $(CHECKS); do \
	    r=$$(basename $$(dirname $$c))-$$(basename $$c .sh); \
	    sh $$c build build/results/$$r.res || exit 1; \
	done

# Every program is PIE with full RELRO and BIND_NOW.
check-hardening: all
	@sh tests/hardening.sh build/results/hardening.res $(BINS)

check:
	@rm -rf build/results
	$(MAKE) all probes
	$(MAKE) check-hardening
	$(MAKE) check-unit
	$(MAKE) check-asan
	$(MAKE) interop
	$(MAKE) fuzz-smoke
	@sh tests/summary.sh build/results


deps:
	@missing=; for p in $(DEPS); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
	    grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	    echo "deps: installing$$missing"; \
	    apt-get update && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y --no-install-recommends $$missing; \
	else echo "deps: all present"; fi

demo: all
	@sh guard/demo.sh $(B)

# Installation: mmguardd and mmguardctl into sbin, the offline tools into
# bin, the roles into libexec/mmguard (mmguardd's `libexec'), the example
# policies and an example configuration into /etc/mmguard (an existing
# configuration is kept), and, as root on the machine itself (no DESTDIR),
# the guard's group and one system user per role
# (guard/mmguardd/mkusers.sh, the `users _mmguard' of the configuration)
# and the control socket's group.
PREFIX		?= /usr/local
SYSCONFDIR	?= /etc/mmguard
LIBEXECDIR	?= $(PREFIX)/libexec/mmguard
TOOLS		:= $(filter-out mmguardd mmguardctl $(ROLE_PROGS),$(PROGS))
install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin \
	    $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(SYSCONFDIR)
	install -m 0755 $(B)/bin/mmguardd $(B)/bin/mmguardctl \
	    $(DESTDIR)$(PREFIX)/sbin/
	install -m 0755 $(addprefix $(B)/bin/,$(TOOLS)) $(DESTDIR)$(PREFIX)/bin/
	install -m 0755 $(addprefix $(B)/bin/,$(ROLE_PROGS)) \
	    $(DESTDIR)$(LIBEXECDIR)/
	install -m 0644 policy/examples/guard.xml policy/examples/freedonia.xml \
	    policy/examples/nato.xml policy/examples/phrases.txt \
	    $(DESTDIR)$(SYSCONFDIR)/
	test -e $(DESTDIR)$(SYSCONFDIR)/mmguardd.conf || \
	    sed 's|@LIBEXEC@|$(LIBEXECDIR)|' guard/mmguardd/mmguardd.conf.in \
	    >$(DESTDIR)$(SYSCONFDIR)/mmguardd.conf
	if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then \
	    sh guard/mmguardd/mkusers.sh _mmguard && \
	    { getent group _mmguard-admin >/dev/null || \
	    groupadd --system _mmguard-admin; }; \
	fi

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
