# The HTTP option scripts (credentials, headers, dynamic content, the
# maximum download time) again with every bgcopy command a client of a
# bgcopyd started on demand (BGCOPY_SERVICE=1): the options cross the
# daemon and act as they do embedded.  cli_verbs.sh and cli_download.sh
# stay embedded: they check what only one process holding the store
# shows (another's change refused, naming its pid).
. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
# The daemons' sockets here, so that this script sees each one and stops it.
export BGCOPY_EMBEDDED=0 BGCOPY_SERVICE=1 BGCOPYD_IDLE_EXIT=600 XDG_RUNTIME_DIR=$WORK/run
mkdir -m 0700 "$XDG_RUNTIME_DIR"
stop_daemons() { pkill -TERM -f -- "--socket $XDG_RUNTIME_DIR/bgcopy/" 2>/dev/null; }
trap 'stop_daemons; cleanup' EXIT

for t in http_credentials http_headers http_dynamic_content http_max_download_time; do
	bash "$here/$t.sh" > "$WORK/$t.log" 2>&1 || { cat "$WORK/$t.log"; die "$t through bgcopyd"; }
	pgrep -f -- "--socket $XDG_RUNTIME_DIR/bgcopy/" >/dev/null ||
		die "$t started no bgcopyd: its commands ran embedded"
	stop_daemons
	for _ in $(seq 100); do pgrep -f -- "--socket $XDG_RUNTIME_DIR/bgcopy/" >/dev/null || break; sleep 0.05; done
	echo "$t: ok through bgcopyd"
done
echo "bgcopyd_http: ok"
