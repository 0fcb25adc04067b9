#!/bin/bash
# SPDX-License-Identifier: MIT
#
# run.sh - the test runner behind `make check`.
#
# Theory of operation: every unit test binary (build/tests/test_*, cmocka)
# and every integration script (tests/integration/*.sh) runs once against
# the normal build, then again against the ASan+UBSan build (build-asan/,
# made here with `make asan`). In between, the normal build's unit tests run
# a third time under valgrind (memcheck; any error or definite leak fails
# the test), which catches uninitialised reads ASan cannot see; without
# valgrind (and no apt-get to install it) that suite is one visible SKIP. Each test runs alone under a timeout with
# its output in build/test-logs/SUITE/NAME.log, printed only when the test
# fails. Exit status 77 means skipped (automake convention), anything else
# non-zero is a failure. The last line is the summary
# "N passed, N failed[, N skipped]"; the exit status is non-zero iff a test
# failed.
#
# Usage: tests/run.sh [--unit-only] [--no-asan] [--asan-only] [--no-valgrind] [TEST...]
#   TEST is a unit binary or an integration script; given tests run against
#   build/ (and build-asan/ unless --no-asan), nothing else runs.
# Environment: VMWIRE (binary instead of build/vmwire), VW_TEST_TIMEOUT (seconds per test, default 600), VW_KEEP=1
#   keeps the integration tests' temp dirs.

set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

unit_only=
asan=yes
normal=yes
valgrind=yes
explicit=()
for a in "$@"; do
	case $a in
	--unit-only) unit_only=1 ;;
	--no-asan) asan= ;;
	--asan-only) normal= valgrind= ;;
	--no-valgrind) valgrind= ;;
	-h | --help)
		sed -n '/^# Usage/,/^$/p' "$0"
		exit 0
		;;
	-*)
		echo "run.sh: unknown option '$a'" >&2
		exit 2
		;;
	*) explicit+=("$(realpath -m -- "$a")") ;;
	esac
done
cd "$ROOT" || exit 1

TIMEOUT=${VW_TEST_TIMEOUT:-600}
# A VMWIRE from the environment replaces build/vmwire (not build-asan/).
user_vmwire=${VMWIRE:+$(realpath -m -- "$VMWIRE")}
LOGROOT=$ROOT/build/test-logs
passed=0
failed=0
skipped=0
failures=()

# run_one SUITE NAME CMD...: run, log, account.
run_one() {
	local suite=$1 name=$2 log rc start secs
	shift 2
	log=$LOGROOT/$suite/$name.log
	mkdir -p "$(dirname "$log")"
	start=$(date +%s)
	timeout -k 10 "$TIMEOUT" "$@" </dev/null >"$log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	case $rc in
	0)
		passed=$((passed + 1))
		printf 'PASS  %s/%s (%ss)\n' "$suite" "$name" "$secs"
		;;
	77)
		skipped=$((skipped + 1))
		printf 'SKIP  %s/%s: %s\n' "$suite" "$name" \
			"$(grep -m1 '^SKIP' "$log" || true)"
		;;
	*)
		failed=$((failed + 1))
		failures+=("$suite/$name")
		[ $rc -eq 124 ] && echo "(timed out after ${TIMEOUT}s)" >>"$log"
		printf 'FAIL  %s/%s (exit %s, %ss), log %s:\n' "$suite" "$name" \
			"$rc" "$secs" "${log#$ROOT/}"
		if [ "$(wc -l <"$log")" -gt 300 ]; then
			echo "    | ... (first $(($(wc -l <"$log") - 300)) lines in the log file)"
		fi
		tail -n 300 "$log" | sed 's/^/    | /'
		;;
	esac
}

# run_test SUITE FILE: a unit binary or an integration script.
run_test() {
	local suite=$1 f=$2
	case $f in
	*.sh) run_one "$suite" "$(basename "$f" .sh)" bash "$f" ;;
	*) run_one "$suite" "$(basename "$f")" "$f" ;;
	esac
}

# run_suite BUILDDIR PREFIX: every (or every explicit) test against BUILDDIR.
run_suite() {
	local build=$1 prefix=$2 f
	export VMWIRE=$ROOT/$build/vmwire
	[ "$build" = build ] && [ -n "$user_vmwire" ] && VMWIRE=$user_vmwire
	# doc/HACKING.md: a test too slow to run twice skips itself when set.
	export VW_ASAN=
	[ "$build" = build-asan ] && VW_ASAN=1
	if [ ${#explicit[@]} -gt 0 ]; then
		for f in "${explicit[@]}"; do
			case $f in
			*.sh) run_test "${prefix}integration" "$f" ;;
			*) run_test "${prefix}unit" "$ROOT/$build/tests/$(basename "$f")" ;;
			esac
		done
		return
	fi
	for f in "$build"/tests/test_*; do
		[ -x "$f" ] && [ -f "$f" ] || continue
		case $f in *.d | *.o) continue ;; esac
		run_test "${prefix}unit" "$ROOT/$f"
	done
	[ -n "$unit_only" ] && return
	for f in tests/integration/*.sh; do
		[ -f "$f" ] && run_test "${prefix}integration" "$ROOT/$f"
	done
}

if [ -n "$normal" ]; then
	run_suite build ""
fi

# The unit tests of build/ under valgrind: explicit unit tests only, if any.
run_valgrind() {
	local f tests=()
	if [ ${#explicit[@]} -gt 0 ]; then
		for f in "${explicit[@]}"; do
			case $f in *.sh) ;; *) tests+=("$ROOT/build/tests/$(basename "$f")") ;; esac
		done
	else
		for f in build/tests/test_*; do
			[ -x "$f" ] && [ -f "$f" ] || continue
			case $f in *.d | *.o) continue ;; esac
			tests+=("$ROOT/$f")
		done
	fi
	[ ${#tests[@]} -gt 0 ] || return 0
	if ! command -v valgrind >/dev/null && [ "$(id -u)" = 0 ]; then
		"$ROOT/tools/ensure-deps.sh" --pkgs valgrind || true
	fi
	if ! command -v valgrind >/dev/null; then
		skipped=$((skipped + 1))
		echo "SKIP  valgrind-unit: valgrind is not installed (apt-get install valgrind)"
		return 0
	fi
	for f in "${tests[@]}"; do
		run_one valgrind-unit "$(basename "$f")" valgrind -q --error-exitcode=1 \
			--suppressions="$ROOT/tests/valgrind.supp" \
			--leak-check=full --errors-for-leak-kinds=definite "$f"
	done
}

if [ -n "$valgrind" ]; then
	run_valgrind
fi

if [ -n "$asan" ]; then
	mkdir -p "$LOGROOT"
	echo "building build-asan/ (make asan)"
	# Outside make's jobserver (run.sh runs from a recipe), with our own -j.
	if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -j"$(nproc)" asan \
		>"$LOGROOT/make-asan.log" 2>&1; then
		export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
		export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
		run_suite build-asan "asan-"
	else
		# The sanitizer pass is part of the suite: a build that fails is a failure.
		failed=$((failed + 1))
		failures+=("make-asan")
		echo "FAIL  asan: make asan failed, log build/test-logs/make-asan.log:"
		tail -n 20 "$LOGROOT/make-asan.log" | sed 's/^/    | /'
	fi
fi

if [ ${#failures[@]} -gt 0 ]; then
	echo "failed: ${failures[*]}"
fi
summary="$passed passed, $failed failed"
[ $skipped -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
[ $failed -eq 0 ]
