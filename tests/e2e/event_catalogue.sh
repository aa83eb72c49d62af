# A scripted run that makes every bgcopy event fire under a real session;
# each must appear, with the fields and values the run implies.
. "$(dirname "$0")/lib.sh"

bg() { traced "$BGCOPY" --store "$WORK/store" --test-short-retry "$@"; }
start_server
start_sessiond
make_file e.bin 400000
make_file v.bin 300000
make_file v.bin.v2 300000
mkdir -p "$WORK/out"
URL=http://127.0.0.1:$PORT
start_session "$WORK/trace"

job=$(bg create catalogue)
bg add "$job" "http://who:pw@127.0.0.1:$PORT/fault/slow:800000/e.bin?sig=1" "$WORK/out/e.bin"
bg set-flags "$job" 0x40 2>/dev/null && die "invalid flags accepted"
bg set-flags "$job" 0x0b
bg set-priority "$job" low
bg resume "$job"
bg wait "$job" >/dev/null || die "wait"
bg complete "$job"

# A failing command line: run, exit status, retry scheduled; one that
# hangs past its time limit (schema 3: cmdline_exit.timed_out); the
# properties of schema 3, of schema 4 (credentials: the scheme only), and
# of schema 5 (a notify service, kept by this embedded engine, which still
# runs the command line).
other=$(bg create failing)
bg add "$other" "$URL/e.bin" "$WORK/out/f.bin"
bg set-notify-cmd "$other" /bin/false
bg set-redirect-policy "$other" disallow
bg set-notify-cmd-timeout "$other" 2
bg set-notify-service "$other" org.example.Catalogue
bg set-parallel-files "$other" 2
bg resume "$other"
hung=$(bg create hung)
bg add "$hung" "$URL/e.bin" "$WORK/out/h.bin"
bg set-notify-cmd "$hung" /bin/sh -c "sleep 30"
bg set-notify-cmd-timeout "$hung" 1
echo catalogue-pw | bg set-credentials "$hung" --user u --scheme digest
bg resume "$hung"
bg run >/dev/null
bg cancel "$other"
bg cancel "$hung"

# A file that is not the expected SHA-256 (schema 3: transfer.verify,
# error context CHECKSUM).
sums=$(bg create checksum)
bg add "$sums" "$URL/e.bin" "$WORK/out/s.bin" --sha256 "$(printf '%064d' 0)"
bg resume "$sums"
bg wait "$sums" >/dev/null && die "a wrong digest passed"
bg cancel "$sums"

# A redirected file: its transfer says where it came from (schema 4:
# transfer.final_url).
moved=$(bg create moved)
bg add "$moved" "$URL/fault/redirect/e.bin" "$WORK/out/m.bin"
bg resume "$moved"
bg wait "$moved" >/dev/null || die "wait for the redirected file"
bg cancel "$moved"

# The file changes on the server between two attempts: the resume asks
# If-Range with the first version's ETag, gets the whole new version and
# starts over (schema 2: transfer.if_range, transfer.restart).
versions=$(bg create versions)
bg add "$versions" "$URL/fault/swap:100000/v.bin" "$WORK/out/v.bin"
bg set-retry-delay "$versions" 1
bg resume "$versions"
bg wait "$versions" >/dev/null || die "wait for the changed file"
cmp -s "$WORK/www/v.bin.v2" "$WORK/out/.v.bin."*-0.bgcopy-tmp ||
	die "the changed file is not the new version, whole"
bg cancel "$versions"

