#!/bin/sh
# check.sh - mmguard-archive end to end on real composed messages.
#
#   check.sh BUILD RESULTS
#
# The example SPECs under tests/data/msg/ (and a CMS-signed variant of the
# FLASH P772) are composed with mmguard-msg and archived with different
# verdicts, times and reasons, together with bytes that do not decode.
# Then: search by word, phrase, SIC, originator, recipient, precedence,
# verdict and time range (text and JSON output), query syntax errors,
# get byte-identical (cmp), a blob altered behind the archive's back
# refused on get, re-archiving, retention purge printing exactly the
# expired ids, the full integrity check, and usage errors.
# Writes "passed failed" to RESULTS.
set -u
build=$1; results=$2
bin=$(cd "$build" && pwd)/bin
msg=$bin/mmguard-msg
work=$(mktemp -d "${TMPDIR:-/tmp}/mmguard-archive.XXXXXX")
trap 'rm -rf "$work"' EXIT
store=$work/archive.sqlite
pass=0; fail=0
ok()  { pass=$((pass + 1)); echo "  ok   $*"; }
bad() { fail=$((fail + 1)); echo "  FAIL $*"; }
arc() { "$bin/mmguard-archive" -d "$store" "$@"; }

# expect NAME WANT CMD...: CMD's standard output equals WANT.
expect() {
	name=$1; want=$2; shift 2
	got=$("$@" 2>"$work/stderr")
	if [ "$got" = "$want" ]; then ok "$name"; else
		bad "$name: got"; echo "$got" | sed 's/^/         /'
		echo "       expected"; echo "$want" | sed 's/^/         /'
		sed 's/^/       stderr: /' "$work/stderr"
	fi
}
# fails NAME STATUS TEXT CMD...: CMD exits STATUS saying TEXT on stderr.
fails() {
	name=$1; status=$2; text=$3; shift 3
	"$@" >/dev/null 2>"$work/stderr"; rc=$?
	if [ "$rc" -eq "$status" ] && grep -qF -- "$text" "$work/stderr"; then
		ok "$name"
	else
		bad "$name: exit $rc (want $status), stderr:"
		sed 's/^/         /' "$work/stderr"
	fi
}
# ids QUERY-ARGS...: the ids a search prints, space-separated.
ids() { arc search "$@" | cut -f2 | tr '\n' ' ' | sed 's/ $//'; }

