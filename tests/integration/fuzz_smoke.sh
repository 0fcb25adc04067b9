#!/bin/bash
# SPDX-License-Identifier: MIT
#
# fuzz_smoke.sh - build the libFuzzer targets (make fuzz) and run each one
# briefly on its checked-in corpus (make fuzz-smoke); any crash, sanitizer
# report, leak or harness invariant failure fails the test.
#
# Theory of operation: the seeds under tests/fuzz/corpus/ include the
# reproducers of every bug the fuzzers found, so even a short run replays
# them all first, then mutates for FUZZ_SECS seconds per target. The fuzz
# build is ASan+UBSan already, so run.sh's second (ASan) pass only replays
# the corpus with a short mutation budget instead of paying the time twice.
# The targets run nproc at a time: 23 targets one after another took 530 s
# of the test's 600 s on an idle 2-core machine and timed out on a busy one.
# Skips (77) only when clang, which libFuzzer needs, is missing.
#
# Environment: FUZZ_SECS (seconds per target; default 20, 3 in the ASan pass).

set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 1

if ! command -v clang >/dev/null; then
	echo "SKIP: clang is not installed (libFuzzer comes with it)"
	exit 77
fi

secs=${FUZZ_SECS:-20}
case ${VMWIRE:-} in
*/build-asan/*) secs=${FUZZ_SECS:-3} ;;
esac

# Outside the jobserver of the make that runs the suite, with our own -j.
unset MAKEFLAGS MFLAGS MAKELEVEL
mkdir -p build-fuzz
if ! make -s -j"$(nproc)" fuzz >build-fuzz/make.log 2>&1; then
	tail -n 40 build-fuzz/make.log
	echo "FAIL: make fuzz, log build-fuzz/make.log"
	exit 1
fi

ntargets=$(ls tests/fuzz/fuzz_*.c | wc -l)
if [ "$ntargets" -lt 1 ]; then
	echo "FAIL: no fuzz targets found"
	exit 1
fi
# Like every network-touching test, the run happens in a private network
# namespace (the gateway target opens real sockets), so nothing a fuzzer
# builds can leave the machine even if a harness forgot to confine it.
if [ "$(id -u)" = 0 ]; then
	unshare -n -- make -s -j"$(nproc)" fuzz-smoke FUZZ_SECS="$secs"
else
	make -s -j"$(nproc)" fuzz-smoke FUZZ_SECS="$secs"
fi
rc=$?
if [ $rc -ne 0 ]; then
	echo "FAIL: make fuzz-smoke (exit $rc)"
	exit 1
fi
# Every target must really have run.
for f in tests/fuzz/fuzz_*.c; do
	t=$(basename "$f" .c)
	if ! grep -q '^stat::number_of_executed_units' "build-fuzz/$t.log"; then
		echo "FAIL: $t did not run (no final stats in build-fuzz/$t.log)"
		exit 1
	fi
done
echo "PASS: $ntargets fuzz targets, ${secs}s each"
