# The one-way channel (diode-tx, diode-rx): see guard/diode/diode.h.
LIB_SRCS	+= guard/diode/diode_frame.c guard/diode/diode_fec.c \
		   guard/diode/diode_tx.c guard/diode/diode_rx.c \
		   guard/diode/diode_io.c guard/diode/diode_state.c
PROGS		+= mmguard-diode-tx mmguard-diode-rx
mmguard-diode-tx_SRCS := guard/diode/mmguard-diode-tx.c guard/diode/diode_prog.c
mmguard-diode-tx_LIBS = $(SANDBOX_LIBS) -lisal -lcrypto
mmguard-diode-rx_SRCS := guard/diode/mmguard-diode-rx.c guard/diode/diode_prog.c
mmguard-diode-rx_LIBS = $(SANDBOX_LIBS) -lisal -lcrypto
UNIT_SRCS	+= tests/unit/test_diode.c
UNIT_LIBS	+= -lisal
FUZZERS		+= diode diodedrop
diode_fuzz_LIBS	:= -lisal
BENCHES		+= bench_diode
bench_diode_LIBS := -lisal -lcrypto
CHECKS		+= tests/diode/check.sh tests/diode/netns.sh
DEPS		+= libisal-dev iproute2 nftables

# The loss-injecting proxy and the drop-folder generator of the checks
# (tests/diode/): built with the programs so that the checks can run
# straight after `make'.
all: $(B)/tests/diode-testkit
$(B)/tests/diode-testkit: $(B)/obj/tests/diode/diode_testkit.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lisal -lcrypto $(LDLIBS)

# sendmmsg/recvmmsg (a batch of datagrams per system call) are GNU
# extensions of the C library.
DIODE_GNU_OBJS	:= guard/diode/mmguard-diode-tx.o guard/diode/mmguard-diode-rx.o \
		   tests/diode/diode_testkit.o tests/bench/bench_diode.o
$(addprefix $(B)/obj/,$(DIODE_GNU_OBJS)): CFLAGS += -D_GNU_SOURCE
# diode-rx killed with SIGKILL under traffic: nothing lost silently.
CHECKS		+= tests/scenario/crash-rx.sh
