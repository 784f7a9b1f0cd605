#!/bin/sh
# cms.sh - ACP 145 signatures: mmguard against OpenSSL and tshark, and every
# class of bad signature refused with its own reason.
#
#   cms.sh BUILD RESULTS
#
# A test PKI is generated (tests/pki/make-pki.sh).  Then:
#   - mmguard-msg sign (with an ESS label and a receipt request) -> mmguard-msg
#     verify, openssl cms -verify, and tshark reading the label back;
#   - openssl cms -sign -> mmguard-msg verify;
#   - tampered content, tampered signed attribute, unknown issuer, revoked,
#     expired, wrong key usage, missing and expired CRLs, no signed
#     attributes, weak digest, weak key, wrong eContentType, detached
#     signature, truncated DER: each refused, with its reason.
set -u
build=$1; results=$2
msg=$build/bin/mmguard-msg
work=$(mktemp -d "${TMPDIR:-/tmp}/mmguard-cms.XXXXXX")
trap 'rm -rf "$work"' EXIT
pass=0; fail=0
ok()  { pass=$((pass + 1)); echo "  ok   $*"; }
bad() { fail=$((fail + 1)); echo "  FAIL $*"; }

pki=$work/pki
sh tests/pki/make-pki.sh "$pki" || { echo "cms: no test PKI"; exit 1; }
label='policy=1.3.26.1.3.1; classification=4; privacy-mark=NATO SECRET; category=2.16.840.1.101.2.1.8.3.1:301106052b1a0104023108020202100202033a'
trust="--trust $pki/ca.pem --crl $pki/crl.pem"

"$msg" compose tests/data/msg/flash-p772.spec -o "$work/plain.p1"
"$msg" dump --extract "$work/p772.bin" "$work/plain.p1" >/dev/null

# verifies FILE: exit 0 expected.
verifies() { # DESCRIPTION FILE [OPTIONS...]
	d=$1; f=$2; shift 2
	# shellcheck disable=SC2086
	if "$msg" verify $trust "$@" "$f" >"$work/out" 2>&1; then ok "$d"
	else bad "$d: $(cat "$work/out")"; fi
}
# refused FILE REASON: exit 1 and the reason in the output.
refused() { # DESCRIPTION FILE REASON [OPTIONS...]
	d=$1; f=$2; want=$3; shift 3
	# shellcheck disable=SC2086
	"$msg" verify $trust "$@" "$f" >"$work/out" 2>&1; rc=$?
	if [ $rc -eq 1 ] && grep -qF "$want" "$work/out"; then ok "$d"
	else bad "$d: exit $rc, wanted \"$want\": $(head -3 "$work/out")"; fi
}
sign() { # SIGNER OUT [OPTIONS...]
	s=$1; o=$2; shift 2
	"$msg" sign --cert "$pki/$s.pem" --key "$pki/$s.key" --chain "$pki/int.pem" \
	    "$@" "$work/plain.p1" -o "$o"
}
# A P1 message around CMS bytes made elsewhere.
wrap() { # CMS OUT
	sed -n '1,/^\[heading\]/p' tests/data/msg/flash-p772.spec | grep -v '^\[heading\]' |
	    sed 's/^content-type: p772$/content-type: 1.2.840.113549.1.9.16.1.6/' >"$work/wrap.spec"
	echo "content-file: $1" >>"$work/wrap.spec"
	"$msg" compose "$work/wrap.spec" -o "$2"
}

