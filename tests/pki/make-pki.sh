#!/bin/sh
# make-pki.sh - a throw-away test PKI, generated at test time.
#
#   make-pki.sh DIR
#
# DIR/ gets, all PEM: ca.pem (root, the trust anchor), int.pem
# (intermediate CA), and signers signed by the intermediate, each NAME.pem
# with NAME.key and NAME-chain.pem (signer + intermediate):
#   originator      RSA-2048, S/MIME signing
#   originator-ec   ECDSA P-256, S/MIME signing
#   releaser        RSA-2048, certificate policy 2.999.1.1 (release authority)
#   recipient       RSA-2048, for signed receipts
#   revoked         revoked in the intermediate's CRL
#   expired         validity ended in 2024
#   wrong-usage     keyEncipherment only (no digitalSignature)
#   weak            RSA-1024
# and CRLs: crl.pem (root and intermediate CRLs, current), crl-expired.pem
# (the intermediate's CRL with nextUpdate in the past, and the root's).
set -eu
d=$1
mkdir -p "$d"
cd "$d"

cat >openssl.cnf <<'CNF'
[ca]
default_ca = ca_int
[ca_root]
dir = root
database = $dir/index.txt
serial = $dir/serial
crlnumber = $dir/crlnumber
new_certs_dir = $dir
certificate = ca.pem
private_key = ca.key
default_md = sha256
policy = policy_any
copy_extensions = none
[ca_int]
dir = int
database = $dir/index.txt
serial = $dir/serial
crlnumber = $dir/crlnumber
new_certs_dir = $dir
certificate = int.pem
private_key = int.key
default_md = sha256
policy = policy_any
copy_extensions = none
[policy_any]
countryName = optional
organizationName = optional
commonName = supplied
[v3_ca]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_signer]
basicConstraints = CA:false
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = emailProtection
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_releaser]
basicConstraints = CA:false
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = emailProtection
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
certificatePolicies = 2.999.1.1
[v3_wrong]
basicConstraints = CA:false
keyUsage = critical, keyEncipherment
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF

for ca in root int; do
	mkdir -p $ca; : >$ca/index.txt; echo 1000 >$ca/serial; echo 01 >$ca/crlnumber
done
q() { "$@" >/dev/null 2>&1 || { echo "make-pki: failed: $*" >&2; exit 1; }; }

q openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3650 \
    -subj "/C=GB/O=MMGUARD TEST/CN=Test Root CA" -config openssl.cnf -extensions v3_ca
q openssl req -new -newkey rsa:2048 -nodes -keyout int.key -out int.csr \
    -subj "/C=GB/O=MMGUARD TEST/CN=Test Intermediate CA" -config openssl.cnf
q openssl ca -batch -config openssl.cnf -name ca_root -in int.csr -out int.pem \
    -days 3000 -extensions v3_ca -notext

signer() { # NAME KEY EXTENSIONS [START END]; KEY is rsaN or p256
	name=$1; key=$2; ext=$3
	case $key in
	p256) set -- "$@" ; kopt="-newkey ec -pkeyopt ec_paramgen_curve:P-256";;
	rsa*) kopt="-newkey rsa:${key#rsa}";;
	esac
	# shellcheck disable=SC2086
	q openssl req -new $kopt -nodes -keyout "$name.key" -out "$name.csr" \
	    -subj "/C=GB/O=MMGUARD TEST/CN=$name" -config openssl.cnf
	if [ $# -ge 5 ]; then
		q openssl ca -batch -config openssl.cnf -in "$name.csr" -out "$name.pem" \
		    -startdate "$4" -enddate "$5" -extensions "$ext" -notext
	else
		q openssl ca -batch -config openssl.cnf -in "$name.csr" -out "$name.pem" \
		    -days 365 -extensions "$ext" -notext
	fi
	cat "$name.pem" int.pem >"$name-chain.pem"
}
signer originator rsa2048 v3_signer
signer originator-ec p256 v3_signer
signer releaser rsa2048 v3_releaser
signer recipient rsa2048 v3_signer
signer revoked rsa2048 v3_signer
signer expired rsa2048 v3_signer 20230101000000Z 20240101000000Z
signer wrong-usage rsa2048 v3_wrong
signer weak rsa1024 v3_signer

# CRLs: the intermediate revokes "revoked"; an expired one too.
q openssl ca -config openssl.cnf -revoke revoked.pem -crl_reason keyCompromise
q openssl ca -config openssl.cnf -gencrl -crldays 30 -out int-crl.pem
q openssl ca -config openssl.cnf -name ca_root -gencrl -crldays 30 -out root-crl.pem
q openssl ca -config openssl.cnf -gencrl -crl_lastupdate 20240101000000Z \
    -crl_nextupdate 20240201000000Z -out int-crl-expired.pem
cat root-crl.pem int-crl.pem >crl.pem
cat root-crl.pem int-crl-expired.pem >crl-expired.pem
rm -f ./*.csr
