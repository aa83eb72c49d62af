# Engine and notification tests of tests/unit/tracer/ again, each engine
# a client of a bgcopyd started on demand (BGCOPY_SERVICE=1): the same
# API, semantics and return codes through the daemon.  Tests that hold
# embedded-only assumptions (an engine that stops its transfers when it
# closes, a store a second engine finds busy, names that are not UTF-8)
# run embedded only.
. "$(dirname "$0")/lib.sh"
unset BGCOPY_EMBEDDED
# The tests make up to 200 jobs in one store: above BITS' 60 a user.
export BGCOPY_SERVICE=1 BGCOPYD_IDLE_EXIT=5 BGCOPYD_MAX_JOBS_PER_USER=1000 BGCOPYD_MAX_JOBS=1000

for t in test_notify_retries test_notify_flags test_notify_order test_notify_race \
	 test_notify_cmdline test_cmdline_limit test_redirects test_answers test_versions \
	 test_local_files; do
	bin=$B/tests/$t
	[ -x "$bin" ] || die "$bin is not built"
	"$bin" > "$WORK/$t.log" 2>&1 || { cat "$WORK/$t.log"; die "$t through bgcopyd"; }
	grep -q "PASSED" "$WORK/$t.log" || die "$t ran nothing"
	echo "$t: $(grep -o '[0-9]* test(s)' "$WORK/$t.log" | tail -1) through bgcopyd"
done
echo "engine tests through bgcopyd ok"
