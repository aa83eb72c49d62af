# A provider already mapped (LD_PRELOAD) is used without BGCOPY_TRACE: the
# library finds it among the loaded objects, not by searching the library
# path (no_lttng_dependency.sh checks that no search happens).
. "$(dirname "$0")/lib.sh"

start_server
start_sessiond
make_file p.bin 100000
mkdir -p "$WORK/out"
start_session "$WORK/trace"
# Under ASan its runtime must come first (lib.sh).
LTTNG_UST_ALLOW_BLOCKING=1 LD_PRELOAD="${BT_PRELOAD:+$BT_PRELOAD }$B/lib/libbgcopy-tp.so" \
	"$BGCOPY" --store "$WORK/store" download "http://127.0.0.1:$PORT/p.bin" "$WORK/out/p.bin" &
pid=$!
wait "$pid" || die "preloaded download failed"
stop_session
cmp -s "$WORK/www/p.bin" "$WORK/out/p.bin" || die "p.bin differs"
# Every process of this user that loads the provider is recorded: only
# this one's events count.
bt "$WORK/trace" > "$WORK/events.txt" || die "babeltrace2 could not read the trace"
grep "bgcopy:state_change" "$WORK/events.txt" | grep -q "vpid = $pid," ||
	die "no state change recorded from the preloaded process $pid"
echo "a preloaded provider traces without BGCOPY_TRACE"