# --- messages ---------------------------------------------------------------
cp tests/data/msg/*.spec "$work/"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$work/orig.key" -subj "/C=GB/O=MOD/CN=Originator" -days 2 \
    -out "$work/orig.pem" 2>/dev/null
sed -e "s|^content-type: p772|content-type: p772\nsign: cert=$work/orig.pem; key=$work/orig.key|" \
    -e 's|^subject: .*|subject: Signed bridge orders|' \
    -e 's|^sic: ZKB12|sic: QRS77|' \
    tests/data/msg/flash-p772.spec >"$work/signed.spec"
for s in flash-p772 routine-ipm forwarded bodyparts report signed; do
	(cd "$work" && "$msg" compose "$s.spec" -o "$s.p1") ||
	    bad "compose $s.spec"
done
printf '\060\204\377\377\377\377 not BER at all' >"$work/junk.bin"

# --- add --------------------------------------------------------------------
expect "add a FLASH P772, released" "archived F1: $(wc -c <"$work/flash-p772.p1" | tr -d ' ') bytes, SHA-256 $(sha256sum "$work/flash-p772.p1" | cut -d' ' -f1), released" \
    arc add "$work/flash-p772.p1" --id F1 --verdict released \
    --time 2026-11-29T10:00:00Z --reason 'REL-1:released by policy'
arc add "$work/routine-ipm.p1" --id R1 --verdict rejected --time \
    2026-11-28T09:00:00Z --direction low-to-high --reason \
    'DLP-3:word "depot" in body part 1' --reason 'LBL-1:no label' \
    >/dev/null && ok "add a ROUTINE IPM, rejected, two reasons" ||
    bad "add R1"
arc add "$work/forwarded.p1" --id FW --verdict held \
    --time 2026-11-29T12:00:00Z >/dev/null && ok "add a forwarding message" ||
    bad "add FW"
arc add "$work/bodyparts.p1" --id BP --verdict delivered \
    --time 2026-11-30T08:00:00Z >/dev/null && ok "add every body part type" ||
    bad "add BP"
arc add "$work/report.p1" --id RP --verdict delivered \
    --time 2026-11-30T09:00:00Z >/dev/null && ok "add a report" ||
    bad "add RP"
arc add "$work/signed.p1" --id S1 --verdict released \
    --time 2026-11-30T10:00:00Z >/dev/null && ok "add a CMS-signed P772" ||
    bad "add S1"
fails "undecodable bytes archived with the decode error" 0 \
    "JUNK does not decode (offset" \
    arc add "$work/junk.bin" --id JUNK --verdict quarantined \
    --time 2026-11-30T11:00:00Z
fails "same id, other bytes: refused" 1 \
    "message F1 is already archived with other bytes" \
    arc add "$work/routine-ipm.p1" --id F1 --verdict released
fails "unknown verdict: usage" 2 "--verdict: \"passed\" is not" \
    arc add "$work/routine-ipm.p1" --id X --verdict passed
fails "bad time: usage" 2 "is not a time" \
    arc add "$work/routine-ipm.p1" --id X --verdict held --time 2026-11-29

# --- search -----------------------------------------------------------------
expect "search: all, in time order" "R1 F1 FW BP RP S1 JUNK" ids
expect "search: word in subject and body" "F1 S1" ids exercise
expect "search: word in a forwarded message" "FW" ids 'body:"original text"'
expect "search: word through CMS SignedData" "S1" ids 'subject:bridge AND body:phase'
expect "search: SIC" "F1" ids sics:ZKB12
expect "search: SIC of the signed message" "S1" ids sics:QRS77
expect "search: originator" "R1" ids originator:jansen
expect "search: recipient" "F1 S1" ids recipients:shape
expect "search: diacritics folded" "BP" ids cafe
expect "search: precedence" "F1 S1" ids --precedence flash
expect "search: verdict" "F1 S1" ids --verdict released
expect "search: time range, inclusive" "F1 FW BP" ids \
    --from 2026-11-29T10:00:00Z --to 2026-11-30T08:00:00Z
expect "search: words and filters" "F1" ids 'sics:AAA' \
    --to 2026-11-29T23:59:59Z
expect "search: no match" "" ids 'nosuchword'
expect "search: line format" "$(printf '2026-11-28T09:00:00Z\tR1\t-\trejected\tG=Jan; S=Jansen; O=HQ; P=NLMOD; A= ; C=NL\tLogistics report')" \
    arc search logistics
expect "search: JSON" '[{"id":"F1","time":"2026-11-29T10:00:00Z","direction":"high-to-low","precedence":"flash","verdict":"released","subject":"FLASH exercise traffic","originator":"G=John; S=Smith; O=PJHQ; P=MOD; A= ; C=GB","decode_error":null}]' \
    arc search --json sics:ZKB12
expect "search: limit" "R1 F1" ids --limit 2
fails "search: limit says there is more" 0 "more than 2 messages match" \
    arc search --limit 2
fails "search: FTS5 syntax error" 1 'search query "AND OR": fts5: syntax error' \
    arc search 'AND OR'
fails "search: unknown column" 1 "no such column: sender" \
    arc search 'sender:smith'
fails "search: bad precedence" 2 "--precedence: \"urgent\"" \
    arc search --precedence urgent

# --- show, get --------------------------------------------------------------
expect "show: reasons in order" "$(printf 'reason: DLP-3: word "depot" in body part 1\nreason: LBL-1: no label')" \
    sh -c "\"$bin/mmguard-archive\" -d \"$store\" show R1 | grep '^reason:'"
expect "show: direction" "direction: low-to-high" \
    sh -c "\"$bin/mmguard-archive\" -d \"$store\" show R1 | grep '^direction:'"
for id in F1:flash-p772.p1 S1:signed.p1 JUNK:junk.bin BP:bodyparts.p1; do
	arc get "${id%%:*}" -o "$work/out" &&
	    cmp -s "$work/out" "$work/${id#*:}" &&
	    ok "get ${id%%:*}: byte-identical" || bad "get ${id%%:*}"
done
rm -f "$work/out"; arc get F1 -o "$work/out"
expect "get: a new file is private (0600)" "600" stat -c %a "$work/out"
fails "get: unknown id" 1 "message NOPE is not in the archive" \
    arc get NOPE -o "$work/out"
if command -v sqlite3 >/dev/null 2>&1; then
	sqlite3 "$store" "UPDATE msg_raw SET raw = CAST('tampered' AS BLOB) WHERE rowid = (SELECT rowid FROM msg WHERE id = 'BP')"
	fails "get: altered blob refused" 1 \
	    "message BP: the stored bytes (8, SHA-256" \
	    arc get BP -o "$work/out"
else
	echo "  skipped the tamper check (no sqlite3 command)"
fi

# --- re-archive, purge, check ------------------------------------------------
arc add "$work/forwarded.p1" --id FW --verdict released \
    --time 2026-11-30T12:00:00Z --reason 'REL-9:released by the officer' \
    >/dev/null && ok "held message archived again as released" ||
    bad "re-add FW"
expect "search: the later state" "FW" ids --verdict released \
    --from 2026-11-30T12:00:00Z
expect "purge: prints exactly the expired ids" "$(printf 'R1\t2026-11-28T09:00:00Z\nF1\t2026-11-29T10:00:00Z')" \
    arc purge --retention 1d --now 2026-11-30T10:00:00Z
expect "purge: they are gone" "BP RP S1 JUNK FW" ids
expect "purge: index entries gone" "S1" ids exercise
fails "get: purged id" 1 "message F1 is not in the archive" \
    arc get F1 -o "$work/out"
expect "purge: nothing more expired" "" \
    arc purge --retention 1d --now 2026-11-30T10:00:00Z
fails "purge: bad duration" 2 "--retention: \"3q\" is not a duration" \
    arc purge --retention 3q
expect "check: full integrity check" "$store: ok" arc check

# --- refusals, usage ---------------------------------------------------------
printf 'not a database, just text, long enough to be looked at.....' \
    >"$work/bogus"
fails "store that is not a database refused" 1 "not an archive store" \
    "$bin/mmguard-archive" -d "$work/bogus" search
fails "absent store refused" 1 "No such file or directory" \
    "$bin/mmguard-archive" -d "$work/absent" search
fails "no command: usage" 2 "usage: mmguard-archive" "$bin/mmguard-archive"
"$bin/mmguard-archive" --help | grep -q "purge    delete messages" &&
    ok "--help describes every command" || bad "--help"

echo "$pass $fail" >"$results"
echo "archive check: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
