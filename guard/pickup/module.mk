# guard/pickup: the drop-folder ingress (mmguard-pickup).
PROGS		+= mmguard-pickup
mmguard-pickup_SRCS := guard/pickup/pickup.c
mmguard-pickup_LIBS = $(SANDBOX_LIBS) -lcrypto
