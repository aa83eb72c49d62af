# Two traces for the report tests, sourced after tests/e2e/lib.sh:
# record_passing DIR: a real traced download (transfer phases, several
# processes) that passes; record_failing DIR: fake_engine's scenario
# g1_lost_modification (a lost JobModification, G1) through the real
# provider.

record_passing() {
	start_server
	make_file a.bin 300000
	"$BGCOPY" record -o "$1" -- "$BGCOPY" --store "$WORK/store" download \
		"http://127.0.0.1:$PORT/a.bin" "$WORK/a.bin" >/dev/null ||
		die "the recorded download failed"
}

record_failing() {
	local scn
	scn=$(cd "$(dirname "${BASH_SOURCE[0]}")/../scenario" && pwd)/obligations.scn
	start_sessiond
	start_session "$1"
	LTTNG_UST_ALLOW_BLOCKING=1 "$B/tools/fake_engine" "$B/lib/libbgcopy-tp.so" \
		"$scn" g1_lost_modification || die "fake_engine failed"
	stop_session
}