echo "cms: mmguard signs"
sign originator "$work/signed.p1" --label "$label" --receipt-request
verifies "mmguard verifies its own RSA signature with label" "$work/signed.p1"
"$msg" verify $trust --json "$work/signed.p1" >"$work/v.json" 2>/dev/null
python3 - "$work/v.json" <<'EOF' && ok "verify --json reports signer, chain, label, receipt request" || bad "verify --json facts"
import json, sys
j = json.load(open(sys.argv[1]))
s = j["signers"][0]
assert j["verified"] and j["econtent_type"] == "1.3.26.0.4406.0.4.1"
assert "CN=originator" in s["subject"] and len(s["chain"]) == 3
assert j["label"]["policy"] == "1.3.26.1.3.1" and j["label"]["classification"] == 4
assert j["label"]["privacy_mark"] == "NATO SECRET"
c = j["label"]["categories"][0]
assert c["tag_set"] == "1.3.26.1.4.2" and c["values"] == [528, 826], c
assert s["receipt_requested"] and s["key_bits"] == 2048
EOF
sign originator-ec "$work/signed-ec.p1" --label "$label"
verifies "mmguard verifies its own ECDSA P-256 signature" "$work/signed-ec.p1"
verifies "verification at the signing time (evidence)" "$work/signed.p1" --at-signing-time
"$msg" dump --extract "$work/signed.cms" "$work/signed.p1" >/dev/null
if openssl cms -verify -binary -inform DER -in "$work/signed.cms" -CAfile "$pki/ca.pem" \
    -purpose smimesign -out "$work/ossl.out" >/dev/null 2>&1 && cmp -s "$work/ossl.out" "$work/p772.bin"; then
	ok "openssl cms -verify accepts mmguard's signature; content unchanged"
else
	bad "openssl cms -verify of mmguard's signature"
fi
od -An -v -tx1 "$work/signed.p1" | tr -s ' \n' '  ' | sed 's/^/000000 /' >"$work/s.hex"
text2pcap -q -l 147 "$work/s.hex" "$work/s.pcap" >/dev/null 2>&1
cp tests/interop/p1.lua "$work/p1.lua"
# The ESS label as tshark reads it (first occurrence of each field).
got=$(tshark -X lua_script:"$work/p1.lua" -r "$work/s.pcap" -T fields -E separator='|' \
    -E occurrence=f -e ess.security_policy_identifier -e ess.security_classification \
    -e ess.pString -e ess.tagName 2>/dev/null | head -n 1)
attrs=$(tshark -X lua_script:"$work/p1.lua" -r "$work/s.pcap" -T fields -E aggregator=',' \
    -e ess.SecurityAttribute 2>/dev/null | head -n 1)
if [ "$got" = "1.3.26.1.3.1|4|NATO SECRET|1.3.26.1.4.2" ] && [ "${attrs%%,528,826}" = "528,826" ]; then
	ok "tshark reads the ESS label mmguard wrote ($got, attributes $attrs)"
else
	bad "tshark reads the ESS label as \"$got\", attributes \"$attrs\""
fi

echo "cms: OpenSSL signs, mmguard verifies"
openssl cms -sign -binary -nodetach -econtent_type 1.3.26.0.4406.0.4.1 -in "$work/p772.bin" \
    -signer "$pki/originator.pem" -inkey "$pki/originator.key" -certfile "$pki/int.pem" \
    -outform DER -out "$work/ossl.cms" 2>/dev/null
wrap "$work/ossl.cms" "$work/ossl.p1"
verifies "content signed by openssl cms -sign verifies" "$work/ossl.p1"

echo "cms: refusals"
# Tampered content: one byte of the subject inside the signed P772.
python3 - "$work/signed.p1" "$work/tampered-content.p1" <<'EOF'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
i = d.index(b'FLASH exercise traffic'); d[i] ^= 0x20
open(sys.argv[2], 'wb').write(d)
EOF
refused "tampered content" "$work/tampered-content.p1" "content does not match its message-digest"
python3 - "$work/signed.p1" "$work/tampered-attr.p1" <<'EOF'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
i = d.rindex(b'NATO SECRET'); d[i] ^= 0x20
open(sys.argv[2], 'wb').write(d)
EOF
refused "tampered signed attribute (label)" "$work/tampered-attr.p1" "signature over the signed attributes does not verify"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/other.key" -subj "/CN=Other Root" \
    -days 30 -out "$work/other.pem" 2>/dev/null
