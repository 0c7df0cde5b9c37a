#!/bin/bash
# suppress.sh - suppressions (memleak -S) on the 6.1 "leaks" fixture.
#
#   tests/suppress.sh
#
# One crash session (Debian's crash 8.0.2, the ELF dump) with the user's
# default file named by $MEMLEAK_SUPPRESSIONS (rule kind:vmalloc):
#   memleak -q                 built-in rules + the default file
#   memleak -q -S none         no rule at all
#   memleak -S FILE            + leak:<the function that planted the
#                                kmalloc leaks> and cache:kmalloc-512
#   memleak -q -S BAD          a file with a bad line: refused, no scan
#   memleak -q -S MISSING      a file that is not there: refused
# and checks: the counts add up (reported without rules = reported with
# them + suppressed), the kernel's annotated sysctl headers are suppressed
# by the built-in list, the default file's rule is used, a leak: rule hides
# exactly the planted leaks of its function (from the fixture's
# expected.tsv) and is charged with them in the "suppressions used" table,
# bad files stop the command with the file and line named, and crash runs
# the next command every time.
# Prints PASS:/FAIL: lines; exit status 1 if anything failed.
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
. "$REPO/tests/fixture/common.sh"
SO=${KMEMLEAK_SO:-$REPO/kmemleak.so}
NFAIL=0
pass() { echo "PASS: suppress: $*"; }
fail() { echo "FAIL: suppress: $*"; NFAIL=$((NFAIL + 1)); }

FIX=$("$REPO/tests/fixture/build-fixture.sh" leaks </dev/null | sed -n 's/^FIXTURE_DIR=//p' | tail -n 1)
if [ -z "$FIX" ] || [ ! -s "$FIX/vmcore" ]; then
	fail "the 6.1 leaks fixture is not available"
	exit 1
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/kmemleak-suppress.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT

# The planted leaks of one function: the one with the most of them.
FUNC=$(awk -F'\t' '$5 == "leak" { n[$6]++ } END { for (f in n) print n[f], f }' \
	"$FIX/expected.tsv" | sort -rn | awk 'NR == 1 { print $2 }')
NFUNC=$(awk -F'\t' -v f="$FUNC" '$5 == "leak" && $6 == f' "$FIX/expected.tsv" | wc -l)

printf '# the test'"'"'s default file\nkind:vmalloc\n' >"$WORK/default.supp"
printf '# planted by the test module\nleak:%s\ncache:kmalloc-512\n' "$FUNC" >"$WORK/user.supp"
printf 'leak:fine\nlaek:typo\n' >"$WORK/bad.supp"
cat >"$WORK/cmds" <<EOF
extend $SO
p 9000001
memleak -q
p 9000002
memleak -q -S none
p 9000003
memleak -S $WORK/user.supp
p 9000004
memleak -q -S $WORK/bad.supp
p 9000005
memleak -q -S $WORK/missing.supp
p 9000006
p jiffies
quit
EOF
(cd "$FIX" && MEMLEAK_SUPPRESSIONS=$WORK/default.supp timeout -k 10 600 \
	crash -s vmlinux vmcore <"$WORK/cmds" >"$WORK/log" 2>&1)
LOG=$WORK/log

# section X: the lines between "=== X" and the next "=== ".
# the markers: gdb prints "$N = 900000K" for section K (A=1 ... F=6)
marker() { printf '%d' $((9000001 + $(printf '%d' "'$1") - 65)); }
section() {
	awk -v s=" = $(marker "$1")" 'substr($0, length($0) - length(s) + 1) == s { on = 1; next }
		/ = 900000[0-9]$/ { on = 0 } on' "$LOG"
}
# has X PATTERN: section X has a line matching PATTERN (grep -q reads the
# section whole: no pipe for it to close early under pipefail)
has() {
	local text
	text=$(section "$1")
	grep -q -- "$2" <<<"$text"
}
reported() { section "$1" | sed -n 's/^  orphans: \([0-9]*\) reported.*/\1/p' | tail -n 1; }
suppressed() { section "$1" | sed -n 's/^  suppressed: *\([0-9]*\) orphans.*/\1/p' | tail -n 1; }
# blocks charged to a rule in the "suppressions used" table of section $1
charged() {
	section "$1" | awk -v r="$2" '$3 == r { print $1; f = 1 } END { if (!f) print 0 }'
}

