# lib.sh - what the scenario, crash and pipeline benchmark scripts share:
# a guard in a throw-away run folder (test PKI, keys, the example
# policies), and sample traffic.  Source it with bin and run set.
#
#   guard_setup     make RUN/etc: PKI, keys, policies, mmguardd.conf
#   guard_start     start mmguardd; wait for its control socket
#   guard_stop      SIGTERM and wait
#   mk NAME SIGNER BODY [PREC] [SIZE]
#                   compose (and sign, unless SIGNER is -) RUN/msg/NAME.p1
#   clone NAME N    RUN/msg/NAME.p1 copied N times with distinct envelope
#                   identifiers (outside the signature): RUN/msg/NAME-K.p1
#   drop FILE DIR   into a drop folder the way writers must: a dot name,
#                   then a rename
#   burst DIR NAME N
#                   RUN/msg/NAME-1..N.p1 into DIR at once (dot names, then
#                   renames, in one process)
#   where SUBJECT   the spool state and id of the message with SUBJECT

FD_SECRET_GBR="policy=2.999.4406.1; classification=4; enumerated-permissive=2.999.4406.2.2:826"

guard_setup() {
	rm -rf "$run"
	mkdir -p "$run/etc" "$run/msg"
	etc=$run/etc
	sh tests/pki/make-pki.sh "$etc/pki" >/dev/null 2>&1
	head -c 32 /dev/urandom >"$etc/token.key"
	head -c 32 /dev/urandom >"$etc/link.key"
	chmod 600 "$etc/token.key" "$etc/link.key"
	"$bin/mmguard-audit" keygen -o "$etc/audit.pem" \
	    --pub "$etc/audit.pub" >/dev/null
	cp policy/examples/guard.xml policy/examples/freedonia.xml \
	    policy/examples/nato.xml policy/examples/phrases.txt "$etc/"
	user=
	root=0
	if [ "$(id -u)" = 0 ]; then
		# As on an appliance: each role its own user (make install
		# creates them; so does this, the same way).
		sh guard/mmguardd/mkusers.sh _mmguard >/dev/null
		user="users _mmguard"
		root=1
		chmod 755 "$etc"
	fi
	cat >"$etc/mmguardd.conf" <<CONF
run $run/run
policy guard.xml
pki pki
token-key token.key
link-key link.key
audit $run/audit
audit-key audit.pem
archive $run/archive/archive.sqlite
mta ${MTA:-guard.test}
domain FD ADMD0 FDGUARD
workers ${WORKERS:-2}
$user
direction high-to-low {
	pickup $run/high/outbound
	deliver $run/low/inbound
	reports $run/high/reports
}
direction low-to-high {
	pickup $run/low/outbound
	deliver $run/high/inbound
	reports $run/low/reports
}
CONF
	export MMGUARD_CONTROL=$run/run/control.sock
}

guard_start() {
	rm -f "$MMGUARD_CONTROL"
	"$bin/mmguardd" -c "$run/etc/mmguardd.conf" 2>>"$run/mmguardd.log" &
	guard_pid=$!
	_i=0
	while [ ! -S "$MMGUARD_CONTROL" ] && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	sleep 0.5
}

guard_stop() {
	kill -TERM "$guard_pid" 2>/dev/null
	wait "$guard_pid" 2>/dev/null
	return 0
}

mk_n=0
mk() { # NAME SIGNER BODY [PREC] [SIZE]
	mk_n=$((mk_n + 1))
	{
		echo "message-id: C=FD; A= ; P=MOD; L=TPL-$1-0000000"
		echo "originator: G=Anna; S=Berg; OU1=J3; O=FDF; P=MOD; A= ; C=GB"
		echo "recipient: S=Ops; O=SHAPE; P=NATO; A= ; C=BE"
		echo "content-type: p772"
		echo "trace: C=FD; A= ; P=MOD; arrival=20261129084600Z; action=relayed"
		echo "security-label: $FD_SECRET_GBR"
		echo
		echo "[heading]"
		echo "this-ipm: local=T-$mk_n"
		echo "subject: scenario $1"
		echo "primary-precedence: ${4:-routine}"
		echo "message-type: exercise; id=SCN"
		echo "sic: AAA"
		echo
		echo "[body ia5-text]"
		echo "$3"
		_k=0
		while [ $_k -lt $(( ${5:-0} / 64 )) ]; do
			echo "Status line $_k: all units report readiness unchanged."
			_k=$((_k + 1))
		done
	} >"$run/msg/$1.spec"
	"$bin/mmguard-msg" compose "$run/msg/$1.spec" -o "$run/msg/$1.plain"
	if [ "$2" = - ]; then
		cp "$run/msg/$1.plain" "$run/msg/$1.p1"
	else
		"$bin/mmguard-msg" sign --cert "$run/etc/pki/$2.pem" \
		    --key "$run/etc/pki/$2.key" --chain "$run/etc/pki/int.pem" \
		    --label "$FD_SECRET_GBR" "$run/msg/$1.plain" \
		    -o "$run/msg/$1.p1"
	fi
}

clone() { # NAME N
	python3 - "$run/msg/$1.p1" "$2" "$1" <<'PY'
import sys
src, n, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
b = open(src, "rb").read()
tag = ("TPL-%s-" % name).encode()
i = b.find(tag + b"0000000")
assert i >= 0, "no template identifier"
for k in range(1, n + 1):
    c = bytearray(b)
    c[i + len(tag):i + len(tag) + 7] = b"%07d" % k
    open(src[:-3] + "-%d.p1" % k, "wb").write(bytes(c))
PY
}

drop() { # FILE DIR
	_b=$(basename "$1")
	cp "$1" "$2/.$_b"
	mv "$2/.$_b" "$2/$_b"
}

# burst DIR PREFIX N: RUN/msg/PREFIX-1..N.p1 into DIR all at once: copied
# under hidden names, then renamed to their visible names, in one process
# (a shell loop of cp and mv feeds the guard more slowly than it takes
# messages in, and the benchmark would measure the loop).
burst() { # DIR PREFIX N
	python3 -c '
import os, shutil, sys
d, p, n, src = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
os.makedirs(d, exist_ok=True)
names = ["%s-%d.p1" % (p, k) for k in range(1, n + 1)]
for m in names:
    shutil.copyfile(os.path.join(src, m), os.path.join(d, "." + m))
for m in names:
    os.rename(os.path.join(d, "." + m), os.path.join(d, m))' \
	    "$1" "$2" "$3" "$run/msg"
}

where() { # SUBJECT
	(cd "$run/run" && for g in h2l/spool/*/*; do
		if grep -aqF "scenario $1" "$g" 2>/dev/null; then
			echo "$(echo "$g" | cut -d/ -f3) $(basename "$g")"
			return
		fi
	done)
}
