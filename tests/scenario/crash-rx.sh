#!/bin/sh
# crash-rx.sh - the one-way channel's receiver under kill -9: crash.sh
# with a few hundred messages (CRASH_N, default 300), the high-to-low
# diode-rx the role killed (and the supervisor one time in five), so that
# frames die in the receiver's memory and socket buffer again and again.
# Every message the sender recorded as sent must be delivered once or
# reported lost by the receiver (guard/diode/diode.h, "Accounting across
# restarts").
#
#   crash-rx.sh BUILD RESULTS
set -u
CRASH_RX=1 CRASH_VICTIMS='mmguard-diode-rx .*h2l' CRASH_NAME=crash-rx \
    exec sh tests/scenario/crash.sh "$1" "$2" "${CRASH_N:-300}"
