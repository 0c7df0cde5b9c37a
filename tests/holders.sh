#!/bin/bash
# holders.sh - `memleak -a` (every tracked block by allocation stack, and
# what holds it) on the 6.1 "leaks" fixture (slub_debug=U: stacks).
#
#   tests/holders.sh
#
# One crash session on the ELF dump: memleak (the plain report),
# memleak -a -j A, memleak -a -c kmalloc-128 -n 3, kmem -s kmalloc-128 (crash's
# own count of the cache's objects), each between "p 900000N" markers (gdb
# prints "$N = 900000N"). tests/holders_check.py then checks the figures
# against each other and against the planted blocks of expected.tsv:
# the groups add up to the summary's blocks tracked and its unreferenced
# blocks; JSON and text agree; the planted reachable blocks' groups name
# their holders (module data, a task stack, a block of the chain); the
# planted leaks' groups count them as orphans; -a changes no verdict.
# Prints PASS:/FAIL: lines; exit status 1 if anything failed.
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
. "$REPO/tests/fixture/common.sh"
SO=${KMEMLEAK_SO:-$REPO/kmemleak.so}
PY=$(pick_python)

fail_out() { echo "FAIL: holders: $*"; exit 1; }
FIX=$("$REPO/tests/fixture/build-fixture.sh" leaks </dev/null | sed -n 's/^FIXTURE_DIR=//p' | tail -n 1)
[ -n "$FIX" ] && [ -s "$FIX/vmcore" ] || fail_out "the 6.1 leaks fixture is not available"
[ -s "$SO" ] || fail_out "no $SO (make kmemleak.so)"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/kmemleak-holders.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT

{
	echo "extend $SO"
	echo 'p 9000001'
	echo 'memleak'
	echo 'p 9000002'
	echo "memleak -a -j $WORK/a.jsonl"
	echo 'p 9000003'
	echo 'memleak -a -c kmalloc-128 -n 3'
	echo 'p 9000004'
	echo 'kmem -s kmalloc-128'
	echo 'p 9000005'
	echo quit
} >"$WORK/cmds"
(cd "$FIX" && timeout -k 10 600 crash -s vmlinux vmcore <"$WORK/cmds" >"$WORK/out" 2>&1)
# between N and N+1 -> file
cut_out() {
	awk -v a=" = $1\$" -v b=" = $(($1 + 1))\$" '$0 ~ a { on = 1; next } $0 ~ b { on = 0 } on' \
		"$WORK/out" >"$WORK/$2"
}
cut_out 9000001 plain.txt
cut_out 9000002 all.txt
cut_out 9000003 filtered.txt
cut_out 9000004 kmem.txt
grep -q '^memleak -a: cost:' "$WORK/all.txt" ||
	fail_out "memleak -a printed no view ($(grep -m3 -i 'error\|cannot\|memleak' "$WORK/out"))"

"$PY" "$REPO/tests/holders_check.py" "$WORK" "$FIX/expected.tsv"
