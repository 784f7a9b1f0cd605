#!/bin/sh
# demo.sh - the guard's main job on its embedded default.
#
#   demo.sh BUILD
#
# Creates a throw-away run folder under BUILD/demo, a test PKI, keys and
# the example policies (policy/examples/), starts mmguardd with both
# directions (high-to-low: FREEDONIA to NATO; low-to-high: NATO to
# FREEDONIA) joined by the one-way channel over a local datagram socket,
# drops sample traffic into the pickup folders, waits for every message to
# reach its end state, prints what happened to each and why, stops the
# guard and verifies the audit log offline.
set -eu
build=$(cd "$1" && pwd)
bin=$build/bin
msg=$bin/mmguard-msg
run=$build/demo
start=$(date +%s)
etc=$run/etc

echo "mmguard demo: the guard between FREEDONIA (high side) and NATO (low side)"
# The run folder, PKI, keys, example policies and mmguardd.conf, as the
# scenario tests make them (tests/scenario/lib.sh).
. tests/scenario/lib.sh
MTA=guard.freedonia guard_setup
mkdir -p "$run/msg"

# --- sample traffic ---------------------------------------------------
FD_SECRET_GBR="policy=2.999.4406.1; classification=4; enumerated-permissive=2.999.4406.2.2:826"
NATO_SECRET_GBR="policy=1.3.26.1.3.1; classification=4; enumerated-permissive=1.3.26.1.4.2:826"
n=0
# mk NAME DIR PREC SIGNER LABEL ORIG RCPT BODY [EXTRA-ENVELOPE-LINE]
mk() {
	n=$((n + 1))
	f=$run/msg/$1
	{
		echo "message-id: C=FD; A= ; P=MOD; L=DEMO-$n"
		echo "originator: $6"
		echo "recipient: $7"
		echo "content-type: p772"
		echo "trace: C=FD; A= ; P=MOD; arrival=20261129084600Z; action=relayed"
		[ -n "$5" ] && echo "security-label: $5"
		[ -n "${9:-}" ] && echo "$9"
		echo
		echo "[heading]"
		echo "this-ipm: local=DEMO-$n"
		echo "subject: $1"
		echo "primary-precedence: $3"
		echo "message-type: exercise; id=DEMO"
		echo "sic: AAA"
		echo
		echo "[body ia5-text]"
		echo "$8"
	} >"$f.spec"
	if [ "$4" = - ]; then
		"$msg" compose "$f.spec" -o "$f.p1"
	else
		"$msg" compose "$f.spec" -o "$f.plain"
		"$msg" sign --cert "$etc/pki/$4.pem" --key "$etc/pki/$4.key" \
		    --chain "$etc/pki/int.pem" --label "$5" "$f.plain" -o "$f.p1"
	fi
	echo "$1 $2 $3" >>"$run/msg/index"
}
HO="G=Anna; S=Berg; OU1=J3; O=FDF; P=MOD; A= ; C=GB"
NR="S=Ops; O=SHAPE; P=NATO; A= ; C=BE"
NO="S=Watch; O=SHAPE; P=NATO; A= ; C=BE"
HR="G=Anna; S=Berg; O=FDF; P=MOD; A= ; C=GB"
BURST=200
i=0
while [ $i -lt $BURST ]; do
	i=$((i + 1))
	mk "routine-$i" h2l routine releaser "$FD_SECRET_GBR" "$HO" "$NR" "Routine logistics report $i."
done
mk flash-behind-routine h2l flash releaser "$FD_SECRET_GBR" "$HO" "$NR" "Move to phase two."
mk releasable h2l immediate releaser "$FD_SECRET_GBR" "$HO" "$NR" "Situation normal."
mk leakage-hit h2l priority releaser "$FD_SECRET_GBR" "$HO" "$NR" "Operation Nightfall begins at dawn."
mk over-classified h2l priority releaser "policy=1.3.26.1.3.1; classification=5; enumerated-permissive=1.3.26.1.4.2:826" "$HO" "$NR" "Cosmic matters."
mk unsigned h2l routine - "$FD_SECRET_GBR" "$HO" "$NR" "Not signed."
mk bad-signature h2l routine releaser "$FD_SECRET_GBR" "$HO" "$NR" "Tampered after signing."
python3 -c '
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
i = b.find(b"Tampered")
b[i] ^= 0x20
open(p, "wb").write(bytes(b))' "$run/msg/bad-signature.p1"
mk not-release-authority h2l immediate originator "$FD_SECRET_GBR" "$HO" "$NR" "Signed by the originator only."
mk unknown-critical-extension h2l routine releaser "$FD_SECRET_GBR" "$HO" "$NR" "Carries an unknown critical extension." \
    "extension: type=1.2.826.0.1.999.1; critical=transfer,delivery; value=0c 05 68 65 6c 6c 6f"
mk nato-to-national l2h immediate originator "$NATO_SECRET_GBR" "$NO" "$HR" "For the national side."
mk nato-above-clearance l2h flash originator "policy=1.3.26.1.3.1; classification=5; enumerated-permissive=1.3.26.1.4.2:826" "$NO" "$HR" "Too high for the national side."

