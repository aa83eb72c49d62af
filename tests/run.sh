#!/usr/bin/env bash
# Runs every test: the cmocka binaries in BUILD/tests and the scripts in
# tests/e2e.  Prints one line per test and closes with "N passed, N failed".
#   tests/run.sh BUILD [FILTER...]
# With filters, a cmocka binary runs when its name contains one of them
# and a script when its name (without .sh) is one of them.
set -u
build=${1:?usage: tests/run.sh BUILD [FILTER...]}

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
shift
filters=("$@")
here=$(cd "$(dirname "$0")" && pwd)
export BGCOPY_BUILD=$(cd "$build" && pwd)
logdir=$BGCOPY_BUILD/test-logs
mkdir -p "$logdir"
passed=0 failed=0 skipped=0

# ASan builds load into uninstrumented programs (babeltrace2) and are
# traced by LTTng, whose threads outlive main: no leak check there.
# Every process writes its sanitizer reports to a file of its own, so that
# a daemon's, whose stderr nobody reads, is seen too.
sanitizer_log=$logdir/sanitizer
rm -f "$sanitizer_log".*
case "$build" in
	*asan*) export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:log_path=$sanitizer_log \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$sanitizer_log ;;
	*tsan*) export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:log_path=$sanitizer_log:suppressions=$here/tsan.supp ;;
esac

# sanitizer_reports NAME: shows and keeps (as NAME.sanitizer.PID) the
# reports a test's processes wrote; true when there were some.
sanitizer_reports() {
	local name=$1 report found=1
	for report in "$sanitizer_log".*; do
		[ -e "$report" ] || continue
		echo "$name: sanitizer report of pid ${report##*.} follows"
		head -n 40 "$report" | sed 's/^/    /'
		mv "$report" "$logdir/$name.sanitizer.${report##*.}"
		found=0
	done
	return $found
}

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
	if sanitizer_reports "$name" || [ $rc -ne 0 ]; then [ "$bad" = 0 ] && bad=1; fi
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
	if sanitizer_reports "$name" && [ $rc = 0 ]; then rc=1; fi
	case $rc in
	0) passed=$((passed + 1)); echo "e2e: [       OK ] $name" ;;
	77) skipped=$((skipped + 1)); echo "e2e: [ SKIPPED  ] $name: $(tail -n 1 "$log")" ;;
	*) failed=$((failed + 1)); echo "e2e: [  FAILED  ] $name (exit $rc), log follows"
	   tail -n 40 "$log" | sed 's/^/    /' ;;
	esac
}

# wanted NAME PATTERN: no filter, or NAME matches one as PATTERN says.
wanted() {
	local f
	[ ${#filters[@]} = 0 ] && return 0
	for f in "${filters[@]}"; do
		case $2 in
		within) [[ $1 == *"$f"* ]] && return 0 ;;
		exact) [ "$1" = "$f" ] && return 0 ;;
		esac
	done
	return 1
}

for bin in "$BGCOPY_BUILD"/tests/test_*; do
	[ -x "$bin" ] || continue
	wanted "$(basename "$bin")" within && run_cmocka "$bin"
done
for script in "$here"/e2e/*.sh; do
	[ "$(basename "$script")" = lib.sh ] && continue
	wanted "$(basename "$script" .sh)" exact && run_script "$script"
done
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ] && [ $passed -gt 0 ]
