#!/bin/bash
# alias.sh - interior pointers: memleak's alias table, strict mode (-t),
# possibly lost blocks (-p) and the shortest chain of -w, on the alias
# fixture (tests/fixture/build-alias.sh: the 6.1 kernel with
# memleak_alias.ko, whose blocks are reachable only through interior
# pointers, or leaked).
#
#   make && tests/alias.sh
#
# One crash session on the fixture's vmcore: extend kmemleak.so,
# mod -s memleak_alias <fixture>/memleak_alias.ko (the module's types), then
# memleak, memleak -t, memleak -p, memleak -w T, memleak -w <midptr_leak>,
# memleak -w A, each after a marker "p 900000k" (gdb prints "$N = 900000k").
# The planted blocks and the chain root -> A -> B -> T come from the
# guest's console (memleak_alias: block scenario=... expect=leak|reachable|
# possibly, memleak_alias: chain ...). Checks:
#   default mode  every expect=leak block reported; no expect=reachable or
#                 expect=possibly block reported; the mode line; possibly
#                 lost >= 2 in the summary; -p lists both expect=possibly
#                 blocks and no other planted block
#   strict (-t)   every expect=leak and expect=possibly block reported; no
#                 expect=reachable block reported; the mode line
#   -w T          reachable, 3 references: alias_chain_root [memleak_alias],
#                 A+0x18, B+0x18 (alias_chain_b.target), T
#   -w midptr     not reachable from any root: possibly lost
#   -w A          reachable, 1 reference: alias_chain_root, A
# and a FIGURE line (blocks reported in each mode, possibly lost count).
# Prints PASS: alias: / FAIL: alias: lines, then "N passed, N failed";
# exit status 1 if anything failed.
#
# Environment:
#   CRASH               crash binary (default: crash on the PATH)
#   KMEMLEAK_SO         the extension (default: kmemleak.so of this tree,
#                       built by make beforehand)
#   ALIAS_FIXTURE       a fixture directory to use as is (default: the one
#                       tests/fixture/build-alias.sh prints, built on a miss)
#   ALIAS_CRASH_OUTPUT  a file holding the session's output: crash is not
#                       run (to check this script's parsing on a sample)
#   KEEP                keep the work directory (its path is printed)
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
. "$REPO/tests/fixture/common.sh"
CRASH=${CRASH:-crash}
SO=${KMEMLEAK_SO:-$REPO/kmemleak.so}

PASSED=0
FAILED=0
check() {	# check OK|"" TEXT
	if [ -n "$1" ]; then
		echo "PASS: alias: $2"
		PASSED=$((PASSED + 1))
	else
		echo "FAIL: alias: $2"
		FAILED=$((FAILED + 1))
	fi
}
finish() {
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
	exit
}
fail_out() { check "" "$*"; finish; }

if [ -n "${ALIAS_FIXTURE:-}" ]; then
	FIX=$ALIAS_FIXTURE
else
	FIX=$("$REPO/tests/fixture/build-alias.sh" </dev/null | sed -n 's/^FIXTURE_DIR=//p' | tail -n 1)
fi
[ -n "$FIX" ] && [ -s "$FIX/console.log" ] || fail_out "the alias fixture is not available"
W=$(mktemp -d "${TMPDIR:-/tmp}/kmemleak-alias.XXXXXX")
trap '[ -n "${KEEP:-}" ] && echo "work directory: $W" >&2 || rm -rf "$W"' EXIT