"$msg" verify --trust "$work/other.pem" "$work/signed.p1" >"$work/out" 2>&1
if [ $? -eq 1 ] && grep -qF "unknown issuer" "$work/out"; then ok "unknown issuer"; else bad "unknown issuer: $(cat "$work/out")"; fi
sign revoked "$work/revoked.p1" --label "$label"
refused "revoked signer" "$work/revoked.p1" "certificate revoked"
sign expired "$work/expired.p1" --label "$label"
refused "expired signer" "$work/expired.p1" "certificate expired"
sign wrong-usage "$work/wrong-usage.p1" --label "$label"
refused "wrong key usage" "$work/wrong-usage.p1" "not for S/MIME signing"
"$msg" verify --trust "$pki/ca.pem" --crl "$pki/root-crl.pem" "$work/signed.p1" >"$work/out" 2>&1
if [ $? -eq 1 ] && grep -qF "no CRL" "$work/out"; then ok "missing CRL"; else bad "missing CRL: $(cat "$work/out")"; fi
"$msg" verify --trust "$pki/ca.pem" --crl "$pki/crl-expired.pem" "$work/signed.p1" >"$work/out" 2>&1
if [ $? -eq 1 ] && grep -qF "CRL expired" "$work/out"; then ok "expired CRL"; else bad "expired CRL: $(cat "$work/out")"; fi
openssl cms -sign -binary -nodetach -noattr -econtent_type 1.3.26.0.4406.0.4.1 -in "$work/p772.bin" \
    -signer "$pki/originator.pem" -inkey "$pki/originator.key" -certfile "$pki/int.pem" \
    -outform DER -out "$work/noattr.cms" 2>/dev/null
wrap "$work/noattr.cms" "$work/noattr.p1"
refused "no signed attributes" "$work/noattr.p1" "no signed attributes"
openssl cms -sign -binary -nodetach -md sha1 -econtent_type 1.3.26.0.4406.0.4.1 -in "$work/p772.bin" \
    -signer "$pki/originator.pem" -inkey "$pki/originator.key" -certfile "$pki/int.pem" \
    -outform DER -out "$work/sha1.cms" 2>/dev/null
wrap "$work/sha1.cms" "$work/sha1.p1"
refused "weak digest (SHA-1)" "$work/sha1.p1" "digest algorithm 1.3.14.3.2.26 (SHA1) not allowed"
sign weak "$work/weak.p1" --label "$label"
refused "weak key (RSA-1024)" "$work/weak.p1" "RSA key of 1024 bits"
refused "configured minimum key size" "$work/signed.p1" "RSA key of 2048 bits (at least 3072)" --min-rsa-bits 3072
refused "configured digests" "$work/signed.p1" "(SHA256) not allowed" --digests SHA384,SHA512
openssl cms -sign -binary -nodetach -nocerts -econtent_type 1.3.26.0.4406.0.4.1 -in "$work/p772.bin" \
    -signer "$pki/originator.pem" -inkey "$pki/originator.key" -outform DER \
    -out "$work/nocerts.cms" 2>/dev/null
wrap "$work/nocerts.cms" "$work/nocerts.p1"
refused "unknown signer (certificate not in the message)" "$work/nocerts.p1" "unknown signer"
refused "no label where one is required" "$work/ossl.p1" "no security label" --require-label
openssl cms -sign -binary -nodetach -econtent_type 1.2.3.4 -in "$work/p772.bin" \
    -signer "$pki/originator.pem" -inkey "$pki/originator.key" -outform DER \
    -out "$work/ect.cms" 2>/dev/null
wrap "$work/ect.cms" "$work/ect.p1"
refused "wrong eContentType" "$work/ect.p1" "SignedData encapsulates 1.2.3.4, not a P772 message"
openssl cms -sign -binary -econtent_type 1.3.26.0.4406.0.4.1 -in "$work/p772.bin" \
    -signer "$pki/originator.pem" -inkey "$pki/originator.key" -outform DER \
    -out "$work/detached.cms" 2>/dev/null
wrap "$work/detached.cms" "$work/detached.p1"
refused "detached signature" "$work/detached.p1" "detached"
head -c 600 "$work/signed.cms" >"$work/trunc.cms"
wrap "$work/trunc.cms" "$work/trunc.p1"
refused "truncated DER" "$work/trunc.p1" "offset"

