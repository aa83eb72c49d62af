# A traced `bgcopy download` against the test server, read back through
# the plugin: the job's timeline shows TRANSFERRED then ACKNOWLEDGED and
# exactly one JobTransferred callback.
. "$(dirname "$0")/lib.sh"

start_server
start_sessiond
make_file a.bin 300000
mkdir -p "$WORK/out"
start_session "$WORK/trace"
traced "$BGCOPY" --store "$WORK/store" download "http://127.0.0.1:$PORT/a.bin" "$WORK/out/a.bin" ||
	die "bgcopy download failed"
stop_session
cmp "$WORK/www/a.bin" "$WORK/out/a.bin" || die "downloaded file differs"

bt --plugin-path="$PLUGIN_DIR" "$WORK/trace" -c sink.bgcopy.timeline > "$WORK/timeline.txt" ||
	die "babeltrace2 with sink.bgcopy.timeline failed"
cat "$WORK/timeline.txt"
grep -q '^job ' "$WORK/timeline.txt" || die "no job in the timeline"
transferred=$(grep -n 'state .*-> TRANSFERRED' "$WORK/timeline.txt" | head -1 | cut -d: -f1)
acknowledged=$(grep -n 'state .*-> ACKNOWLEDGED' "$WORK/timeline.txt" | head -1 | cut -d: -f1)
[ -n "$transferred" ] && [ -n "$acknowledged" ] || die "TRANSFERRED or ACKNOWLEDGED missing"
[ "$transferred" -lt "$acknowledged" ] || die "ACKNOWLEDGED before TRANSFERRED"
n=$(grep -c 'callback JOB_TRANSFERRED' "$WORK/timeline.txt")
[ "$n" = 1 ] || die "expected one JOB_TRANSFERRED callback, saw $n"
echo "timeline checks passed"
