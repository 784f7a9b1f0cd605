#!/bin/sh
# summary.sh - add up the "passed failed" files the stages of make check
# wrote into DIR and print one closing line; exit non-zero on any failure
# or when no test ran at all.
set -u
dir=$1
pass=0; fail=0; stages=0
for f in "$dir"/*.res; do
	[ -f "$f" ] || continue
	read -r p q <"$f"
	printf '  %-20s %s passed, %s failed\n' "$(basename "$f" .res)" "$p" "$q"
	pass=$((pass + p)); fail=$((fail + q)); stages=$((stages + 1))
done
echo "check: $pass passed, $fail failed"
[ "$stages" -gt 0 ] && [ "$pass" -gt 0 ] && [ "$fail" -eq 0 ]
