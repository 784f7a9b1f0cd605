# guard/inspect: the inspection roles (decode, verify, policy) and the
# verification facts they pass through qmgr.
LIB_SRCS	+= guard/inspect/vfacts.c
PROGS		+= mmguard-decode mmguard-verify mmguard-policy
mmguard-decode_SRCS := guard/inspect/mmguard-decode.c
mmguard-decode_LIBS = $(SANDBOX_LIBS) -lcrypto
mmguard-verify_SRCS := guard/inspect/mmguard-verify.c
mmguard-verify_LIBS = $(SANDBOX_LIBS) -lcrypto
mmguard-policy_SRCS := guard/inspect/mmguard-policy.c
mmguard-policy_LIBS = $(SANDBOX_LIBS) -lcrypto
FUZZERS		+= vfacts
