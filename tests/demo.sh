#!/bin/bash
# demo.sh - from a fresh Debian 12 machine to a real `memleak` report.
#
#   tests/demo.sh [VARIANT]
#
# Installs what is needed (apt packages, the Debian 6.1 test kernel and its
# debug vmlinux), builds kmemleak.so, boots the test kernel in QEMU with the
# leak-planting module, dumps it, and runs in crash:
#     extend kmemleak.so
#     memleak
# Everything downloaded or built outside the checkout is cached in
# ${KMEMLEAK_CACHE:-~/.cache/kmemleak-crash}. VARIANT: leaks (default),
# leaks-nodebug or clean.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
variant=${1:-leaks}

"$repo/tests/fixture/setup.sh"
make -C "$repo" kmemleak.so >&2
dir=$("$repo/tests/fixture/build-fixture.sh" "$variant" | sed -n 's/^FIXTURE_DIR=//p' | tail -n1)
[ -n "$dir" ] || { echo "demo: fixture build failed" >&2; exit 1; }

echo "== planted blocks (from the guest's console) =="
column -t "$dir/expected.tsv" 2>/dev/null || cat "$dir/expected.tsv"
echo
echo "== crash -s $dir/vmlinux $dir/vmcore =="
echo "crash> extend $repo/kmemleak.so"
echo "crash> memleak"
printf 'extend %s/kmemleak.so\nmemleak\nquit\n' "$repo" |
	timeout 900 crash -s "$dir/vmlinux" "$dir/vmcore" 2>&1 |
	grep -v 'read of stack at .* failed'
