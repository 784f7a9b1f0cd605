#!/bin/sh
# check.sh - the one-way channel end to end: mmguard-diode-tx -> the
# loss-injecting proxy (diode-testkit proxy, real UDP sockets) ->
# mmguard-diode-rx, on drop folders, under random loss up to the design
# rate (5% with the default 25% redundancy), bursts, reordering,
# duplication, corruption and forged frames; then beyond the design rate.
# Every message must arrive exactly once and byte-identical, or (beyond
# the design rate) be reported lost on the low side, by id or by stream
# and sequence (which the sender's log maps to the id).  Also: the unix
# socket transport, IPv6, a refused release token, precedence, and the
# receiver (alone, or with the sender) killed with SIGKILL mid-transfer.
#
#   check.sh BUILD RESULTS
#
# Many small messages: DIODE_MANY (default 30,000) of 1 KB through drop
# folders with fsync on both sides and 5% loss, paced at 20 Mbit/s so that
# a loaded two-core machine (make check runs other work meanwhile) does not
# overrun the receiver; bench_diode sends 100,000 of them without disks.
set -u
build=$1; results=$2
bin=$build/bin; kit=$build/tests/diode-testkit
pass=0; fail=0
mkdir -p "$(dirname "$results")"
work=$(mktemp -d "${TMPDIR:-/tmp}/diode-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
umask 077
head -c 32 /dev/urandom >"$work/key"
head -c 32 /dev/urandom >"$work/tok"
# Ports of this run: two consecutive, away from well-known ones.
port=$((20000 + $$ % 20000 * 2))
# Started as root, both programs become an unprivileged user in their
# sandbox (net_tx, net_rx): the folders of a case are that user's, and
# the unix socket's path must be reachable by it.
asuser=
if [ "$(id -u)" = 0 ]; then
	asuser="--user nobody"
	chmod 711 "$work"
fi
own() { [ -z "$asuser" ] || chown -R nobody "$1"; }

ok() { pass=$((pass + 1)); echo "diode: ok   $1"; }
ko() { fail=$((fail + 1)); echo "diode: FAIL $1"; }
# field NAME LINE: the value of NAME=... in LINE
field() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1; }

# new CASE: fresh folders
new() {
	c=$work/$1
	mkdir -p "$c/in" "$c/sent" "$c/out"
}

# transfer CASE "PROXY-OPTIONS|direct|unix|udp6" "TX-OPTIONS": runs
# rx, proxy (unless direct) and tx --once; leaves their summaries in
# $txs, $rxs, $pxs.
transfer() {
	c=$work/$1; mode=$2; txopt=$3
	rxaddr=udp:127.0.0.1:$((port + 1)); txaddr=udp:127.0.0.1:$port
	case $mode in
	unix) rxaddr=unix:$c/sock; txaddr=$rxaddr ;;
	udp6) rxaddr=udp:[::1]:$((port + 1)); txaddr=$rxaddr ;;
	direct) txaddr=$rxaddr ;;
	esac
	own "$c"
	"$bin/mmguard-diode-rx" -v --listen "$rxaddr" --key "$work/key" \
	    --token-key "$work/tok" --out "$c/out" --report "$c/report" \
	    --exit-idle 2500 $asuser 2>"$c/rx.log" &
	rxpid=$!
	pxpid=
	case $mode in
	unix|udp6|direct) ;;
	*)
		# shellcheck disable=SC2086
		"$kit" proxy "$txaddr" "$rxaddr" $mode --exit-idle 2000 \
		    2>"$c/px.log" &
		pxpid=$!
		;;
	esac
	sleep 0.3
	# shellcheck disable=SC2086
	timeout 120 "$bin/mmguard-diode-tx" --to "$txaddr" --key "$work/key" \
	    --token-key "${txtok:-$work/tok}" --in "$c/in" --sent "$c/sent" \
	    --once $txopt $asuser 2>"$c/tx.log"
	wait $rxpid $pxpid
	txs=$(grep summary "$c/tx.log")
	rxs=$(grep summary "$c/rx.log")
	pxs=$(grep '^proxy:' "$c/px.log" 2>/dev/null)
	cmp_out=$("$kit" compare "$c/sent" "$c/out" --report "$c/report" \
	    --sent-log "$c/sent/diode-tx.log" 2>>"$c/compare.log")
}

