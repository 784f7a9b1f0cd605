#!/bin/sh
# check.sh - every sandbox profile under its real filter.
#
#   sh tests/sandbox/check.sh BUILD RESULTS
#
# For each profile, with BUILD/tests/sandbox-probe (release filter: kill)
# and BUILD/tests/sandbox-probe-debug (trap and name the call):
#   - /proc/self/status after entering: Seccomp 2, NoNewPrivs 1, CapEff
#     and CapBnd empty, and, when run as root, the unprivileged user's ids;
#   - the profile's allowed work succeeds and gives the right answer;
#   - each forbidden call (open, socket, execve, fork, executable mmap, and
#     the profile's own: reading net_tx's socket, writing net_rx's, also
#     through a raw call with high bits in the descriptor, unlink in audit)
#     kills the probe with SIGSYS, as its parent sees it;
#   - the debug build exits 159 and names that system call on stderr;
#   - seen from outside (/proc/PID): new network and IPC namespaces, the
#     resource limits;
#   - spawn: a child started by proc_exec() holds exactly fds 0-3 and
#     exchanges a frame carrying a sealed memfd under the compute profile;
#   - started as a non-root user (setpriv), the same confinement but the
#     uid change.
# Writes "passed failed" into RESULTS; exits non-zero on any failure.
set -u
build=$1
results=$2
probe=$build/tests/sandbox-probe
debug=$build/tests/sandbox-probe-debug
pass=0
fail=0

ok() { echo "sandbox: ok   $*"; pass=$((pass + 1)); }
bad() { echo "sandbox: FAIL $*"; fail=$((fail + 1)); }
check() {	# check NAME COMMAND...: ok when COMMAND succeeds
	name=$1; shift
	if "$@"; then ok "$name"; else bad "$name"; fi
}

for p in "$probe" "$debug"; do
	if [ ! -x "$p" ]; then
		echo "sandbox: $p missing (run make first)"
		mkdir -p "$(dirname "$results")"
		echo "0 1" >"$results"
		exit 1
	fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
chmod 755 "$tmp"

root=no
user=
if [ "$(id -u)" -eq 0 ]; then
	root=yes
	user=nobody
	if ! id "$user" >/dev/null 2>&1; then
		user=mmguard-probe
		id "$user" >/dev/null 2>&1 ||
		    useradd --system --no-create-home --shell /usr/sbin/nologin \
		    "$user"
	fi
	uid=$(id -u "$user")
	gid=$(id -g "$user")
	# The unprivileged runs below need to reach the probes.
	cp "$probe" "$debug" "$tmp/"
	chmod 755 "$tmp/sandbox-probe" "$tmp/sandbox-probe-debug"
fi
uflag=${user:+-u $user}

# Exit status as the parent sees it: -N for "killed by signal N".
status_of() {
	python3 -c '
import subprocess, sys
r = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL,
    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
sys.stdout.write("%d\n" % r.returncode)
sys.stderr.write(r.stderr.decode(errors="replace"))
' "$@"
}

newdir() {	# a fresh directory the probe's user may write
	d=$(mktemp -d "$tmp/dir.XXXXXX")
	[ -n "$user" ] && chown "$user" "$d"
	echo "$d"
}

names() {	# names STATUS PATTERN FILE: the debug build's trap report
	[ "$1" = 159 ] && grep -q "$2" "$3"
}

sys_of() {	# the system call an action makes
	case $1 in
	open) echo openat ;; fork) echo clone ;; mmap-exec) echo mmap ;;
	sock-read*) echo read ;; sock-write*) echo write ;;
	unlink) echo unlinkat ;; *) echo "$1" ;;
	esac
}

input="The quick brown fox, 0123456789."
upper=$(printf '%s\n' "$input" | tr 'a-z' 'A-Z')
sha=$(printf '%s\n' "$input" | sha256sum | cut -d' ' -f1)

