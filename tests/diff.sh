#!/bin/bash
# diff.sh - `memleak -d` (two runs compared by stable group id) on the grow
# fixture (tests/fixture/build-grow.sh: two dumps of one boot, a leak
# growing in between) and the 6.1 "leaks" fixture (another boot).
#
#   tests/diff.sh
#
# Three crash sessions:
#   leaks/vmcore   memleak -q -j L           (boot 1)
#   grow/vmcore    memleak -q -j A           (boot 2, before step 2)
#                  memleak -q -v -d A        (a dump with itself)
#                  memleak -q -v -d L        (two boots, same kernel)
#   grow/vmcore2   memleak -q -v -d A -j B   (after step 2)
#                  memleak -d of refused files (not JSON, schema 2, run
#                  record missing or cut short, empty, absent): a message
#                  and no scan; of A with one malformed line (counted, still
#                  compared) and with another kernel release (said, still
#                  compared)
# tests/diff_check.py checks the printed comparisons against the JSON files
# and the guest's console (memleak_grow's planted counts). Prints
# PASS:/FAIL: lines; exit status 1 if anything failed.
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
. "$REPO/tests/fixture/common.sh"
SO=${KMEMLEAK_SO:-$REPO/kmemleak.so}
PY=$(pick_python)

fail_out() { echo "FAIL: diff: $*"; exit 1; }
fixture() { "$@" </dev/null | sed -n 's/^FIXTURE_DIR=//p' | tail -n 1; }
GROW=$(fixture "$REPO/tests/fixture/build-grow.sh")
[ -n "$GROW" ] && [ -s "$GROW/vmcore2" ] || fail_out "the grow fixture is not available"
LEAKS=$(fixture "$REPO/tests/fixture/build-fixture.sh" leaks)
[ -n "$LEAKS" ] && [ -s "$LEAKS/vmcore" ] || fail_out "the 6.1 leaks fixture is not available"
W=$(mktemp -d "${TMPDIR:-/tmp}/kmemleak-diff.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$W"' EXIT

# session DIR DUMP OUT CMDS...: one crash session, each command's output
# after a marker "$N = 900000k" (k = its place, from 1), into OUT
session() {
	local dir=$1 dump=$2 out=$3 k=0 c
	shift 3
	{
		echo "extend $SO"
		for c in "$@"; do
			k=$((k + 1))
			echo "p $((9000000 + k))"
			echo "$c"
		done
		echo "p $((9000000 + k + 1))"
		echo quit
	} >"$W/cmds"
	(cd "$dir" && timeout -k 10 600 crash -s vmlinux "$dump" <"$W/cmds" >"$out" 2>&1)
}

session "$LEAKS" vmcore "$W/leaks.out" "memleak -q -j $W/L.jsonl"
[ -s "$W/L.jsonl" ] || fail_out "memleak -j on the leaks fixture wrote nothing"
session "$GROW" vmcore "$W/grow1.out" "memleak -q -j $W/A.jsonl" \
	"memleak -q -v -d $W/A.jsonl" "memleak -q -v -d $W/L.jsonl"
[ -s "$W/A.jsonl" ] || fail_out "memleak -j on the grow fixture wrote nothing"

# Files memleak must refuse, and two it must read with a note.
printf 'not json\n' >"$W/bad-text"
sed '1s/"schema":1,/"schema":2,/' "$W/A.jsonl" >"$W/bad-schema"
tail -n +2 "$W/A.jsonl" >"$W/bad-norun"
head -n -1 "$W/A.jsonl" >"$W/bad-cut"
: >"$W/bad-empty"
sed '3s/.*/{"record":"group","id":"zz"}/' "$W/A.jsonl" >"$W/one-bad-line"
sed '1s/"kernel_release":"[^"]*"/"kernel_release":"9.9.9-other"/' "$W/A.jsonl" >"$W/other-release"
session "$GROW" vmcore2 "$W/grow2.out" "memleak -q -v -d $W/A.jsonl -j $W/B.jsonl" \
	"memleak -d $W/bad-text" "memleak -d $W/bad-schema" "memleak -d $W/bad-norun" \
	"memleak -d $W/bad-cut" "memleak -d $W/bad-empty" "memleak -d $W/absent" \
	"memleak -q -d $W/one-bad-line" "memleak -q -d $W/other-release"

"$PY" "$REPO/tests/diff_check.py" "$W" "$GROW/console.log"
