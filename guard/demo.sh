#!/bin/sh
# demo.sh - the main job on its embedded default, as far as it is built.
#
#   demo.sh BUILD
#
# The guard's pipeline (mmguardd and its roles) is not built yet; until it
# is, the demo shows the inspection front end every message will go
# through: military messages composed from the example SPECs, CMS-signed
# with an ESS security label as ACP 145 requires, sent in the BER forms
# real MTAs use, decoded strictly into the facts the policy will judge,
# signatures and certificate paths verified - and damaged messages refused
# with the exact offset and reason.
set -eu
build=$1
msg=$build/bin/mmguard-msg
run=$(cd "$build" && pwd)/demo
rm -rf "$run"; mkdir -p "$run"

echo "mmguard demo"
echo "  The guard pipeline (mmguardd: pickup, qmgr, decode, verify, policy,"
echo "  diode, deliver) is not built yet; this demo runs its decode and"
echo "  verify stages."
echo

sh tests/pki/make-pki.sh "$run/pki"
pki=$run/pki
label="policy=1.3.26.1.3.1; classification=4; privacy-mark=NATO SECRET"

echo "1. A FLASH military message, sent with indefinite lengths and SET"
echo "   components out of order (as real MTAs may), then signed per ACP 145"
echo "   with an ESS label and a receipt request:"
"$msg" compose --ber-variant both tests/data/msg/flash-p772.spec -o "$run/plain.p1"
"$msg" sign --cert "$pki/originator.pem" --key "$pki/originator.key" \
    --chain "$pki/int.pem" --label "$label" --receipt-request \
    "$run/plain.p1" -o "$run/flash.p1"
"$msg" dump "$run/flash.p1" | sed -n '1,6p;/content: P772/,/body part 1/p' |
    sed 's/^/     /'
echo
echo "   Its signature, attributes, algorithms, label and certificate path:"
"$msg" verify --trust "$pki/ca.pem" --crl "$pki/crl.pem" --require-label \
    "$run/flash.p1" 2>/dev/null | sed "s|^$run/||; s/^/     /"
echo "   The recipient's signed receipt proves receipt of exactly this message:"
"$msg" receipt --cert "$pki/recipient.pem" --key "$pki/recipient.key" \
    --chain "$pki/int.pem" "$run/flash.p1" -o "$run/receipt.p1"
"$msg" verify-receipt --trust "$pki/ca.pem" "$run/flash.p1" "$run/receipt.p1" |
    sed "s|^$run/||; s/^/     /"
echo "   Signed by a revoked certificate, the same message is refused:"
"$msg" sign --cert "$pki/revoked.pem" --key "$pki/revoked.key" \
    --chain "$pki/int.pem" --label "$label" "$run/plain.p1" -o "$run/revoked.p1"
if "$msg" verify --trust "$pki/ca.pem" --crl "$pki/crl.pem" "$run/revoked.p1" \
    >"$run/revoked.out" 2>/dev/null; then
	echo "     unexpectedly verified"; exit 1
fi
grep reason "$run/revoked.out" | sed 's/^ */     /'
echo
echo "2. The facts as the policy stage will see them (JSON, excerpt):"
"$msg" dump --json "$run/flash.p1" | python3 -c '
import json, sys
j = json.load(sys.stdin)
ipm = j["content"]["ipm"]
print("     protection:", j["content"]["protection"])
print("     label:", j["envelope"]["security_label"]["privacy_mark"],
      "(classification %d)" % j["envelope"]["security_label"]["classification"])
print("     precedence:", ipm["primary_precedence"], " SICs:", ", ".join(ipm["sics"]))
print("     body:", [b["type"] for b in ipm["body"]])'
echo
echo "3. Every kind of traffic in the examples decodes:"
for s in tests/data/msg/*.spec; do
	b=$(basename "$s" .spec)
	[ "$b" = inner ] && continue
	"$msg" compose "$s" -o "$run/$b.p1"
	printf '     %-18s %s\n' "$b" "$("$msg" dump "$run/$b.p1" | head -n 1)"
done
echo
echo "4. Damaged messages are refused, each with its offset and reason:"
for b in duplicate-priority missing-trace short-indicators charset-printable overlong-length; do
	if "$msg" dump "tests/data/bad/$b.p1" >/dev/null 2>"$run/err"; then
		echo "     $b: unexpectedly accepted"; exit 1
	fi
	sed "s|^tests/data/bad/||" "$run/err" | sed 's/^/     /'
done
echo
echo "demo: done (files in $run)"