# --- run the guard ------------------------------------------------------
"$bin/mmguardd" -c "$etc/mmguardd.conf" 2>"$run/mmguardd.log" &
pid=$!
export MMGUARD_CONTROL=$run/run/control.sock
i=0
while [ ! -S "$MMGUARD_CONTROL" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
sleep 1
echo "mmguardd is running (pid $pid); dropping $n messages into the pickup folders"
drop() { # NAME DIR
	d=$run/high/outbound
	[ "$2" = l2h ] && d=$run/low/outbound
	cp "$run/msg/$1.p1" "$d/.$1"
	mv "$d/.$1" "$d/$1.p1"
}
# The ROUTINE burst first, all at once (copied under dot names, then
# renamed in one process, as a busy originator's MTA would hand them
# over), then everything else behind it.
while read -r name dir prec; do
	case $name in routine-*) cp "$run/msg/$name.p1" \
	    "$run/high/outbound/.$name" ;; esac
done <"$run/msg/index"
python3 -c '
import os, sys
d = sys.argv[1]
for n in sorted(os.listdir(d)):
    if n.startswith(".routine-"):
        os.rename(os.path.join(d, n), os.path.join(d, n[1:] + ".p1"))' \
    "$run/high/outbound"
while read -r name dir prec; do
	case $name in routine-*) ;; *) drop "$name" "$dir" ;; esac
done <"$run/msg/index"

# Wait until nothing is waiting, being inspected or crossing.
i=0
while [ $i -lt 300 ]; do
	q=$("$bin/mmguardctl" queue 2>/dev/null || true)
	if [ -n "$q" ] && ! echo "$q" | grep -Eq ' (incoming|inspecting|released) '; then
		break
	fi
	sleep 0.2
	i=$((i + 1))
done
sleep 1
"$bin/mmguardctl" queue >"$run/queue.txt" || true

# --- what happened ---------------------------------------------------------
echo
printf '%-27s %-5s %-10s %-12s %s\n' MESSAGE DIR PRECEDENCE OUTCOME REASON
while read -r name dir prec; do
	case $name in routine-[2-9]*|routine-1?*) continue ;; esac
	# The spool file whose bytes hold this message's subject.
	id=$(cd "$run/run" && for g in */spool/*/*; do
		if grep -aqF "$name" "$g"; then echo "$g"; break; fi
	done)
	state=$(echo "$id" | cut -d/ -f3)
	qid=$(basename "$id")
	case $state in
	sent) outcome=released ;;
	held) outcome=held ;;
	quarantined) outcome=quarantined ;;
	rejected|ndr) outcome=rejected ;;
	*) outcome=$state ;;
	esac
	reason=$("$bin/mmguardctl" show "$qid" 2>/dev/null | sed -n '/^reasons:/{n;p;}' | head -n 1)
	[ -z "$reason" ] && reason="-"
	if [ "$name" = routine-1 ]; then
		name="routine-1..$BURST"
	fi
	printf '%-27s %-5s %-10s %-12s %s\n' "$name" "$dir" "$prec" "$outcome" "$reason" | cut -c1-150
done <"$run/msg/index"
sent=$(ls "$run/low/inbound" 2>/dev/null | grep -vc '\.meta$' || true)
got=$(ls "$run/high/inbound" 2>/dev/null | grep -vc '\.meta$' || true)
echo
echo "delivered across the one-way channel: $sent to NATO, $got to FREEDONIA"
nh=$(ls "$run/high/reports" | wc -l)
nl=$(ls "$run/low/reports" | wc -l)
echo "non-delivery reports: $nh to the high side's originators, $nl to the low side's; one of them:"
r=$(ls "$run/high/reports" | head -n 1)
"$bin/mmguard-msg" dump "$run/high/reports/$r" | sed -n '1p;/not delivered/p' |
    cut -c1-150 | sed 's/^/  /'

# Where the FLASH went: its place among the high side's acceptances and
# among its verdicts (the audit log's order).
fid=$(cd "$run/run" && for g in h2l/spool/*/*; do
	if grep -aqF flash-behind-routine "$g"; then basename "$g"; break; fi
done)
acc=$(grep -h "role=pickup-h2l event=message-accepted" "$run"/audit/*.log |
    grep -n "msg=$fid" | cut -d: -f1)
ver=$(grep -hE "role=policy-h2l-[0-9]+ event=verdict" "$run"/audit/*.log |
    grep -n "msg=$fid" | cut -d: -f1)
echo "FLASH: accepted as message $acc of the high side, decided as number $ver"

# --- stop, verify the audit log --------------------------------------------
kill -TERM "$pid"
wait "$pid" 2>/dev/null || true
echo
if "$bin/mmguard-audit" verify "$run/audit" --pubkey "$etc/audit.pub" >"$run/audit-verify.txt" 2>&1; then
	echo "audit log verified: $(tail -n 1 "$run/audit-verify.txt")"
else
	echo "audit log verification FAILED:"
	cat "$run/audit-verify.txt"
	exit 1
fi
echo "demo: done in $(( $(date +%s) - start )) s (files in $run)"