# Every message delivered exactly once, byte-identical, nothing lost.
all_delivered() {
	total=$(field total "$cmp_out")
	if [ -n "$total" ] && [ "$total" -gt 0 ] &&
	    [ "$(field identical "$cmp_out")" = "$total" ] &&
	    [ "$(field extra "$cmp_out")" = 0 ] &&
	    [ "$(field differ "$cmp_out")" = 0 ] &&
	    [ "$(field delivered "$rxs")" = "$total" ] &&
	    [ "$(field duplicates "$rxs")" = 0 ] &&
	    [ "$(field lost "$rxs")" = 0 ] &&
	    [ "$(ls "$c/in" | wc -l)" = 0 ]; then
		ok "$1 ($total messages identical, once each; $(field repaired "$rxs") blocks repaired)"
	else
		ko "$1: $cmp_out | rx $rxs | proxy $pxs"
	fi
}

# A 10 MB message and 300 small ones of all precedences.
fill() {
	"$kit" gen "$work/$1/in" "$work/tok" 1 10485760 --prefix big --seed "$2"
	"$kit" gen "$work/$1/in" "$work/tok" 300 100 --size-max 20000 \
	    --prec mixed --prefix s --seed "$2"
}

# 1. The embedded default: a unix datagram socket, no loss.
new unix; fill unix 1
transfer unix unix "--rate 0"
all_delivered "unix socket transport, 10 MB + 300 messages"

# 2. UDP over IPv6, no loss.
new v6; "$kit" gen "$work/v6/in" "$work/tok" 50 1000 --size-max 50000 \
    --prec mixed
transfer v6 udp6 "--rate 200M"
all_delivered "UDP over IPv6"

# 3. Random loss at the design rate.
new loss; fill loss 3
transfer loss "--loss 5 --seed 3" "--rate 50M"
all_delivered "5% random loss (design rate), 10 MB + 300 messages"

# 4. Bursts: 30 frames in a row, about one burst per 1000 frames.
new burst; fill burst 4
transfer burst "--burst 0.1 --burst-len 30 --seed 4" "--rate 50M"
all_delivered "burst losses of 30 frames ($(field burst_dropped "$pxs") frames dropped)"

# 5. Reordering and duplication; duplicates refused as replays.
new reorder; fill reorder 5
transfer reorder "--reorder 5 --reorder-depth 30 --dup 3 --seed 5" \
    "--rate 50M"
all_delivered "reordering (5%, depth 30) and duplication (3%)"
d=$(field duplicated "$pxs"); r=$(field refused_replay "$rxs")
if [ -n "$d" ] && [ "$d" -gt 0 ] && [ "$d" = "$r" ]; then
	ok "every duplicated frame refused as a replay ($r of $d)"
else
	ko "duplicated frames $d, refused as replays $r"
fi

# 6. Corrupted and forged frames, with 2% random loss on top.
new forge; fill forge 6
transfer forge "--loss 2 --corrupt 1 --forge 3 --seed 6" "--rate 50M"
all_delivered "corrupted (1%) and forged (3%) frames among 2% loss"
bad=$(( $(field corrupted "$pxs") + $(field forged "$pxs") ))
got=$(( $(field refused_tag "$rxs") + $(field refused_malformed "$rxs") ))
if [ "$bad" -gt 0 ] && [ "$bad" = "$got" ]; then
	ok "every corrupted or forged frame refused and counted ($got of $bad)"
else
	ko "corrupted+forged $bad, refused by tag or structure $got"
fi

# 7. Beyond the design rate: losses, each reported by id (or by stream
# and sequence, found in the sender's log); none silent, none damaged.
new heavy; fill heavy 7
transfer heavy "--loss 20 --burst 0.2 --burst-len 50 --seed 7" "--rate 50M"
miss=$(field missing "$cmp_out")
if [ -n "$miss" ] && [ "$miss" -gt 0 ] &&
    [ "$(field unreported "$cmp_out")" = 0 ] &&
    [ "$(field differ "$cmp_out")" = 0 ] &&
    [ "$(field extra "$cmp_out")" = 0 ] &&
    [ "$(field lost "$rxs")" = "$miss" ]; then
	ok "beyond the design rate (20% + bursts): $miss lost, all reported ($(field reported_by_id "$cmp_out") by id, $(field reported_by_seq "$cmp_out") by sequence), $(field identical "$cmp_out") delivered intact"
else
	ko "beyond the design rate: $cmp_out | rx $rxs"
fi

# 8. Many small messages through the proxy with 5% loss.
many=${DIODE_MANY:-30000}
new many; "$kit" gen "$work/many/in" "$work/tok" "$many" 1024 --prec mixed
start=$(date +%s)
transfer many "--loss 5 --seed 8" "--rate 20M"
all_delivered "$many messages of 1 KB, 5% loss, in $(( $(date +%s) - start )) s"

