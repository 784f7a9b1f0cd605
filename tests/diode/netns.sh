#!/bin/sh
# netns.sh - the one-way channel between two network namespaces, as on an
# appliance but with a software diode: mmguard-diode-tx in one namespace,
# mmguard-diode-rx in the other, joined by a veth pair.  The receiving
# namespace may send nothing at all: nftables drops every IP packet and
# every ARP packet it would emit (the sender holds a static neighbour entry
# instead of asking by ARP), and the sending namespace drops anything that
# would arrive.  The transfer (a 10 MB message and 200 small ones) must
# complete byte-identical, its runs of frames cut by the kernel (UDP
# generic segmentation offload); a probe sent from the receiving namespace
# must fail, be counted by its drop rule, and never reach the sender's
# side.  Then frames too large for the link: the sender must fall back to
# one datagram per buffer by itself, and 30 messages still arrive.
#
#   netns.sh BUILD RESULTS
#
# Needs root, iproute2 and nftables.  Where namespaces cannot be made (not
# root, a container without the privilege), it prints SKIP with the reason
# and writes "0 0": neither passed nor failed.
set -u
build=$(cd "$1" && pwd); results=$2
kit=$build/tests/diode-testkit
pass=0; fail=0
mkdir -p "$(dirname "$results")"
ok() { pass=$((pass + 1)); echo "netns: ok   $1"; }
ko() { fail=$((fail + 1)); echo "netns: FAIL $1"; }
skip() {
	echo "netns: SKIP $1"
	echo "0 0" >"$results"
	exit 0
}

[ "$(id -u)" = 0 ] || skip "not root"
command -v ip >/dev/null || skip "iproute2 (ip) not installed"
command -v nft >/dev/null || skip "nftables (nft) not installed"
command -v python3 >/dev/null || skip "python3 not installed (the probe)"