# Schema 5: bgcopyd, started untraced, traces for a traced client which
# peer asks for what (peer_request).
dbg() { BGCOPY_EMBEDDED=0 BGCOPYD_IDLE_EXIT=60 XDG_RUNTIME_DIR= "$BGCOPY" --store "$WORK/dstore" "$@"; }
dbg create starter >/dev/null || die "starting bgcopyd"
daemon=$(head -n 1 "$WORK/dstore/lock")
peer_job=$(BGCOPY_TRACE=1 dbg create peer) || die "a traced client of bgcopyd"
BGCOPY_TRACE=1 dbg cancel "$peer_job" || die "cancel through bgcopyd"
kill "$daemon" && wait_gone "$daemon"
# Schema 5: a callback bgcopyd forwards to a traced client
# (callback_forwarded), which traces client_open and its receipt.
dbg() { BGCOPY_EMBEDDED=0 BGCOPY_SOCKET=$WORK/dbus "$@"; }
BGCOPY_TRACE=1 LTTNG_UST_ALLOW_BLOCKING=1 \
	"$B/bin/bgcopyd" --store "$WORK/fstore" --socket "$WORK/dbus" --foreground \
	2> "$WORK/daemon.err" &
daemon=$!
trap 'kill $daemon 2>/dev/null; cleanup' EXIT
for _ in $(seq 200); do [ -S "$WORK/dbus" ] && break; sleep 0.05; done
[ -S "$WORK/dbus" ] || die "bgcopyd did not start: $(cat "$WORK/daemon.err")"
forwarded=$(dbg "$BGCOPY" --store "$WORK/fstore" create forwarded) || die "create through bgcopyd"
dbg "$BGCOPY" --store "$WORK/fstore" add "$forwarded" "$URL/e.bin" "$WORK/out/d.bin" >/dev/null
dbg traced "$B/tools/callback_client" "$WORK/fstore" "$forwarded" ack > "$WORK/client.out" &
client=$!
for _ in $(seq 200); do grep -q registered "$WORK/client.out" && break; sleep 0.05; done
dbg "$BGCOPY" --store "$WORK/fstore" resume "$forwarded"
wait $client || die "the traced client failed"
kill $daemon || die "bgcopyd ended early: $(cat "$WORK/daemon.err")"
wait $daemon || die "bgcopyd exited $?: $(cat "$WORK/daemon.err")"
stop_session

bt "$WORK/trace" > "$WORK/events.txt" || die "babeltrace2 cannot read the trace"
expect() {
	local event=$1; shift
	local lines
	lines=$(grep "bgcopy:$event:" "$WORK/events.txt") || die "no bgcopy:$event event"
	for want in "$@"; do
		grep -qF -- "$want" <<<"$lines" || die "bgcopy:$event has no '$want'"
	done
}
id="job = \"$job\""
expect engine_open "trace_schema = 5," "dispatcher_threads = 4," "test_options = 0x1," "min_retry_floor_ms = 0"
expect engine_close "engine = 0x"
# The schema this bgcopy writes, as the sources define it.
schema=$(sed -n 's/^#define STORE_SCHEMA \([0-9]*\)$/\1/p' "$(dirname "$0")/../../tracer/internal.h")
[ -n "$schema" ] || die "no STORE_SCHEMA in tracer/internal.h"
expect store_open "schema_version = $schema," "jobs_restored = 1"
expect job_created "$id" 'name = "catalogue"' '( "SUSPENDED"' "notify_flags = 0x3," "min_retry_delay_ms = 600000"
expect job_restored "$id" '( "LOW"' '( "TRANSFERRED"' "files = 1"
expect file_added "$id" "url = \"http://127.0.0.1:$PORT/fault/slow:800000/e.bin\"" "local_path = \"$WORK/out/e.bin\"" "file_index = 0"
expect flags_change "$id" "old_flags = 0x3, new_flags = 0x40, result = -1" "old_flags = 0x3, new_flags = 0xB, result = 0"
expect property_change "$id" '( "PRIORITY"' 'value = "3"' '( "NOTIFY_CMDLINE"' 'value = "/bin/false"'
expect state_change "$id" 'from = ( "SUSPENDED" : container = 3 ), to = ( "QUEUED"' '( "RESUME"' \
	'to = ( "TRANSFERRED"' '( "ALL_FILES_DONE"' 'to = ( "ACKNOWLEDGED"' '( "CANCEL"'
