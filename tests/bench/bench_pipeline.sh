#!/bin/sh
# bench_pipeline.sh - the whole guard, end to end (make bench).
#
#   bench_pipeline.sh BUILD [N] [BACKLOG]
#
# Throughput: N (default 2,000) signed 8 KB messages dropped at once into
# the high side's pickup folder; messages per second from the first
# acceptance to the last release recorded in the audit log, every step
# durable (spool, audit, one-way channel); three trials.  Printed next to
# (a) the in-process verification rate measured around each trial:
# bench_inspect, the same message under the guard's own policy, PKI and
# CRLs (the target's yardstick: the same checks, so a three-level path
# with CRLs counts on both sides), and bench_cms (a one-level PKI without CRLs, several times
# cheaper per message); and (b) a shell loop doing the same signature
# check with `openssl cms -verify` per message.
#
# FLASH latency: from the moment a FLASH message is dropped into the
# folder to its release decision (the audit log's time), p50 and p99
# (nearest rank), for two hundred FLASH messages alone and two hundred
# dropped behind a backlog of BACKLOG (default 5,000) ROUTINE messages (a
# hundred at a time, 30 ms apart; the two phases alternated, twice).
# Targets: throughput at least 0.5 x the single-core in-process
# verification rate; FLASH p99 behind the backlog at most 3 x alone.
set -eu
build=$(cd "$1" && pwd)
total=${2:-2000}
backlog=${3:-5000}
bin=$build/bin
run=$build/bench/pipeline
. tests/scenario/lib.sh

# Some machines' root file system is ext4 without a journal, which at
# every file it creates skips, one look-up each, the inodes of its block
# group freed in the last minutes: right after deleting the last run's
# tens of thousands of files, a run spent a quarter of its CPU time on
# that, in the kernel.  So nothing is deleted before a measurement: what
# a phase leaves is moved aside, and deleted when the bench is over (a
# bench started within a minute of the last one's end still pays for it).
trash=$build/bench/trash
set_aside() { # PATH...
	mkdir -p "$trash"
	for x in "$@"; do
		[ -e "$x" ] && mv "$x" "$trash/$(date +%s%N)-$(basename "$x")"
	done
	return 0
}

WORKERS=2
# FLASH messages per phase and round: a hundred; two rounds, so that the
# p99 (nearest rank) of each phase is the third slowest of two hundred,
# not one outlier.
nflash=100
set_aside "$run"
nojournal=
dev=$(findmnt -no SOURCE -T "$build" 2>/dev/null | sed 's|^/dev/||') || true
if [ -n "$dev" ] && [ "$(findmnt -no FSTYPE -T "$build" 2>/dev/null)" = ext4 ] &&
    [ "$(cat "/sys/fs/ext4/$dev/journal_task" 2>/dev/null)" = "<none>" ]; then
	nojournal=1
fi
guard_setup
mk bulk releaser "Bulk traffic." routine 8192
mk flash releaser "Flash traffic." flash 1024
mk back releaser "Backlog traffic." routine 1024
clone bulk "$total"
clone flash $((4 * nflash))
clone back "$backlog"

