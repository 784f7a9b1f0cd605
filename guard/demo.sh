#!/bin/sh
# demo.sh - the main job on its embedded default, as far as it is built.
#
#   demo.sh BUILD
#
# The guard's pipeline (mmguardd and its roles) is not built yet; until it
# is, the demo shows the inspection front end every message will go
# through: military messages composed from the example SPECs, CMS-signed
# as STANAG 4406 Annex B requires, sent in the BER forms real MTAs use,
# decoded strictly into the facts the policy will judge - and damaged ones
# refused with the exact offset and reason.
set -eu
build=$1
msg=$build/bin/mmguard-msg
run=$(cd "$build" && pwd)/demo
rm -rf "$run"; mkdir -p "$run"

echo "mmguard demo"
echo "  The guard pipeline (mmguardd: pickup, qmgr, decode, verify, policy,"
echo "  diode, deliver) is not built yet; this demo runs its decode stage."
echo

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$run/originator.key" -subj "/C=GB/O=MOD/CN=Demo Originator" \
    -days 2 -out "$run/originator.pem" 2>/dev/null
sed "s|^content-type: p772|content-type: p772\nsign: cert=$run/originator.pem; key=$run/originator.key|" \
    tests/data/msg/flash-p772.spec >"$run/flash.spec"

echo "1. A FLASH military message, CMS-signed, sent with indefinite lengths"
echo "   and SET components out of order (as real MTAs may):"
"$msg" compose --ber-variant both "$run/flash.spec" -o "$run/flash.p1"
"$msg" dump "$run/flash.p1" | sed -n '1,6p;/content: P772/,/body part 1/p' |
    sed 's/^/     /'
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
