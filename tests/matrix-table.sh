#!/bin/bash
# matrix-table.sh LOG - the README's support matrix, from the FIGURE lines
# of a tests/run-all.sh (or tests/matrix.sh, tests/e2e.sh) log.
#
#   tests/matrix-table.sh /tmp/kmemleak-run-all.XXXXXX
#
# One row per crash session: kernel/crash (e2e's own run is 6.1/8.0.2), dump,
# planted leaks found, planted reachable blocks reported, other orphans
# (reported, and held back by the built-in suppressions of the kernel's own
# kmemleak_not_leak() sites), and the time of the plain memleak run.
set -euo pipefail
log=${1:?usage: $0 LOG}
echo "| kernel / crash | dump | planted leaks found | planted reachable reported | other orphans reported | suppressed (kernel annotations) | memleak time |"
echo "|---|---|---|---|---|---|---|"
awk '
# Sets cell, dump and line (the rest) from a FIGURE line.
function parse(   rest) {
	line = substr($0, 8)
	cell = "6.1/8.0.2"
	if (line ~ /^\[/) {
		cell = substr(line, 2, index(line, "]") - 2)
		line = substr(line, index(line, "]") + 2)
	}
	dump = substr(line, 1, index(line, ":") - 1)
}
/^FIGURE / && /(planted leaks found|: orphans [0-9]+ \(summary)/ {
	parse()
	# tests/live/run.sh: "live" (6.1), "live 6.12"...: not dump rows
	if (dump ~ /^live( |$)/) next
	# check_strict of e2e: "<dump>: modes: ... planted leaks found": the
	# strict run of the same dump, not a row of its own
	if (line ~ /^[^:]*: modes: /) next
	key = cell SUBSEP dump
	order[++n] = key
	cellof[key] = cell; dumpof[key] = dump
	if (match(line, /planted leaks found [0-9]+\/[0-9]+/))
		found[key] = substr(line, RSTART + 20, RLENGTH - 20)
	else
		found[key] = "-"
	if (match(line, /planted reachable reported [0-9]+/))
		reach[key] = substr(line, RSTART + 27, RLENGTH - 27)
	else
		reach[key] = "-"
	if (match(line, /false positives\) [0-9]+/))
		other[key] = substr(line, RSTART + 17, RLENGTH - 17)
	else if (match(line, /orphans [0-9]+/))
		other[key] = substr(line, RSTART + 8, RLENGTH - 8)
	if (match(line, /suppressed [0-9]+/))
		supp[key] = substr(line, RSTART + 11, RLENGTH - 11)
	else
		supp[key] = "-"
}
/^FIGURE / && /memleak time: / {
	parse()
	t = line; sub(/.*memleak time: /, "", t); sub(/ \/ -s:.*/, "", t)
	time[cell SUBSEP dump] = t
}
END {
	for (i = 1; i <= n; i++) {
		k = order[i]
		printf "| %s | %s | %s | %s | %s | %s | %s |\n", cellof[k], dumpof[k],
			found[k], reach[k], other[k], supp[k], time[k]
	}
}' "$log"
