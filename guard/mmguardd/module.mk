# guard/mmguardd: the supervisor and its configuration file.
PROGS		+= mmguardd
mmguardd_SRCS	:= guard/mmguardd/mmguardd.c guard/mmguardd/config.c
mmguardd_LIBS	:= -lcrypto
mmguardd_SRCS	+= guard/mmguardd/auditkey.c
