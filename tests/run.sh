#!/usr/bin/env bash
# Runs every test: the cmocka binaries in BUILD/tests and the scripts in
# tests/e2e.  Prints one line per test and closes with "N passed, N failed".
#   tests/run.sh BUILD [FILTER]
set -u
build=${1:?usage: tests/run.sh BUILD [FILTER]}

# The tests get an LTTng of their own (root only): a private /run/lttng,
# /dev/shm and LTTNG_HOME in a mount namespace, so a session daemon started
# here sees only these tests' processes.  Another program tracing bgcopy
# on the machine (a second make check, a user's bgcopy) lands in no test's
# session, and no test's events land in theirs.  /run/bgcopy, where a
# system bgcopyd listens, is private too, so two runs' system daemons
# (bgcopyd_system.sh) never meet.
if [ "$(id -u)" = 0 ] && [ -z "${BGCOPY_TESTS_ISOLATED:-}" ] &&
	unshare -m true 2>/dev/null; then
	mkdir -p /run/lttng /run/bgcopy "$build/lttng-home"
	exec unshare -m --propagation private env BGCOPY_TESTS_ISOLATED=1 \
		LTTNG_HOME="$(cd "$build/lttng-home" && pwd)" bash -c '
		mount -t tmpfs -o mode=755 tmpfs /run/lttng &&
		mount -t tmpfs -o mode=755 tmpfs /run/bgcopy &&
		mount -t tmpfs -o mode=1777 tmpfs /dev/shm && exec bash "$@"' run.sh "$0" "$@"
fi
filter=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
export BGCOPY_BUILD=$(cd "$build" && pwd)
logdir=$BGCOPY_BUILD/test-logs
mkdir -p "$logdir"
passed=0 failed=0 skipped=0

# ASan builds load into uninstrumented programs (babeltrace2) and are
# traced by LTTng, whose threads outlive main: no leak check there.
case "$build" in
	*asan*) export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ;;
	*tsan*) export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 ;;
esac

run_cmocka() {
	local bin=$1 name log
	name=$(basename "$bin")
	log=$logdir/$name.log
	"$bin" >"$log" 2>&1
	local rc=$?
	local ok bad
	ok=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\./\1/p' "$log" | tail -1)
	bad=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s), listed below:/\1/p' "$log" | tail -1)
	ok=${ok:-0} bad=${bad:-0}
	if [ $rc -ne 0 ] && [ "$bad" = 0 ]; then bad=1; fi
	passed=$((passed + ok)) failed=$((failed + bad))
	grep -E '^\[ +(OK|FAILED|ERROR) +\]' "$log" | sed "s/^/$name: /"
	if [ $rc -ne 0 ]; then
		echo "$name: FAILED (exit $rc), log follows"
		tail -n 40 "$log" | sed 's/^/    /'
	fi
}

run_script() {
	local script=$1 name log rc
	name=$(basename "$script" .sh)
	log=$logdir/$name.log
	bash "$script" >"$log" 2>&1
	rc=$?
	case $rc in
	0) passed=$((passed + 1)); echo "e2e: [       OK ] $name" ;;
	77) skipped=$((skipped + 1)); echo "e2e: [ SKIPPED  ] $name: $(tail -n 1 "$log")" ;;
	*) failed=$((failed + 1)); echo "e2e: [  FAILED  ] $name (exit $rc), log follows"
	   tail -n 40 "$log" | sed 's/^/    /' ;;
	esac
}

for bin in "$BGCOPY_BUILD"/tests/test_*; do
	[ -x "$bin" ] || continue
	case $(basename "$bin") in *"$filter"*) run_cmocka "$bin" ;; esac
done
if [ -z "$filter" ]; then
	for script in "$here"/e2e/*.sh; do
		[ "$(basename "$script")" = lib.sh ] && continue
		run_script "$script"
	done
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ] && [ $passed -gt 0 ]