rA=$(reported A); sA=$(suppressed A); rB=$(reported B)
if [ -n "$rA" ] && [ -n "$sA" ] && [ -n "$rB" ]; then
	pass "memleak ran with the default rules and with -S none ($rA + $sA suppressed; $rB)"
else
	fail "memleak ran (A: '$rA' reported, '$sA' suppressed; B: '$rB' reported)"
	sed 's/^/    | /' "$LOG" | tail -n 30
	exit 1
fi
if [ $((rA + sA)) = "$rB" ]; then
	pass "reported + suppressed = reported under -S none ($rA + $sA = $rB)"
else
	fail "reported + suppressed = reported under -S none ($rA + $sA != $rB)"
fi
if has B '^  suppressed: *none (no suppression rules)'; then
	pass "-S none: no rule in use"
else
	fail "-S none: no rule in use ($(section B | grep '^  suppressed:'))"
fi
sys=0
for r in leak:__register_sysctl_base leak:init_fs_stat_sysctls leak:user_namespace_sysctl_init; do
	sys=$((sys + $(charged A "$r")))
done
if [ "$sys" -ge 3 ]; then
	pass "the built-in list suppresses the kernel's annotated sysctl headers ($sys blocks)"
else
	fail "the built-in list suppresses the kernel's annotated sysctl headers ($sys blocks, want >= 3)"
fi
vm=$(charged A kind:vmalloc)
if [ "$vm" -ge 1 ] && has A "kind:vmalloc ($WORK/default.supp:2)"; then
	pass "the default file (\$MEMLEAK_SUPPRESSIONS) is read: kind:vmalloc took $vm blocks"
else
	fail "the default file (\$MEMLEAK_SUPPRESSIONS) is read (kind:vmalloc took '$vm' blocks)"
fi

# C: leak:FUNC hides exactly the planted leaks of FUNC
nf=$(charged C "leak:$FUNC")
if [ "$nf" = "$NFUNC" ]; then
	pass "leak:$FUNC is charged with its $NFUNC planted leaks"
else
	fail "leak:$FUNC is charged with its $NFUNC planted leaks (table: $nf)"
fi
shown=0
while IFS=$'\t' read -r _ addr _ _ expect func; do
	[ "$expect" = leak ] && [ "$func" = "$FUNC" ] || continue
	has C "^unreferenced object 0x0*${addr#0x} " && shown=$((shown + 1))
done <"$FIX/expected.tsv"
if [ "$shown" = 0 ]; then
	pass "none of the $NFUNC suppressed leaks is listed"
else
	fail "none of the $NFUNC suppressed leaks is listed ($shown are)"
fi
if has C '^unreferenced object '; then
	pass "the other planted leaks are still listed"
else
	fail "the other planted leaks are still listed (no orphan in the list)"
fi

# D, E: refused before the scan, with the file and line named
if has D "suppressions: $WORK/bad.supp:2: unknown type \"laek\"" &&
   ! has D '^memleak summary'; then
	pass "a bad line stops memleak, naming the file and line"
else
	fail "a bad line stops memleak, naming the file and line: $(section D | head -n 3)"
fi
if has E "suppressions: cannot open $WORK/missing.supp" &&
   ! has E '^memleak summary'; then
	pass "a missing file stops memleak with its name"
else
	fail "a missing file stops memleak with its name: $(section E | head -n 3)"
fi
if has F '^jiffies = '; then
	pass "crash runs the next command"
else
	fail "crash runs the next command"
fi
[ "$NFAIL" = 0 ]
