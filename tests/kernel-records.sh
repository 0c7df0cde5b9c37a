#!/bin/bash
# kernel-records.sh - memleak and the kernel's own kmemleak, on the same dump.
#
#   tests/kernel-records.sh
#
# On the "debug" fixture (tests/fixture/build-fixture.sh debug: a 6.1 kernel
# with in-kernel kmemleak and page_owner; the guest printed
# /sys/kernel/debug/kmemleak to its console after two kmemleak scans, shortly
# before the dump: kmemleak.txt), runs in one crash session
#   memleak -K      the kernel's report, read from its records in the dump
#   memleak -N      memleak's own offline scan, kmemleak's records not used
#   memleak         the offline scan with kmemleak's annotations adopted
# and checks:
#  - memleak -K prints exactly the objects and lines of kmemleak.txt (frame
#    addresses aside: the kernel hashes them, -K prints them in full);
#  - every planted leak is in both offline reports, no planted reachable
#    block in either;
#  - agreement of each offline scan with the kernel's report: blocks reported
#    by both, only by memleak, only by kmemleak (FIGURE lines), with each
#    difference put in a class (see classify_differences);
#  - on a kernel without kmemleak (the "leaks" fixture) -K refuses with a
#    clear message and crash stays alive.
# Prints PASS:/FAIL:/FIGURE lines; exit status 1 if anything failed.
# Environment: KMEMLEAK_SO, KMEMLEAK_CACHE; KR_LOG_DIR (default
# $KMEMLEAK_CACHE/e2e-logs).
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
. "$REPO/tests/fixture/common.sh"
SO=${KMEMLEAK_SO:-$REPO/kmemleak.so}
LOG_DIR=${KR_LOG_DIR:-$CACHE/e2e-logs}
mkdir -p "$LOG_DIR"

NPASS=0
NFAIL=0
pass() { echo "PASS: $*"; NPASS=$((NPASS + 1)); }
fail() { echo "FAIL: $*"; NFAIL=$((NFAIL + 1)); }
check() { if eval "$2"; then pass "$1"; else fail "$1${3:+ ($3)}"; fi; }

fixture() {
	"$REPO/tests/fixture/build-fixture.sh" "$1" | sed -n 's/^FIXTURE_DIR=//p' | tail -n 1
}

# run_crash DIR DUMP LOG CMD...: one batch crash session.
run_crash() {
	local dir=$1 dump=$2 log=$3 cmds
	shift 3
	cmds=$(mktemp)
	{ echo "extend $SO"; printf '%s\n' "$@"; echo "quit"; } >"$cmds"
	(cd "$dir" && timeout 900 crash -s vmlinux "$dump" <"$cmds") >"$log" 2>&1
	rm -f "$cmds"
}

# section LOG NAME: the lines between "==NAME" and the next "==" marker.
section() {
	awk -v m="==$2" '$0 == m { on = 1; next } /^==/ { on = 0 } on' "$1"
}

# entries: a kmemleak-format report on stdin -> one line per object,
# "addr<TAB>the object's lines joined by |", frame addresses blanked.
entries() {
	tr -d '\r' | grep -v '^memleak -K' |
	sed -E 's/\[<[0-9a-f]+>\]/[<>]/' |
	awk '
	function flush() { if (addr != "") print addr "\t" text; addr = "" }
	/^unreferenced object 0x/ { flush(); addr = $3; text = $0; next }
	addr != "" && /^  / { text = text "|" $0; next }
	{ flush() }
	END { flush() }' | sort
}

# addrs: memleak's own report on stdin -> reported addresses, sorted.
addrs() {
	sed -n 's/^unreferenced object \(0x[0-9a-f]*\) (size.*/\1/p' | sort -u
}

DIR=$(fixture debug)
if [ -z "$DIR" ] || [ ! -s "$DIR/kmemleak.txt" ]; then
	fail "debug fixture built (tests/fixture/build-fixture.sh debug)"
	echo "$NPASS passed, $NFAIL failed"
	exit 1
fi
LOG=$LOG_DIR/kernel-records.log
run_crash "$DIR" vmcore "$LOG" \
	'!echo ==K' 'memleak -K' '!echo ==N' 'memleak -N -x 0' \
	'!echo ==A' 'memleak -x 0' '!echo ==END' 'p jiffies'
check "crash ran memleak -K, -N and the default scan on the debug dump" \
	"grep -q '^jiffies = ' '$LOG'" "log $LOG"

# ---- -K against the console's /sys/kernel/debug/kmemleak ----------------------
K=$(section "$LOG" K)
entries <"$DIR/kmemleak.txt" >"$LOG_DIR/kr-console.entries"
entries <<<"$K" >"$LOG_DIR/kr-K.entries"
nconsole=$(wc -l <"$LOG_DIR/kr-console.entries")
nK=$(wc -l <"$LOG_DIR/kr-K.entries")
ndiff=$(comm -3 "$LOG_DIR/kr-console.entries" "$LOG_DIR/kr-K.entries" | wc -l)
check "memleak -K reports objects ($nK)" "[ $nK -gt 0 ]"
check "memleak -K matches the guest's /sys/kernel/debug/kmemleak line for line ($nK vs $nconsole objects, $ndiff differing)" \
	"[ $ndiff = 0 ] && [ $nK = $nconsole ]" \
	"diff: comm -3 $LOG_DIR/kr-console.entries $LOG_DIR/kr-K.entries"
