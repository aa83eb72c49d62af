# Engine and notification tests of tests/unit/tracer/ again, each engine
# a client of a bgcopyd started on demand (BGCOPY_SERVICE=1): the same
# API, semantics and return codes through the daemon.  A test that holds
# an embedded-only assumption skips itself there, saying why
# (harness_skip_through_daemon; docs/bgcopyd.md lists them); cmocka
# counts it skipped.  test_client, which starts its daemon itself, is
# not run here.
. "$(dirname "$0")/lib.sh"
unset BGCOPY_EMBEDDED
# The tests make up to 200 jobs in one store: above BITS' 60 a user.
export BGCOPY_SERVICE=1 BGCOPYD_IDLE_EXIT=5 BGCOPYD_MAX_JOBS_PER_USER=1000 BGCOPYD_MAX_JOBS=1000

for t in test_notify_retries test_notify_flags test_notify_order test_notify_race \
	 test_notify_cmdline test_cmdline_limit test_redirects test_answers test_versions \
	 test_local_files test_names test_checksums test_add_files test_callback_forward \
	 test_hostile test_engine test_store test_store_trust test_crash test_tls test_schedule \
	 test_change_hook test_forget test_parallel; do
	bin=$B/tests/$t
	[ -x "$bin" ] || die "$bin is not built"
	"$bin" > "$WORK/$t.log" 2>&1 || { cat "$WORK/$t.log"; die "$t through bgcopyd"; }
	passed=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\./\1/p' "$WORK/$t.log")
	skipped=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test(s).*/\1/p' "$WORK/$t.log")
	[ "${passed:-0}" -gt 0 ] || die "$t ran nothing"
	echo "$t: $passed test(s) through bgcopyd, ${skipped:-0} embedded-only"
done
echo "engine tests through bgcopyd ok"