echo "cms: hand-built SignedData with one defect each"
vec=$work/vec; mkdir -p "$vec"
cat "$pki/ca.pem" "$pki/int.pem" >"$work/anchors.pem"
"$build/tests/cms_vectors" "$work/p772.bin" "$pki/originator.pem" "$pki/originator.key" \
    "$pki/releaser.pem" "$pki/releaser.key" "$vec" || bad "cms_vectors"
hand() { # NAME EXPECT (EXPECT empty: must verify)
	wrap "$vec/$1.cms" "$vec/$1.p1"
	"$msg" verify --trust "$work/anchors.pem" "$vec/$1.p1" >"$work/out" 2>&1; rc=$?
	if [ -z "$2" ]; then
		[ $rc -eq 0 ] && ok "hand-built $1 verifies" || bad "hand-built $1: $(cat "$work/out")"
	elif [ $rc -eq 1 ] && grep -qF "$2" "$work/out"; then
		ok "$1: $2"
	else
		bad "$1: exit $rc, wanted \"$2\": $(head -3 "$work/out")"
	fi
}
hand good ""
hand no-content-type "0 content-type attributes (exactly one needed)"
hand wrong-content-type "content-type attribute differs from the eContentType"
hand unsigned-label "security label as an unsigned attribute"
hand two-labels "2 security label attributes (at most one)"
hand label-two-values "security label attribute with more than one value"
hand label-duplicate "appears twice"
hand labels-differ "the labels of signers 1 and 2 differ"
hand no-signers "no SignerInfo"

echo "cms: signed receipts (non-repudiation of receipt)"
"$msg" receipt --cert "$pki/recipient.pem" --key "$pki/recipient.key" --chain "$pki/int.pem" \
    "$work/signed.p1" -o "$work/receipt.p1" 2>"$work/out" || bad "receipt: $(cat "$work/out")"
"$msg" dump --json "$work/receipt.p1" >"$work/r.json" 2>&1 &&
    grep -qF '"econtent_type":"1.2.840.113549.1.9.16.1.1"' "$work/r.json" &&
    ok "the decoder recognises the receipt (id-ct-receipt)" || bad "receipt decode: $(head -c 300 "$work/r.json")"
if "$msg" verify-receipt $trust "$work/signed.p1" "$work/receipt.p1" >"$work/out" 2>&1; then
	ok "the receipt proves receipt of exactly that message"
else
	bad "verify-receipt: $(cat "$work/out")"
fi
sign originator "$work/other-signed.p1" --label "$label" --receipt-request
"$msg" verify-receipt $trust "$work/other-signed.p1" "$work/receipt.p1" >"$work/out" 2>&1
if [ $? -eq 1 ] && grep -qF "does not match the original" "$work/out"; then
	ok "a receipt for another message is refused"
else
	bad "receipt for another message: $(cat "$work/out")"
fi
"$msg" receipt --cert "$pki/recipient.pem" --key "$pki/recipient.key" \
    "$work/signed-ec.p1" -o "$work/none.p1" >"$work/out" 2>&1
if [ $? -ne 0 ] && grep -qF "asks for no receipt" "$work/out"; then
	ok "no receipt for a message that asks for none"
else
	bad "receipt without a request: $(cat "$work/out")"
fi
"$msg" dump --extract "$work/receipt.cms" "$work/receipt.p1" >/dev/null
if openssl cms -verify -binary -inform DER -in "$work/receipt.cms" -CAfile "$pki/ca.pem" \
    -certfile "$pki/int.pem" -purpose smimesign -rctform DER -out /dev/null >/dev/null 2>&1 &&
    openssl cms -verify_receipt "$work/receipt.cms" -rctform DER -inform DER \
    -in "$work/signed.cms" -CAfile "$pki/ca.pem" -certfile "$pki/int.pem" -purpose smimesign >/dev/null 2>&1; then
	ok "openssl cms -verify_receipt accepts mmguard's receipt"
else
	bad "openssl cms -verify_receipt of mmguard's receipt"
fi

echo "$pass $fail" >"$results"
echo "cms: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