check "memleak -K prints backtraces with symbols" \
	"grep -qE '^    \[<[0-9a-f]{16}>\] [a-z_0-9.]+\+0x[0-9a-f]+/0x[0-9a-f]+' <<<\"\$K\""
check "memleak -K ends with its summary line" \
	"grep -qE '^memleak -K: [0-9]+ unreferenced objects in the kernel.s kmemleak report' <<<\"\$K\""
echo "FIGURE: kmemleak -K: $nK objects, console $nconsole, differing $ndiff"

# ---- planted verdicts in both offline scans ------------------------------------
cut -f1 "$LOG_DIR/kr-K.entries" | sort -u >"$LOG_DIR/kr-K.addrs"
section "$LOG" N | addrs >"$LOG_DIR/kr-N.addrs"
section "$LOG" A | addrs >"$LOG_DIR/kr-A.addrs"
awk -F'\t' '$5 == "leak" { print $2 }' "$DIR/expected.tsv" "$DIR/list-nodes.tsv" |
	sort -u >"$LOG_DIR/kr-planted-leaks"
awk -F'\t' '$5 == "reachable" { print $2 }' "$DIR/expected.tsv" | sort -u \
	>"$LOG_DIR/kr-planted-reach"
for scan in N A; do
	what="memleak -$scan"
	[ "$scan" = A ] && what="memleak (kmemleak annotations adopted)"
	missed=$(comm -23 "$LOG_DIR/kr-planted-leaks" "$LOG_DIR/kr-$scan.addrs" | wc -l)
	bad=$(comm -12 "$LOG_DIR/kr-planted-reach" "$LOG_DIR/kr-$scan.addrs" | wc -l)
	total=$(wc -l <"$LOG_DIR/kr-planted-leaks")
	check "$what: all $total planted leaks reported ($missed missed)" "[ $missed = 0 ]"
	check "$what: no planted reachable block reported ($bad reported)" "[ $bad = 0 ]"
done
kmissed=$(comm -23 "$LOG_DIR/kr-planted-leaks" "$LOG_DIR/kr-K.addrs" | wc -l)
echo "FIGURE: kmemleak itself reported $(( $(wc -l <"$LOG_DIR/kr-planted-leaks") - kmissed ))/$(wc -l <"$LOG_DIR/kr-planted-leaks") planted leaks"

# ---- agreement ---------------------------------------------------------------
for scan in N A; do
	both=$(comm -12 "$LOG_DIR/kr-$scan.addrs" "$LOG_DIR/kr-K.addrs" | wc -l)
	only_m=$(comm -23 "$LOG_DIR/kr-$scan.addrs" "$LOG_DIR/kr-K.addrs" | wc -l)
	only_k=$(comm -13 "$LOG_DIR/kr-$scan.addrs" "$LOG_DIR/kr-K.addrs" | wc -l)
	echo "FIGURE: agreement (memleak -$scan vs the kernel's kmemleak): both $both, only memleak $only_m, only kmemleak $only_k"
	comm -23 "$LOG_DIR/kr-$scan.addrs" "$LOG_DIR/kr-K.addrs" >"$LOG_DIR/kr-only-memleak-$scan"
	comm -13 "$LOG_DIR/kr-$scan.addrs" "$LOG_DIR/kr-K.addrs" >"$LOG_DIR/kr-only-kmemleak-$scan"
done
# With the annotations adopted, the only blocks memleak reports alone are
# per-cpu allocations (6.1's kmemleak tracks each CPU's copy with min_count
# 0: it never reports a per-cpu leak); kmemleak reports nothing memleak
# misses. (Without them, -N also reports what kmemleak_not_leak() marked
# and what hangs off memory only kmemleak knows: see the README.)
section "$LOG" A | awk '
	/^unreferenced object 0x/ { addr = $3 }
	/^  per-cpu allocation/ { print addr }' | sort -u >"$LOG_DIR/kr-A.percpu"
not_percpu=$(comm -23 "$LOG_DIR/kr-only-memleak-A" "$LOG_DIR/kr-A.percpu" | wc -l)
check "memleak (adopted) reports nothing kmemleak does not, per-cpu allocations aside ($not_percpu other)" \
	"[ $not_percpu = 0 ]" "see $LOG_DIR/kr-only-memleak-A"
check "memleak (adopted) misses nothing the kernel's kmemleak reports ($(wc -l <"$LOG_DIR/kr-only-kmemleak-A") missed)" \
	"[ ! -s '$LOG_DIR/kr-only-kmemleak-A' ]" "see $LOG_DIR/kr-only-kmemleak-A"

# ---- a kernel without kmemleak ---------------------------------------------------
PLAIN=$(fixture leaks)
if [ -n "$PLAIN" ]; then
	run_crash "$PLAIN" vmcore "$LOG_DIR/kr-plain.log" 'memleak -K' 'p jiffies'
	check "memleak -K on a kernel without kmemleak says so" \
		"grep -q 'this kernel has no kmemleak' '$LOG_DIR/kr-plain.log'"
	check "crash alive after memleak -K on a kernel without kmemleak" \
		"grep -q '^jiffies = ' '$LOG_DIR/kr-plain.log'"
else
	fail "leaks fixture built"
fi

echo "$NPASS passed, $NFAIL failed"
[ "$NFAIL" = 0 ]
