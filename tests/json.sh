#!/bin/bash
# json.sh - `memleak -j` (JSON Lines) against the text report of the same
# run, on the 6.1 "leaks" fixture (slub_debug=U: stacks and ages).
#
#   tests/json.sh
#
# Runs, in one crash session on the ELF dump: memleak -j A (the list) and
# memleak -s -j B (the groups); and on the makedumpfile form memleak -q -s
# -j C: the same dump read another way, whose group ids must be the same. tests/json_check.py parses
# every line with python's json module and compares: the orphan records
# with the text's orphans (addresses, sizes, caches, classes, holders), the
# group records with the -s text (order, counts, bytes), the summary
# record's figures with the text summary, group ids with the orphans that
# carry them. Prints PASS:/FAIL: lines; exit status 1 if anything failed.
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
. "$REPO/tests/fixture/common.sh"
SO=${KMEMLEAK_SO:-$REPO/kmemleak.so}
PY=$(pick_python)

fail_out() { echo "FAIL: json: $*"; exit 1; }
FIX=$("$REPO/tests/fixture/build-fixture.sh" leaks </dev/null | sed -n 's/^FIXTURE_DIR=//p' | tail -n 1)
[ -n "$FIX" ] && [ -s "$FIX/vmcore" ] || fail_out "the 6.1 leaks fixture is not available"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/kmemleak-json.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT

# session CRASH DUMP CMDS...: one crash session; its output in $WORK/out
session() {
	local crash=$1 dump=$2
	shift 2
	{ echo "extend $SO"; printf '%s\n' "$@"; echo quit; } >"$WORK/cmds"
	(cd "$FIX" && timeout -k 10 600 "$crash" -s vmlinux "$dump" <"$WORK/cmds" >"$WORK/out" 2>&1)
}
# markers between the commands: gdb prints "$N = 9000001"
session crash vmcore 'p 9000001' "memleak -j $WORK/list.jsonl" 'p 9000002' \
	"memleak -s -j $WORK/groups.jsonl" 'p 9000003'
awk '/ = 9000001$/ { on = 1; next } / = 9000002$/ { on = 0 } on' "$WORK/out" >"$WORK/list.txt"
awk '/ = 9000002$/ { on = 1; next } / = 9000003$/ { on = 0 } on' "$WORK/out" >"$WORK/groups.txt"
grep -q 'JSON records written to' "$WORK/list.txt" ||
	fail_out "memleak -j wrote its file ($(grep -m2 -i 'error\|cannot\|-j' "$WORK/out"))"

others=()
DUMP2=$(ls "$FIX"/vmcore.d* 2>/dev/null | head -n 1)
if [ -n "$DUMP2" ]; then
	session crash "${DUMP2##*/}" "memleak -q -s -j $WORK/d.jsonl"
	others+=("$WORK/d.jsonl")
fi
"$PY" "$REPO/tests/json_check.py" "$WORK/list.jsonl" "$WORK/list.txt" \
	"$WORK/groups.jsonl" "$WORK/groups.txt" "${others[@]}"
