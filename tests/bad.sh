#!/bin/sh
# bad.sh - the negative corpus: every file under tests/data/bad/ is refused
# with the reason its .expect file names (or, for "decodes: ...", decodes
# and shows it), and every proper prefix of a sample message is refused
# with an offset.  (tests/data/bad/make-bad.py regenerates the corpus.)
#
#   bad.sh BUILD RESULTS
set -u
build=$1; results=$2
msg=$build/bin/mmguard-msg
pass=0; fail=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mmguard-bad.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

for expect in tests/data/bad/*.expect; do
	base=${expect%.expect}
	want=$(cat "$expect")
	if [ -f "$base.p772" ]; then
		"$msg" dump --json --content p772 "$base.p772" >"$tmp/out" 2>"$tmp/err"
	else
		"$msg" dump --json "$base.p1" >"$tmp/out" 2>"$tmp/err"
	fi
	rc=$?
	case "$want" in
	"decodes: "*)
		frag=${want#decodes: }
		if [ $rc -eq 0 ] && grep -qF "$frag" "$tmp/out"; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
			echo "  FAIL $(basename "$base"): expected to decode with $frag"
		fi;;
	*)
		if [ $rc -eq 1 ] && grep -qF "$want" "$tmp/err" &&
		    grep -q ': offset [0-9]*: ' "$tmp/err"; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
			echo "  FAIL $(basename "$base"): exit $rc, \"$(cat "$tmp/err")\"; expected \"$want\""
		fi;;
	esac
done

# Every truncation of a sample is refused with an offset, never a crash.
"$msg" compose tests/data/msg/flash-p772.spec -o "$tmp/sample"
size=$(wc -c <"$tmp/sample"); i=0; bad=0
while [ $i -lt "$size" ]; do
	head -c $i "$tmp/sample" >"$tmp/t"
	"$msg" dump "$tmp/t" >/dev/null 2>"$tmp/err"; rc=$?
	if [ $rc -ne 1 ] || ! grep -q 'offset [0-9]*: ' "$tmp/err"; then
		bad=$((bad + 1))
		[ $bad -le 3 ] && echo "  FAIL prefix of $i bytes: exit $rc: $(cat "$tmp/err")"
	fi
	i=$((i + 1))
done
if [ $bad -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
echo "negative corpus: every one of $size truncations refused: $([ $bad -eq 0 ] && echo yes || echo "no, $bad not")"

echo "$pass $fail" >"$results"
echo "negative corpus: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