# 9. A release token that does not match.  The sender checks it first:
# such a message is never sent, its drop file set aside as NAME.refused,
# the refusal in its record.  A sender that checks with another key (so
# the receiver's check is the last one standing) gets them across, and
# the receiver refuses them and reports them by id; nothing stored.
new token
"$kit" gen "$work/token/in" "$work/tok" 3 5000 --prefix good
"$kit" gen "$work/token/in" "$work/tok" 2 5000 --prefix forged --bad-token 1
transfer token direct ""
if [ "$(field sent "$txs")" = 3 ] && [ "$(field delivered "$rxs")" = 3 ] &&
    [ "$(field refused "$rxs")" = 0 ] &&
    [ "$(grep -c ' refused id=forged.*release token' "$c/sent/diode-tx.log")" = 2 ] &&
    [ -e "$c/in/forged000000.refused" ] && [ -e "$c/in/forged000001.refused" ] &&
    [ ! -e "$c/in/forged000000" ] && [ ! -e "$c/out/forged000000" ] &&
    [ "$(grep -c 'ALARM forged.*refused, not sent' "$c/tx.log")" = 2 ]; then
	ok "the sender refuses wrong release tokens: not sent, kept as .refused, recorded"
else
	ko "sender token check: tx $txs | rx $rxs"
fi
new token2
head -c 32 /dev/urandom >"$work/tok2"
"$kit" gen "$work/token2/in" "$work/tok" 3 5000 --prefix good
"$kit" gen "$work/token2/in" "$work/tok2" 2 5000 --prefix forged
txtok=$work/tok2
transfer token2 direct ""
unset txtok
if [ "$(field refused "$rxs")" = 2 ] && [ "$(field sent "$txs")" = 2 ] &&
    [ "$(field delivered "$rxs")" = 0 ] &&
    [ "$(grep -c ' refused .*id=forged.*release token' "$c/report")" = 2 ] &&
    [ ! -e "$c/out/forged000000" ] && [ ! -e "$c/out/forged000001" ]; then
	ok "past a sender with another key, the receiver refuses them and reports them by id"
else
	ko "receiver token check: tx $txs | rx $rxs"
fi

# 9b. Drop files that are not what their header says: one byte more,
# one byte short (refused like a wrong token: not sent, set aside as
# NAME.refused, the reason recorded), and a file that is no drop file at
# all (reported and left where it is).
new shape
"$kit" gen "$work/shape/in" "$work/tok" 3 5000 --prefix good
( cd "$work/shape/in" &&
    { cat good000001; printf x; } >.good000001.new &&
    mv .good000001.new good000001 &&
    head -c "$(( $(wc -c <good000002) - 1 ))" good000002 >.good000002.new &&
    mv .good000002.new good000002 &&
    printf 'A message without its header.\n' >.raw000000 &&
    mv .raw000000 raw000000 )
transfer shape direct ""
if [ "$(field sent "$txs")" = 1 ] && [ "$(field delivered "$rxs")" = 1 ] &&
    [ "$(grep -c ' refused id=good00000[12] .*incomplete or overlong' "$c/sent/diode-tx.log")" = 2 ] &&
    [ -e "$c/in/good000001.refused" ] && [ -e "$c/in/good000002.refused" ] &&
    [ ! -e "$c/out/good000001" ] && [ ! -e "$c/out/good000002" ] &&
    [ -e "$c/in/raw000000" ] && grep -q 'raw000000: not a drop file' "$c/tx.log"; then
	ok "drop files longer or shorter than their header says are refused, a file without a header left alone"
else
	ko "drop file shapes: tx $txs | rx $rxs"
fi

# 10. Precedence: a FLASH message dropped in while a 10 MB ROUTINE one
# is being sent arrives first.
new prec
"$kit" gen "$work/prec/in" "$work/tok" 1 10485760 --prefix routine
mkdir "$work/prec/stage"
( sleep 1.0; "$kit" gen "$work/prec/stage" "$work/tok" 1 2000 --prec FLASH \
    --prefix flash; own "$work/prec/stage"
    mv "$work/prec/stage/flash000000" "$work/prec/in/" ) &
transfer prec direct "--rate 40M"
wait
order=$(sed -n 's/.*delivered \([a-z]*\)00000.*/\1/p' "$c/rx.log" | tr '\n' ' ')
if [ "$order" = "flash routine " ]; then
	ok "a FLASH message overtakes a large ROUTINE one in progress"
else
	ko "precedence: delivery order \"$order\""