for prof in compute verify spool net_tx net_rx audit; do
	dir=$(newdir)

	# --- status
	out=$("$probe" $uflag -d "$dir" $prof status 2>"$tmp/err")
	field() { printf '%s\n' "$out" | sed -n "s/^$1:[[:space:]]*//p"; }
	check "$prof: Seccomp 2" [ "$(field Seccomp)" = 2 ]
	check "$prof: NoNewPrivs 1" [ "$(field NoNewPrivs)" = 1 ]
	check "$prof: CapEff 0000000000000000" \
	    [ "$(field CapEff)" = 0000000000000000 ]
	check "$prof: CapBnd 0000000000000000" \
	    [ "$(field CapBnd)" = 0000000000000000 ]
	if [ $root = yes ]; then
		check "$prof: Uid $uid (all four)" [ "$(field Uid | tr -s '\t ' ' ')" = \
		    "$uid $uid $uid $uid" ]
		check "$prof: Gid $gid (all four)" [ "$(field Gid | tr -s '\t ' ' ')" = \
		    "$gid $gid $gid $gid" ]
	fi

	# --- allowed work
	out=$(printf '%s\n' "$input" |
	    "$probe" $uflag -d "$dir" $prof work 2>"$tmp/err")
	rc=$?
	case $prof in
	compute)
		check "compute: work (input upper-cased)" \
		    [ $rc = 0 -a "$out" = "$upper" ] ;;
	verify)
		check "verify: work (SHA-256 as sha256sum, ECDSA verified)" \
		    [ $rc = 0 -a "$out" = "$sha
signature verified" ] ;;
	spool)
		check "spool: work (write, fsync, rename, list, read, unlink)" \
		    [ $rc = 0 -a "$(printf '%s\n' "$out" | head -3)" = \
		    "queued $((${#input} + 1)) bytes
listed msg1
read back $input" ]
		check "spool: absolute path refused beneath the dir (Landlock)" \
		    grep -q '^escape /etc/passwd refused: Permission denied$' \
		    <<EOF
$out
EOF
		check "spool: .. refused (Landlock)" \
		    grep -q '^escape \.\. refused: Permission denied$' <<EOF
$out
EOF
		check "spool: nothing left in the dir" \
		    [ -z "$(ls -A "$dir")" ] ;;
	audit)
		check "audit: work (append, fdatasync, rename)" \
		    [ $rc = 0 -a "$(cat "$dir/audit.log" 2>/dev/null)" = \
		    "record 1" ]
		check "audit: absolute path refused (Landlock)" \
		    grep -q '^escape /etc/passwd refused: Permission denied$' \
		    <<EOF
$out
EOF
		;;
	net_tx|net_rx)
		check "$prof: work (one datagram, kept in a file)" \
		    [ $rc = 0 -a "$(printf '%s\n' "$out" | head -2)" = \
		    "$prof: one-way datagram
kept in a file beneath the folder" -a \
		    "$(cat "$dir/datagram" 2>/dev/null)" = "one-way datagram" ]
		check "$prof: absolute path refused (Landlock)" \
		    grep -q '^escape /etc/passwd refused: Permission denied$' \
		    <<EOF
$out
EOF
		;;
	esac
	[ $rc = 0 ] || sed 's/^/    /' "$tmp/err"

	# --- forbidden calls
	extra=
	case $prof in
	net_tx) extra="sock-read sock-read-hi" ;;
	net_rx) extra="sock-write sock-write-hi" ;;
	audit) extra=unlink ;;
	esac
	for a in open socket execve fork mmap-exec $extra; do
		st=$(status_of "$probe" $uflag -d "$dir" $prof $a 2>"$tmp/err")
		check "$prof: $a killed by SIGSYS (status $st)" [ "$st" = -31 ]
		st=$(status_of "$debug" $uflag -d "$dir" $prof $a 2>"$tmp/err")
		s=$(sys_of $a)
		check "$prof: $a in the debug build: 159, names $s" \
		    names "$st" "^sandbox: $prof: forbidden syscall $s (" \
		    "$tmp/err"
	done
done

# --- another ABI: the filter's architecture test kills (debug build too)
if [ "$(uname -m)" = x86_64 ]; then
	for p in "$probe" "$debug"; do
		st=$(status_of "$p" $uflag compute x32 2>/dev/null)
		check "compute: x32 system call killed ($(basename "$p"))" \
		    [ "$st" = -31 ]
	done
fi