tx=mmgd-tx-$$; rx=mmgd-rx-$$
work=$(mktemp -d "${TMPDIR:-/tmp}/diode-netns.XXXXXX")
cleanup() {
	[ -n "${rxpid:-}" ] && kill "$rxpid" 2>/dev/null
	ip netns del "$tx" 2>/dev/null
	ip netns del "$rx" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
if ! err=$(ip netns add "$tx" 2>&1); then
	skip "cannot create a network namespace: $err"
fi
ip netns add "$rx" || skip "cannot create a second network namespace"
if ! err=$(ip link add vtx netns "$tx" type veth peer name vrx \
    netns "$rx" 2>&1); then
	skip "cannot create a veth pair: $err"
fi

set -e
ip -n "$tx" addr add 10.231.0.1/30 dev vtx
ip -n "$rx" addr add 10.231.0.2/30 dev vrx
ip -n "$tx" link set lo up
ip -n "$rx" link set lo up
ip -n "$tx" link set vtx up
ip -n "$rx" link set vrx up
# The sender knows the receiver's hardware address: no ARP is needed, so
# the receiver need never answer one.
mac=$(ip -n "$rx" -o link show vrx | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
ip -n "$tx" neigh replace 10.231.0.2 lladdr "$mac" dev vtx nud permanent
# The receiving side emits nothing (IP of both families, ARP).
ip netns exec "$rx" nft -f - <<'EOF'
table inet diode {
	chain out {
		type filter hook output priority 0; policy drop;
		counter comment "everything the receiver would send"
	}
}
table arp diode {
	chain out {
		type filter hook output priority 0; policy drop;
		counter
	}
}
EOF
# The sending side accepts nothing.
ip netns exec "$tx" nft -f - <<'EOF'
table inet diode {
	chain in {
		type filter hook input priority 0; policy drop;
		counter comment "everything that reaches the sender"
	}
}
EOF
set +e
ok "namespaces $tx and $rx joined by veth, nftables rules loaded"

umask 077
head -c 32 /dev/urandom >"$work/key"
head -c 32 /dev/urandom >"$work/tok"
mkdir "$work/in" "$work/sent" "$work/out"
"$kit" gen "$work/in" "$work/tok" 1 10485760 --prefix big
"$kit" gen "$work/in" "$work/tok" 200 100 --size-max 20000 --prec mixed \
    --prefix s
# Both programs drop to an unprivileged user in their sandbox: the
# folders are that user's.
chown -R nobody "$work/in" "$work/sent" "$work/out"

# receive OUT REPORT LOG IDLE-MS: diode-rx in its namespace, in the
# background; transfer IN SENT LOG [TX-OPTIONS]: diode-tx --once in its
# own, leaving its exit status in $txrc; compare SENT OUT: $total and
# $same, the messages sent and those received identical.
receive() {
	ip netns exec "$rx" "$build/bin/mmguard-diode-rx" --listen \
	    udp:10.231.0.2:4406 --key "$work/key" --token-key "$work/tok" \
	    --out "$1" --report "$2" --exit-idle "$4" --user nobody \
	    2>"$3" &
	rxpid=$!
	sleep 0.3
}
transfer() {
	tin=$1; tsent=$2; tlog=$3; shift 3
	ip netns exec "$tx" timeout 120 "$build/bin/mmguard-diode-tx" --to \
	    udp:10.231.0.2:4406 --key "$work/key" --token-key "$work/tok" \
	    --in "$tin" --sent "$tsent" --once --rate 200M --user nobody \
	    "$@" 2>"$tlog"
	txrc=$?
}
compare() {
	cmp_out=$("$kit" compare "$1" "$2")
	total=$(echo "$cmp_out" | sed -n 's/.*total=\([0-9]*\).*/\1/p')
	same=$(echo "$cmp_out" | sed -n 's/.*identical=\([0-9]*\).*/\1/p')
}

receive "$work/out" "$work/report" "$work/rx.log" 3000
transfer "$work/in" "$work/sent" "$work/tx.log"

# A probe from the receiving side toward the sender, with a listener
# there that reports what it hears.
ip netns exec "$tx" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.231.0.1", 4407)); s.settimeout(2.0)
try:
    s.recvfrom(100); print("received")
except socket.timeout:
    print("nothing")' >"$work/listen.out" 2>&1 &
lpid=$!
sleep 0.3
probe=$(ip netns exec "$rx" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    s.sendto(b"probe", ("10.231.0.1", 4407)); print("sent")
except OSError as e:
    print("refused:", e.strerror)' 2>&1)
wait "$lpid"
wait "$rxpid"
rxpid=

summary=$(grep summary "$work/rx.log")
compare "$work/sent" "$work/out"
if [ "$txrc" = 0 ] && [ -n "$total" ] && [ "$total" = 201 ] &&
    [ "$same" = "$total" ]; then
	ok "transfer across the namespaces: $same of $total messages identical"
else
	ko "transfer: tx exit $txrc, $cmp_out, rx $summary"
fi

# Frames of 1448 bytes fit the veth's 1500-byte MTU, so the kernel cuts
# the sender's segmentation-offload runs without complaint; a refusal
# would show as the sender's fallback message.
if grep -q "does not segment" "$work/tx.log"; then
	ko "the sender fell back to one datagram per buffer (UDP GSO refused)"
else
	ok "the sender's runs of frames were cut by the kernel (UDP GSO)"
fi

case $probe in
refused:*) ok "probe from the receiving namespace refused ($probe)" ;;
*) ko "probe from the receiving namespace: $probe" ;;
esac
if [ "$(cat "$work/listen.out")" = nothing ]; then
	ok "nothing reached the sending namespace"
else
	ko "the sender's side heard: $(cat "$work/listen.out")"
fi
dropped=$(ip netns exec "$rx" nft list chain inet diode out |
    sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
arrived=$(ip netns exec "$tx" nft list chain inet diode in |
    sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
if [ -n "$dropped" ] && [ "$dropped" -ge 1 ] && [ "$arrived" = 0 ]; then
	ok "receiver-side drop rule counted $dropped packets; sender-side input counter $arrived"
else
	ko "drop counters: receiver out $dropped, sender in $arrived"
fi

# Frames beyond the link's MTU (1600-byte symbols: 1704-byte datagrams):
# the kernel refuses to cut the sender's runs, the sender falls back to
# one datagram per buffer by itself, and IP fragments carry them.
mkdir "$work/in2" "$work/sent2" "$work/out2"
"$kit" gen "$work/in2" "$work/tok" 30 100 --size-max 20000 --prefix f
chown -R nobody "$work/in2" "$work/sent2" "$work/out2"
receive "$work/out2" "$work/report2" "$work/rx2.log" 2000
transfer "$work/in2" "$work/sent2" "$work/tx2.log" --symbol-size 1600
wait "$rxpid"
rxpid=
compare "$work/sent2" "$work/out2"
if [ "$txrc" = 0 ] && [ "$total" = 30 ] && [ "$same" = 30 ] &&
    grep -q "does not segment" "$work/tx2.log"; then
	ok "frames beyond the MTU: UDP GSO refused, the sender fell back by itself, $same of $total identical"
else
	ko "frames beyond the MTU: tx exit $txrc, $cmp_out, fallback logged: $(grep -c "does not segment" "$work/tx2.log")"
fi

echo "$pass $fail" >"$results"
echo "netns: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