fi

# 11. The stand-in token is plain HMAC-SHA256 of the digest: cross-check
# one against the openssl command, over the message after the drop
# file's header (its lines up to the first empty one).
f=$work/token/sent/good000000
want=$(sed -n '1,/^$/s/^token: //p' "$f")
hl=$(sed -n '1,/^$/p' "$f" | wc -c)
hexkey=$(od -An -v -tx1 "$work/tok" | tr -d ' \n')
got=$(tail -c +$((hl + 1)) "$f" | openssl dgst -sha256 -binary |
    openssl dgst -sha256 -mac HMAC -macopt "hexkey:$hexkey" -r | cut -d' ' -f1)
if [ -n "$want" ] && [ "$want" = "$got" ]; then
	ok "release token stand-in equals openssl's HMAC-SHA256 of the digest"
else
	ko "token $want, openssl says $got"
fi

# 12-13. diode-rx killed with SIGKILL in the middle of a transfer (frames
# die in its memory and socket buffer) and started again on the same
# state: nothing delivered twice, nothing lost without a report.
# kill_transfer CASE BOTH: rx killed after 0.5 s and back 0.4 s later;
# with BOTH=1 the sender is killed too and started again (a new session
# that names the old one), else its session goes on and rx resumes it.
kill_transfer() {
	c=$work/$1; both=$2
	rxaddr=udp:127.0.0.1:$((port + 1))
	rxrun() {
		"$bin/mmguard-diode-rx" -v --listen "$rxaddr" --key "$work/key" \
		    --token-key "$work/tok" --out "$c/out" --report "$c/report" \
		    --state "$c/state" --exit-idle "$1" $asuser \
		    2>>"$c/rx.log" &
		rxpid=$!
	}
	txrun() {
		"$bin/mmguard-diode-tx" --to "$rxaddr" --key "$work/key" \
		    --token-key "$work/tok" --in "$c/in" --sent "$c/sent" \
		    --once --rate 8M $asuser 2>>"$c/tx.log" &
		txpid=$!
	}
	own "$c"
	rxrun 60000
	sleep 0.3
	txrun
	sleep 0.5
	kill -9 "$rxpid"; wait "$rxpid" 2>/dev/null
	if [ "$both" = 1 ]; then
		sleep 0.1
		kill -9 "$txpid"; wait "$txpid" 2>/dev/null
	fi
	sleep 0.4
	rxrun 2500
	[ "$both" = 1 ] && txrun
	wait "$txpid" "$rxpid"
	rxs=$(grep summary "$c/rx.log" | tail -n 1)
	cmp_out=$("$kit" compare "$c/sent" "$c/out" --report "$c/report" \
	    --sent-log "$c/sent/diode-tx.log" 2>>"$c/compare.log")
}
# Everything in the sending record delivered once or reported lost.
all_accounted() {
	total=$(field total "$cmp_out")
	if [ -n "$total" ] && [ "$total" -ge "$2" ] &&
	    [ "$(field unreported "$cmp_out")" = 0 ] &&
	    [ "$(field differ "$cmp_out")" = 0 ] &&
	    [ "$(field extra "$cmp_out")" = 0 ] &&
	    [ "$(ls "$c/in" | wc -l)" = 0 ]; then
		ok "$1 ($(field identical "$cmp_out") delivered, $(field missing "$cmp_out") reported lost: $(field reported_by_id "$cmp_out") by id, $(field reported_by_seq "$cmp_out") by sequence)"
	else
		ko "$1: $cmp_out | rx $rxs"
	fi
}
new rxkill; "$kit" gen "$work/rxkill/in" "$work/tok" 1500 1024 --prec mixed
kill_transfer rxkill 0
all_accounted "diode-rx killed mid-transfer resumes the session" 1500
if grep -q "resuming session" "$c/rx.log" &&
    [ "$(field duplicates "$rxs")" = 0 ]; then
	ok "the restarted receiver resumed from its state, wrote nothing twice"
else
	ko "resume: $(grep -c 'resuming session' "$c/rx.log") resumes, rx $rxs"
fi

new bothkill; "$kit" gen "$work/bothkill/in" "$work/tok" 1500 1024 \
    --prec mixed
kill_transfer bothkill 1
all_accounted "diode-rx and diode-tx killed mid-transfer, new session" 1500
if grep -q "previous session .* recorded" "$c/tx.log"; then
	ok "the new sender session named the one before it"
else
	ko "the new sender session did not name its predecessor"
fi

echo "$pass $fail" >"$results"
echo "diode: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