# ---- the planted blocks, from the guest's console ---------------------------
declare -A SCEN SIZE CACHE EXPECT FUNC
ADDRS=()
CHAIN_A='' CHAIN_B='' CHAIN_T='' CHAIN_AOFF='' CHAIN_BOFF=''
block_re='memleak_alias: block scenario=([^ ]+) addr=0x([0-9a-f]+) size=([0-9]+) cache=([^ ]+) expect=([a-z]+) func=([^ ]+)$'
chain_re='memleak_alias: chain root=alias_chain_root a=0x([0-9a-f]+) a_off=([0-9]+) b=0x([0-9a-f]+) b_off=([0-9]+) target=0x([0-9a-f]+)$'
while IFS= read -r line; do
	line=${line%$'\r'}
	if [[ $line =~ $block_re ]]; then
		a=${BASH_REMATCH[2]}
		ADDRS+=("$a")
		SCEN[$a]=${BASH_REMATCH[1]}
		SIZE[$a]=${BASH_REMATCH[3]}
		CACHE[$a]=${BASH_REMATCH[4]}
		EXPECT[$a]=${BASH_REMATCH[5]}
		FUNC[$a]=${BASH_REMATCH[6]}
	elif [[ $line =~ $chain_re ]]; then
		CHAIN_A=${BASH_REMATCH[1]} CHAIN_AOFF=${BASH_REMATCH[2]}
		CHAIN_B=${BASH_REMATCH[3]} CHAIN_BOFF=${BASH_REMATCH[4]}
		CHAIN_T=${BASH_REMATCH[5]}
	fi
done < <(tr -d '\000' <"$FIX/console.log")
MIDPTR=
for a in "${ADDRS[@]}"; do
	[ "${SCEN[$a]}" = midptr_leak ] && MIDPTR=$a
done
N_LEAK=0 N_REACH=0 N_POSS=0
for a in "${ADDRS[@]}"; do
	case ${EXPECT[$a]} in
	leak) N_LEAK=$((N_LEAK + 1)) ;;
	reachable) N_REACH=$((N_REACH + 1)) ;;
	possibly) N_POSS=$((N_POSS + 1)) ;;
	esac
done
[ "${#ADDRS[@]}" -eq 9 ] && [ "$N_LEAK/$N_REACH/$N_POSS" = 2/5/2 ] &&
	[ -n "$CHAIN_T" ] && [ -n "$MIDPTR" ] &&
	[ -n "${SCEN[$CHAIN_A]:-}" ] && [ -n "${SCEN[$CHAIN_B]:-}" ] &&
	[ -n "${SCEN[$CHAIN_T]:-}" ] ||
	fail_out "the console does not name the 9 planted blocks and the chain ($FIX/console.log)"
check ok "the console names the 9 planted blocks (2 leak, 5 reachable, 2 possibly) and the chain (a_off=$CHAIN_AOFF b_off=$CHAIN_BOFF)"

# ---- one crash session --------------------------------------------------------
CMDS=("mod -s memleak_alias $FIX/memleak_alias.ko" "memleak" "memleak -t" "memleak -p"
	"memleak -w $CHAIN_T" "memleak -w $MIDPTR" "memleak -w $CHAIN_A")
if [ -n "${ALIAS_CRASH_OUTPUT:-}" ]; then
	tr -d '\r' <"$ALIAS_CRASH_OUTPUT" >"$W/out"
else
	[ -s "$SO" ] || fail_out "no $SO (run make first)"
	[ -s "$FIX/vmcore" ] || fail_out "no $FIX/vmcore"
	{
		echo "extend $SO"
		k=0
		for c in "${CMDS[@]}"; do
			k=$((k + 1))
			echo "p $((9000000 + k))"
			echo "$c"
		done
		echo "p $((9000000 + k + 1))"
		echo quit
	} >"$W/cmds"
	(cd "$FIX" && timeout -k 10 900 "$CRASH" -s vmlinux vmcore <"$W/cmds" 2>&1) |
		tr -d '\r' >"$W/out"
fi
# The output of command k (from 1) into $W/seg.k: the lines after the
# marker "$N = 900000k", up to the next marker.
awk -v dir="$W" '
	/^\$[0-9]+ = 900000[0-9]$/ { k = substr($NF, 7) + 0; next }
	k > 0 { print > (dir "/seg." k) }
