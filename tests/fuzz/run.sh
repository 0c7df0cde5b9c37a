#!/bin/bash
# run.sh - build the libFuzzer target over memleak's engine and fuzz it for a
# bounded time.
#
#   tests/fuzz/run.sh
#
# Builds tests/fuzz/fuzz_engine.c with the crash-independent engine sources
# (every engine/*.c, and the alias table's offsets/ but its libdw reader)
# under clang -fsanitize=fuzzer,address,undefined (installing clang with
# apt-get when it or its libFuzzer runtime is missing), then runs
# it for FUZZ_TIME seconds from the committed seeds (tests/fuzz/corpus/, see
# make_corpus.py) plus the corpus grown by earlier runs. The target checks
# the engine against a naive model besides what the sanitizers catch (see
# the comment at the top of fuzz_engine.c).
#
# Prints "PASS: fuzz engine (N execs ...)" or "FAIL: fuzz engine: ..." with
# the input that failed (saved in $FUZZ_OUT/artifacts; replay it with
# "$FUZZ_OUT/fuzz_engine <file>"), and a FIGURE line. Exit status 0 on PASS.
#
# Environment:
#   KMEMLEAK_CACHE  cache root (default: $HOME/.cache/kmemleak-crash)
#   FUZZ_OUT        build, corpus and artifacts (default: $KMEMLEAK_CACHE/fuzz)
#   FUZZ_TIME       seconds of fuzzing (default: 30; the corpus grown by
#                   every run is kept, so the runs add up)
#   FUZZ_RSS_MB     libFuzzer -rss_limit_mb (default: 2048)
set -uo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/tests/fixture/common.sh"

OUT=${FUZZ_OUT:-$CACHE/fuzz}
TIME=${FUZZ_TIME:-30}
RSS=${FUZZ_RSS_MB:-2048}
# every engine source: the folder is crash-free by construction (Makefile);
# the alias table's (offsets/) but its libdw reader and its tool's main
SRCS=$(cd "$REPO" && echo engine/*.c offsets/aliases.c offsets/build.c offsets/cache.c)
BIN=$OUT/fuzz_engine
LOG=$OUT/fuzz.log

fail() {
	echo "FAIL: fuzz engine: $*"
	exit 1
}

# clang that links a libFuzzer target: installed once, then reused.
clang_fuzzer_ok() {
	local probe="$OUT/probe"

	command -v clang >/dev/null &&
		printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' |
		clang -x c - -fsanitize=fuzzer,address,undefined -o "$probe" \
			>/dev/null 2>&1
}

mkdir -p "$OUT/corpus" "$OUT/artifacts" || fail "cannot create $OUT"
if ! clang_fuzzer_ok; then
	echo "fuzz: installing clang (libFuzzer)" >&2
	{ apt-get update && apt-get install -y clang; } >"$OUT/apt.log" 2>&1 ||
		fail "apt-get install clang failed (see $OUT/apt.log)"
	clang_fuzzer_ok || fail "clang cannot link a -fsanitize=fuzzer target"
fi

cd "$REPO" || fail "cd $REPO"
# shellcheck disable=SC2086
clang -g -O1 -std=gnu11 -Wall -Wextra \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -Iengine -Ioffsets \
	tests/fuzz/fuzz_engine.c $SRCS -o "$BIN" >"$OUT/build.log" 2>&1 ||
	{ sed 's/^/    | /' "$OUT/build.log" >&2; fail "build failed"; }
[ -s "$OUT/build.log" ] && sed 's/^/    | /' "$OUT/build.log" >&2

rm -f "$OUT"/artifacts/*
start=$SECONDS
# The first directory gets the new inputs; the committed seeds are read too.
timeout -k 10 $((TIME + 120)) "$BIN" -max_total_time="$TIME" \
	-rss_limit_mb="$RSS" -timeout=20 -print_final_stats=1 \
	-artifact_prefix="$OUT/artifacts/" \
	"$OUT/corpus" "$REPO/tests/fuzz/corpus" >"$LOG" 2>&1
rc=$?
took=$((SECONDS - start))

execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$LOG" | tail -n 1)
cov=$(grep -o 'cov: [0-9]*' "$LOG" | tail -n 1 | grep -o '[0-9]*')
inputs=$(find "$OUT/corpus" -type f | wc -l)
artifact=$(find "$OUT/artifacts" -type f | head -n 1)
echo "FIGURE fuzz: ${execs:-?} execs in ${took} s, coverage ${cov:-?} edges, corpus $inputs inputs"
if [ "$rc" = 0 ] && [ -z "$artifact" ] && [ -n "$execs" ]; then
	echo "PASS: fuzz engine (${execs} execs, ${took} s, no finding)"
	exit 0
fi
why=$(grep -m1 -E 'ERROR: |runtime error|check failed|SUMMARY: |ALARM|timeout' "$LOG" |
	sed 's/^==[0-9]*==//')
echo "FAIL: fuzz engine: ${why:-exit status $rc} (input saved: ${artifact:-none}; log: $LOG)"
grep -E -A12 'runtime error|ERROR: AddressSanitizer|check failed' "$LOG" |
	head -n 30 | sed 's/^/    | /' >&2
exit 1