expect progress "$id" "file_total = 400000" "job_bytes = 400000"
expect file_complete "$id" "bytes = 400000"
expect transfer "$id" "http_status = 200" "bytes = 400000" "curl_code = 0" "range_honoured = 0" \
	'sha256_expected = 0, verify = ( "NONE"'
expect transfer "job = \"$sums\"" 'sha256_expected = 1, verify = ( "MISMATCH"' 'final_url = ""'
expect transfer "job = \"$moved\"" "final_url = \"http://127.0.0.1:$PORT/e.bin\""
expect state_change "job = \"$sums\"" 'error_context = ( "CHECKSUM"' 'description = "SHA-256 mismatch: expected 000'
expect property_change "job = \"$other\"" '( "REDIRECT_POLICY"' 'value = "1"' '( "CMDLINE_TIMEOUT"' 'value = "2000"'
expect property_change "job = \"$other\"" '( "NOTIFY_SERVICE"' 'value = "org.example.Catalogue"'
expect property_change "job = \"$other\"" '( "PARALLEL_FILES" : container = 22 )' 'value = "2"'
grep "bgcopy:property_change:" "$WORK/events.txt" | grep -F "job = \"$hung\"" |
	grep -qF '( "CREDENTIALS" : container = 10 ), value = "digest"' ||
	die "no CREDENTIALS property_change of the scheme"
! grep -qF catalogue-pw "$WORK/events.txt" || die "the password is in the trace"
expect transfer "job = \"$versions\"" 'if_range = ( "ETAG"' 'restart = ( "OTHER_VERSION"' \
	'restart = ( "NONE"'
expect interface_set "$id" "old_epoch = 0, new_epoch = 1" "old_epoch = 1, new_epoch = 2, iface = 0x0"
expect interface_release "$id" "epoch = 1"
expect notify_armed "$id" '( "JOB_MODIFICATION"' '( "JOB_TRANSFERRED"' "file_index = -1, arming = 1 }"
# Schema 2: every attempt names the arming it serves.
expect callback_end "$id" "arming = "
expect notify_coalesced "$id" '( "JOB_MODIFICATION"'
expect callback_begin "$id" '( "JOB_TRANSFERRED"' "epoch = 1, attempt = 1" '( "JOB_MODIFICATION"'
expect callback_end "$id" '( "JOB_TRANSFERRED"' "result = 0, duration_ns = "
expect cmdline_run "job = \"$other\"" 'program = "/bin/false"'
expect cmdline_exit "job = \"$other\"" "status = 1, timed_out = 0"
expect cmdline_exit "job = \"$hung\"" "status = -9, timed_out = 1"
expect retry_scheduled "job = \"$other\"" '( "JOB_TRANSFERRED"' "delay_ms = 600000"
expect peer_request 'target_job = "", verb = "EnableTracing"' 'target_job = "", verb = "CreateJob"' \
	"target_job = \"$peer_job\", verb = \"Cancel\"" "peer_uid = $(id -u), peer_uts_ns = $(stat -L -c %i /proc/self/ns/uts) }"
fw="job = \"$forwarded\""
expect callback_forwarded "$fw" '( "JOB_TRANSFERRED"' "attempt = 1" "pid = " "pid_start = "
expect client_open "client = 0x" "pid_start = "
expect client_callback_received "$fw" '( "JOB_TRANSFERRED"' "arming = 1, attempt = 1"
expect client_callback_returned "$fw" "attempt = 1, result = 0 }"

# Every event of the provider was seen.
for event in $(sed -n 's/^\tEV(\([a-z_]*\),.*/\1/p' "$(dirname "$0")/../../tp/bgcopy_schema.h"); do
	grep -q "bgcopy:$event:" "$WORK/events.txt" || die "event $event never fired"
	seen=$((${seen:-0} + 1))
done
[ "${seen:-0}" -ge 21 ] || die "only $seen event kinds found in the provider header"
if grep -q -e "pw@" -e "sig=1" "$WORK/events.txt"; then die "secret in the trace"; fi
echo "all $seen event kinds seen with their fields"