' "$W/out"
for k in $(seq 1 $((${#CMDS[@]} + 1))); do
	[ -f "$W/seg.$k" ] || : >"$W/seg.$k"
done
# Each with a newline first: a line is "\n" + its text, the first one too.
seg() { printf '\n%s' "$(<"$W/seg.$1")"; }
MOD=$(seg 1) PLAIN=$(seg 2) STRICT=$(seg 3) POSS=$(seg 4) WT=$(seg 5) WMID=$(seg 6) WA=$(seg 7)

[[ $MOD == *memleak_alias*"$FIX/memleak_alias.ko"* ]] &&
	[[ $MOD != *"cannot"* ]] && ok=ok || ok=
check "$ok" "mod -s memleak_alias loaded the module's debuginfo"
# A run that printed no summary (an error, an unknown option) reports
# nothing: the "not reported" checks below then fail too.
for v in PLAIN:memleak STRICT:"memleak -t" POSS:"memleak -p"; do
	t=${v%%:*}
	[[ ${!t} == *$'\n'"memleak summary"* ]] && ok=ok || ok=
	check "$ok" "${v#*:} ran to its summary"
done

reported() {	# reported TEXT ADDR: TEXT has "unreferenced object 0xADDR (size"
	[[ $1 == *$'\n'"unreferenced object 0x$2 (size "* ]]
}
not_reported() {	# not_reported TEXT ADDR: a summary, and ADDR not reported
	[[ $1 == *$'\n'"memleak summary"* ]] && ! reported "$1" "$2"
}
count_of() {	# count_of TEXT PREFIX: lines starting with PREFIX (no regex characters)
	grep -c -- "^$2" <<<"$1" || true
}
name() { echo "${SCEN[$1]} 0x$1"; }

# ---- default mode -------------------------------------------------------------
for a in "${ADDRS[@]}"; do
	case ${EXPECT[$a]} in
	leak)
		reported "$PLAIN" "$a" && ok=ok || ok=
		check "$ok" "default: leak $(name "$a") reported" ;;
	reachable | possibly)
		not_reported "$PLAIN" "$a" && ok=ok || ok=
		check "$ok" "default: ${EXPECT[$a]} $(name "$a") not reported" ;;
	esac
done
[[ $PLAIN == *$'\n  mode:            default (any interior pointer counts)'* ]] && ok=ok || ok=
check "$ok" "default: the summary says 'mode: default (any interior pointer counts)'"
P_LOST=
re='^  possibly lost:   ([0-9]+) blocks \(([0-9]+) bytes\) reachable only through interior pointers that match no alias \(memleak -p lists them\)$'
while IFS= read -r l; do
	[[ $l =~ $re ]] && P_LOST=${BASH_REMATCH[1]} && break
done <<<"$PLAIN"
[ -n "$P_LOST" ] && [ "$P_LOST" -ge 2 ] && ok=ok || ok=
check "$ok" "default: the summary counts >= 2 possibly lost blocks (${P_LOST:-no possibly lost line})"
for a in "${ADDRS[@]}"; do
	listed=
	[[ $POSS == *"possibly lost object 0x$a (size ${SIZE[$a]}):"* ]] && listed=1
	case ${EXPECT[$a]} in
	possibly)
		check "${listed:+ok}" "-p: possibly $(name "$a") listed as 'possibly lost object 0x$a (size ${SIZE[$a]}):'" ;;
	*)
		[[ $POSS == *$'\n'"memleak summary"* ]] && [ -z "$listed" ] && ok=ok || ok=
		check "$ok" "-p: ${EXPECT[$a]} $(name "$a") not listed as possibly lost" ;;
	esac
done

# ---- strict mode (-t) ---------------------------------------------------------
for a in "${ADDRS[@]}"; do
	case ${EXPECT[$a]} in
	leak | possibly)
		reported "$STRICT" "$a" && ok=ok || ok=
		check "$ok" "strict: ${EXPECT[$a]} $(name "$a") reported" ;;
	reachable)
		not_reported "$STRICT" "$a" && ok=ok || ok=
		check "$ok" "strict: reachable $(name "$a") not reported" ;;
	esac
