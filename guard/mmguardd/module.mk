# guard/mmguardd: the supervisor and its configuration file.
PROGS		+= mmguardd
mmguardd_SRCS	:= guard/mmguardd/mmguardd.c guard/mmguardd/config.c
mmguardd_LIBS	:= -lcrypto
mmguardd_SRCS	+= guard/mmguardd/auditkey.c
# The programs mmguardd starts as roles (the role-probe builds link each
# with a sandbox that makes a forbidden call: tests/sandbox/roles.sh).
ROLE_PROGS	:= mmguard-pickup mmguard-qmgr mmguard-decode mmguard-verify \
		   mmguard-policy mmguard-diode-tx mmguard-diode-rx \
		   mmguard-auditd mmguard-archived
CHECKS		+= tests/sandbox/roles.sh
CHECKS		+= tests/install.sh