# Times (seconds, float) of an event per message id, from the audit log.
evtimes() { # EVENT
	cat "$run"/audit/*.log | python3 -c '
import sys, re, datetime
ev = sys.argv[1]
# acceptance as pickup records it, the release once qmgr holds it durably
role = "pickup-h2l" if ev == "message-accepted" else "qmgr-h2l"
for line in sys.stdin:
    if " event=%s " % ev not in line or " role=%s " % role not in line:
        continue
    if ev == "verdict" and "verdict%3Drelease" not in line and \
        "verdict=release" not in line:
        continue
    t = re.search(r" time=(\S+)Z ", line).group(1)
    m = re.search(r" msg=(\S+)", line).group(1)
    d = datetime.datetime.strptime(t, "%Y-%m-%dT%H:%M:%S.%f")
    print(m, d.timestamp())' "$1"
}

# --- throughput -----------------------------------------------------------
# The yardstick (a): bench_inspect, the same message under the same
# policy, PKI and CRLs, decoded and verified in one process on one core
# (the verify role's work without spool or processes).  A virtual
# machine's speed drifts by a third and more within minutes, so each
# trial is paired with the yardstick measured just before and just after
# it (a second each), and held against the higher of the two (the less
# favourable); three trials, the median ratio is the figure.
inspect_rate() {
	"$build/bench/bench_inspect" "$run/etc/guard.xml" "$run/etc/pki" \
	    high-to-low "$run/msg/bulk.p1" 1 |
	    sed -n 's/.*: \([0-9.]*\) msg\/s.*/\1/p'
}
trial() { # -> "THROUGHPUT YARDSTICK DONE"
	set_aside "$run/run" "$run/audit" "$run/archive" "$run/high" \
	    "$run/low"
	_y1=$(inspect_rate)
	guard_start
	burst "$run/high/outbound" bulk "$total"
	# Polled every half second: the figure comes from the audit log's
	# times, and listing the sent folder (some 8 ms of CPU with 2,000
	# files there) ten times a second took 8% of a processor from the
	# guard it measured.
	_i=0
	while [ "$(ls "$run/run/h2l/spool/sent" | wc -l)" -lt "$total" ] &&
	    [ $_i -lt 600 ]; do
		sleep 0.5
		_i=$((_i + 1))
	done
	guard_stop
	_y2=$(inspect_rate)
	_tp=$( { evtimes message-accepted; echo; evtimes verdict; } |
	    python3 -c '
import sys
a = []; v = []; cur = a
for line in sys.stdin:
    if not line.strip():
        cur = v; continue
    cur.append(float(line.split()[1]))
print("%.1f" % (len(v) / (max(v) - min(a))))')
	echo "$_tp $(python3 -c "print(max(${_y1:-0}, ${_y2:-0}))") $(ls "$run/run/h2l/spool/sent" | wc -l)"
}
: >"$run/trials"
for t in 1 2 3; do
	trial >>"$run/trials"
done
set -- $(python3 - "$run/trials" <<'PY'
import sys
rows = [tuple(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
rows.sort(key=lambda r: r[0] / r[1])
tp, same, done = rows[len(rows) // 2]
print("%.1f %.0f %d" % (tp, same, min(r[2] for r in rows)))
PY
)
tp=$1 same=$2 done_n=$3
trials=$(awk '{ printf "%s%.0f/%.0f = %.2f", (NR > 1 ? ", " : ""), $1, $2, $1 / $2 }' "$run/trials")

# For comparison with the codec benchmarks: bench_cms's figure for a
# signed 8 KB message under a one-level PKI without CRLs.
inproc=$("$build/bench/bench_cms" 2>/dev/null | sed -n '/RSA-2048/,$p' |
    sed -n 's/.*mmguard cms_verify (all checks): *\([0-9.]*\) msg\/s.*/\1/p' |
    head -n 1)
# (b) a shell loop: extract the CMS, openssl cms -verify, per message.
python3 - "$run/msg/bulk.p1" "$run/bulk.cms" <<'PY'
import sys
b = open(sys.argv[1], "rb").read()
i = b.find(b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02")	# signedData
j = b.rfind(b"\x30", 0, i)
while j > 0:
    # the SEQUENCE whose content starts with the signedData OID
    hdr = b[j + 1]
    off = 2 if hdr < 0x80 else 2 + (hdr & 0x7f)
    if j + off == i:
        n = int.from_bytes(b[j + 2:j + off], "big") if hdr >= 0x80 else hdr
        open(sys.argv[2], "wb").write(b[j:j + off + n])
        break
    j = b.rfind(b"\x30", 0, j)
PY
loops=100
t0=$(date +%s.%N)
k=0
while [ $k -lt $loops ]; do
	openssl cms -verify -binary -inform DER -in "$run/bulk.cms" \
	    -CAfile "$run/etc/pki/ca.pem" -purpose any -out /dev/null \
	    2>/dev/null || true
	k=$((k + 1))
done
t1=$(date +%s.%N)
shell=$(python3 -c "print('%.1f' % ($loops / ($t1 - $t0)))")

echo "bench_pipeline: $done_n of $total signed 8 KB messages released and sent (the fewest of three trials)"
echo "bench_pipeline: trials, throughput / in-process verification next to it: $trials"
echo "bench_pipeline: end-to-end throughput $tp messages/s (durable; the trial of the median ratio)"
echo "bench_pipeline: in-process verification, same message, policy, PKI and CRLs ${same:-?} messages/s (bench_inspect, one core, paired with that trial)"
echo "bench_pipeline: in-process CMS verification ${inproc:-?} messages/s (bench_cms, RSA-2048, one-level PKI, no CRLs)"
echo "bench_pipeline: shell loop of openssl cms -verify $shell messages/s"
python3 -c "
tp, same, ip, sh = $tp, float('${same:-0}' or 0), float('${inproc:-0}' or 0), $shell
if same > 0:
    print('bench_pipeline: ratio throughput / in-process verification (same checks) %.2f (target >= 0.5)' % (tp / same))
if ip > 0:
    print('bench_pipeline: ratio throughput / bench_cms %.2f' % (tp / ip))
print('bench_pipeline: ratio throughput / openssl shell loop %.1f' % (tp / sh))"

# Messages of the backlog not yet decided: in the drop folder or the
# spool's incoming/ and inspecting/.
awaiting() {
	echo $(( $(ls "$run/high/outbound" | wc -l) +
	    $(ls "$run/run/h2l/spool/incoming" | wc -l) +
	    $(ls "$run/run/h2l/spool/inspecting" | wc -l) ))
}

# --- FLASH latency ----------------------------------------------------------
# FLASH messages are timed from the moment the bench drops them (the rename
# into the folder) to the release decision qmgr holds durably: the time
# in the drop folder counts.
lat() { # FILE: adds the latencies (ms) of the FLASH messages in RUN/flash-ids
	evtimes verdict | python3 -c '
import sys
v = {}
for line in sys.stdin:
    m, t = line.split(); v[m] = float(t)
drop = dict(l.split() for l in open(sys.argv[1]))
ids = dict(l.split() for l in open(sys.argv[2]) if len(l.split()) == 2)
for k, m in ids.items():
    if m in v and k in drop:
        print("%.3f" % ((v[m] - float(drop[k])) * 1000))' \
	    "$run/flash-drops" "$run/flash-ids" >>"$1"
}
pct() { # FILE: p50, p99 (nearest rank) and how many
	python3 -c '
import math, sys
l = sorted(float(x) for x in open(sys.argv[1]) if x.strip())
if not l:
    print("? ? 0"); sys.exit()
# nearest rank: the smallest value with at least q of them at or below
p = lambda q: l[max(0, math.ceil(q * len(l)) - 1)]
print("%.1f %.1f %d" % (p(0.5), p(0.99), len(l)))' "$1"
}
flash_ids() { # FIRST LAST: "K ID" for flash-K
	k=$1
	: >"$run/flash-ids"
	while [ $k -le "$2" ]; do
		echo "$k $(cd "$run/run/h2l/spool" && grep -alF \
		    "TPL-flash-$(printf %07d $k)" */* 2>/dev/null | head -n 1 |
		    xargs -r basename)" >>"$run/flash-ids"
		k=$((k + 1))
	done
}
drop_flash() { # K: as drop(), timed at the rename
	cp "$run/msg/flash-$1.p1" "$run/high/outbound/.flash-$1.p1"
	t=$(date +%s.%N)
	mv "$run/high/outbound/.flash-$1.p1" "$run/high/outbound/flash-$1.p1"
	echo "$1 $t" >>"$run/flash-drops"
}
drops() { # FIRST: nflash FLASH messages from flash-FIRST on, 30 ms apart
	: >"$run/flash-drops"
	k=$1
	while [ $k -lt $(($1 + nflash)) ]; do
		drop_flash $k
		[ -n "$first" ] || first=$(awaiting)
		sleep 0.03
		k=$((k + 1))
	done
}
# Alone, then behind the backlog, twice over (two hundred samples of each,
# alternated so that a drift of the machine's speed touches both alike).
: >"$run/lat-alone"
: >"$run/lat-back"
firsts= waits=
for r in 0 1; do
	set_aside "$run/run" "$run/audit" "$run/archive" "$run/high" \
	    "$run/low"
	guard_start
	first=x
	drops $((2 * r * nflash + 1))
	sleep 2
	guard_stop
	flash_ids $((2 * r * nflash + 1)) $(((2 * r + 1) * nflash))
	lat "$run/lat-alone"

	set_aside "$run/run" "$run/audit" "$run/archive" "$run/high" \
	    "$run/low"
	guard_start
	burst "$run/high/outbound" back "$backlog"
	# The FLASH messages arrive while the backlog is being worked
	# through: a hundred within some 4 s, which the backlog outlasts
	# (how many of it still wait at the first and the last FLASH is
	# printed).
	sleep 0.5
	first=
	drops $(((2 * r + 1) * nflash + 1))
	firsts="$firsts${firsts:+, }$first"
	waits="$waits${waits:+, }$(awaiting)"
	sleep 2
	guard_stop
	flash_ids $(((2 * r + 1) * nflash + 1)) $(((2 * r + 2) * nflash))
	lat "$run/lat-back"
done
set -- $(pct "$run/lat-alone")
alone50=$1; alone99=$2; alonen=$3
set -- $(pct "$run/lat-back")
back50=$1; back99=$2; backn=$3
echo "bench_pipeline: FLASH alone: p50 $alone50 ms, p99 $alone99 ms of $alonen (dropped into the folder to release decision)"
echo "bench_pipeline: FLASH behind $backlog ROUTINE (of it still waiting at the first FLASH $firsts, at the last $waits): p50 $back50 ms, p99 $back99 ms of $backn"
python3 -c "
a, b = float('$alone99'), float('$back99')
print('bench_pipeline: ratio FLASH p99 behind the backlog / alone %.2f (target <= 3)' % (b / a))"
rm -rf "$trash"
sync	# (ext4 counts a deletion recent for longer while it is unwritten)
if [ -n "$nojournal" ]; then
	echo "bench_pipeline: note: $build is on ext4 without a journal: for a few minutes after many files are deleted there, every file created costs more (see this script's header); compare runs made a few minutes apart"
fi