done
[[ $STRICT == *$'\n  mode:            strict (-t: only pointers to a block\'s start or to an alias of its type or size count)'* ]] &&
	ok=ok || ok=
check "$ok" "strict: the summary says 'mode: strict (-t: ...)'"

# ---- -w: the shortest chain -----------------------------------------------------
has_line() {	# has_line TEXT REGEX: a whole line of TEXT matches REGEX
	local l
	while IFS= read -r l; do
		[[ $l =~ ^$2$ ]] && return 0
	done <<<"$1"
	return 1
}
hex_off() { printf '0x%x' "$1"; }
RE_ROOT='memleak: -w: hop 0: root 0x[0-9a-f]+ alias_chain_root\+0x[0-9a-f]+ \[memleak_alias\] \(.+\)'
C_A=${CACHE[$CHAIN_A]} C_B=${CACHE[$CHAIN_B]}
has_line "$WT" "memleak: -w: 0x$CHAIN_T is reachable: the shortest chain from a root has 3 references:" &&
	ok=ok || ok=
check "$ok" "-w T: 0x$CHAIN_T is reachable, the shortest chain has 3 references"
has_line "$WT" "$RE_ROOT" && ok=ok || ok=
check "$ok" "-w T: hop 0 is the root alias_chain_root [memleak_alias]"
has_line "$WT" "memleak: -w: hop 1: 0x$CHAIN_A\\+$(hex_off "$CHAIN_AOFF") in \"$C_A\" \\((type unknown|alias_chain_a\\.next)\\), allocated by ${FUNC[$CHAIN_A]}( \\[memleak_alias\\])?" &&
	ok=ok || ok=
check "$ok" "-w T: hop 1 is A 0x$CHAIN_A+$(hex_off "$CHAIN_AOFF") in \"$C_A\", allocated by ${FUNC[$CHAIN_A]}"
has_line "$WT" "memleak: -w: hop 2: 0x$CHAIN_B\\+$(hex_off "$CHAIN_BOFF") in \"$C_B\" \\(alias_chain_b\\.target\\), allocated by ${FUNC[$CHAIN_B]}( \\[memleak_alias\\])?" &&
	ok=ok || ok=
check "$ok" "-w T: hop 2 is B 0x$CHAIN_B+$(hex_off "$CHAIN_BOFF") in \"$C_B\" (alias_chain_b.target), allocated by ${FUNC[$CHAIN_B]}"
has_line "$WT" "memleak: -w: hop 3: 0x$CHAIN_T \\(the block\\)" && ok=ok || ok=
check "$ok" "-w T: hop 3 is T 0x$CHAIN_T (the block)"

has_line "$WMID" "memleak: -w: 0x$MIDPTR is not reachable from any root: possibly lost \\(only interior pointers that match no alias reach it\\)(; the shortest chain through them has [0-9]+ references?:)?" &&
	ok=ok || ok=
check "$ok" "-w midptr_leak: 0x$MIDPTR is not reachable from any root: possibly lost"
has_line "$WMID" "memleak: -w: hop 1: 0x$MIDPTR \\(the block\\); reached at \\+0x65, no alias: .*" &&
	ok=ok || ok=
check "$ok" "-w midptr_leak: the chain's last hop lands at +0x65, no alias"

has_line "$WA" "memleak: -w: 0x$CHAIN_A is reachable: the shortest chain from a root has 1 references?:" &&
	has_line "$WA" "$RE_ROOT" &&
	has_line "$WA" "memleak: -w: hop 1: 0x$CHAIN_A \\(the block\\)" && ok=ok || ok=
check "$ok" "-w A: 1 reference, hop 0 alias_chain_root, hop 1 A 0x$CHAIN_A (the block)"

# ---- figures ---------------------------------------------------------------------
echo "FIGURE: alias: blocks reported: default $(count_of "$PLAIN" "unreferenced object 0x"), strict $(count_of "$STRICT" "unreferenced object 0x"); possibly lost: ${P_LOST:-?} (summary), $(count_of "$POSS" "possibly lost object 0x") listed by -p"
finish