# --- namespaces and limits, seen from outside while the probe waits
for prof in compute verify spool; do
	dir=$(newdir)
	rm -f "$tmp/fifo"
	mkfifo "$tmp/fifo"
	"$probe" $uflag -d "$dir" $prof work <"$tmp/fifo" >/dev/null 2>&1 &
	pid=$!
	exec 9>"$tmp/fifo"
	i=0
	while [ $i -lt 100 ] &&
	    ! grep -q '^Seccomp:[[:space:]]*2' /proc/$pid/status 2>/dev/null; do
		sleep 0.05
		i=$((i + 1))
	done
	mine=$(readlink /proc/self/ns/net)
	its=$(readlink /proc/$pid/ns/net 2>/dev/null)
	if [ $root = yes ] || [ "$(readlink /proc/self/ns/user)" != \
	    "$(readlink /proc/$pid/ns/user 2>/dev/null)" ]; then
		check "$prof: own network namespace ($its)" \
		    [ -n "$its" -a "$its" != "$mine" ]
		ipc=$(readlink /proc/$pid/ns/ipc 2>/dev/null)
		check "$prof: own IPC namespace ($ipc)" [ -n "$ipc" -a \
		    "$ipc" != "$(readlink /proc/self/ns/ipc)" ]
	else
		echo "sandbox: skip $prof namespaces (no user namespaces here)"
	fi
	lim() { sed -n "s/^$1  *\([^ ]*\) .*/\1/p" /proc/$pid/limits; }
	check "$prof: no core files" [ "$(lim 'Max core file size')" = 0 ]
	check "$prof: no new processes" [ "$(lim 'Max processes')" = 0 ]
	want=32; [ $prof = spool ] && want=256
	check "$prof: at most $want descriptors" \
	    [ "$(lim 'Max open files')" = $want ]
	check "$prof: address space 2 GiB" \
	    [ "$(lim 'Max address space')" = 2147483648 ]
	exec 9>&-
	wait $pid
done

# --- proc_exec: a child with exactly 0-3, one frame each way with an fd
out=$("$probe" $uflag spawn 2>"$tmp/err")
rc=$?
check "spawn: child holds exactly fds 0 1 2 3" \
    grep -q '^child fds: 0 1 2 3$' <<EOF
$out
EOF
check "spawn: child answered the frame (id 77, 41+1)" \
    grep -q '^child reply: id 77 value 42$' <<EOF
$out
EOF
check "spawn: child read the sealed memfd under compute" \
    grep -q '^child read: sealed message body$' <<EOF
$out
EOF
check "spawn: descriptor came back read-only with the same bytes" \
    grep -q '^returned descriptor: read-only, reads: sealed message body$' \
    <<EOF
$out
EOF
check "spawn: child exited 0" [ $rc = 0 ]
[ $rc = 0 ] || sed 's/^/    /' "$tmp/err"

# --- started as a non-root user: everything but the uid change
if [ $root = yes ]; then
	asuser="setpriv --reuid=$uid --regid=$gid --clear-groups"
	out=$($asuser "$tmp/sandbox-probe" compute status 2>"$tmp/err")
	field() { printf '%s\n' "$out" | sed -n "s/^$1:[[:space:]]*//p"; }
	check "non-root compute: Seccomp 2, NoNewPrivs 1, CapEff 0" \
	    [ "$(field Seccomp)" = 2 -a "$(field NoNewPrivs)" = 1 -a \
	    "$(field CapEff)" = 0000000000000000 ]
	out=$(printf '%s\n' "$input" |
	    $asuser "$tmp/sandbox-probe" compute work 2>"$tmp/err")
	check "non-root compute: work" [ "$out" = "$upper" ]
	st=$(status_of $asuser "$tmp/sandbox-probe" compute socket 2>/dev/null)
	check "non-root compute: socket killed by SIGSYS" [ "$st" = -31 ]
	dir=$(newdir)
	out=$(printf '%s\n' "$input" |
	    $asuser "$tmp/sandbox-probe" -d "$dir" spool work 2>"$tmp/err")
	check "non-root spool: work and escapes refused" [ $? = 0 -a \
	    "$(printf '%s\n' "$out" | grep -c 'refused: Permission denied')" = 2 ]
	out=$($asuser "$tmp/sandbox-probe" spawn 2>"$tmp/err")
	check "non-root spawn: fds 0-3, frame exchanged" \
	    [ "$(printf '%s\n' "$out" | head -1)" = "child fds: 0 1 2 3" ]
fi

mkdir -p "$(dirname "$results")"
echo "$pass $fail" >"$results"
echo "sandbox: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
