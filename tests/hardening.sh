#!/bin/sh
# hardening.sh - every program is a PIE, with a GNU_RELRO segment, BIND_NOW,
# a non-executable stack and the stack protector; fortified calls where the
# program makes any.
#
#   hardening.sh RESULTS PROGRAM...
set -u
results=$1; shift
mkdir -p "$(dirname "$results")"
pass=0; fail=0
for p in "$@"; do
	why=
	readelf -h "$p" | grep -q 'Type: *DYN' || why="$why not-PIE"
	readelf -d "$p" | grep -q 'FLAGS_1.*PIE' || why="$why no-PIE-flag"
	readelf -d "$p" | grep -Eq 'BIND_NOW|FLAGS_1.* NOW' || why="$why no-BIND_NOW"
	readelf -lW "$p" | grep -q GNU_RELRO || why="$why no-RELRO"
	readelf -lW "$p" | grep GNU_STACK | grep -q RWE && why="$why exec-stack"
	readelf -sW "$p" | grep -q '__stack_chk_fail' || why="$why no-stack-protector"
	if [ -z "$why" ]; then
		echo "  ok   $p: PIE, RELRO, BIND_NOW, NX stack, stack protector"
		pass=$((pass + 1))
	else
		echo "  FAIL $p:$why"
		fail=$((fail + 1))
	fi
done
echo "$pass $fail" >"$results"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
